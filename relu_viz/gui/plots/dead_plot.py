"""Dead units (never active on the training set) and sparsity per hidden layer over steps."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore

from relu_viz.core import activations
from relu_viz.gui.plots import style
from relu_viz.gui.plots.base import BasePlot, demo_show, nearest_index
from relu_viz.gui.plots.items import FitText
from relu_viz.gui.plots.key import KeyEntry, layer_entries
from relu_viz.gui.plots.ranges import ViewFollower, step_range


class DeadPlot(BasePlot):
    """dead_fraction (solid) and sparsity (dashed, same colour) of each hidden layer."""

    title = "Dead units and sparsity"
    slug = "dead"
    live_interval = 0.08

    def __init__(self, parent=None):
        super().__init__(parent)
        self._names: list[str] = []
        self._model = None
        self._steps = np.empty(0)
        self._dead = np.empty((0, 0))
        self._sparse = np.empty((0, 0))
        self.dead_curves: list[pg.PlotDataItem] = []
        self.sparsity_curves: list[pg.PlotDataItem] = []

        self.plot = self.addPlot(row=0, col=0)
        style.style_axes(self.plot, "step", "fraction of units")
        style.set_title(self.plot, "Dead units (solid), sparsity (dashed)",
                        "Dead units and sparsity", "Dead units, sparsity", "Dead units")
        self.plot.setYRange(-0.03, 1.03, padding=0)
        self.plot.vb.setLimits(yMin=-0.05, yMax=1.05)
        self.plot.vb.setMouseEnabled(y=False)
        self.plot.getAxis("left").setWidth(52)
        self.plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)]])
        # The step range is set from the data in refresh: auto-range with thinned curves
        # could loop (see ranges.py); the fraction axis stays fixed.
        self.ranges = ViewFollower(self.plot, y=False)
        # Under the plot, never over it: one sample per layer plus what solid/dashed mean.
        self.key = self._add_key(row=1)
        self.setToolTip("Solid: dead units, never active on any training sample "
                        "(measured at each evaluation).\nDashed: sparsity, the share of "
                        "activations exactly 0 in the step's batch.")
        self.message = FitText(size=style.FONT_PT, color=style.MUTED, lines=2).pin(
            self.plot.vb, "center", offset=-20)
        self._add_readout(row=2)
        self._enable_hover(self.plot)

    def rebuild(self, trainer) -> None:
        """Two curves per hidden layer (the output layer has no dead units)."""
        self._model = trainer.model
        for curve in self.dead_curves + self.sparsity_curves:
            self.plot.removeItem(curve)
        self.dead_curves, self.sparsity_curves = [], []
        names = list(trainer.layer_names())[:-1]
        n_all = len(names) + 1
        pens = []
        for i in range(len(names)):
            pens.append(style.layer_pen(i, n_all, style.series_width(n_all - 1)))
            dead = self.plot.plot(pen=pens[-1])
            sparse = self.plot.plot(pen=style.layer_pen(i, n_all, 1.0, dashed=True))
            for curve in (dead, sparse):
                style.thin_out(curve)
            self.dead_curves.append(dead)
            self.sparsity_curves.append(sparse)
        grey = pg.mkColor(style.MUTED)
        entries = layer_entries(style.layer_tags(names), pens) if len(names) > 1 else []
        if names:
            entries += [KeyEntry.line("dead", pg.mkPen(grey, width=2)),
                        KeyEntry.line("sparsity", pg.mkPen(grey, width=1,
                                                           style=QtCore.Qt.PenStyle.DashLine))]
        self.key.set_entries(entries)
        self._names = names
        self.message.set_lines(self._no_zero_note(trainer))
        self._steps = np.empty(0)
        self._dead = self._sparse = np.empty((0, len(names)))
        self.ranges.reset()
        self.ranges.follow(step_range(0.0))
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
        n = len(self.dead_curves)
        steps = h.scalar("step", upto_step)
        dead = h.layer("dead_fraction", upto_step)[:, :n]
        sparse = h.layer("sparsity", upto_step)[:, :n]
        for i in range(n):
            self.dead_curves[i].setData(steps, dead[:, i], connect="finite")
            self.sparsity_curves[i].setData(steps, sparse[:, i], connect="finite")
        self._steps, self._dead, self._sparse = steps, dead, sparse
        self.ranges.follow(step_range(steps[-1] if len(steps) else 0.0))
        self._update_summary()

    @staticmethod
    def _no_zero_note(trainer) -> list[tuple[str, ...]]:
        """A note when no hidden activation can output an exact 0 (all curves sit at 0):
        two lines, each with shorter wordings for narrow panels."""
        acts = trainer.model.hidden_activations
        z = np.linspace(-6.0, 6.0, 241)
        with np.errstate(all="ignore"):
            can_zero = [bool(np.any(act.derivative(z) == 0)) for act in acts]
        if not acts or any(can_zero):
            return [("",)]
        names = ", ".join(sorted({activations.display_name(n)
                                  for n in trainer.config.activations()}))
        return [(f"{names} never outputs an exact 0:", f"{names}: never exactly 0,",
                 "never exactly 0:"),
                ("no unit can die and sparsity stays 0", "no dead units, sparsity 0")]

    def _row_text(self, i: int) -> str:
        parts = []
        for k, name in enumerate(self._names):
            d = self._last_finite(self._dead[: i + 1, k])
            parts.append(f"{name.split(' ')[0]} dead {self._pct(d)} / sparse "
                         f"{self._pct(self._sparse[i, k])}")
        if len(parts) > 6:
            parts = parts[:3] + ["\u2026"] + parts[-2:]
        return f"step {int(self._steps[i])} \u00b7 " + " \u00b7 ".join(parts)

    @staticmethod
    def _last_finite(col: np.ndarray) -> float:
        idx = np.flatnonzero(np.isfinite(col))
        return float(col[idx[-1]]) if idx.size else float("nan")

    @staticmethod
    def _pct(v: float) -> str:
        return "\u2014" if v != v else f"{v:.0%}"

    def summary_text(self) -> str:
        if not len(self._steps):
            return "no steps yet" if self._names else "no hidden layers"
        return self._row_text(len(self._steps) - 1)

    def hover_text(self, plot, x, y):
        i = nearest_index(self._steps, x)
        return None if i is None else self._row_text(i)


if __name__ == "__main__":
    demo_show(DeadPlot, steps=300, dataset="spiral", hidden_layers=(16, 16, 16),
              learning_rate=0.05, bias_init=-0.5)
