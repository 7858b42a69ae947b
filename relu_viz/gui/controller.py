"""TrainingController: the one place that drives the Trainer from Qt.

A QTimer tick runs as many steps as fit in a small time budget (and the speed
setting allows); a stopped timer fires nothing, so Pause always lands on a step
boundary. Plots are redrawn at most ~30 times a second, independent of the step
rate, and only those that are visible.
"""

from __future__ import annotations

import collections
import math
import time

from PyQt6 import QtCore

from relu_viz.core.config import TrainConfig
from relu_viz.core.trainer import Trainer

TICK_MS = 15            # timer interval while playing
STEP_BUDGET_S = 0.010   # stepping time per tick
REDRAW_INTERVAL_S = 1 / 30  # at most ~30 redraws a second
#: While playing, drawing (refresh + the paint that follows) may take at most this share
#: of the time; expensive frames therefore lower the redraw rate, never the step rate.
DRAW_SHARE = 0.6
RATE_WINDOW_S = 1.0     # steps per second are measured over this sliding window
#: Speed choices in steps per second; math.inf = as fast as the budget allows.
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, math.inf)

FIELD_WORDS = {
    "dataset": "data set", "n_samples": "samples", "noise": "noise",
    "train_ratio": "train share", "csv_path": "CSV file", "hidden_layers": "layers",
    "activation": "activation", "alpha": "alpha", "init": "initialiser",
    "init_scale": "init scale", "bias_init": "bias init", "loss": "loss",
    "output": "output", "seed": "seed", "dtype": "precision",
}


def rebuild_reason(fields) -> str:
    """'Rebuilt: activation changed — history cleared' for the cold fields that changed."""
    words = [FIELD_WORDS.get(f, f) for f in fields]
    what = ", ".join(words) if words else "configuration"
    return f"Rebuilt: {what} changed — history cleared"


