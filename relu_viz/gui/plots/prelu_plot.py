"""The learned negative-side slope of every PReLU layer over steps, or, in a network
without PReLU, each layer's update/weight ratio ||ΔW|| / ||W|| over steps."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore

from relu_viz.gui.plots import style
from relu_viz.gui.plots.base import BasePlot, demo_show, nearest_index
from relu_viz.gui.plots.items import FitText
from relu_viz.gui.plots.key import layer_entries
from relu_viz.gui.plots.ranges import ViewFollower, step_range

#: The note over the panel when the network has no PReLU layer.
NOT_USED = "PReLU not used; showing ||\u0394W||/||W||"
#: Update/weight ratio per step that is usually called healthy, and the band around it.
HEALTHY_RATIO = 1e-3
HEALTHY_BAND = (1e-4, 1e-2)
RATIO_METRIC = "update_ratio"


class PReluPlot(BasePlot):
    """One curve per PReLU layer of its slope a in f(z) = max(z, a z); without PReLU, one
    curve per weight layer of the update/weight ratio (a classic health metric: about 1e-3
    per step is healthy, far below learns slowly, far above is unstable).

    ``title`` and ``slug`` stay "PReLU slopes" / "prelu" whatever the panel shows: they name
    the panel (its place in the window, menus, the default export name
    ``<activation>_prelu_step<N>.png``), and the picture's own title says what it shows.
    """

    title = "PReLU slopes"
    slug = "prelu"
    live_interval = 0.08

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layers: list[int] = []
        self._names: list[str] = []
        self._model = None
        self._mode = ""
        self._steps = np.empty(0)
        self._slopes = np.empty((0, 0))
        self._ratios = np.empty((0, 0))
        self.curves: list[pg.PlotDataItem] = []         # PReLU slopes
        self.ratio_curves: list[pg.PlotDataItem] = []   # update ratios (no PReLU)

        # The title is the panel's own (not the plot item's) so that the note can sit under
        # it: the note says what the panel shows instead of slopes, and takes no height at
        # all when the network uses PReLU.
        self.header = FitText(size=style.TITLE_PT)
        self.note = FitText(size=style.SMALL_PT, color=style.MUTED, collapse=True)
        self.ci.addItem(self.header, row=0, col=0)
        self.ci.addItem(self.note, row=1, col=0)
        self.plot = self.addPlot(row=2, col=0)
        style.style_axes(self.plot, "step", None)
        self.plot.getAxis("left").setWidth(52)
        self.key = self._add_key(row=3)
        guide = pg.mkPen(140, 140, 140, 200, width=1, style=QtCore.Qt.PenStyle.DotLine)
        self.ref_lines = []
        for y, text in ((0.0, "a = 0: ReLU"), (1.0, "a = 1: linear")):
            line = pg.InfiniteLine(pos=y, angle=0, movable=False, pen=guide, label=text,
                                   labelOpts={"position": 0.04, "color": style.MUTED,
                                              "anchors": [(0, 1), (0, 1)]})
            self.plot.addItem(line, ignoreBounds=True)
            self.ref_lines.append(line)
        lo, hi = (math.log10(v) for v in HEALTHY_BAND)     # view units of a log axis
        self.healthy_band = pg.LinearRegionItem((lo, hi), orientation="horizontal",
                                                movable=False, brush=pg.mkBrush(80, 170, 90, 26),
                                                pen=pg.mkPen(None))
        self.healthy_band.setZValue(-20)
        self.healthy_line = pg.InfiniteLine(
            pos=math.log10(HEALTHY_RATIO), angle=0, movable=False, pen=guide,
            label="healthy " + f"{HEALTHY_RATIO:.0e}".replace("e-0", "e-"),
            labelOpts={"position": 0.04, "color": style.MUTED, "anchors": [(0, 1), (0, 1)]})
        for item in (self.healthy_band, self.healthy_line):
            self.plot.addItem(item, ignoreBounds=True)
        # Ranges set from the data in refresh (auto-range with thinned curves could loop,
        # see ranges.py). The update-ratio range always holds the healthy band: two decades
        # at least, so the log axis labels whole decades only (no crowded 2..9 ticks).
        self.ranges = ViewFollower(self.plot)
        self.message = FitText(size=style.TITLE_PT, color=style.MUTED).pin(self.plot.vb)
        self._add_readout(row=4)
        self._enable_hover(self.plot)

    def uses_prelu(self) -> bool:
        """True when at least one layer of the last rebuilt network uses PReLU."""
        return bool(self._layers)

    def showing(self) -> str:
        """"slopes" (PReLU slopes) or "update_ratio" (no PReLU in the network)."""
        return self._mode

    # -- contract ----------------------------------------------------------------------
    def rebuild(self, trainer) -> None:
        """Slope curves for the learnable activations, else update-ratio curves."""
        self._model = trainer.model
        for curve in self.curves + self.ratio_curves:
            self.plot.removeItem(curve)
        self.curves, self.ratio_curves = [], []
        names = list(trainer.layer_names())
        n_all = len(names)
        acts = trainer.model.hidden_activations
        self._layers = [i for i, act in enumerate(acts) if getattr(act, "learnable", False)]
        used = self.uses_prelu()
        self._mode = "slopes" if used else "update_ratio"
        if used:
            self._names = [names[i] for i in self._layers]
            width = style.series_width(len(self._layers))
            pens = [style.layer_pen(i, n_all, width) for i in self._layers]
            for pen in pens:
                self.curves.append(style.thin_out(self.plot.plot(pen=pen)))
            self.plot.setLogMode(y=False)
            self.ranges.min_span = 0.1     # slopes barely move: no zoom into the noise
            style.set_axis_label(self.plot, "left", "slope a (z < 0)")
            self.header.set_text("Learned PReLU slope a per layer", "PReLU slope a per layer",
                                 "PReLU slope a")
            self.note.set_text("")
        else:
            self._names = names
            width = style.series_width(n_all, noisy=True)
            pens = [style.layer_pen(i, n_all, width) for i in range(n_all)]
            for pen in pens:
                self.ratio_curves.append(style.thin_out(self.plot.plot(pen=pen)))
            self.plot.setLogMode(y=True)
            self.ranges.min_span = 1e-3
            style.set_axis_label(self.plot, "left", "||\u0394W|| / ||W||")
            self.header.set_text("Update ratio ||\u0394W|| / ||W|| per layer",
                                 "Update ratio ||\u0394W||/||W||", "||\u0394W||/||W||")
            self.note.set_text(NOT_USED, "PReLU not used: ||\u0394W||/||W||", "no PReLU here")
        self.key.set_entries(layer_entries(style.layer_tags(self._names), pens)
                             if len(pens) > 1 else [])
        for line in self.ref_lines:
            line.setVisible(used)
        for item in (self.healthy_band, self.healthy_line):
            item.setVisible(not used)
        self.message.set_text("")
        self.setToolTip(
            "The learned slope a of each PReLU layer: a = 0 is ReLU, a = 1 is linear."
            if used else
            "This network has no PReLU layer, so the panel shows each layer's update/weight "
            "ratio ||\u0394W|| / ||W|| per step instead.\nAbout 1e-3 is healthy (green band "
            "1e-4 to 1e-2); far below, the layer barely learns; far above, training is "
            "unstable.")
        self._steps = np.empty(0)
        self._slopes = np.empty((0, len(self._layers)))
        self._ratios = np.empty((0, n_all))
        self.ranges.reset()
        self.ranges.follow(step_range(0.0), [np.array([0.0, 1.0]) if used
                                             else np.array(HEALTHY_BAND)])
        self._update_summary()

    def refresh(self, trainer, upto_step: float | None = None) -> None:
        """Update the curves from the history (rows with step <= upto_step).

        While training plays, at most every ``live_interval`` seconds (see BasePlot._defer);
        the loss plot keeps every frame. The latest state is drawn on pause.
        """
        if not self._defer(trainer, upto_step):
            self._timed(self._refresh_now, trainer, upto_step)

    def _refresh_now(self, trainer, upto_step: float | None = None) -> None:
        if trainer.model is not self._model:
            self.rebuild(trainer)
        h = trainer.history
        steps = h.scalar("step", upto_step)
        if self._layers:
            slopes = h.layer("prelu_slope", upto_step)[:, self._layers]
            for k, curve in enumerate(self.curves):
                curve.setData(steps, slopes[:, k])
            self._slopes = slopes
            ys = [slopes]
        else:
            ratios = h.layer(RATIO_METRIC, upto_step)
            positive = np.where(ratios > 0, ratios, np.nan)   # a log axis has no place for 0
            for k, curve in enumerate(self.ratio_curves):
                curve.setData(steps, positive[:, k], connect="finite")
            self._ratios = ratios
            ys = [ratios, np.array(HEALTHY_BAND)]
        self.ranges.follow(step_range(steps[-1] if len(steps) else 0.0), ys)
        self._steps = steps
        self._update_summary()

    # -- read-out ----------------------------------------------------------------------
    def _row_text(self, i: int) -> str:
        if self._layers:
            values, what = self._slopes[i], "a"
        else:
            values, what = self._ratios[i], "||\u0394W||/||W||"
        parts = [f"{tag} {style.fmt(v, 2)}"
                 for tag, v in zip(style.layer_tags(self._names), values)]
        if len(parts) > 8:
            parts = parts[:4] + ["\u2026"] + parts[-3:]
        return f"step {int(self._steps[i])} \u00b7 {what}: " + ", ".join(parts)

    def summary_text(self) -> str:
        if not self._names:
            return ""
        if not len(self._steps):
            return "no steps yet"
        return self._row_text(len(self._steps) - 1)

    def hover_text(self, plot, x, y):
        i = nearest_index(self._steps, x)
        return None if i is None or not self._names else self._row_text(i)


if __name__ == "__main__":
    demo_show(PReluPlot, steps=300, dataset="spiral", activation="prelu")
