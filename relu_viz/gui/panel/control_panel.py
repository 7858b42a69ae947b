"""ControlPanel: one editor per TrainConfig field, generated from a declarative spec.

The panel never holds a config of its own making: it shows the config it was last
given (:meth:`ControlPanel.sync`, signals blocked) and emits ``config_edited`` with the
fields the user changed. Whether those changes are valid is the controller's call.

The spec and its labels live in :mod:`.panel_spec`, the widget builders in
:mod:`.field_builders`, the data set editor in :mod:`.panel_data` and the layers /
activation / alpha editors in :mod:`.panel_network`; the names below are re-exported so
``from relu_viz.gui.panel.control_panel import SPEC, parse_widths`` keeps working.
"""

from __future__ import annotations

import random

from PyQt6 import QtCore, QtWidgets

from relu_viz.core import config as cfg
from relu_viz.core.config import TrainConfig
from relu_viz.gui.panel import field_builders as fb
from relu_viz.gui.panel.data_fields import DataSection
from relu_viz.gui.panel.field_builders import make_combo, set_combo
from relu_viz.gui.panel.network_fields import NetworkSection
from relu_viz.gui.panel.spec import (
    DTYPE_LABELS,
    GROUPS,
    INIT_LABELS,
    LOSS_LABELS,
    OPTIMIZER_FIELDS,
    OPTIMIZER_LABELS,
    OUTPUT_LABELS,
    SPEC,
    SPEC_BY_NAME,
    FieldSpec,
    activation_formula,
    activation_label,
    choice_items,
    default_alpha,
    parse_widths,
    takes_alpha,
)
from relu_viz.gui.widgets import flash

__all__ = [
    "ControlPanel", "FieldSpec", "SPEC", "SPEC_BY_NAME", "GROUPS", "OPTIMIZER_FIELDS",
    "INIT_LABELS", "LOSS_LABELS", "OUTPUT_LABELS", "OPTIMIZER_LABELS", "DTYPE_LABELS",
    "takes_alpha", "default_alpha", "activation_label", "activation_formula",
    "choice_items", "make_combo", "set_combo", "parse_widths",
]

ERROR_STYLE = ("color: #8b0000; background: #ffe4e1; border: 1px solid #e0a0a0; "
               "border-radius: 3px; padding: 4px;")


