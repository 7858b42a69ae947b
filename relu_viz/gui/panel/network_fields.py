"""The control panel's network editors: hidden layers, activations and their alpha.

A mixin of :class:`relu_viz.gui.panel.control_panel.ControlPanel`. The layer count and the
widths text edit ``hidden_layers``; the activation is one name for every layer or, with
"per layer" ticked, one combo per hidden layer; alpha is a number or "default".
"""

from __future__ import annotations

from PyQt6 import QtWidgets

from relu_viz.core import config as cfg
from relu_viz.gui.panel import field_builders as fb
from relu_viz.gui.panel.spec import SPEC_BY_NAME, default_alpha, parse_widths


class NetworkSection:
    """Layers, activation (per layer) and alpha editors for ControlPanel."""

    # -- building ------------------------------------------------------------------------
    def _make_layers(self, spec):
        count = QtWidgets.QSpinBox()
        count.setRange(0, cfg.MAX_LAYERS)
        count.setToolTip(f"Number of hidden layers (0-{cfg.MAX_LAYERS}).")
        count.setKeyboardTracking(False)
        count.valueChanged.connect(self._on_layer_count)
        widths = QtWidgets.QLineEdit()
        widths.setToolTip(f"Units per hidden layer, comma separated (1-{cfg.MAX_WIDTH} each), "
                          "e.g. 16, 16, 16. Press Enter to apply.")
        widths.editingFinished.connect(self._on_widths_edited)
        self._layer_count, self._widths_edit = count, widths
        self._editors["hidden_layers"] = widths
        return fb.row(count, widths, stretch=1)

    def _make_activation(self, spec):
        combo = fb.make_combo(spec)
        combo.currentIndexChanged.connect(self._on_activation_all)
        per = QtWidgets.QCheckBox("per layer")
        per.setToolTip("Choose a different activation for each hidden layer.")
        per.toggled.connect(self._on_per_layer_toggled)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(combo, 1)
        top.addWidget(per)
        self._per_layer_box = QtWidgets.QWidget()
        self._per_layer_form = QtWidgets.QFormLayout(self._per_layer_box)
        self._per_layer_form.setContentsMargins(12, 0, 0, 0)
        self._per_layer_box.hide()
        self._act_combo, self._per_layer = combo, per
        self._editors["activation"] = combo
        return fb.row(top, self._per_layer_box, vertical=True)

    def _make_alpha(self, spec):
        box = fb.float_field(spec, lambda v: self._emit({"alpha": v}))
        auto = QtWidgets.QCheckBox("default")
        auto.setToolTip("Use each activation's own default parameter.")
        auto.toggled.connect(self._on_alpha_auto)
        self._alpha_auto, self._alpha_box = auto, box
        self._editors["alpha"] = box
        return fb.row(box, auto, stretch=0)

    # -- showing a config ----------------------------------------------------------------
    def _show_layers(self, widths) -> None:
        self._layer_count.setValue(len(widths))
        self._widths_edit.setText(", ".join(str(w) for w in widths))
        self._widths_edit.setStyleSheet("")

    def _show_activation(self, value) -> None:
        acts = self._config.activations()
        mixed = len(set(acts)) > 1
        fb.set_combo(self._act_combo, acts[0] if acts else
                     (value if isinstance(value, str) else "relu"))
        if mixed:
            self._per_layer.setChecked(True)
        self._rebuild_layer_combos(acts)
        self._per_layer_box.setVisible(self._per_layer.isChecked() and bool(acts))
        self._act_combo.setEnabled(not self._per_layer.isChecked())

    def _show_alpha(self, value) -> None:
        self._alpha_auto.setChecked(value is None)
        shown = value if value is not None else self._shown_default_alpha()
        if shown is not None:
            self._alpha_box.setValue(shown)

    def _shown_default_alpha(self) -> float | None:
        for name in self._config.activations():
            alpha = default_alpha(name)
            if alpha is not None:
                return alpha
        return None

    def _rebuild_layer_combos(self, acts) -> None:
        if [c.currentData() for c in self._act_combos] == list(acts):
            return
        for combo in self._act_combos:
            combo.currentIndexChanged.disconnect(self._on_activation_layer)
        while self._per_layer_form.rowCount():
            self._per_layer_form.removeRow(0)
        self._act_combos = []
        spec = SPEC_BY_NAME["activation"]
        for i, name in enumerate(acts):
            combo = fb.make_combo(spec)
            fb.set_combo(combo, name)
            combo.setToolTip(f"Activation of hidden layer {i + 1}.")
            combo.currentIndexChanged.connect(self._on_activation_layer)
            self._per_layer_form.addRow(f"L{i + 1}", combo)
            self._act_combos.append(combo)

    # -- edits ---------------------------------------------------------------------------
    def _widths(self) -> tuple[int, ...]:
        return tuple(self._config.hidden_layers)

    def _on_layer_count(self, n: int) -> None:
        widths = list(self._widths())
        fill = widths[-1] if widths else 16
        widths = widths[:n] + [fill] * max(0, n - len(widths))
        self._emit(self._layer_changes(tuple(widths)))

    def _on_widths_edited(self) -> None:
        try:
            widths = parse_widths(self._widths_edit.text())
        except ValueError as exc:
            # The text stays, flagged, for the user to fix; the run is untouched.
            self._widths_edit.setStyleSheet("border: 1px solid #c00000;")
            self.set_error(str(exc))
            return
        self._widths_edit.setStyleSheet("")
        self._emit(self._layer_changes(widths))

    def _layer_changes(self, widths: tuple[int, ...]) -> dict:
        """hidden_layers plus a per-layer activation list of matching length."""
        changes: dict = {"hidden_layers": widths}
        act = self._config.activation
        if isinstance(act, tuple):
            acts = list(act)[:len(widths)]
            fill = acts[-1] if acts else self._act_combo.currentData()
            acts += [fill] * (len(widths) - len(acts))
            changes["activation"] = self._activation_value(acts, fallback=fill)
        return changes

    @staticmethod
    def _activation_value(acts, fallback):
        """One name when every layer agrees, else a tuple (the config's two forms)."""
        if not acts:
            return fallback
        return acts[0] if len(set(acts)) == 1 else tuple(acts)

    def _on_activation_all(self, _index: int) -> None:
        self._emit({"activation": self._act_combo.currentData()})

    def _on_activation_layer(self, _index: int) -> None:
        acts = [c.currentData() for c in self._act_combos]
        if tuple(acts) != self._config.activations():
            self._emit({"activation": self._activation_value(acts, self._act_combo.currentData())})

    def _on_per_layer_toggled(self, on: bool) -> None:
        acts = self._config.activations()
        self._act_combo.setEnabled(not on)
        self._per_layer_box.setVisible(on and bool(acts))
        if not on and len(set(acts)) > 1:
            self._emit({"activation": self._act_combo.currentData()})

    def _on_alpha_auto(self, on: bool) -> None:
        self._alpha_box.setEnabled(not on)
        self._emit({"alpha": None if on else float(self._alpha_box.value())})
