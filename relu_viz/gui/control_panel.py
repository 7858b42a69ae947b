"""ControlPanel: one editor per TrainConfig field, generated from a declarative spec.

The panel never holds a config of its own making: it shows the config it was last
given (:meth:`ControlPanel.sync`, signals blocked) and emits ``config_edited`` with the
fields the user changed. Whether those changes are valid is the controller's call.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from PyQt6 import QtCore, QtWidgets

from relu_viz.core import activations as act_registry
from relu_viz.core import config as cfg
from relu_viz.core import datasets as data_registry
from relu_viz.core.config import TrainConfig
from relu_viz.gui.widgets import BigIntSpinBox, LogSpinBox, flash


@dataclass(frozen=True)
class FieldSpec:
    """How one TrainConfig field is edited: widget kind, range and help text."""

    name: str
    label: str
    kind: str  # choice, int, float, log, bool, dataset, layers, activation, alpha, seed
    group: str
    tooltip: str
    lo: float = 0.0
    hi: float = 0.0
    step: float = 1.0
    decimals: int = 2
    choices: tuple = ()
    allow_zero: bool = False


INIT_LABELS = {
    "he_normal": "He normal", "he_uniform": "He uniform", "xavier_normal": "Xavier normal",
    "xavier_uniform": "Xavier uniform", "lecun_normal": "LeCun normal",
    "normal": "Normal (std = scale)", "uniform": "Uniform (± scale)", "zeros": "Zeros",
}
LOSS_LABELS = {"auto": "Auto (from the data)", "mse": "Mean squared error",
               "bce": "Binary cross-entropy", "cross_entropy": "Cross-entropy"}
OUTPUT_LABELS = {"auto": "Auto (matches the loss)", "linear": "Linear", "sigmoid": "Sigmoid",
                 "softmax": "Softmax", "relu": "ReLU", "softplus": "Softplus"}
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam"}
DTYPE_LABELS = {"float32": "float32 (fast)", "float64": "float64 (precise)"}

_S = FieldSpec
SPEC: tuple[FieldSpec, ...] = (
    _S("dataset", "Data set", "dataset", "Data",
       "The toy problem to learn, or your own CSV file (last column = target).",
       choices=cfg.DATASET_NAMES),
    _S("n_samples", "Samples", "int", "Data", "Points generated (train + test).",
       lo=10, hi=cfg.MAX_SAMPLES, step=50),
    _S("noise", "Noise", "float", "Data",
       "Standard deviation of the noise, in units of the data's scale (1).",
       lo=0.0, hi=1.0, step=0.05, decimals=2),
    _S("train_ratio", "Train share", "float", "Data",
       "Share of the points used for training; the rest is the test set.",
       lo=0.05, hi=0.95, step=0.05, decimals=2),
    _S("hidden_layers", "Hidden layers", "layers", "Network",
       f"Number of hidden layers (0-{cfg.MAX_LAYERS}) and their widths "
       f"(1-{cfg.MAX_WIDTH} units), e.g. '16, 16, 16'."),
    _S("activation", "Activation", "activation", "Network",
       "Non-linearity of the hidden layers: one for the whole net, or tick 'per layer'.",
       choices=cfg.ACTIVATION_NAMES),
    _S("alpha", "Alpha", "alpha", "Network",
       "The activation's parameter: Leaky ReLU negative slope, ELU/SELU alpha, PReLU "
       "initial slope. 'default' takes each activation's own value.",
       lo=0.0, hi=10.0, step=0.01, decimals=3),
    _S("output", "Output", "choice", "Network", "Non-linearity of the output layer.",
       choices=cfg.OUTPUT_NAMES),
    _S("init", "Initialiser", "choice", "Initialisation", "How the weights are drawn.",
       choices=cfg.INIT_NAMES),
    _S("init_scale", "Init scale", "float", "Initialisation",
       "Multiplies the initialiser's standard deviation (1 = textbook).",
       lo=0.001, hi=100.0, step=0.1, decimals=3),
    _S("bias_init", "Bias init", "float", "Initialisation",
       "Initial value of every bias (a small positive value keeps ReLUs alive).",
       lo=-100.0, hi=100.0, step=0.01, decimals=3),
    _S("loss", "Loss", "choice", "Training", "What training minimises.",
       choices=cfg.LOSS_NAMES),
    _S("optimizer", "Optimizer", "choice", "Training", "The update rule.",
       choices=cfg.OPTIMIZER_NAMES),
    _S("learning_rate", "Learning rate", "log", "Training",
       "Step size. Arrows move along 1-2-5; type any value (e.g. 3e-4).", lo=1e-8, hi=1e4),
    _S("batch_size", "Batch size", "int", "Training", "Samples per training step.",
       lo=1, hi=cfg.MAX_SAMPLES, step=8),
    _S("momentum", "Momentum", "float", "Training", "Momentum coefficient (SGD + momentum).",
       lo=0.0, hi=0.999, step=0.01, decimals=3),
    _S("nesterov", "Nesterov", "bool", "Training", "Nesterov look-ahead (SGD + momentum)."),
    _S("beta1", "Adam beta1", "float", "Training", "Decay of Adam's first-moment average.",
       lo=0.0, hi=0.9999, step=0.01, decimals=4),
    _S("beta2", "Adam beta2", "float", "Training", "Decay of Adam's second-moment average.",
       lo=0.0, hi=0.99999, step=0.001, decimals=5),
    _S("eps", "Adam eps", "log", "Training", "Adam's denominator guard.", lo=1e-12, hi=1.0),
    _S("l1", "L1 penalty", "log", "Regularisation", "L1 weight penalty (0 = off).",
       lo=1e-8, hi=10.0, allow_zero=True),
    _S("l2", "L2 penalty", "log", "Regularisation", "L2 weight penalty (0 = off).",
       lo=1e-8, hi=10.0, allow_zero=True),
    _S("eval_every", "Evaluate every", "int", "Run",
       "Steps between test-set evaluations (test loss, accuracy, dead units).",
       lo=1, hi=100_000, step=1),
    _S("seed", "Seed", "seed", "Run", "Seed of the data, the initial weights and the batch order.",
       lo=0, hi=2**32 - 1),
    _S("dtype", "Precision", "choice", "Run", "Floating-point type of the network.",
       choices=cfg.DTYPE_NAMES),
)
#: Every TrainConfig field is edited by exactly one spec row (csv_path by "dataset").
SPEC_BY_NAME = {s.name: s for s in SPEC}
GROUPS = ("Data", "Network", "Initialisation", "Training", "Regularisation", "Run")
OPTIMIZER_FIELDS = {"momentum": ("momentum",), "nesterov": ("momentum",),
                    "beta1": ("adam",), "beta2": ("adam",), "eps": ("adam",)}
_WIDTHS_RE = re.compile(r"^[\s\d,;]*$")


def takes_alpha(name: str) -> bool:
    params = getattr(act_registry, "DEFAULT_PARAMS", {}).get(name, {})
    return "alpha" in params


def _default_alpha(name: str) -> float | None:
    value = getattr(act_registry, "DEFAULT_PARAMS", {}).get(name, {}).get("alpha")
    return None if value is None else float(value)


def activation_label(name: str) -> str:
    """Display name of an activation (falls back to the registry key)."""
    try:
        return act_registry.display_name(name)
    except Exception:  # noqa: BLE001 - a name without a display entry still shows
        return name


def activation_formula(name: str) -> str:
    """The activation's formula for tooltips ('' if unknown)."""
    try:
        return str(act_registry.get(name).formula)
    except Exception:  # noqa: BLE001
        return ""


