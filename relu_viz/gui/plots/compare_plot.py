"""Side-by-side runs overlaid: loss over steps and gradient norm per layer, one colour a run."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore, QtGui, QtWidgets

from relu_viz.gui.plots import style
from relu_viz.gui.plots.base import BasePlot
from relu_viz.gui.plots.items import FitText
from relu_viz.gui.plots.loss_plot import moving_average
from relu_viz.gui.plots.ranges import ViewFollower, step_range

SMOOTHING = 10
#: Marker of a gradient that is exactly 0, drawn on the bottom edge of the log axis.
ZERO_SYMBOL = "t"        # a triangle pointing down
ZERO_NOTE = "\u25bc on the bottom edge: gradient exactly 0 (a log axis has no 0)"


def run_color(i: int) -> str:
    """Colour of run ``i`` of a comparison."""
    return style.PALETTE[i % len(style.PALETTE)]


def _positive(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points with finite x and finite y > 0: a log axis has no place for the others."""
    ok = np.isfinite(x) & np.isfinite(y) & (y > 0)
    return x[ok], y[ok]


def floor_zeros(x, y, floor: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, y with exact zeros raised to ``floor``, the x of those zeros).

    A dead layer's gradient is exactly 0, which a log axis cannot show: drawn at ``floor``
    (the bottom edge) it keeps the run visible. NaN, inf and negative values are dropped.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y) & (y >= 0)
    x, y = x[ok], y[ok]
    zero = y == 0
    return x, np.where(zero, floor, y), x[zero]


