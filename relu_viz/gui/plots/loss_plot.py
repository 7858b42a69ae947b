"""Train and test loss over steps, with accuracy in a second plot below."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from relu_viz.gui.plots import style
from relu_viz.gui.plots.base import BasePlot, demo_show, nearest_index
from relu_viz.gui.plots.key import KeyEntry
from relu_viz.gui.plots.ranges import ViewFollower, step_range

TRAIN = style.PALETTE[0]
TEST = style.PALETTE[1]
MAX_MARKERS = 120


def moving_average(y: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over the last ``window`` finite values (fewer at the start)."""
    n = len(y)
    finite = np.isfinite(y)
    sums = np.concatenate(([0.0], np.cumsum(np.where(finite, y, 0.0))))
    counts = np.concatenate(([0], np.cumsum(finite)))
    hi = np.arange(1, n + 1)
    lo = np.maximum(hi - max(int(window), 1), 0)
    total, count = sums[hi] - sums[lo], counts[hi] - counts[lo]
    out = np.full(n, np.nan)
    np.divide(total, count, out=out, where=count > 0)
    return out


class LossPlot(BasePlot):
    """Loss per mini-batch and its moving average, test loss, and accuracies below."""

    title = "Loss and accuracy"
    slug = "loss"

    def __init__(self, parent=None, smoothing: int = 25):
        super().__init__(parent)
        self._window = int(smoothing)
        self._log_y = False
        self._acc_shown = True
        self._model = None
        self._steps = np.empty(0)
        self._data: dict[str, np.ndarray] = {}

        self.loss_plot = self.addPlot(row=0, col=0)
        self.acc_plot = self.addPlot(row=1, col=0)
        self.acc_plot.setXLink(self.loss_plot)
        style.style_axes(self.loss_plot, None, "loss")
        style.style_axes(self.acc_plot, "step", "accuracy")
        style.set_title(self.loss_plot, "Loss")
        self.acc_plot.setYRange(-0.04, 1.04, padding=0)
        self.acc_plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)]])
        self.acc_plot.vb.setMouseEnabled(y=False)
        for plot in (self.loss_plot, self.acc_plot):
            plot.getAxis("left").setWidth(52)

        raw_pen = pg.mkPen(TRAIN + "55", width=1)
        avg_pen = pg.mkPen(TRAIN, width=2)
        test_pen = pg.mkPen(TEST, width=2)
        self.train_raw = self.loss_plot.plot(pen=raw_pen)
        self.train_avg = self.loss_plot.plot(pen=avg_pen)
        self.test_curve = self.loss_plot.plot(
            pen=test_pen, symbol="o", symbolSize=5, symbolBrush=pg.mkBrush(TEST),
            symbolPen=pg.mkPen(TEST))
        # The accuracy plot uses the loss plot's colours (blue train, orange test).
        self.train_acc = self.acc_plot.plot(pen=pg.mkPen(TRAIN, width=2))
        self.test_acc = self.acc_plot.plot(
            pen=pg.mkPen(TEST, width=2), symbol="o", symbolSize=4,
            symbolBrush=pg.mkBrush(TEST), symbolPen=pg.mkPen(TEST))
        for curve in (self.train_raw, self.train_avg, self.test_curve, self.train_acc,
                      self.test_acc):
            style.thin_out(curve)
        # Ranges set from the data in refresh (see ranges.py: auto-range with thinned,
        # x-linked curves could loop forever); the accuracy plot follows through the x link.
        self.ranges = ViewFollower(self.loss_plot, watch=(self.acc_plot,), floor=0.0)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        # The key has a row of its own under both plots, so it never hides a curve.
        self.key = self._add_key(row=2)
        self.key.set_entries([KeyEntry.line("train", pg.mkPen(TRAIN + "90", width=1)),
                              KeyEntry.line(self._avg_name(), avg_pen),
                              KeyEntry.line("test", test_pen, symbol="o", symbol_size=5)])
        self.setToolTip("Light blue: the train loss of every mini-batch; dark blue: its "
                        "moving average; orange: the loss on the test set at each "
                        "evaluation.\nBelow: accuracy, same colours.")
        self._add_readout(row=3)
        self._enable_hover(self.loss_plot, self.acc_plot)

    # -- public ------------------------------------------------------------------------
    def set_log_y(self, on: bool) -> None:
        """Loss on a log10 axis (True) or a linear one."""
        self._log_y = bool(on)
        self.loss_plot.setLogMode(y=self._log_y)
        self.ranges.follow(ys=[self._data.get(k, ()) for k in ("train_loss", "train_avg",
                                                              "test_loss")])
        style.set_axis_label(self.loss_plot, "left", "loss (log scale)" if on else "loss")

    def log_y(self) -> bool:
        return self._log_y

    def set_smoothing(self, window: int) -> None:
        """Rows in the moving average of the train loss (takes effect on the next refresh)."""
        self._window = max(1, int(window))
        self.key.rename(1, self._avg_name())

    def _avg_name(self) -> str:
        return f"mean of {self._window}"

    # -- contract ----------------------------------------------------------------------
    def rebuild(self, trainer) -> None:
        """Show the accuracy plot only for classification."""
        self._model = trainer.model
        want_acc = trainer.dataset.task != "regression"
        if want_acc != self._acc_shown:
            if want_acc:
                self.ci.addItem(self.acc_plot, row=1, col=0)
            else:
                self.ci.removeItem(self.acc_plot)
            self.acc_plot.setVisible(want_acc)
            self.ci.layout.setRowStretchFactor(1, 2 if want_acc else 0)
            self._acc_shown = want_acc
        style.set_axis_label(self.loss_plot, "bottom", "" if want_acc else "step")
        self.loss_plot.showAxis("bottom")
        # With the accuracy plot under it (same steps, x-linked) the loss plot's step
        # numbers would only repeat; its axis keeps the ticks and the grid.
        self.loss_plot.getAxis("bottom").setStyle(showValues=not want_acc)
        loss = getattr(trainer.model, "loss_name", "")
        style.set_title(self.loss_plot, f"Loss ({loss})" if loss else "Loss")
        for curve in (self.train_raw, self.train_avg, self.test_curve, self.train_acc,
                      self.test_acc):
            curve.setData([], [])
        self._steps = np.empty(0)
        self._data = {}
        self.ranges.reset()
        self.ranges.follow(step_range(0.0))
        self._update_summary()

    def refresh(self, trainer, upto_step: float | None = None) -> None:
        """Update the curves from the history (rows with step <= upto_step)."""
        if trainer.model is not self._model:
            self.rebuild(trainer)
        h = trainer.history
        steps = h.scalar("step", upto_step)
        data = {name: h.scalar(name, upto_step) for name in (
            "train_loss", "test_loss", "train_accuracy", "test_accuracy")}
        data["train_avg"] = moving_average(data["train_loss"], self._window)
        self._steps, self._data = steps, data
        self.train_raw.setData(steps, self._positive(data["train_loss"]))
        self.train_avg.setData(steps, self._positive(data["train_avg"]))
        self._set_finite(self.test_curve, steps, self._positive(data["test_loss"]))
        if self._acc_shown:
            self._set_finite(self.train_acc, steps, data["train_accuracy"])
            self._set_finite(self.test_acc, steps, data["test_accuracy"])
        self.ranges.follow(step_range(steps[-1] if len(steps) else 0.0),
                         [data["train_loss"], data["train_avg"], data["test_loss"]])
        self._update_summary()

    def _positive(self, y: np.ndarray) -> np.ndarray:
        """On a log axis a loss of 0 has no place: it becomes a gap."""
        return np.where(y > 0, y, np.nan) if self._log_y else y

    def _set_finite(self, curve, x, y) -> None:
        ok = np.isfinite(y)
        if curve is self.test_curve or curve is self.test_acc:
            # Markers help while evaluations are few; hundreds of them only cost paint time.
            want = "o" if np.count_nonzero(ok) <= MAX_MARKERS else None
            if curve.opts["symbol"] != want:
                curve.setSymbol(want)
        curve.setData(x[ok], y[ok])

    # -- read-out ----------------------------------------------------------------------
    def _finite_at_or_before(self, name: str, i: int) -> tuple[float, float]:
        col = self._data[name][: i + 1]
        idx = np.flatnonzero(np.isfinite(col))
        if not idx.size:
            return float("nan"), float("nan")
        return float(self._steps[idx[-1]]), float(col[idx[-1]])

    def _text_at(self, i: int) -> str:
        d = self._data
        parts = [f"step {int(self._steps[i])}",
                 f"train loss {style.fmt(d['train_loss'][i])} "
                 f"(mean {style.fmt(d['train_avg'][i])})"]
        t_step, t_loss = self._finite_at_or_before("test_loss", i)
        if t_loss == t_loss:
            parts.append(f"test loss {style.fmt(t_loss)} (at step {int(t_step)})")
        if self._acc_shown:
            _, tr = self._finite_at_or_before("train_accuracy", i)
            _, te = self._finite_at_or_before("test_accuracy", i)
            if tr == tr:
                parts.append(f"accuracy train {tr:.1%} / test {te:.1%}")
        return " \u00b7 ".join(parts)

    def summary_text(self) -> str:
        if not len(self._steps):
            return "no steps yet"
        return self._text_at(len(self._steps) - 1)

    def hover_text(self, plot, x, y):
        i = nearest_index(self._steps, x)
        if i is None:
            return None
        return self._text_at(i)


if __name__ == "__main__":
    demo_show(LossPlot, steps=300, dataset="spiral")