class TrainingController(QtCore.QObject):
    """Owns the Trainer; steps it on a timer and tells the window what happened."""

    metrics_updated = QtCore.pyqtSignal()
    running_changed = QtCore.pyqtSignal(bool)
    config_changed = QtCore.pyqtSignal(object)
    run_rebuilt = QtCore.pyqtSignal(str)
    diverged = QtCore.pyqtSignal(str)
    status_changed = QtCore.pyqtSignal(dict)
    config_rejected = QtCore.pyqtSignal(str)

    def __init__(self, config: TrainConfig | None = None, parent=None):
        super().__init__(parent)
        self._trainer = Trainer(config or TrainConfig())
        self._plots: list = []
        self._speed = math.inf
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        self._credit = 0.0          # steps the speed setting allows but not yet run
        self._last_tick = 0.0
        self._last_redraw = 0.0
        self._redraw_started = None  # set when a tick redrew; the next tick measures the frame
        self._frame_cost = 0.0       # smoothed seconds per redraw incl. painting
        self._dirty = False         # steps taken since the last redraw
        self._rate_marks: collections.deque = collections.deque()
        self._steps_per_second = 0.0
        #: Cold fields whose change caused the latest rebuild (for highlighting).
        self.last_rebuilt_fields: list[str] = []

    # -- properties ----------------------------------------------------------------------
    @property
    def trainer(self) -> Trainer:
        return self._trainer

    @property
    def config(self) -> TrainConfig:
        return self._trainer.config

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    @property
    def speed(self) -> float:
        """Target steps per second (math.inf = as fast as possible)."""
        return self._speed

    @property
    def steps_per_second(self) -> float:
        return self._steps_per_second

    def set_plots(self, plots) -> None:
        """The plots to rebuild on a new run and refresh after steps."""
        self._plots = list(plots)
        for plot in self._plots:
            plot.rebuild(self._trainer)

    def set_speed(self, steps_per_second: float) -> None:
        """Cap the stepping rate (math.inf = no cap)."""
        self._speed = float(steps_per_second)
        self._credit = 0.0

    # -- play / pause / step -------------------------------------------------------------
    def play(self) -> None:
        """Start stepping on the timer (no-op while diverged or already running)."""
        if self.running or self._trainer.diverged:
            return
        self._credit = 0.0
        self._last_tick = time.perf_counter()
        self._rate_marks.clear()
        self._timer.start()
        self.running_changed.emit(True)
        self._emit_status()

    def pause(self) -> None:
        """Stop the timer; the last step is complete and shown."""
        if not self.running:
            return
        self._timer.stop()
        self._steps_per_second = 0.0
        self.running_changed.emit(False)
        self.redraw()

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        self.pause() if self.running else self.play()

    def step(self) -> None:
        """Pause and run exactly one step."""
        self.run_steps(1)

    def step_epoch(self) -> None:
        """Pause and run to the end of the current epoch."""
        self.pause()
        self.run_steps(self._trainer.steps_to_epoch_end())

    def run_steps(self, n: int) -> None:
        """Pause and run ``n`` steps now (stops early on divergence), then redraw."""
        self.pause()
        self._trainer.run(int(n))
        self._dirty = True
        self.redraw()
        self._check_divergence()

    def reset(self, same_init: bool = True) -> None:
        """Back to step 0 with the same (or new) initial weights; keeps playing if it was."""
        was_running = self.running
        self._timer.stop()
        self._trainer.reset(same_init=same_init)
        self._after_new_run()
        if was_running:
            self._timer.start()
        reason = "Reset: same initial weights" if same_init else "Reset: new initial weights"
        self.run_rebuilt.emit(reason)

    def recover(self, lr_factor: float = 0.1) -> None:
        """After a divergence: last finite weights, learning rate times ``lr_factor``."""
        self._trainer.recover(lr_factor)
        self.config_changed.emit(self._trainer.config)
        self._dirty = True
        self.redraw()

    # -- configuration -------------------------------------------------------------------
    def apply_changes(self, changes: dict) -> bool:
        """Apply edited fields: hot ones keep the run, cold ones rebuild it.

        Returns True when the config changed. An invalid combination emits
        ``config_rejected(message)`` and ``config_changed(old)`` (so editors re-sync) and
        leaves the run untouched.
        """
        old = self._trainer.config
        changes = {k: v for k, v in changes.items() if getattr(old, k) != v}
        if not changes:
            return False
        try:
            new = old.replace(**changes)
        except (ValueError, TypeError) as exc:
            return self._reject(str(exc))
        return self.apply_config(new)

    def apply_config(self, new: TrainConfig) -> bool:
        """Switch to ``new`` (validated); see :meth:`apply_changes`."""
        old = self._trainer.config
        if new == old:
            return False
        cold = old.cold_differences(new)
        if cold:
            try:
                trainer = Trainer(new)
                self._check_fits(new, trainer)
            except (ValueError, OSError) as exc:
                return self._reject(str(exc))
            was_running = self.running
            self._timer.stop()
            self._trainer = trainer
            self.last_rebuilt_fields = list(cold)
            self._after_new_run()
            if was_running:
                self._timer.start()
            self.config_changed.emit(new)
            self.run_rebuilt.emit(rebuild_reason(cold))
            return True
        try:
            self._check_fits(new, self._trainer)
            self._trainer.apply_config(new)
        except ValueError as exc:
            return self._reject(str(exc))
        self.config_changed.emit(new)
        self._emit_status()
        return True

    @staticmethod
    def _check_fits(config: TrainConfig, trainer: Trainer) -> None:
        n_train = trainer.dataset.n_train
        if config.batch_size > n_train:
            raise ValueError(f"batch_size: {config.batch_size} is larger than the training "
                             f"set ({n_train} samples); use at most {n_train}")

    def _reject(self, message: str) -> bool:
        self.config_rejected.emit(message)
        self.config_changed.emit(self._trainer.config)
        return False

    def _after_new_run(self) -> None:
        for plot in self._plots:
            plot.rebuild(self._trainer)
        self._rate_marks.clear()
        self._dirty = True
        self.redraw()

    # -- ticking -------------------------------------------------------------------------
    def _on_tick(self) -> None:
        now = time.perf_counter()
        if self._redraw_started is not None:
            # Refresh in the last tick plus the paint events the event loop ran since
            # (and a few ms of idle wait when drawing is cheap: harmless overestimate).
            cost = now - self._redraw_started
            self._frame_cost += 0.3 * (cost - self._frame_cost)
            self._redraw_started = None
        if math.isinf(self._speed):
            allowed = math.inf
        else:
            # Credit accrues at the target rate; capped so a stall does not cause a burst.
            self._credit = min(self._credit + (now - self._last_tick) * self._speed,
                               max(1.0, self._speed * 0.1))
            allowed = math.floor(self._credit)
        self._last_tick = now
        done = 0
        deadline = now + STEP_BUDGET_S
        trainer = self._trainer
        while done < allowed:
            if trainer.step() is None:
                break
            done += 1
            if time.perf_counter() >= deadline:
                break
        if not math.isinf(self._speed):
            self._credit -= done
        if done:
            self._dirty = True
        self._measure_rate(time.perf_counter())
        if trainer.diverged:
            self._timer.stop()
            self._steps_per_second = 0.0
            self.running_changed.emit(False)
            self.redraw()
            self._check_divergence()
            return
        interval = max(REDRAW_INTERVAL_S, self._frame_cost / DRAW_SHARE)
        if time.perf_counter() - self._last_redraw >= interval:
            self._redraw_started = time.perf_counter()
            self.redraw()

    def _measure_rate(self, now: float) -> None:
        marks = self._rate_marks
        marks.append((now, self._trainer.step_count))
        while len(marks) > 2 and now - marks[0][0] > RATE_WINDOW_S:
            marks.popleft()
        span = marks[-1][0] - marks[0][0]
        if span > 0.05:
            self._steps_per_second = (marks[-1][1] - marks[0][1]) / span

    def _check_divergence(self) -> None:
        if self._trainer.diverged:
            self.diverged.emit(self._trainer.divergence_message or "Training diverged.")
            self._emit_status()

    # -- drawing -------------------------------------------------------------------------
    def redraw(self, force: bool = False) -> None:
        """Refresh the visible plots (all plots with ``force``) and report the status."""
        self._last_redraw = time.perf_counter()
        if self._dirty or force:
            for plot in self._plots:
                if force or _is_shown(plot):
                    plot.refresh(self._trainer)
            self._dirty = False
            self.metrics_updated.emit()
        self._emit_status()

    def refresh_visible(self) -> None:
        """Redraw the visible plots now (after the layout changed which ones show)."""
        self._dirty = True
        self.redraw()

    def state(self) -> str:
        """'running', 'paused' or 'diverged'."""
        if self._trainer.diverged:
            return "diverged"
        return "running" if self.running else "paused"

    def status(self) -> dict:
        """Numbers for the status bar."""
        t = self._trainer
        h = t.history
        return {
            "step": t.step_count, "epoch": t.epoch_float,
            "train_loss": h.last_finite("train_loss"), "test_loss": h.last_finite("test_loss"),
            "train_accuracy": h.last_finite("train_accuracy"),
            "accuracy": h.last_finite("test_accuracy"),
            "steps_per_second": self._steps_per_second, "state": self.state(),
        }

    def _emit_status(self) -> None:
        self.status_changed.emit(self.status())


def _is_shown(widget) -> bool:
    """Shown: not hidden, not in a background tab, not zero-sized, window not minimised.

    (``visibleRegion()`` would be finer but is empty on the offscreen platform.)
    """
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return False
    window = widget.window()
    return window is None or not window.isMinimized()
