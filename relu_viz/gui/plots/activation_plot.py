"""The activation f(z), its slope f'(z), and where a layer's pre-activations actually fall."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore

from relu_viz.core import activations
from relu_viz.core.trainer import Trainer
from relu_viz.gui.plots import style
from relu_viz.gui.plots.base import BasePlot, demo_show
from relu_viz.gui.plots.items import FitText
from relu_viz.gui.plots.key import KeyEntry
from relu_viz.gui.plots.ranges import nice_step

Z_RANGE = (-6.0, 6.0)
ZERO_GRAD = 0.01     # |f'| below this: the unit passes (almost) no gradient
SMALL_GRAD = 0.05    # |f'| below this: saturated, the gradient is small


def zone_masks(act, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of ``z``: ``|f'(z)| < ZERO_GRAD``, and ``ZERO_GRAD <= |f'(z)| < SMALL_GRAD``."""
    with np.errstate(all="ignore"):
        d = np.abs(act.derivative(np.asarray(z, dtype=np.float64)))
    zero = d < ZERO_GRAD
    return zero, (d < SMALL_GRAD) & ~zero


def intervals(mask: np.ndarray, z: np.ndarray) -> list[tuple[float, float]]:
    """Runs of True in ``mask`` over the sorted grid ``z`` as (start, end), ends at midpoints."""
    if not mask.any():
        return []
    edges = np.concatenate(([z[0]], (z[1:] + z[:-1]) / 2, [z[-1]]))
    flips = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return [(float(edges[a]), float(edges[b])) for a, b in zip(flips[::2], flips[1::2])]


def zero_gradient_fraction(act, counts: np.ndarray, edges: np.ndarray) -> tuple[float, float]:
    """Shares of a histogram's samples whose bin centre is in the zero / small-gradient zone."""
    total = counts.sum()
    if total <= 0:
        return float("nan"), float("nan")
    zero, small = zone_masks(act, (edges[1:] + edges[:-1]) / 2)
    return float(counts[zero].sum() / total), float(counts[small].sum() / total)


def fraction_text(frac: float, layer: str) -> str:
    """"62 % of L2's inputs get zero gradient" (one decimal under 10 %)."""
    if frac != frac:
        return f"no pre-activations of {layer} to show"
    pct = 100.0 * frac
    num = f"{pct:.1f}" if 0 < pct < 10 else f"{pct:.0f}"
    return f"{num} % of {layer}'s inputs get zero gradient"


def fraction_alternatives(frac: float, layer: str) -> tuple[str, ...]:
    """:func:`fraction_text` and shorter wordings for narrow panels."""
    if frac != frac:
        return fraction_text(frac, layer), "no pre-activations"
    pct = 100.0 * frac
    num = f"{pct:.1f}" if 0 < pct < 10 else f"{pct:.0f}"
    return (fraction_text(frac, layer), f"{num} % get zero gradient", f"{num} % zero grad.",
            f"{num} %")


def _titles(name: str, act) -> tuple[str, ...]:
    """"Leaky ReLU: f(z) = z if z > 0 else 0.01*z" (the formula carries the parameters),
    then shorter wordings for narrow panels: the name with its parameters, the name."""
    display = activations.display_name(name)
    formula = act.formula.splitlines()[0]
    params = ", ".join(f"{k} = {style.fmt(v, 3)}" for k, v in sorted(act.params.items()))
    return tuple(dict.fromkeys((f"{display}: {formula}",
                                f"{display} ({params})" if params else display, display)))


class _Regions:
    """A pool of shaded vertical bands in one plot, shown for a list of intervals."""

    def __init__(self, plot: pg.PlotItem, brush):
        self.plot, self.brush, self.items = plot, brush, []

    def show(self, spans: list[tuple[float, float]]) -> None:
        while len(self.items) < len(spans):
            item = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(*self.brush),
                                       pen=pg.mkPen(None))
            item.setZValue(-20)
            self.plot.addItem(item, ignoreBounds=True)
            self.items.append(item)
        for item, span in zip(self.items, spans):
            item.setRegion(span)
            item.setVisible(True)
        for item in self.items[len(spans):]:
            item.setVisible(False)

    def spans(self) -> list[tuple[float, float]]:
        return [tuple(it.getRegion()) for it in self.items if it.isVisible()]