def choice_items(spec: FieldSpec) -> list[tuple[str, str, str]]:
    """(value, label, tooltip) for every choice of a combo field."""
    if spec.name == "dataset":
        return [(n, "CSV file…" if n == "csv" else data_registry.TITLES.get(n, n),
                 "Your own data: a CSV file whose last column is the target." if n == "csv"
                 else data_registry.DESCRIPTIONS.get(n, "")) for n in spec.choices]
    if spec.name == "activation":
        return [(n, activation_label(n), activation_formula(n)) for n in spec.choices]
    labels = {"init": INIT_LABELS, "loss": LOSS_LABELS, "output": OUTPUT_LABELS,
              "optimizer": OPTIMIZER_LABELS, "dtype": DTYPE_LABELS}.get(spec.name, {})
    return [(n, labels.get(n, n), spec.tooltip) for n in spec.choices]


def make_combo(spec: FieldSpec) -> QtWidgets.QComboBox:
    """A combo box with one item per choice, the value as item data."""
    combo = QtWidgets.QComboBox()
    for i, (value, label, tip) in enumerate(choice_items(spec)):
        combo.addItem(label, value)
        if tip:
            combo.setItemData(i, tip, QtCore.Qt.ItemDataRole.ToolTipRole)
    combo.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(6)
    return combo


def set_combo(combo: QtWidgets.QComboBox, value) -> None:
    """Select the item whose data is ``value`` (signals of the caller's choosing)."""
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def parse_widths(text: str) -> tuple[int, ...]:
    """'16, 16 32' -> (16, 16, 32); raises ValueError with a readable reason."""
    if not _WIDTHS_RE.match(text):
        raise ValueError("widths: use whole numbers separated by commas, e.g. 16, 16, 16")
    parts = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    widths = tuple(int(p) for p in parts)
    if len(widths) > cfg.MAX_LAYERS:
        raise ValueError(f"widths: at most {cfg.MAX_LAYERS} hidden layers")
    for w in widths:
        if not 1 <= w <= cfg.MAX_WIDTH:
            raise ValueError(f"widths: {w} is outside 1-{cfg.MAX_WIDTH} units")
    return widths


