"""Side-by-side runs overlaid: loss over steps and gradient norm per layer, one colour a run."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore, QtGui, QtWidgets

from relu_viz.gui.plots import style
from relu_viz.gui.plots.base import BasePlot
from relu_viz.gui.plots.loss_plot import moving_average

SMOOTHING = 10


def run_color(i: int) -> str:
    """Colour of run ``i`` of a comparison."""
    return style.PALETTE[i % len(style.PALETTE)]


def _positive(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points with finite x and finite y > 0: a log axis has no place for the others."""
    ok = np.isfinite(x) & np.isfinite(y) & (y > 0)
    return x[ok], y[ok]


class ComparePlot(BasePlot):
    """Loss (smoothed, log axis) of each run over steps and each run's gradient norm per layer.

    The gradient panel shows ``||dL/dW||`` of every weight layer (input to output) at the
    first step (solid, dots) and at the last step (dashed).
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
                         "||dL/dW|| (log)")
        self.loss_plot.setLogMode(y=True)
        self.grad_plot.setLogMode(y=True)
        style.set_title(self.loss_plot, f"Train loss (mean of {SMOOTHING})", "Train loss", "Loss")
        style.set_title(self.grad_plot, "Gradient norm per layer: first step \u2014, last - -",
                        "||dL/dW||: first step \u2014, last - -", "||dL/dW|| per layer")
        self._loss_curves: list[pg.PlotDataItem] = []
        self._first_curves: list[pg.PlotDataItem] = []
        self._last_curves: list[pg.PlotDataItem] = []
        self._labels: list[str] = []

    def rebuild(self, comparison) -> None:
        """One loss curve and two gradient curves per run, named by the run's label."""
        for curve in self._loss_curves:
            self.loss_plot.removeItem(curve)
        for curve in self._first_curves + self._last_curves:
            self.grad_plot.removeItem(curve)
        self._legend.clear()
        self._loss_curves, self._first_curves, self._last_curves = [], [], []
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
        self._fit_legend()
        n = max((t.n_layers for t in comparison.trainers), default=1)
        self.grad_plot.getAxis("bottom").setTicks(
            [[(i + 1, f"L{i + 1}" if i < n - 1 else "out") for i in range(n)]])

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
        for i, trainer in enumerate(comparison.trainers[: len(self._loss_curves)]):
            h = trainer.history
            steps = h.scalar("step", upto_step)
            loss = moving_average(h.scalar("train_loss", upto_step), SMOOTHING)
            self._loss_curves[i].setData(*_positive(steps, loss))
            grads = h.layer("grad_w_norm", upto_step)
            layers = np.arange(1, trainer.n_layers + 1, dtype=float)
            for curve, row in ((self._first_curves[i], 0), (self._last_curves[i], -1)):
                if len(grads):
                    curve.setData(*_positive(layers, grads[row]))
                else:
                    curve.setData([], [])


if __name__ == "__main__":
    from relu_viz.compare import Comparison
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