class ActivationPlot(BasePlot):
    """f and f' with their zero-gradient zones, and a live histogram of one layer's z."""

    title = "Activation"
    slug = "activation"
    live_interval = 0.1

    def __init__(self, parent=None):
        super().__init__(parent)
        self.z = np.linspace(*Z_RANGE, 1201)
        self._name, self._params = "relu", {}
        self._act = activations.get("relu")
        self._overlay_names: list[str] = []
        self.overlay_curves: list[pg.PlotDataItem] = []
        self._layer = 0
        self._follow_layer = True
        self._trainer = self._model = None
        self._layer_names: list[str] = []
        self._counts = np.zeros(0)
        self._edges = Trainer.histogram_edges()
        self._hist_step = None
        self._hist_step_request = None
        self.zero_fraction = float("nan")
        self.small_fraction = float("nan")

        self.fn_plot = self.addPlot(row=0, col=0)
        # The key has a row of its own between the two plots: it never hides a curve.
        self.key = self._add_key(row=1)
        self.hist_plot = self.addPlot(row=2, col=0)
        self.hist_plot.setXLink(self.fn_plot)
        style.style_axes(self.fn_plot, None, "f(z), f'(z)")
        style.style_axes(self.hist_plot, "z (pre-activation)", "fraction")
        for plot in (self.fn_plot, self.hist_plot):
            plot.getAxis("left").setWidth(52)
            plot.setXRange(*Z_RANGE, padding=0.01)
            plot.vb.setMouseEnabled(x=False)
        self.hist_plot.showGrid(x=True, y=False, alpha=style.GRID_ALPHA)
        self.fn_regions = (_Regions(self.fn_plot, style.ZERO_GRAD_BRUSH),
                           _Regions(self.fn_plot, style.SMALL_GRAD_BRUSH))
        self.hist_regions = (_Regions(self.hist_plot, style.ZERO_GRAD_BRUSH),
                             _Regions(self.hist_plot, style.SMALL_GRAD_BRUSH))
        f_pen = pg.mkPen(style.PALETTE[0], width=2.5)
        # f' dashed and on top: where f and f' coincide (ReLU's z < 0) both stay visible.
        df_pen = pg.mkPen(style.PALETTE[1], width=2.2, style=QtCore.Qt.PenStyle.DashLine)
        self.f_curve = self.fn_plot.plot(pen=f_pen)
        self.df_curve = self.fn_plot.plot(pen=df_pen)
        self.df_curve.setZValue(2)
        self._base_keys = [KeyEntry.line("f(z)", f_pen), KeyEntry.line("f'(z)", df_pen),
                           KeyEntry.box("f' \u2248 0", style.ZERO_GRAD_BRUSH),
                           KeyEntry.box("f' small", style.SMALL_GRAD_BRUSH)]
        self._overlay_keys: list[KeyEntry] = []
        self.key.set_entries(self._base_keys)

        # One bar item per zone: gets a gradient (blue), zero (grey), small (amber).
        e, empty = self._edges, np.zeros(len(self._edges) - 1)
        self.bars_live = pg.BarGraphItem(x0=e[:-1], x1=e[1:], height=empty, pen=pg.mkPen(None),
                                         brush=pg.mkBrush(style.PALETTE[0] + "c0"))
        self.bars_zero = pg.BarGraphItem(x0=e[:-1], x1=e[1:], height=empty, pen=pg.mkPen(None),
                                         brush=pg.mkBrush(110, 110, 110, 200))
        self.bars_small = pg.BarGraphItem(x0=e[:-1], x1=e[1:], height=empty, pen=pg.mkPen(None),
                                          brush=pg.mkBrush(214, 150, 40, 210))
        for bars in (self.bars_live, self.bars_zero, self.bars_small):
            self.hist_plot.addItem(bars)
        # The share with zero gradient, over the head-room kept above the tallest bar.
        self.fraction_label = FitText(size=style.SMALL_PT, align="right").pin(
            self.hist_plot.vb, "top", offset=1)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(2, 2)
        self._add_readout(row=3)
        self._enable_hover(self.fn_plot, self.hist_plot)
        self.setToolTip(f"Grey bands (f' \u2248 0): |f'(z)| < {ZERO_GRAD:g}, the unit passes "
                        f"(almost) no gradient.\nAmber bands (f' small): |f'(z)| < {SMALL_GRAD:g},"
                        " saturated: a small gradient.\nBelow: where this layer's "
                        "pre-activations z fall now.")
        self._draw_function()

    # -- the function ------------------------------------------------------------------
    def set_activation(self, name: str, params: dict | None = None) -> None:
        """Show activation ``name`` with ``params`` (e.g. {"alpha": 0.1}) in the top plot.

        Naming the shown layer's own activation keeps following that layer (so a PReLU
        shows its learned slope, not the configured start); any other name is drawn as given
        until the next :meth:`rebuild` or :meth:`set_layer`.
        """
        t = self._trainer
        if t is not None and t.n_layers > 1 and name == t.config.activations()[self._layer]:
            self._follow_layer = True
            self._sync_layer(t)
            return
        self._follow_layer = False
        self._set_function(name, dict(params or {}))

    def activation(self) -> tuple[str, dict]:
        """Name and parameters of the activation drawn on top."""
        return self._name, dict(self._params)

    def _set_function(self, name: str, params: dict) -> None:
        self._act = activations.get(name, **params)
        self._name, self._params = name, dict(self._act.params)
        self._draw_function()

    def _draw_function(self) -> None:
        with np.errstate(all="ignore"):
            self.f_curve.setData(self.z, self._act.forward(self.z))
            self.df_curve.setData(self.z, self._act.derivative(self.z))
        zero, small = zone_masks(self._act, self.z)
        self.fn_regions[0].show(intervals(zero, self.z))
        self.fn_regions[1].show(intervals(small, self.z))
        style.set_title(self.fn_plot, *_titles(self._name, self._act))
        self._update_summary()

    def set_overlays(self, names: list[str]) -> None:
        """Draw other activations (default parameters) dashed and light, for comparison."""
        for curve in self.overlay_curves:
            self.fn_plot.removeItem(curve)
        self.overlay_curves, self._overlay_names, self._overlay_keys = [], [], []
        for k, name in enumerate(names):
            act = activations.get(name)
            colour = pg.mkColor(style.PALETTE[(2 + k) % len(style.PALETTE)])
            colour.setAlpha(170)
            pen = pg.mkPen(colour, width=1.8, style=QtCore.Qt.PenStyle.DashLine)
            with np.errstate(all="ignore"):
                y = act.forward(self.z)
            curve = self.fn_plot.plot(self.z, y, pen=pen)
            curve.setZValue(-5)
            self.overlay_curves.append(curve)
            self._overlay_names.append(name)
            self._overlay_keys.append(KeyEntry.line(activations.display_name(name), pen))
        # The overlays' names get a second key row; the plots give up the height.
        self.key.set_entries(self._base_keys + self._overlay_keys,
                             rows=2 if self._overlay_keys else 1)

    def overlays(self) -> list[str]:
        return list(self._overlay_names)

    # -- the layer ---------------------------------------------------------------------
    def set_layer(self, index: int) -> None:
        """Histogram hidden layer ``index`` (0-based); the top shows that layer's activation."""
        self._layer = max(0, int(index))
        self._follow_layer = True
        if self._trainer is not None:
            self._sync_layer(self._trainer)
            self.refresh(self._trainer, self._hist_step_request)

    def layer(self) -> int:
        return self._layer

    def _layer_activation(self, trainer, params=None):
        """The layer's activation; for PReLU with the slope in ``params`` (None: current)."""
        model = trainer.model
        act = model.hidden_activations[self._layer]
        if not getattr(act, "learnable", False):
            return act
        idx = model.slope_indices()[self._layer]
        slope = float((model.params if params is None else params)[idx])
        return activations.get(act.name or "prelu", alpha=slope)

    def _sync_layer(self, trainer) -> None:
        n_hidden = trainer.n_layers - 1
        self._layer = min(self._layer, max(n_hidden - 1, 0))
        if n_hidden and self._follow_layer:
            act = self._layer_activation(trainer)
            name = trainer.config.activations()[self._layer]
            self._set_function(name, dict(act.params))

    # -- contract ----------------------------------------------------------------------
    def rebuild(self, trainer) -> None:
        """Take the network's first hidden activation (PReLU: its current slope)."""
        self._trainer, self._model = trainer, trainer.model
        self._layer_names = list(trainer.layer_names())
        if self._layer >= trainer.n_layers - 1:
            self._layer = 0
        self._follow_layer = True
        self._sync_layer(trainer)
        self._counts = np.zeros(len(self._edges) - 1)
        self.zero_fraction = self.small_fraction = float("nan")
        self._set_bars(self._counts, np.zeros(len(self._counts), bool))
        self.fraction_label.set_text("")

    def refresh(self, trainer, upto_step: float | None = None) -> None:
        """Histogram of the layer's z now (or at the checkpoint at or before ``upto_step``).

        While training plays, at most every ``live_interval`` seconds (a forward pass
        for the histogram; see BasePlot._defer); the latest state is drawn on pause.
        """
        if not self._defer(trainer, upto_step):
            self._timed(self._refresh_now, trainer, upto_step)

    def _refresh_now(self, trainer, upto_step: float | None = None) -> None:
        if trainer.model is not self._model:
            self.rebuild(trainer)
        self._trainer, self._hist_step_request = trainer, upto_step
        if trainer.n_layers < 2:
            self.fraction_label.set_text("this network has no hidden layer", "no hidden layer")
            return
        params = None
        if upto_step is None:
            counts_all, step = trainer.histograms(), trainer.step_count
        else:
            idx = trainer.checkpoints.at(upto_step)
            if idx is None:
                counts_all, step = None, None
            else:
                counts_all = trainer.checkpoints.histograms[idx]
                step, params = trainer.checkpoints.steps[idx], trainer.checkpoints.params[idx]
        if counts_all is None:
            self._counts = np.zeros(len(self._edges) - 1)
            self._set_bars(self._counts, np.zeros(len(self._counts), bool))
            self.fraction_label.set_text(f"no snapshot at or before step {int(upto_step)}",
                                         f"no snapshot by step {int(upto_step)}", "no snapshot")
            self._hist_step = None
            return
        counts = np.asarray(counts_all[self._layer], dtype=np.float64)
        if len(counts) + 1 != len(self._edges):
            self._edges = Trainer.histogram_edges(bins=len(counts))
        act = self._layer_activation(trainer, params)
        if self._follow_layer and act.learnable and act.params != self._params:
            self._set_function(self._name, dict(act.params))
        centres = (self._edges[1:] + self._edges[:-1]) / 2
        zero, small = zone_masks(act, centres)
        self.zero_fraction, self.small_fraction = zero_gradient_fraction(act, counts, self._edges)
        self._counts, self._hist_step = counts, step
        self._set_bars(counts, zero, small)
        self.hist_regions[0].show(self._bin_spans(zero))
        self.hist_regions[1].show(self._bin_spans(small))
        full = self._layer_names[self._layer]
        short = full.split(" ")[0]
        lines = [fraction_alternatives(self.zero_fraction, short)]
        if self.small_fraction > 0 and self.hist_plot.vb.height() >= 110:
            pct = f"{100 * self.small_fraction:.0f} %"
            lines.append((f"{pct} more in the small-gradient zone", f"+{pct} small gradient",
                           ""))
        self.fraction_label.set_lines(lines)
        layer = f"{short} ({full.split(' ', 1)[1]})" if " " in full else short
        style.set_title(self.hist_plot, f"Pre-activations z of {layer} at step {int(step)}",
                        f"z of {layer} at step {int(step)}", f"z of {short}, step {int(step)}",
                        f"z of {short}")
        self._update_summary()

    def _bin_spans(self, mask: np.ndarray) -> list[tuple[float, float]]:
        e = self._edges
        flips = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
        return [(float(e[a]), float(e[b])) for a, b in zip(flips[::2], flips[1::2])]

    def _set_bars(self, counts: np.ndarray, zero: np.ndarray, small=None) -> None:
        total = counts.sum()
        share = counts / total if total > 0 else counts
        # Head-room above the tallest bar keeps the fraction text off the bars. The range
        # stays put while the tallest bar fills 45-72 % of it (a range change re-lays out
        # the axis, and the tallest bar moves a little every frame).
        top = float(share.max()) if len(share) and total > 0 else 0.1
        lo, hi = self.hist_plot.vb.viewRange()[1]
        if not (lo == 0.0 and top * 1.38 <= hi <= top * 2.2):
            q = nice_step(top / 10.0) if top > 0 else 0.01
            self.hist_plot.setYRange(0.0, math.ceil(top * 1.6 / q) * q, padding=0)
        small = np.zeros_like(zero) if small is None else small
        e = self._edges
        self.bars_live.setOpts(x0=e[:-1], x1=e[1:], height=np.where(zero | small, 0.0, share))
        self.bars_zero.setOpts(x0=e[:-1], x1=e[1:], height=np.where(zero, share, 0.0))
        self.bars_small.setOpts(x0=e[:-1], x1=e[1:], height=np.where(small, share, 0.0))

    def fraction_text(self) -> str:
        """The zero-gradient sentence under the histogram (plain text)."""
        return self.fraction_label.text.split("\n")[0]

    # -- read-out ----------------------------------------------------------------------
    def summary_text(self) -> str:
        return getattr(self._act, "zero_gradient_note", "")

    def hover_text(self, plot, x, y):
        if plot is self.fn_plot:
            with np.errstate(all="ignore"):
                f = float(self._act.forward(np.array([x]))[0])
                d = float(self._act.derivative(np.array([x]))[0])
            return f"z = {x:.2f}: f(z) = {style.fmt(f)}, f'(z) = {style.fmt(d)}"
        e = self._edges
        i = int(np.searchsorted(e, x, side="right")) - 1
        if not 0 <= i < len(self._counts):
            return None
        total = self._counts.sum()
        share = self._counts[i] / total if total > 0 else float("nan")
        where = (f"z < {e[1]:.1f}" if i == 0 else f"z \u2265 {e[-2]:.1f}"
                 if i == len(self._counts) - 1 else f"z in [{e[i]:.1f}, {e[i + 1]:.1f})")
        return (f"{where}: {int(self._counts[i])} values ({share:.1%} of the layer's inputs)"
                + (" \u00b7 the end bins also count values beyond \u00b16"
                   if i in (0, len(self._counts) - 1) else ""))


if __name__ == "__main__":
    demo_show(ActivationPlot, steps=200, dataset="spiral", activation="relu", bias_init=-0.3)