class ControlPanel(QtWidgets.QWidget):
    """Editors for every TrainConfig field; emits ``config_edited(dict)`` of changed fields."""

    config_edited = QtCore.pyqtSignal(dict)

    def __init__(self, config: TrainConfig | None = None, parent=None):
        super().__init__(parent)
        self._config = config or TrainConfig()
        self._editors: dict[str, QtWidgets.QWidget] = {}
        self._act_combos: list[QtWidgets.QComboBox] = []
        self._syncing = False
        self._build()
        self.sync(self._config)

    # -- building ------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        outer.setSpacing(6)
        self._error = QtWidgets.QLabel()
        self._error.setWordWrap(True)
        self._error.setStyleSheet("color: #8b0000; background: #ffe4e1; border: 1px solid "
                                  "#e0a0a0; border-radius: 3px; padding: 4px;")
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
        maker = getattr(self, f"_make_{spec.kind}")
        return maker(spec)

    def _make_choice(self, spec):
        combo = make_combo(spec)
        combo.currentIndexChanged.connect(
            lambda _i, s=spec, c=combo: self._emit({s.name: c.currentData()}))
        self._editors[spec.name] = combo
        return combo

    def _make_int(self, spec):
        box = QtWidgets.QSpinBox()
        box.setRange(int(spec.lo), int(spec.hi))
        box.setSingleStep(int(spec.step))
        box.setKeyboardTracking(False)
        box.setAccelerated(True)
        box.valueChanged.connect(lambda v, s=spec: self._emit({s.name: int(v)}))
        self._editors[spec.name] = box
        return box

    def _make_float(self, spec):
        box = QtWidgets.QDoubleSpinBox()
        box.setDecimals(spec.decimals)
        box.setRange(spec.lo, spec.hi)
        box.setSingleStep(spec.step)
        box.setKeyboardTracking(False)
        box.valueChanged.connect(lambda v, s=spec: self._emit({s.name: float(v)}))
        self._editors[spec.name] = box
        return box

    def _make_log(self, spec):
        box = LogSpinBox(spec.lo, spec.hi, allow_zero=spec.allow_zero,
                         zero_step=1e-5 if spec.allow_zero else spec.lo)
        box.valueChanged.connect(lambda v, s=spec: self._emit({s.name: float(v)}))
        self._editors[spec.name] = box
        return box

    def _make_bool(self, spec):
        box = QtWidgets.QCheckBox()
        box.toggled.connect(lambda v, s=spec: self._emit({s.name: bool(v)}))
        self._editors[spec.name] = box
        return box

    def _make_dataset(self, spec):
        holder = QtWidgets.QWidget()
        lay = QtWidgets.QVBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 0)
        combo = make_combo(spec)
        combo.currentIndexChanged.connect(self._on_dataset_chosen)
        lay.addWidget(combo)
        row = QtWidgets.QWidget()
        row_lay = QtWidgets.QHBoxLayout(row)
        row_lay.setContentsMargins(0, 0, 0, 0)
        self._csv_edit = QtWidgets.QLineEdit()
        self._csv_edit.setReadOnly(True)
        self._csv_edit.setPlaceholderText("no file chosen")
        self._csv_edit.setToolTip("The CSV file in use (last column = target).")
        browse = QtWidgets.QPushButton("Browse…")
        browse.setToolTip("Choose a CSV file: numeric columns, the last one is the target.")
        browse.clicked.connect(self._browse_csv)
        row_lay.addWidget(self._csv_edit, 1)
        row_lay.addWidget(browse)
        self._csv_row = row
        lay.addWidget(row)
        self._editors["dataset"] = combo
        self._editors["csv_path"] = self._csv_edit
        self._csv_browse = browse
        return holder

    def _make_layers(self, spec):
        holder = QtWidgets.QWidget()
        lay = QtWidgets.QHBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 0)
        count = QtWidgets.QSpinBox()
        count.setRange(0, cfg.MAX_LAYERS)
        count.setToolTip(f"Number of hidden layers (0-{cfg.MAX_LAYERS}).")
        count.setKeyboardTracking(False)
        count.valueChanged.connect(self._on_layer_count)
        widths = QtWidgets.QLineEdit()
        widths.setToolTip(f"Units per hidden layer, comma separated (1-{cfg.MAX_WIDTH} each), "
                          "e.g. 16, 16, 16. Press Enter to apply.")
        widths.editingFinished.connect(self._on_widths_edited)
        lay.addWidget(count)
        lay.addWidget(widths, 1)
        self._layer_count, self._widths_edit = count, widths
        self._editors["hidden_layers"] = widths
        return holder

    def _make_activation(self, spec):
        holder = QtWidgets.QWidget()
        lay = QtWidgets.QVBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 0)
        top = QtWidgets.QHBoxLayout()
        combo = make_combo(spec)
        combo.currentIndexChanged.connect(self._on_activation_all)
        per = QtWidgets.QCheckBox("per layer")
        per.setToolTip("Choose a different activation for each hidden layer.")
        per.toggled.connect(self._on_per_layer_toggled)
        top.addWidget(combo, 1)
        top.addWidget(per)
        lay.addLayout(top)
        self._per_layer_box = QtWidgets.QWidget()
        self._per_layer_form = QtWidgets.QFormLayout(self._per_layer_box)
        self._per_layer_form.setContentsMargins(12, 0, 0, 0)
        self._per_layer_box.hide()
        lay.addWidget(self._per_layer_box)
        self._act_combo, self._per_layer = combo, per
        self._editors["activation"] = combo
        return holder

    def _make_alpha(self, spec):
        holder = QtWidgets.QWidget()
        lay = QtWidgets.QHBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 0)
        auto = QtWidgets.QCheckBox("default")
        auto.setToolTip("Use each activation's own default parameter.")
        box = QtWidgets.QDoubleSpinBox()
        box.setDecimals(spec.decimals)
        box.setRange(spec.lo, spec.hi)
        box.setSingleStep(spec.step)
        box.setKeyboardTracking(False)
        auto.toggled.connect(self._on_alpha_auto)
        box.valueChanged.connect(lambda v: self._emit({"alpha": float(v)}))
        lay.addWidget(box, 1)
        lay.addWidget(auto)
        self._alpha_auto, self._alpha_box = auto, box
        self._editors["alpha"] = box
        return holder

    def _make_seed(self, spec):
        holder = QtWidgets.QWidget()
        lay = QtWidgets.QHBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 0)
        box = BigIntSpinBox(int(spec.lo), int(spec.hi))
        box.setMinimumWidth(72)  # ten digits scroll instead of widening the whole panel
        box.valueChanged.connect(lambda _v: self._emit({"seed": box.int_value()}))
        button = QtWidgets.QPushButton("New seed")
        button.setToolTip("Draw a random seed: new data, new initial weights.")
        button.clicked.connect(self.new_seed)
        lay.addWidget(box, 1)
        lay.addWidget(button)
        self._editors["seed"] = box
        self._seed_button = button
        return holder

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
            self._csv_edit.setText(config.csv_path or "")
            self._csv_edit.setCursorPosition(len(config.csv_path or ""))  # show the file name
            self._csv_edit.setToolTip(config.csv_path or "The CSV file in use.")
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
            self._layer_count.setValue(len(value))
            widget.setText(", ".join(str(w) for w in value))
            widget.setStyleSheet("")
        elif spec.kind == "activation":
            acts = self._config.activations()
            mixed = len(set(acts)) > 1
            set_combo(widget, acts[0] if acts else
                      (value if isinstance(value, str) else "relu"))
            if mixed:
                self._per_layer.setChecked(True)
            self._rebuild_layer_combos(acts)
            self._per_layer_box.setVisible(self._per_layer.isChecked() and bool(acts))
            widget.setEnabled(not self._per_layer.isChecked())
        elif spec.kind == "alpha":
            self._alpha_auto.setChecked(value is None)
            shown = value if value is not None else self._shown_default_alpha()
            if shown is not None:
                self._alpha_box.setValue(shown)

    def _shown_default_alpha(self) -> float | None:
        for name in self._config.activations():
            alpha = _default_alpha(name)
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
            combo = make_combo(spec)
            set_combo(combo, name)
            combo.setToolTip(f"Activation of hidden layer {i + 1}.")
            combo.currentIndexChanged.connect(self._on_activation_layer)
            self._per_layer_form.addRow(f"L{i + 1}", combo)
            self._act_combos.append(combo)

    def _update_enabled(self) -> None:
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

    def _on_dataset_chosen(self, _index: int) -> None:
        name = self._editors["dataset"].currentData()
        if name == "csv" and not self._config.csv_path:
            if not self._browse_csv():
                self.sync(self._config)
            return
        self._emit({"dataset": name})

    def _browse_csv(self) -> bool:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open a CSV data set", self._config.csv_path or "",
            "CSV files (*.csv *.tsv *.txt);;All files (*)")
        if not path:
            return False
        self._emit({"dataset": "csv", "csv_path": path})
        return True

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


if __name__ == "__main__":  # pragma: no cover - a quick look at the panel alone
    app = QtWidgets.QApplication([])
    panel = ControlPanel()
    panel.config_edited.connect(print)
    panel.show()
    app.exec()
