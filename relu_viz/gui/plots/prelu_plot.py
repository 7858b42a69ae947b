"""The learned negative-side slope of every PReLU layer over steps."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore

from relu_viz.gui.plots import style
from relu_viz.gui.plots.base import BasePlot, demo_show, nearest_index

NOT_USED = "PReLU not used in this network"


class PReluPlot(BasePlot):
    """One curve per PReLU layer of its slope a in f(z) = max(z, a z)."""

    title = "PReLU slopes"
    slug = "prelu"

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layers: list[int] = []
        self._names: list[str] = []
        self._model = None
        self._steps = np.empty(0)
        self._slopes = np.empty((0, 0))
        self.curves: list[pg.PlotDataItem] = []

        self.plot = self.addPlot(row=0, col=0)
        style.style_axes(self.plot, "step", "slope a: f(z) = a\u00b7z for z < 0")
        style.set_title(self.plot, "Learned PReLU slope a per layer")
        self.plot.getAxis("left").setWidth(52)
        self.legend = style.add_legend(self.plot, 2)
        guide = pg.mkPen(140, 140, 140, 200, width=1, style=QtCore.Qt.PenStyle.DotLine)
        self.ref_lines = []
        for y, text in ((0.0, "a = 0: ReLU"), (1.0, "a = 1: linear")):
            line = pg.InfiniteLine(pos=y, angle=0, movable=False, pen=guide, label=text,
                                   labelOpts={"position": 0.04, "color": style.MUTED,
                                              "anchors": [(0, 1), (0, 1)]})
            self.plot.addItem(line, ignoreBounds=True)
            self.ref_lines.append(line)
        self.message = style.overlay_label(self.plot.vb, (0.5, 0.5), (0.5, 0.5), (0, 0),
                                           size=style.TITLE_PT, color=style.MUTED)
        self._add_readout(row=1)
        self._enable_hover(self.plot)

    def uses_prelu(self) -> bool:
        """True when at least one layer of the last rebuilt network uses PReLU."""
        return bool(self._layers)

    def rebuild(self, trainer) -> None:
        """A curve for each hidden layer whose activation is learnable."""
        self._model = trainer.model
        for curve in self.curves:
            self.plot.removeItem(curve)
        self.legend.clear()
        self.curves = []
        names = list(trainer.layer_names())
        n_all = len(names)
        acts = trainer.model.hidden_activations
        self._layers = [i for i, act in enumerate(acts) if getattr(act, "learnable", False)]
        self._names = [names[i] for i in self._layers]
        for i in self._layers:
            curve = self.plot.plot(pen=style.layer_pen(i, n_all, width=2.2), name=names[i])
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            self.curves.append(curve)
        style.set_legend_columns(self.legend, len(self.curves))
        used = self.uses_prelu()
        self.message.setText("" if used else NOT_USED)
        self.legend.setVisible(used)
        for line in self.ref_lines:
            line.setVisible(used)
        self.plot.getAxis("left").setStyle(showValues=used)
        self.plot.getAxis("bottom").setStyle(showValues=used)
        self._steps, self._slopes = np.empty(0), np.empty((0, len(self._layers)))
        if used:
            self.plot.enableAutoRange()
        else:
            self.plot.setRange(xRange=(0, 1), yRange=(0, 1))
        self._update_summary()

    def refresh(self, trainer, upto_step: float | None = None) -> None:
        """Update the slope curves from the history (rows with step <= upto_step)."""
        if trainer.model is not self._model:
            self.rebuild(trainer)
        if not self._layers:
            return
        h = trainer.history
        steps = h.scalar("step", upto_step)
        slopes = h.layer("prelu_slope", upto_step)[:, self._layers]
        for k, curve in enumerate(self.curves):
            curve.setData(steps, slopes[:, k])
        self._steps, self._slopes = steps, slopes
        self._update_summary()

    def _row_text(self, i: int) -> str:
        parts = [f"{nm.split(' ')[0]} a = {style.fmt(v, 3)}"
                 for nm, v in zip(self._names, self._slopes[i])]
        if len(parts) > 8:
            parts = parts[:4] + ["\u2026"] + parts[-3:]
        return f"step {int(self._steps[i])} \u00b7 " + ", ".join(parts)

    def summary_text(self) -> str:
        if not self._layers:
            return ""
        if not len(self._steps):
            return "no steps yet"
        return self._row_text(len(self._steps) - 1)

    def hover_text(self, plot, x, y):
        i = nearest_index(self._steps, x)
        return None if i is None or not self._layers else self._row_text(i)


if __name__ == "__main__":
    demo_show(PReluPlot, steps=300, dataset="spiral", activation="prelu")