class ComparePlot(BasePlot):
    """Loss (smoothed, log axis) of each run over steps and each run's gradient norm per layer.

    The gradient panel shows ``||dL/dW||`` of every weight layer (input to output) at the
    first step (solid, dots) and at the last step (dashed). A gradient of exactly 0 sits on
    the bottom edge with a ▼ marker, and a note under the plots names those runs.
    """

    title = "Comparison"
    slug = "compare"

    def __init__(self, parent=None):
        super().__init__(parent)
        # The legend has a row of its own above the plots, so it never hides a curve. (A
        # pyqtgraph LegendItem, not a KeyRow: the comparison fills a whole tab, and its
        # tests read the run names from the LegendItem.)
        self._legend = pg.LegendItem(labelTextColor=style.TEXT,
                                     labelTextSize=f"{style.FONT_PT}pt", horSpacing=24)
        # LegendItem ignores transformations: a PNG export wider than the view would draw it
        # at view size in the wrong place. It sits in a layout row, so it may scale.
        self._legend.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations,
                             False)
        self.addItem(self._legend, row=0, col=0, colspan=2)
        self.loss_plot = self.addPlot(row=1, col=0)
        self.grad_plot = self.addPlot(row=1, col=1)
        style.style_axes(self.loss_plot, "step", "loss (log scale)")
        style.style_axes(self.grad_plot, "weight layer (input \u2192 output)",
                         "||dL/dW|| (log scale)")
        self.loss_plot.setLogMode(y=True)
        self.grad_plot.setLogMode(y=True)
        for plot in (self.loss_plot, self.grad_plot):
            plot.getAxis("left").setWidth(58)
        style.set_title(self.loss_plot, f"Train loss (mean of {SMOOTHING})", "Train loss", "Loss")
        style.set_title(self.grad_plot, "Gradient norm per layer: first step \u2014, last - -",
                        "||dL/dW||: first step \u2014, last - -", "||dL/dW|| per layer")
        self.grad_plot.setToolTip(
            "||dL/dW|| of every weight layer at the first step (solid, dots) and at the last "
            "(dashed).\nA gradient of exactly 0 (a dead layer) has no place on a log axis: it "
            "is drawn on the bottom edge, marked \u25bc in the run's colour.")
        # Under the plots, only while some gradient is exactly 0 (no height otherwise).
        self.zero_note = FitText(size=style.SMALL_PT, color=style.MUTED, collapse=True)
        self.addItem(self.zero_note, row=2, col=0, colspan=2)
        # Ranges set from the data in refresh (auto-range with thinned curves can loop,
        # see ranges.py); the layer axis is fixed in rebuild.
        self.loss_ranges = ViewFollower(self.loss_plot)
        self.grad_ranges = ViewFollower(self.grad_plot, x=False)
        self._loss_curves: list[pg.PlotDataItem] = []
        self._first_curves: list[pg.PlotDataItem] = []
        self._last_curves: list[pg.PlotDataItem] = []
        self._zero_marks: list[pg.PlotDataItem] = []
        self._labels: list[str] = []
        #: Labels of the runs with a gradient of exactly 0 drawn on the bottom edge.
        self.zero_runs: list[str] = []
        #: Where those zeros are drawn (data units of the log axis), NaN before a refresh.
        self.grad_floor = float("nan")

    def rebuild(self, comparison) -> None:
        """One loss curve and two gradient curves per run, named by the run's label."""
        for curve in self._loss_curves:
            self.loss_plot.removeItem(curve)
        for curve in self._first_curves + self._last_curves + self._zero_marks:
            self.grad_plot.removeItem(curve)
        self._legend.clear()
        self._loss_curves, self._first_curves, self._last_curves = [], [], []
        self._zero_marks = []
        self._labels = list(comparison.labels)
        for i, label in enumerate(self._labels):
            color = run_color(i)
            pen = pg.mkPen(color, width=style.series_width(len(self._labels)))
            curve = style.thin_out(self.loss_plot.plot(pen=pen))
            self._loss_curves.append(curve)
            self._legend.addItem(curve, label)
            self._first_curves.append(self.grad_plot.plot(
                pen=pg.mkPen(color, width=2), symbol="o", symbolSize=6,
                symbolBrush=pg.mkBrush(color), symbolPen=pg.mkPen(color)))
            dashed = pg.mkPen(color, width=2, style=QtCore.Qt.PenStyle.DashLine)
            self._last_curves.append(self.grad_plot.plot(pen=dashed))
            mark = self.grad_plot.plot(pen=None, symbol=ZERO_SYMBOL, symbolSize=11,
                                       symbolBrush=pg.mkBrush(color),
                                       symbolPen=pg.mkPen("w", width=1))
            mark.setZValue(5)
            self._zero_marks.append(mark)
        self._fit_legend()
        n = max((t.n_layers for t in comparison.trainers), default=1)
        self.grad_plot.getAxis("bottom").setTicks(
            [[(i + 1, f"L{i + 1}" if i < n - 1 else "out") for i in range(n)]])
        self.grad_plot.setXRange(0.7, n + 0.3, padding=0)
        self.loss_ranges.reset()
        self.grad_ranges.reset()
        self.zero_runs = []
        self.grad_floor = float("nan")
        self.zero_note.set_text("")

    def _fit_legend(self) -> None:
        """As many legend columns as fit the width (one row when they do): a legend row is
        never wider than the panel, whatever the length of the run names."""
        n = len(getattr(self, "_labels", ()))    # resizeEvent comes during __init__ too
        if not n:
            return
        fm = QtGui.QFontMetricsF(style.font(style.FONT_PT))
        widths = [fm.horizontalAdvance(label) + 60.0 for label in self._labels]  # + sample
        room = self.width() - 30.0
        columns = 1
        for c in range(n, 0, -1):
            cols = [max(widths[k] for k in range(j, n, c)) for j in range(c)]
            if sum(cols) <= room:
                columns = c
                break
        if columns != self._legend.columnCount:
            self._legend.setColumnCount(columns)

    def resizeEvent(self, ev) -> None:  # noqa: N802 (Qt name)
        self._fit_legend()
        super().resizeEvent(ev)

    def refresh(self, comparison, upto_step: float | None = None) -> None:
        """Redraw every run's curves from its history."""
        last_step, losses, rows = 0.0, [], []
        for i, trainer in enumerate(comparison.trainers[: len(self._loss_curves)]):
            h = trainer.history
            steps = h.scalar("step", upto_step)
            loss = moving_average(h.scalar("train_loss", upto_step), SMOOTHING)
            x, y = _positive(steps, loss)
            self._loss_curves[i].setData(x, y)
            losses.append(y)
            if len(steps):
                last_step = max(last_step, float(steps[-1]))
            grads = h.layer("grad_w_norm", upto_step)
            rows.append((grads[0], grads[-1]) if len(grads) else None)
        self.loss_ranges.follow(step_range(last_step), losses)
        self._draw_gradients(comparison, rows)

    def _draw_gradients(self, comparison, rows) -> None:
        """First- and last-step gradient norms; exact zeros on the bottom edge (▼)."""
        values = [np.asarray(v, dtype=float) for pair in rows if pair is not None
                  for v in pair]
        pos = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in values]) \
            if values else np.empty(0)
        has_zero = any(np.any(v == 0) for v in values)
        if pos.size:
            # Half a decade of room under the smallest value for the row of zero markers.
            ys = [pos, np.array([pos.min() / 10 ** 0.6])] if has_zero else [pos]
        else:
            ys = [np.array([1e-4, 1.0])]        # nothing positive: a plain 4-decade axis
        self.grad_ranges.follow(ys=ys)
        y0, y1 = self.grad_plot.vb.viewRange()[1]
        floor_log = y0 + 0.05 * (y1 - y0)
        if pos.size:
            floor_log = min(floor_log, math.log10(float(pos.min())) - 0.3)
        self.grad_floor = 10.0 ** floor_log
        self.zero_runs = []
        for i, trainer in enumerate(comparison.trainers[: len(self._first_curves)]):
            layers = np.arange(1, trainer.n_layers + 1, dtype=float)
            zeros = []
            for curve, k in ((self._first_curves[i], 0), (self._last_curves[i], 1)):
                if rows[i] is None:
                    curve.setData([], [])
                    continue
                x, y, zx = floor_zeros(layers, rows[i][k], self.grad_floor)
                curve.setData(x, y)
                zeros.append(zx)
            zx = np.unique(np.concatenate(zeros)) if zeros else np.empty(0)
            self._zero_marks[i].setData(zx, np.full(len(zx), self.grad_floor))
            if len(zx):
                self.zero_runs.append(self._labels[i])
        # The bottom edge reads "0" on the axis while something is drawn there.
        self.grad_plot.getAxis("left").set_zero_tick(floor_log if self.zero_runs else None)
        if self.zero_runs:
            self.zero_note.set_text(f"{ZERO_NOTE}: {', '.join(self.zero_runs)}", ZERO_NOTE,
                                    "\u25bc on the bottom edge: gradient exactly 0",
                                    "\u25bc: gradient exactly 0")
        else:
            self.zero_note.set_text("")


if __name__ == "__main__":
    from relu_viz.app.runs import Comparison
    from relu_viz.core.config import TrainConfig

    app = pg.mkQApp(ComparePlot.title)
    comp = Comparison.from_spec(TrainConfig(hidden_layers=(16,) * 6), "activation=relu,sigmoid")
    comp.run(200)
    plot = ComparePlot()
    plot.rebuild(comp)
    plot.refresh(comp)
    plot.resize(1000, 450)
    plot.show()
    app.exec()
