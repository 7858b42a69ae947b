"""Per-layer gradient size over steps (log axis) and now, as bars from input to output."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore, QtGui

from relu_viz.gui.plots import style
from relu_viz.gui.plots.base import BasePlot, demo_show, nearest_index

#: Metric name -> (label of the log axis over steps, short name for bars and texts).
#: The axis labels stay short: a panel in the window's grid is only ~150 px tall.
METRICS = {
    "grad_w_norm": ("||dL/dW|| (L2)", "||dL/dW||"),
    "grad_b_norm": ("||dL/db|| (L2)", "||dL/db||"),
    "grad_mean_abs": ("mean |dL/dW|", "mean |dL/dW|"),
    "update_ratio": ("||\u0394W|| / ||W||", "||\u0394W||/||W||"),
}
#: Longer names for the right-click menu.
MENU_TEXT = {
    "grad_w_norm": "Weight-gradient norm ||dL/dW||",
    "grad_b_norm": "Bias-gradient norm ||dL/db||",
    "grad_mean_abs": "Mean |dL/dW| per weight",
    "update_ratio": "Update / weight ratio ||\u0394W|| / ||W||",
}
#: Ratio first hidden layer / output layer beyond which the text calls it vanishing/exploding.
VANISHING_RATIO = 1e-2
EXPLODING_RATIO = 1e2
_MAX_VALUE_LABELS = 16


def _times(factor: float) -> str:
    """"340x" or "1.8e+06x"."""
    return f"{factor:.0f}x" if factor < 1e4 else f"{factor:.1e}x"


class GradientPlot(BasePlot):
    """One curve per layer of a gradient metric over steps, and bars of its current value."""

    title = "Gradients per layer"
    slug = "gradients"
    metric_changed = QtCore.pyqtSignal(str)

    def __init__(self, parent=None, metric: str = "grad_w_norm"):
        super().__init__(parent)
        if metric not in METRICS:
            raise ValueError(f"metric: {metric!r} is not one of {', '.join(METRICS)}")
        self._metric = metric
        self._names: list[str] = []
        self._act_note = ""
        self._steps = np.empty(0)
        self._values = np.empty((0, 0))
        self._current = np.empty(0)
        self._current_step = None
        self._trainer = self._model = None
        self.curves: list[pg.PlotDataItem] = []
        self.value_labels: list[pg.TextItem] = []

        self.curve_plot = self.addPlot(row=0, col=0)
        # The legend has a row of its own under the curves: it never hides a curve.
        self.legend = style.legend_row(self.ci, row=1)
        self.bar_plot = self.addPlot(row=2, col=0)
        self.curve_plot.setLogMode(y=True)
        style.style_axes(self.curve_plot, None, None)   # the ticks say "step" well enough
        style.style_axes(self.bar_plot, None, None)
        self.bar_plot.showGrid(x=False, y=True, alpha=style.GRID_ALPHA)
        self.bar_plot.vb.setMouseEnabled(x=False)
        for plot in (self.curve_plot, self.bar_plot):
            plot.getAxis("left").setWidth(66)
        self.bars = pg.BarGraphItem(x=[], height=[], y0=[], width=0.7,
                                    pen=pg.mkPen(80, 80, 80, 150))
        self.bar_plot.addItem(self.bars)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(2, 2)
        self._add_readout(row=3)
        self._enable_hover(self.curve_plot, self.bar_plot)
        self._add_metric_menu()
        self._label_axes()

    # -- metric selection --------------------------------------------------------------
    @staticmethod
    def metrics() -> list[str]:
        """Names accepted by :meth:`set_metric`, in menu order."""
        return list(METRICS)

    def metric(self) -> str:
        return self._metric

    def set_metric(self, name: str) -> None:
        """Show ``name`` (one of :meth:`metrics`); redraws from the last trainer seen."""
        if name not in METRICS:
            raise ValueError(f"metric: {name!r} is not one of {', '.join(METRICS)}")
        if name == self._metric:
            return
        self._metric = name
        for action in self._metric_actions.values():
            action.setChecked(action.data() == name)
        self._label_axes()
        if self._trainer is not None:
            self.refresh(self._trainer, self._current_step)
        self.metric_changed.emit(name)

    def _add_metric_menu(self) -> None:
        """A 'Show' sub-menu in both plots' right-click menus."""
        self._metric_group = QtGui.QActionGroup(self)
        self._metric_actions = {}
        for name in METRICS:
            action = QtGui.QAction(MENU_TEXT[name], self, checkable=True)
            action.setData(name)
            action.setChecked(name == self._metric)
            action.triggered.connect(lambda _=False, n=name: self.set_metric(n))
            self._metric_group.addAction(action)
            self._metric_actions[name] = action
        for plot in (self.curve_plot, self.bar_plot):
            menu = plot.vb.menu
            if menu is not None:
                menu.addSeparator()
                sub = menu.addMenu("Show metric")
                for action in self._metric_actions.values():
                    sub.addAction(action)

    def _label_axes(self) -> None:
        axis_label, short = METRICS[self._metric]
        style.set_axis_label(self.curve_plot, "left", axis_label)
        style.set_axis_label(self.bar_plot, "left", f"log10 {short}")
        style.set_title(self.curve_plot, f"{short} per layer vs step{self._act_note}")

    # -- contract ----------------------------------------------------------------------
    def rebuild(self, trainer) -> None:
        """One curve, one bar and one value label per weight layer."""
        self._trainer, self._model = trainer, trainer.model
        names = list(trainer.layer_names())
        n = len(names)
        for curve in self.curves:
            self.curve_plot.removeItem(curve)
        for label in self.value_labels:
            self.bar_plot.removeItem(label)
        self.legend.clear()
        self.curves, self.value_labels = [], []
        for i, name in enumerate(style.short_layer_names(names)):
            curve = self.curve_plot.plot(pen=style.layer_pen(i, n, width=2))
            self.legend.addItem(curve, name)
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self.curves.append(curve)
            if n <= _MAX_VALUE_LABELS:
                label = pg.TextItem("", color=style.TEXT, anchor=(0.5, 1.05))
                label.setFont(style.font(style.SMALL_PT - (1 if n > 8 else 0)))
                self.bar_plot.addItem(label, ignoreBounds=True)
                self.value_labels.append(label)
        short_names = style.short_layer_names(names) != names
        self.legend.setColumnCount(n if n <= 5 else 6 if short_names else 4)
        self._names = names
        shared = {nm.split(" ", 1)[1] for nm in names if " " in nm}
        self._act_note = f" (hidden: {shared.pop()})" if len(shared) == 1 else ""
        self._label_axes()
        self.bars.setOpts(x=np.arange(n), height=np.zeros(n), y0=np.zeros(n), width=0.7,
                          brushes=[pg.mkBrush(style.layer_color(i, n)) for i in range(n)])
        self._set_layer_ticks(names)
        self.bar_plot.setXRange(-0.6, n - 0.4, padding=0)
        self._steps, self._values, self._current = np.empty(0), np.empty((0, n)), np.full(n, np.nan)
        self.curve_plot.enableAutoRange()
        self._update_summary()

    def _set_layer_ticks(self, names: list[str]) -> None:
        n = len(names)
        short = [nm.split(" ")[0] for nm in names]
        labels = names if n <= 6 else short
        step = 1 if n <= 16 else 2
        ticks = [(i, labels[i]) for i in range(0, n, step)]
        if (n - 1) % step:
            ticks.append((n - 1, labels[-1]))
        self.bar_plot.getAxis("bottom").setTicks([ticks, []])

    def refresh(self, trainer, upto_step: float | None = None) -> None:
        """Curves from the history; bars from the last row with step <= upto_step."""
        if trainer.model is not self._model:
            self.rebuild(trainer)
        self._trainer = trainer
        self._current_step = upto_step
        h = trainer.history
        steps = h.scalar("step", upto_step)
        values = h.layer(self._metric, upto_step)
        positive = np.where(values > 0, values, np.nan)
        for i, curve in enumerate(self.curves):
            curve.setData(steps, positive[:, i])
        self._steps, self._values = steps, values
        self._current = values[-1] if len(values) else np.full(len(self.curves), np.nan)
        self._update_bars()
        self._update_summary()

    def _update_bars(self) -> None:
        cur = self._current
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.where(cur > 0, np.log10(np.where(cur > 0, cur, 1.0)), np.nan)
        finite = logs[np.isfinite(logs)]
        base = math.floor(finite.min()) if finite.size else 0.0
        if finite.size and finite.min() - base < 0.15:
            base -= 1.0   # a bar at the very bottom of its decade would look empty
        tops = np.where(np.isfinite(logs), logs, base)
        self.bars.setOpts(height=tops - base, y0=np.full(len(tops), base))
        for i, label in enumerate(self.value_labels):
            label.setText("" if not np.isfinite(logs[i]) else style.fmt(cur[i], 2))
            label.setPos(i, tops[i])
        top = finite.max() if finite.size else base + 1.0
        self.bar_plot.setYRange(base, max(top + 0.4 * (top - base) + 0.15, base + 1.0),
                                padding=0)
        step = int(self._steps[-1]) if len(self._steps) else 0
        style.set_title(self.bar_plot, f"now (step {step}): {self.verdict()}")

    # -- reading -----------------------------------------------------------------------
    def verdict(self) -> str:
        """Short text comparing the first layer's value with the output layer's."""
        cur = self._current
        if len(cur) < 2 or not (np.isfinite(cur[0]) and np.isfinite(cur[-1])) or cur[-1] <= 0:
            return "input layer vs output layer: \u2014"
        ratio = cur[0] / cur[-1]
        text = f"L1 / out = {style.fmt(ratio, 2)}"
        if ratio < VANISHING_RATIO:
            return text + f"  \u2192 vanishing: L1 gets {_times(1 / max(ratio, 1e-300))} less"
        if ratio > EXPLODING_RATIO:
            return text + f"  \u2192 exploding toward the input ({_times(ratio)})"
        return text + "  \u2192 balanced"

    def summary_text(self) -> str:
        if not len(self._steps):
            return "no steps yet"
        return self._row_text(len(self._steps) - 1)

    def _row_text(self, i: int) -> str:
        short = METRICS[self._metric][1]
        parts = [f"{nm.split(' ')[0]} {style.fmt(v, 2)}"
                 for nm, v in zip(self._names, self._values[i])]
        if len(parts) > 10:
            parts = parts[:4] + ["\u2026"] + parts[-4:]
        return f"step {int(self._steps[i])} \u00b7 {short}: " + ", ".join(parts)

    def hover_text(self, plot, x, y):
        if plot is self.bar_plot:
            i = int(round(x))
            if not 0 <= i < len(self._names):
                return None
            v = self._current[i]
            log = f"{math.log10(v):.2f}" if v > 0 else "\u2014"
            return (f"{self._names[i]}: {METRICS[self._metric][1]} = {style.fmt(v, 3)} "
                    f"(log10 {log})")
        i = nearest_index(self._steps, x)
        return None if i is None else self._row_text(i)


if __name__ == "__main__":
    demo_show(GradientPlot, steps=300, dataset="spiral", hidden_layers=(16,) * 6,
              activation="sigmoid", init="xavier_normal")
