"""Applying configs to the single run: hot fields keep it, cold fields rebuild it.

A mixin of :class:`relu_viz.gui.controller.TrainingController`; it uses the
controller's signals, its ``_trainer`` / ``_plots`` / timers and its redraw.
"""

from __future__ import annotations

from relu_viz.core.config import TrainConfig
from relu_viz.core.trainer import Trainer

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


class ConfigApplier:
    """apply_changes / apply_config / set_trainer for TrainingController."""

    #: Why the latest apply_changes / apply_config was refused ('' when it was not), so a
    #: caller that opened a file can name the problem in its own dialog.
    rejection: str = ""

    def apply_changes(self, changes: dict) -> bool:
        """Apply edited fields: hot ones keep the run, cold ones rebuild it.

        Returns True when the config changed. An invalid combination emits
        ``config_rejected(message)`` and ``config_changed(old)`` (so editors re-sync) and
        leaves the run untouched.
        """
        self.rejection = ""
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
        self.rejection = ""
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

    @staticmethod
    def check_fits(config: TrainConfig, trainer: Trainer) -> None:
        """ValueError when ``config`` cannot train on ``trainer``'s data (batch too large)."""
        n_train = trainer.dataset.n_train
        if config.batch_size > n_train:
            raise ValueError(f"batch_size: {config.batch_size} is larger than the training "
                             f"set ({n_train} samples); use at most {n_train}")

    def _replace_trainer(self, trainer: Trainer, cold_fields: list[str]) -> None:
        was_running = self.running
        self._set_timers(False)
        self._trainer = trainer
        self._target = None
        self.last_rebuilt_fields = cold_fields
        self._after_new_run()
        if was_running and not self.comparing:
            self._set_timers(True)
        elif was_running:
            # The controls drive the comparison: the new single run starts paused.
            self.running_changed.emit(False)
        self.config_changed.emit(trainer.config)

    def _reject(self, message: str) -> bool:
        self.rejection = message
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
