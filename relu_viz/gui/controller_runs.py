"""What the training controls drive: the single run or a comparison, and the step shown.

A mixin of :class:`relu_viz.gui.controller.TrainingController`: the step commands
(step, N steps, epoch, reset), switching between the single run and a Comparison, and
the timeline's view step. It uses the controller's signals, timers and redraw.
"""

from __future__ import annotations

from relu_viz.core.trainer import Trainer


class RunCommands:
    """Step commands, comparison switching and the timeline for TrainingController."""

    # -- what is driven ------------------------------------------------------------------
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

    def _driven(self) -> list[Trainer]:
        return list(self._comparison.trainers) if self.comparing else [self._trainer]

    def _step_once(self) -> bool:
        """One step of every driven run; False when none could step (all diverged)."""
        if self.comparing:
            return any(m is not None for m in self._comparison.step_all())
        return self._trainer.step() is not None

    # -- step commands (each pauses first) -------------------------------------------------
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
        self._set_timers(False)
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
            self._set_timers(True)
        reason = "Reset: same initial weights" if same_init else "Reset: new initial weights"
        self.run_rebuilt.emit(reason + (" (every compared run)" if self.comparing else ""))

    # -- comparison ----------------------------------------------------------------------
    def set_comparison(self, comparison, views) -> None:
        """Drive ``comparison`` (a relu_viz.app.runs.Comparison), drawn by ``views``."""
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

    # -- timeline ------------------------------------------------------------------------
    @property
    def view_step(self) -> int | None:
        """The step the plots show, None when live."""
        return self._view_step

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
        """Leave the timeline's step; the next redraw must show the live state."""
        if self._view_step is not None:
            self._view_step = None
            self.view_changed.emit(None)
            # The plots still show the old step: without this a Pause before the first
            # tick (nothing stepped, nothing dirty) would leave them there.
            self._dirty = True
