"""TrainingController: the one place that drives the Trainer from Qt.

A QTimer tick runs as many steps as fit in a small time budget (and the speed
setting allows); a stopped timer fires nothing, so Pause always lands on a step
boundary. Plots are redrawn at most ~30 times a second, independent of the step
rate, and only those that are visible. The same controls drive a Comparison (several
runs stepped together) while its view is active, and a view step (the timeline) shows
the plots as they were earlier.
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
    """Owns the Trainer (and an optional Comparison); steps on a timer; reports events.

    While a comparison is *active* every control (step, play, epoch, reset) drives all of
    its runs together; otherwise the single run. A *view step* (the timeline) makes every
    redraw show the plots as they were at that step; any stepping returns to live.
    """

    metrics_updated = QtCore.pyqtSignal()
    running_changed = QtCore.pyqtSignal(bool)
    config_changed = QtCore.pyqtSignal(object)
    run_rebuilt = QtCore.pyqtSignal(str)
    diverged = QtCore.pyqtSignal(str)
    status_changed = QtCore.pyqtSignal(dict)
    config_rejected = QtCore.pyqtSignal(str)
    view_changed = QtCore.pyqtSignal(object)   # the step shown, None = live
    notice = QtCore.pyqtSignal(str)            # a passing message for the status bar

    def __init__(self, config: TrainConfig | None = None, parent=None):
        super().__init__(parent)
        self._trainer = Trainer(config or TrainConfig())
        self._plots: list = []
        self._comparison = None
        self._compare_views: list = []
        self._compare_active = False
        self._reported: set[str] = set()   # compared runs whose divergence was announced
        self._view_step: int | None = None
        self._target: int | None = None
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
        """The single run (also while a comparison is shown)."""
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

    @property
    def comparison(self):
        """The open Comparison, or None."""
        return self._comparison

    @property
    def comparing(self) -> bool:
        """True while the controls drive the comparison."""
        return self._comparison is not None and self._compare_active

    @property
    def step_count(self) -> int:
        """Steps of what the controls drive (the furthest run of a comparison)."""
        if self.comparing:
            return max(self._comparison.step_counts)
        return self._trainer.step_count

    @property
    def view_step(self) -> int | None:
        """The step the plots show, None when live."""
        return self._view_step

    @property
    def step_target(self) -> int | None:
        """Play pauses when it reaches this step (an experiment's length), or None."""
        return self._target

    def set_plots(self, plots) -> None:
        """The plots to rebuild on a new run and refresh after steps."""
        self._plots = list(plots)
        for plot in self._plots:
            plot.rebuild(self._trainer)

    def set_speed(self, steps_per_second: float) -> None:
        """Cap the stepping rate (math.inf = no cap)."""
        self._speed = float(steps_per_second)
        self._credit = 0.0

    def set_step_target(self, step: int | None) -> None:
        """Make Play pause on reaching ``step`` (None: run until paused)."""
        self._target = None if step is None else int(step)

    # -- comparison ----------------------------------------------------------------------
    def set_comparison(self, comparison, views) -> None:
        """Drive ``comparison`` (a relu_viz.compare.Comparison), drawn by ``views``."""
        self._stop()
        self._comparison = comparison
        self._compare_views = list(views)
        self._reported = set()
        for view in self._compare_views:
            view.rebuild(comparison)
        self._compare_active = True
        self._after_switch()

    def close_comparison(self) -> None:
        """Forget the comparison; the controls drive the single run again."""
        if self._comparison is None:
            return
        self._stop()
        self._comparison, self._compare_views = None, []
        self._compare_active = False
        self._after_switch()

    def set_compare_active(self, active: bool) -> None:
        """Let the controls drive the comparison (True) or the single run (False)."""
        active = bool(active) and self._comparison is not None
        if active != self._compare_active:
            self._stop()
            self._compare_active = active
            self._after_switch()

    def _after_switch(self) -> None:
        self._go_live()
        self._rate_marks.clear()
        self._dirty = True
        self.redraw(force=True)

    # -- play / pause / step -------------------------------------------------------------
    def play(self) -> None:
        """Start stepping on the timer (no-op while diverged or already running)."""
        if self.running or self._all_diverged():
            return
        self._go_live()
        self._credit = 0.0
        self._last_tick = time.perf_counter()
        self._rate_marks.clear()
        self._timer.start()
        self.running_changed.emit(True)
        self._emit_status()

    def pause(self) -> None:
        """Stop the timer; the last step is complete and shown."""
        if self._stop():
            self.redraw()

    def _stop(self) -> bool:
        """Stop the timer without redrawing; True if it was running."""
        if not self.running:
            return False
        self._timer.stop()
        self._steps_per_second = 0.0
        self.running_changed.emit(False)
        return True

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        self.pause() if self.running else self.play()

    def step(self) -> None:
        """Pause and run exactly one step."""
        self.run_steps(1)

    def step_epoch(self) -> None:
        """Pause and run to the end of the current epoch."""
        self.pause()
        live = [t for t in self._driven() if not t.diverged] or self._driven()
        self.run_steps(live[0].steps_to_epoch_end())

    def run_steps(self, n: int) -> None:
        """Pause and run ``n`` steps now (stops early on divergence), then redraw."""
        self.pause()
        self._go_live()
        if self.comparing:
            for _ in range(int(n)):
                if not self._step_once():
                    break
        else:
            self._trainer.run(int(n))
        self._dirty = True
        self.redraw()
        self._check_divergence()

    def reset(self, same_init: bool = True) -> None:
        """Back to step 0 with the same (or new) initial weights; keeps playing if it was."""
        was_running = self.running
        self._timer.stop()
        if self.comparing:
            self._comparison.reset(same_init)
            self._reported = set()
            for view in self._compare_views:
                view.rebuild(self._comparison)
            self._go_live()
            self._dirty = True
            self.redraw()
        else:
            self._trainer.reset(same_init=same_init)
            self._after_new_run()
        if was_running:
            self._timer.start()
        reason = "Reset: same initial weights" if same_init else "Reset: new initial weights"
        self.run_rebuilt.emit(reason + (" (every compared run)" if self.comparing else ""))

    def recover(self, lr_factor: float = 0.1) -> int | None:
        """After a divergence: learning rate times ``lr_factor``, weights from before the blow-up.

        The trainer restores its last weights with a finite loss; those can already be
        huge (a loss of 1e19 is finite), so this takes the latest checkpoint whose test
        loss is within 10x of the best one instead, when there is one. Returns its step
        (None: the trainer's own choice).
        """
        t = self._trainer
        t.recover(lr_factor)
        step = None
        sane = _sane_checkpoint(t)
        if sane is not None:
            step, params = sane
            t.model.params[...] = params
        self.config_changed.emit(t.config)
        self._go_live()
        self._dirty = True
        self.redraw()
        return step

    def _driven(self) -> list[Trainer]:
        return list(self._comparison.trainers) if self.comparing else [self._trainer]

    def _step_once(self) -> bool:
        """One step of every driven run; False when none could step (all diverged)."""
        if self.comparing:
            return any(m is not None for m in self._comparison.step_all())
        return self._trainer.step() is not None

    def _all_diverged(self) -> bool:
        return all(t.diverged for t in self._driven())

    # -- timeline ------------------------------------------------------------------------
    def set_view_step(self, step: int | None) -> None:
        """Show every plot as it was at ``step`` (None, or the last step: live).

        Ignored while playing: the timeline is for a paused run.
        """
        if step is not None:
            if self.running:
                return
            step = max(0, int(step))
            if step >= self.step_count:
                step = None
        if step == self._view_step:
            return
        self._view_step = step
        self.view_changed.emit(step)
        self._dirty = True
        self.redraw()

    def _go_live(self) -> None:
        if self._view_step is not None:
            self._view_step = None
            self.view_changed.emit(None)

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

    def apply_config(self, new: TrainConfig, rebuild: bool = False) -> bool:
        """Switch to ``new`` (validated); see :meth:`apply_changes`.

        ``rebuild`` starts a fresh run even when nothing cold changed (an experiment).
        """
        old = self._trainer.config
        if new == old and not rebuild:
            return False
        cold = old.cold_differences(new)
        if cold or rebuild:
            try:
                trainer = Trainer(new)
                self.check_fits(new, trainer)
            except (ValueError, OSError) as exc:
                return self._reject(str(exc))
            self._replace_trainer(trainer, list(cold))
            self.run_rebuilt.emit(rebuild_reason(cold) if cold else
                                  "Rebuilt: fresh run — history cleared")
            return True
        try:
            self.check_fits(new, self._trainer)
            self._trainer.apply_config(new)
        except ValueError as exc:
            return self._reject(str(exc))
        self.config_changed.emit(new)
        self._emit_status()
        return True

    def set_trainer(self, trainer: Trainer, reason: str) -> None:
        """Adopt a ready Trainer (an opened session) as the single run."""
        self._stop()
        self._replace_trainer(trainer, [])
        self.run_rebuilt.emit(reason)
        self._check_divergence()

    def _replace_trainer(self, trainer: Trainer, cold_fields: list[str]) -> None:
        was_running = self.running
        self._timer.stop()
        self._trainer = trainer
        self._target = None
        self.last_rebuilt_fields = cold_fields
        self._after_new_run()
        if was_running and not self.comparing:
            self._timer.start()
        elif was_running:
            self.running_changed.emit(False)
        self.config_changed.emit(trainer.config)

    @staticmethod
    def check_fits(config: TrainConfig, trainer: Trainer) -> None:
        """ValueError when ``config`` cannot train on ``trainer``'s data (batch too large)."""
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
        self._go_live()
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
        before = self.step_count
        target = self._target
        if target is not None and before < target:
            allowed = min(allowed, target - before)
        done = 0
        deadline = now + STEP_BUDGET_S
        while done < allowed:
            if not self._step_once():
                break
            done += 1
            if time.perf_counter() >= deadline:
                break
        if not math.isinf(self._speed):
            self._credit -= done
        if done:
            self._dirty = True
        self._measure_rate(time.perf_counter())
        reached = target is not None and before < target <= self.step_count
        if self._all_diverged() or reached:
            self._stop()
            self.redraw()
            self._check_divergence()
            if reached and not self._all_diverged():
                self.notice.emit(f"Reached step {target:,}, the experiment's length; "
                                 "Play continues beyond it")
            return
        if self.comparing and done:
            self._check_divergence()
        interval = max(REDRAW_INTERVAL_S, self._frame_cost / DRAW_SHARE)
        if time.perf_counter() - self._last_redraw >= interval:
            self._redraw_started = time.perf_counter()
            self.redraw()

    def _measure_rate(self, now: float) -> None:
        marks = self._rate_marks
        marks.append((now, self.step_count))
        while len(marks) > 2 and now - marks[0][0] > RATE_WINDOW_S:
            marks.popleft()
        span = marks[-1][0] - marks[0][0]
        if span > 0.05:
            self._steps_per_second = (marks[-1][1] - marks[0][1]) / span

    def _check_divergence(self) -> None:
        if self.comparing:
            comp = self._comparison
            for label, t in zip(comp.labels, comp.trainers):
                if t.diverged and label not in self._reported:
                    self._reported.add(label)
                    others = "" if self._all_diverged() else "; the other runs go on"
                    self.notice.emit(f"Run {label} diverged at step {t.step_count + 1}{others}")
            self._emit_status()
        elif self._trainer.diverged:
            self.diverged.emit(self._trainer.divergence_message or "Training diverged.")
            self._emit_status()

    # -- drawing -------------------------------------------------------------------------
    def redraw(self, force: bool = False) -> None:
        """Refresh the visible plots (all plots with ``force``) and report the status."""
        self._last_redraw = time.perf_counter()
        if self._dirty or force:
            if self.comparing:
                plots, subject = self._compare_views, self._comparison
            else:
                plots, subject = self._plots, self._trainer
            for plot in plots:
                if force or _is_shown(plot):
                    plot.refresh(subject, upto_step=self._view_step)
            self._dirty = False
            self.metrics_updated.emit()
        self._emit_status()

    def refresh_visible(self) -> None:
        """Redraw the visible plots now (after the layout changed which ones show)."""
        self._dirty = True
        self.redraw()

    def state(self) -> str:
        """'running', 'paused' or 'diverged' (every compared run diverged)."""
        if self._all_diverged():
            return "diverged"
        return "running" if self.running else "paused"

    def status(self) -> dict:
        """Numbers for the status bar and the timeline."""
        common = {"step": self.step_count, "steps_per_second": self._steps_per_second,
                  "state": self.state(), "view_step": self._view_step,
                  "running": self.running}
        if self.comparing:
            t = self._comparison.trainers[0]
            nan = float("nan")
            return {**common, "epoch": t.epoch_float, "train_loss": nan, "test_loss": nan,
                    "train_accuracy": nan, "accuracy": nan, "runs": len(self._comparison)}
        t = self._trainer
        h = t.history
        return {
            **common, "epoch": t.epoch_float, "regression": t.dataset.task == "regression",
            "train_loss": h.last_finite("train_loss"), "test_loss": h.last_finite("test_loss"),
            "train_accuracy": h.last_finite("train_accuracy"),
            "accuracy": h.last_finite("test_accuracy"),
        }

    def _emit_status(self) -> None:
        self.status_changed.emit(self.status())


def _sane_checkpoint(trainer):
    """(step, params) of the latest checkpoint with a test loss within 10x the best, or None."""
    h, ck = trainer.history, trainer.checkpoints
    losses = [h.row_at_step(step) for step in ck.steps]
    losses = [r["test_loss"] if r is not None else math.nan for r in losses]
    finite = [v for v in losses if math.isfinite(v)]
    if not finite:
        return None
    limit = 10 * min(finite)
    for i in range(len(ck) - 1, -1, -1):
        if math.isfinite(losses[i]) and losses[i] <= limit \
                and ck.params[i].shape == trainer.model.params.shape:
            return ck.steps[i], ck.params[i]
    return None


def _is_shown(widget) -> bool:
    """Shown: not hidden, not in a background tab, not zero-sized, window not minimised.

    (``visibleRegion()`` would be finer but is empty on the offscreen platform.)
    """
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return False
    window = widget.window()
    return window is None or not window.isMinimized()
