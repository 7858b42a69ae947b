"""Divergence handling and the status the window shows, for TrainingController.

A mixin of :class:`relu_viz.gui.controller.TrainingController`: announcing runs that
blew up (once per compared run), recovering from a divergence with a lower learning
rate, and the numbers of the status bar and the timeline.
"""

from __future__ import annotations

import math


class DivergenceWatch:
    """Divergence reports, recovery and status for TrainingController."""

    def _all_diverged(self) -> bool:
        return all(t.diverged for t in self._driven())

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
        sane = sane_checkpoint(t)
        if sane is not None:
            step, params = sane
            t.model.params[...] = params
        self.config_changed.emit(t.config)
        self._go_live()
        self._dirty = True
        self.redraw()
        return step

    def _check_divergence(self) -> None:
        """Announce what diverged: the banner for the single run, a notice per compared run."""
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

    # -- status --------------------------------------------------------------------------
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


def sane_checkpoint(trainer):
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
