"""TrainingController: the one place that drives the Trainer from Qt.

Two timers run while playing. The *step timer* runs as many steps as the speed setting
allows, for at most ``STEP_BUDGET_S``, then returns to the event loop (input, paints,
the other timer). At full speed it fires again as soon as the event loop is idle; at a
capped speed every ``TICK_MS``, so a slow run does not spin the CPU. A stopped timer
fires nothing and a step is never split, so Pause always lands on a step boundary. The
*frame timer* redraws the plots about 30 times a second (only those visible, only when
something changed), independent of the step rate; expensive frames lower the frame
rate, never the step rate.

The same controls drive a Comparison (several runs stepped together) while its view is
active, and a view step (the timeline) shows the plots as they were earlier. The class
is assembled from mixins: config application (:mod:`.controller_config`), step commands,
comparisons and the timeline (:mod:`.controller_runs`), divergence and status
(:mod:`.controller_status`); the timers and the redraw live here.
"""

from __future__ import annotations

import collections
import math
import time

from PyQt6 import QtCore

from relu_viz.core.config import TrainConfig
from relu_viz.core.trainer import Trainer
from relu_viz.gui.controller_config import FIELD_WORDS, ConfigApplier, rebuild_reason
from relu_viz.gui.controller_runs import RunCommands
from relu_viz.gui.controller_status import DivergenceWatch

__all__ = ["TrainingController", "SPEEDS", "FIELD_WORDS", "rebuild_reason", "TICK_MS",
           "STEP_BUDGET_S", "REDRAW_INTERVAL_S", "DRAW_SHARE", "RATE_WINDOW_S"]

# The pacing constants are read when used (not copied at import), so a benchmark can
# tune them on this module, e.g. ``controller.STEP_BUDGET_S = 0.014``.
TICK_MS = 15            # step timer interval while playing at a capped speed
#: Stepping time per tick: 10 of every 15 ms, leaving the event loop at least a third
#: of the time even at full speed. A single step longer than this still runs whole.
STEP_BUDGET_S = 0.010
#: The frame timer's interval: at most ~27 redraws a second. Slightly under 30 leaves
#: the step timer the time for >= 0.6x the headless step rate (docs/benchmarks.md).
REDRAW_INTERVAL_S = 1 / 27
#: While playing, drawing (refresh + the paint that follows) may take at most this share
#: of the time; expensive frames therefore lower the redraw rate, never the step rate.
DRAW_SHARE = 0.6
RATE_WINDOW_S = 1.0     # steps per second are measured over this sliding window
#: Speed choices in steps per second; math.inf = as fast as the budget allows.
SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, math.inf)


class TrainingController(ConfigApplier, RunCommands, DivergenceWatch, QtCore.QObject):
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
        self._timer = QtCore.QTimer(self)          # the step timer; active = playing
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)
        self._frame_timer = QtCore.QTimer(self)    # redraws while playing
        # Precise: a coarse timer may fire up to 5% off, which shows as uneven frames.
        self._frame_timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self._frame_timer.timeout.connect(self._on_frame)
        self._credit = 0.0          # steps the speed setting allows but not yet run
        self._last_tick = 0.0
        self._redraw_started = None  # set when a frame refreshed; the next tick measures it
        self._frame_cost = 0.0       # smoothed seconds per redraw incl. painting
        self._dirty = False         # steps taken (or view changed) since the last redraw
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
        self._timer.setInterval(self._tick_ms())

    def _tick_ms(self) -> int:
        """0 at full speed (step whenever no event waits), else TICK_MS."""
        return 0 if math.isinf(self._speed) else TICK_MS

    def set_step_target(self, step: int | None) -> None:
        """Make Play pause on reaching ``step`` (None: run until paused)."""
        self._target = None if step is None else int(step)

    # -- play / pause --------------------------------------------------------------------
    def play(self) -> None:
        """Start stepping on the timer (no-op while diverged or already running)."""
        if self.running or self._all_diverged():
            return
        self._go_live()
        self._credit = 0.0
        self._last_tick = time.perf_counter()
        self._rate_marks.clear()
        self._set_timers(True)
        self.running_changed.emit(True)
        self._emit_status()

    def pause(self) -> None:
        """Stop the timers; the last step is complete and shown."""
        if self._stop():
            self.redraw()

    def toggle(self) -> None:
        """Play if paused, pause if playing."""
        self.pause() if self.running else self.play()

    def _stop(self) -> bool:
        """Stop the timers without redrawing; True if they were running."""
        if not self.running:
            return False
        self._set_timers(False)
        self._steps_per_second = 0.0
        self.running_changed.emit(False)
        return True

    def _set_timers(self, on: bool) -> None:
        """Start or stop the step and frame timers together (no signals)."""
        if on:
            self._frame_timer.setInterval(self._frame_ms())
            self._timer.setInterval(self._tick_ms())
            self._timer.start()
            self._frame_timer.start()
        else:
            self._timer.stop()
            self._frame_timer.stop()

    # -- the step timer ------------------------------------------------------------------
    def _on_tick(self) -> None:
        """Run the steps the speed allows within STEP_BUDGET_S; stop at a target/divergence."""
        now = time.perf_counter()
        if self._redraw_started is not None:
            # The last frame's refresh plus the paint events the event loop ran since
            # (and some idle wait when drawing is cheap: a harmless overestimate).
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

    def _measure_rate(self, now: float) -> None:
        marks = self._rate_marks
        marks.append((now, self.step_count))
        while len(marks) > 2 and now - marks[0][0] > RATE_WINDOW_S:
            marks.popleft()
        span = marks[-1][0] - marks[0][0]
        if span > 0.05:
            self._steps_per_second = (marks[-1][1] - marks[0][1]) / span

    # -- the frame timer -----------------------------------------------------------------
    def _frame_ms(self) -> int:
        """Frame interval: ~30 fps, longer when a frame costs more than DRAW_SHARE allows."""
        interval = max(REDRAW_INTERVAL_S, self._frame_cost / DRAW_SHARE)
        return max(1, round(interval * 1000))

    def _on_frame(self) -> None:
        """Redraw what changed since the last frame, then pace the next frame."""
        if self._dirty:
            self._redraw_started = time.perf_counter()
        self.redraw()
        ms = self._frame_ms()
        if abs(ms - self._frame_timer.interval()) > 2:  # setInterval restarts the timer
            self._frame_timer.setInterval(ms)

    # -- drawing -------------------------------------------------------------------------
    def redraw(self, force: bool = False) -> None:
        """Refresh the visible plots (all plots with ``force``) and report the status."""
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


def _is_shown(widget) -> bool:
    """Shown: not hidden, not in a background tab, not zero-sized, window not minimised.

    (``visibleRegion()`` would be finer but is empty on the offscreen platform.)
    """
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return False
    window = widget.window()
    return window is None or not window.isMinimized()
