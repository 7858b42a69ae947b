"""Per-layer gradient size over steps (log axis) and now, as bars from input to output."""

from __future__ import annotations

import math
import weakref

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore, QtGui

from relu_viz.gui.plots import style
from relu_viz.gui.plots.base import BasePlot, demo_show, nearest_index
from relu_viz.gui.plots.key import layer_entries
from relu_viz.gui.plots.ranges import ViewFollower, step_range

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


def _times(factor: float) -> str:
    """"340x" or "1.8e+06x"."""
    return f"{factor:.0f}x" if factor < 1e4 else f"{factor:.1e}x"


class GradientPlot(BasePlot):
    """One curve per layer of a gradient metric over steps, and bars of its current value.

    Rows: the curves (log axis), a key of the layers, the bars (log10 of the value, one
    per layer, input to output, titled with the first-to-last-layer verdict), the read-out.
    """

    title = "Gradients per layer"
    slug = "gradients"
    live_interval = 0.08
    metric_changed = QtCore.pyqtSignal(str)

    def __init__(self, parent=None, metric: str = "grad_w_norm"):
        super().__init__(parent)
        if metric not in METRICS:
            raise ValueError(f"metric: {metric!r} is not one of {', '.join(METRICS)}")
        self._metric = metric
        self._names: list[str] = []
        self._act = None
        self._steps = np.empty(0)
        self._values = np.empty((0, 0))
        self._current = np.empty(0)
        self._current_step = None
        self._trainer = self._model = None
        self._ticks_for = None
        self._bar_lohi: tuple[float, float] | None = None
        self.curves: list[pg.PlotDataItem] = []
        self.value_labels: list[pg.TextItem] = []

        self.curve_plot = self.addPlot(row=0, col=0)
        # The key has a row of its own under the curves: it never hides a curve.
        self.key = self._add_key(row=1)
        self.bar_plot = self.addPlot(row=2, col=0)
        self.curve_plot.setLogMode(y=True)
        style.style_axes(self.curve_plot, None, None)   # the ticks say "step" well enough
        style.style_axes(self.bar_plot, None, None)
        self.bar_plot.showGrid(x=False, y=True, alpha=style.GRID_ALPHA)
        self.bar_plot.vb.setMouseEnabled(x=False)
        for plot in (self.curve_plot, self.bar_plot):
            plot.getAxis("left").setWidth(58)
        # Ranges set from the data in refresh: auto-range with thinned curves could loop.
        self.ranges = ViewFollower(self.curve_plot)
        self.bars = pg.BarGraphItem(x=[], height=[], y0=[], width=0.7,
                                    pen=pg.mkPen(80, 80, 80, 150))
        self.bar_plot.addItem(self.bars)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(2, 2)
        self._add_readout(row=3)
        self._enable_hover(self.curve_plot, self.bar_plot)
        self._add_metric_menu()
        self._label_axes()
        # Names under the bars and values over them depend on the pixels per bar.
        self.bar_plot.vb.sigResized.connect(self._fit_bar_texts)
        self.setToolTip("Top: the metric of every weight layer over the steps (log scale).\n"
                        "Bottom: its value now, one bar per layer from input to output; "
                        "the title compares the first layer with the output layer.")

    # -- metric selection --------------------------------------------------------------
    @staticmethod
    def metrics() -> list[str]:
        """Names accepted by :meth:`set_metric`, in menu order."""
        return list(METRICS)

    def metric_name(self) -> str:
        """The metric shown now (not ``metric``: that is QPaintDevice's, called by Qt)."""
        return self._metric

    def set_metric(self, name: str) -> None:
        """Show ``name`` (one of :meth:`metrics`); redraws from the last trainer seen."""
        if name not in METRICS:
            raise ValueError(f"metric: {name!r} is not one of {', '.join(METRICS)}")
        if name == self._metric:
            return
        self._metric = name
        self._bar_lohi = None          # another quantity: the bar axis starts afresh
        for action in self._menu_actions:
            action.setChecked(action.data() == name)
        self._label_axes()
        if self._trainer is not None:
            self.refresh(self._trainer, self._current_step)
        self.metric_changed.emit(name)

    def _add_metric_menu(self) -> None:
        """A 'Show metric' sub-menu in both plots' right-click menus.

        Each sub-menu owns its own actions: actions parented to this widget and shared by
        the view boxes' menus crashed Qt when the widget was deleted before the menus.
        """
        self._menu_actions: list[QtGui.QAction] = []
        me = weakref.ref(self)    # no cycle plot -> menu -> action -> plot
        for plot in (self.curve_plot, self.bar_plot):
            menu = plot.vb.menu
            if menu is None:
                continue
            menu.addSeparator()
            sub = menu.addMenu("Show metric")
            for name in METRICS:
                action = sub.addAction(MENU_TEXT[name])
                action.setCheckable(True)
                action.setData(name)
                action.setChecked(name == self._metric)
                action.triggered.connect(lambda _=False, n=name: me() and me().set_metric(n))
                self._menu_actions.append(action)

    def _label_axes(self) -> None:
        axis_label, short = METRICS[self._metric]
        style.set_axis_label(self.curve_plot, "left", axis_label)
        style.set_axis_label(self.bar_plot, "left", "log10")
        act = f" ({self._act})" if self._act else ""
        style.set_title(self.curve_plot, f"{short} per layer{act}", f"{short} per layer",
                        short)

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
        self.curves, self.value_labels = [], []
        pens = [style.layer_pen(i, n, style.series_width(n, noisy=True)) for i in range(n)]
        for i in range(n):
            curve = self.curve_plot.plot(pen=pens[i])
            style.thin_out(curve)
            self.curves.append(curve)
            label = pg.TextItem("", color=style.TEXT, anchor=(0.5, 1.05))
            label.setFont(style.font(style.SMALL_PT - 1))
            self.bar_plot.addItem(label, ignoreBounds=True)
            self.value_labels.append(label)
        self.key.set_entries(layer_entries(style.layer_tags(names), pens))
        self._names = names
        self._act = style.shared_activation(names[:-1])
        self._label_axes()
        self.bars.setOpts(x=np.arange(n), height=np.zeros(n), y0=np.zeros(n), width=0.7,
                          brushes=[style.layer_brush(i, n) for i in range(n)])
        self._ticks_for = None
        self._bar_lohi = None
        self._fit_bar_texts()
        self.bar_plot.setXRange(-0.6, n - 0.4, padding=0)
        self._steps, self._values, self._current = np.empty(0), np.empty((0, n)), np.full(n, np.nan)
        self.ranges.reset()
        self.ranges.follow(step_range(0.0))
        self._update_summary()

    def _fit_bar_texts(self, *_args) -> None:
        """Name every k-th bar so names never overlap; values over bars only when they fit."""
        n = len(self._names)
        if not n:
            return
        per_bar = self.bar_plot.vb.width() / max(n + 0.2, 1.0)
        fm = QtGui.QFontMetricsF(style.font(style.SMALL_PT))
        tags = style.layer_tags(self._names)
        wide = self._names if n <= 4 else tags
        if max(fm.horizontalAdvance(t) for t in wide) + 8 > per_bar:
            wide = tags
        need = max(fm.horizontalAdvance(t) for t in wide) + 6
        every = max(1, math.ceil(need / max(per_bar, 1.0)))
        picked = list(range(0, n, every))
        if picked[-1] != n - 1:       # always name the output layer, the verdict's reference
            if (n - 1 - picked[-1]) * per_bar < need and len(picked) > 1:
                picked.pop()
            picked.append(n - 1)
        ticks = [(i, wide[i]) for i in picked]
        show_values = per_bar >= QtGui.QFontMetricsF(
            style.font(style.SMALL_PT - 1)).horizontalAdvance("0.000") + 6
        state = (tuple(ticks), show_values)
        if state != self._ticks_for:
            self._ticks_for = state
            self.bar_plot.getAxis("bottom").setTicks([ticks, []])
            for label in self.value_labels:
                label.setVisible(show_values)

    def refresh(self, trainer, upto_step: float | None = None) -> None:
        """Curves from the history; bars from the last row with step <= upto_step.

        While training plays, at most every ``live_interval`` seconds (see BasePlot._defer);
        the loss plot keeps every frame. The latest state is drawn on pause.
        """
        if not self._defer(trainer, upto_step):
            self._timed(self._refresh_now, trainer, upto_step)

    def _refresh_now(self, trainer, upto_step: float | None = None) -> None:
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
        self.ranges.follow(step_range(steps[-1] if len(steps) else 0.0), [values])
        self._steps, self._values = steps, values
        self._current = values[-1] if len(values) else np.full(len(self.curves), np.nan)
        self._update_bars()
        self._update_summary()

    def _update_bars(self) -> None:
        cur = self._current
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.where(cur > 0, np.log10(np.where(cur > 0, cur, 1.0)), np.nan)
        finite = logs[np.isfinite(logs)]
        base, _top = self._bar_range(finite)
        tops = np.where(np.isfinite(logs), logs, base)
        self.bars.setOpts(height=tops - base, y0=np.full(len(tops), base))
        for i, label in enumerate(self.value_labels):
            text = "" if not np.isfinite(logs[i]) else style.fmt(cur[i], 2)
            if text != label.textItem.toPlainText():   # re-laying out text costs paint time
                label.setText(text)
            label.setPos(i, tops[i])
        step = int(self._steps[-1]) if len(self._steps) else 0
        word, ratio = self._verdict_parts()
        if ratio is None:
            style.set_title(self.bar_plot, f"step {step}: L1 vs output: \u2014",
                            "L1 vs out: \u2014", tooltip=self.verdict())
        else:
            r = style.fmt(ratio, 2)
            style.set_title(self.bar_plot, f"step {step}: {word}, L1/out = {r}",
                            f"{word.capitalize()}: L1/out = {r}", f"{word}, {r}", word,
                            tooltip=f"step {step}: {self.verdict()}")

    def _bar_range(self, logs: np.ndarray) -> tuple[float, float]:
        """(base, top) of the bar axis in log10 units for the bars' tops ``logs``.

        Per-step values jump by a decade or two between frames, and a range change
        re-lays out the axis: the range only grows (every bar at least 0.1 decade tall,
        the tallest leaving 20 % of the height for its value label) until the bars fill
        less than a fifth of it; then it starts afresh around them.
        """
        if not logs.size:
            return self._bar_lohi if self._bar_lohi is not None else (0.0, 1.0)
        lo, hi = float(logs.min()), float(logs.max())
        cur = self._bar_lohi
        base = float(math.floor(lo - 0.5))
        upper = math.ceil(max(hi + 0.6 * (hi - base) + 0.2, base + 1.0) * 2.0) / 2.0
        if cur is not None:
            c0, c1 = cur
            room = c1 - c0
            if hi - c0 >= room / 5:
                if lo - c0 >= 0.1 and hi <= c1 - 0.2 * room:
                    return cur
                base, upper = min(base, c0), max(upper, c1)     # grow, keep the rest
        self._bar_lohi = (base, float(upper))
        self.bar_plot.setYRange(base, upper, padding=0)
        return self._bar_lohi

    # -- reading -----------------------------------------------------------------------
    def _verdict_parts(self) -> tuple[str, float | None]:
        """("balanced" | "vanishing" | "exploding", first layer / output layer) or ("", None)."""
        cur = self._current
        if len(cur) < 2 or not (np.isfinite(cur[0]) and np.isfinite(cur[-1])) or cur[-1] <= 0:
            return "", None
        ratio = float(cur[0] / cur[-1])
        word = ("vanishing" if ratio < VANISHING_RATIO else
                "exploding" if ratio > EXPLODING_RATIO else "balanced")
        return word, ratio

    def verdict(self) -> str:
        """Short text comparing the first layer's value with the output layer's."""
        word, ratio = self._verdict_parts()
        if ratio is None:
            return "input layer vs output layer: \u2014"
        text = f"L1 / out = {style.fmt(ratio, 2)}"
        if word == "vanishing":
            return text + f"  \u2192 vanishing: L1 gets {_times(1 / max(ratio, 1e-300))} less"
        if word == "exploding":
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