class ControlPanel(DataSection, NetworkSection, QtWidgets.QWidget):
    """Editors for every TrainConfig field; emits ``config_edited(dict)`` of changed fields."""

    config_edited = QtCore.pyqtSignal(dict)

    def __init__(self, config: TrainConfig | None = None, parent=None):
        super().__init__(parent)
        self._config = config or TrainConfig()
        self._editors: dict[str, QtWidgets.QWidget] = {}
        self._act_combos: list[QtWidgets.QComboBox] = []
        self._syncing = False
        self._refusal = ""  # the latest set_error message (see DataSection._browse_csv)
        self._build()
        self.sync(self._config)

    # -- building ------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.setSpacing(6)
        self._error = QtWidgets.QLabel()
        self._error.setWordWrap(True)
        self._error.setStyleSheet(ERROR_STYLE)
        self._error.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self._error.hide()
        outer.addWidget(self._error)
        forms = {}
        for group in GROUPS:
            box = QtWidgets.QGroupBox(group)
            form = QtWidgets.QFormLayout(box)
            form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setContentsMargins(6, 4, 6, 4)
            form.setVerticalSpacing(4)
            outer.addWidget(box)
            forms[group] = form
        for spec in SPEC:
            widget = self._make_editor(spec)
            label = QtWidgets.QLabel(spec.label)
            tip = spec.tooltip + ("\nApplies while training." if spec.name in cfg.HOT_FIELDS
                                  else "\nChanging it restarts the run from step 0.")
            label.setToolTip(tip)
            widget.setToolTip(tip)
            label.setBuddy(self._editors[spec.name])
            forms[spec.group].addRow(label, widget)
        outer.addStretch(1)

    def _make_editor(self, spec: FieldSpec) -> QtWidgets.QWidget:
        """The editor row of ``spec``: a plain builder, or a section's composite editor."""
        plain = {"choice": fb.combo_field, "int": fb.int_field, "float": fb.float_field,
                 "log": fb.log_field}.get(spec.kind)
        if plain is not None:
            widget = plain(spec, lambda v, name=spec.name: self._emit({name: v}))
        elif spec.kind == "bool":
            widget = fb.check_field(lambda v, name=spec.name: self._emit({name: v}))
        else:  # dataset, layers, activation, alpha, seed
            return getattr(self, f"_make_{spec.kind}")(spec)
        self._editors[spec.name] = widget
        return widget

    def _make_seed(self, spec):
        box = fb.seed_field(spec, lambda v: self._emit({"seed": v}))
        self._seed_button = fb.button(
            "New seed", "Draw a random seed: new data, new initial weights.", self.new_seed)
        self._editors["seed"] = box
        return fb.row(box, self._seed_button, stretch=0)

    # -- public --------------------------------------------------------------------------
    @property
    def config(self) -> TrainConfig:
        """The config the panel shows."""
        return self._config

    def editor(self, name: str) -> QtWidgets.QWidget:
        """The main editing widget of a field (for tests and focus)."""
        return self._editors[name]

    def activation_combos(self) -> list[QtWidgets.QComboBox]:
        """The per-layer activation combos (one per hidden layer)."""
        return list(self._act_combos)

    def per_layer_checkbox(self) -> QtWidgets.QCheckBox:
        return self._per_layer

    def alpha_default_checkbox(self) -> QtWidgets.QCheckBox:
        return self._alpha_auto

    def layer_count_box(self) -> QtWidgets.QSpinBox:
        return self._layer_count

    def sync(self, config: TrainConfig) -> None:
        """Show ``config`` in every editor without emitting anything."""
        self._config = config
        # The per-layer combos are not blocked: they are recreated (never set) on sync,
        # and a blocker must not outlive the widget it blocks.
        blockers = [QtCore.QSignalBlocker(w) for w in self._all_widgets()]
        self._syncing = True
        try:
            for spec in SPEC:
                self._show_value(spec, getattr(config, spec.name))
            self._show_csv_path(config.csv_path)
            self._update_enabled()
        finally:
            self._syncing = False
            for blocker in blockers:
                blocker.unblock()

    def _all_widgets(self):
        return [*self._editors.values(), self._layer_count, self._per_layer, self._alpha_auto]

    def _show_value(self, spec: FieldSpec, value) -> None:
        widget = self._editors[spec.name]
        if spec.kind in ("choice", "dataset"):
            set_combo(widget, value)
        elif spec.kind in ("int", "float", "log", "seed"):
            widget.setValue(value)
        elif spec.kind == "bool":
            widget.setChecked(bool(value))
        elif spec.kind == "layers":
            self._show_layers(value)
        elif spec.kind == "activation":
            self._show_activation(value)
        elif spec.kind == "alpha":
            self._show_alpha(value)

    def _update_enabled(self) -> None:
        """Grey out what the config does not use (other optimizers' settings, alpha, ...)."""
        c = self._config
        for name, optimizers in OPTIMIZER_FIELDS.items():
            self._editors[name].setEnabled(c.optimizer in optimizers)
        has_alpha = any(takes_alpha(a) for a in c.activations())
        self._alpha_auto.setEnabled(has_alpha)
        self._alpha_box.setEnabled(has_alpha and c.alpha is not None)
        is_csv = c.dataset == "csv"
        self._csv_row.setVisible(is_csv)
        self._editors["n_samples"].setEnabled(not is_csv)
        self._editors["noise"].setEnabled(not is_csv)

    def set_error(self, text: str) -> None:
        """Show (or with '' hide) an error line at the top of the panel."""
        self._error.setText(text)
        self._error.setVisible(bool(text))
        if text:
            self._refusal = text

    def flash_fields(self, names) -> None:
        """Briefly highlight the editors of ``names`` (after a rebuild)."""
        for name in names:
            widget = self._editors.get(name)
            if widget is not None:
                flash(widget)

    def new_seed(self) -> None:
        """Pick a random seed and emit it."""
        seed = random.randrange(0, 2**32)
        self._emit({"seed": seed})

    # -- edits ---------------------------------------------------------------------------
    def _emit(self, changes: dict) -> None:
        if self._syncing:
            return
        changed = {k: v for k, v in changes.items() if getattr(self._config, k) != v}
        if changed:
            self.config_edited.emit(changed)


if __name__ == "__main__":  # pragma: no cover - a quick look at the panel alone
    app = QtWidgets.QApplication([])
    panel = ControlPanel()
    panel.config_edited.connect(print)
    panel.show()
    app.exec()
