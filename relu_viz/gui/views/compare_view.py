"""Side-by-side runs in the window: the 'Compare…' dialog and the comparison view."""

from __future__ import annotations

import html
import math

import numpy as np
from PyQt6 import QtCore, QtGui, QtWidgets

from relu_viz.app.runs import MAX_RUNS, MIN_RUNS, overrides_from_spec, run_labels
from relu_viz.core import config as cfg
from relu_viz.gui.plots.compare_plot import ComparePlot, run_color

#: Fields offered by the dialog: label and values suggested after the current one.
COMPARE_FIELDS = {
    "activation": ("Activation", ["relu", "leaky_relu", "elu", "tanh"]),
    "init": ("Initialiser", ["he_normal", "xavier_normal", "normal"]),
    "init_scale": ("Init scale", [0.5, 1.0, 2.0]),
    "bias_init": ("Bias init", [0.0, -1.0, 0.1]),
    "learning_rate": ("Learning rate", [0.001, 0.01, 0.1]),
    "optimizer": ("Optimizer", ["sgd", "momentum", "adam"]),
    "batch_size": ("Batch size", [8, 32, 128]),
    "hidden_layers": ("Hidden layers", [(16, 16), (32, 32, 32), (64,)]),
    "alpha": ("Alpha (activation parameter)", [0.01, 0.1, 0.3]),
    "l2": ("L2 penalty", [0.0, 0.001, 0.01]),
    "seed": ("Seed", [0, 1, 2]),
    "dtype": ("Precision", ["float32", "float64"]),
}
CHOICES = {"activation": cfg.ACTIVATION_NAMES, "init": cfg.INIT_NAMES,
           "optimizer": cfg.OPTIMIZER_NAMES, "dtype": cfg.DTYPE_NAMES}


def format_value(value) -> str:
    """A config value as the dialog writes it: 0.01, relu, 32x32."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "x".join(str(v) for v in value) or "none"
    return "default" if value is None else str(value)


def suggested_values(field: str, config) -> str:
    """The current value of ``field`` first, then two or so alternatives."""
    current = getattr(config, field)
    if field == "activation" and isinstance(current, tuple):
        current = current[0]
    values = [format_value(current)] if current is not None else []
    for v in COMPARE_FIELDS[field][1]:
        text = format_value(v)
        if text not in values and len(values) < 3:
            values.append(text)
    return ", ".join(values)


class CompareDialog(QtWidgets.QDialog):
    """Pick 2-4 runs differing in one setting, or an experiment's runs; shows their labels."""

    def __init__(self, config, presets=(), parent=None):
        super().__init__(parent)
        self.setWindowTitle("Compare runs")
        self._config = config
        self._presets = [p for p in presets if p.compare]
        form = QtWidgets.QFormLayout(self)
        self.vary = QtWidgets.QRadioButton("Vary one setting of the current run")
        self.vary.setChecked(True)
        self.field = QtWidgets.QComboBox()
        for name, (label, _) in COMPARE_FIELDS.items():
            self.field.addItem(label, name)
        self.values = QtWidgets.QLineEdit()
        self.values.setToolTip(f"{MIN_RUNS} to {MAX_RUNS} values separated by commas; "
                               "layer widths as 32x32.")
        self.hint = QtWidgets.QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555;")
        self.use_preset = QtWidgets.QRadioButton("The runs of an experiment (with its settings)")
        self.preset = QtWidgets.QComboBox()
        for p in self._presets:
            self.preset.addItem(p.title, p.name)
            self.preset.setItemData(self.preset.count() - 1, p.claim,
                                    QtCore.Qt.ItemDataRole.ToolTipRole)
        self.use_preset.setEnabled(bool(self._presets))
        self.preview = QtWidgets.QLabel()
        self.preview.setWordWrap(True)
        self.buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setText("Compare")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.vary)
        form.addRow("Setting", self.field)
        form.addRow("Values", self.values)
        form.addRow("", self.hint)
        form.addRow(self.use_preset)
        form.addRow("Experiment", self.preset)
        form.addRow("Runs", self.preview)
        form.addRow(self.buttons)
        self.field.currentIndexChanged.connect(self._on_field)
        for signal in (self.values.textChanged, self.vary.toggled,
                       self.preset.currentIndexChanged):
            signal.connect(self._validate)
        self.setMinimumWidth(520)
        self._on_field()

    def _on_field(self) -> None:
        name = self.field.currentData()
        self.values.setText(suggested_values(name, self._config))
        choices = CHOICES.get(name)
        self.hint.setText(f"One of: {', '.join(choices)}" if choices else
                          "Widths per layer joined by x, e.g. 16x16, 32x32x32"
                          if name == "hidden_layers" else "Numbers, e.g. 0.01, 0.1")
        self._validate()

    def choice(self):
        """(base config, spec) for relu_viz.app.runs.Comparison.from_spec."""
        if self.use_preset.isChecked() and self._presets:
            preset = self._presets[self.preset.currentIndex()]
            return preset.config, dict(preset.compare)
        values = [v.strip() for v in self.values.text().split(",") if v.strip()]
        return self._config, {self.field.currentData(): values}

    def _validate(self) -> None:
        vary = self.vary.isChecked()
        for w in (self.field, self.values):
            w.setEnabled(vary)
        self.preset.setEnabled(not vary)
        base, spec = self.choice()
        try:
            labels = run_labels(base, overrides_from_spec(spec))
        except (ValueError, TypeError) as exc:
            ok, text = False, f"<span style='color:#a01010'>{html.escape(str(exc))}</span>"
        else:
            ok = True
            text = " · ".join(f"<span style='color:{run_color(i)}'>■</span> {html.escape(lab)}"
                              for i, lab in enumerate(labels))
        self.preview.setText(text)
        self.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok).setEnabled(ok)


COLUMNS = ("run", "step", "train loss", "test loss", "test acc.", "dead units", "")
COLUMN_TIPS = ("The run and its colour in the plots", "Steps so far",
               "Mean training-batch loss over the last 10 steps", "Latest test loss",
               "Latest test accuracy", "Largest share of a hidden layer's units that never "
               "fire on the training set", "Diverged runs stop; the others go on")


def _fmt(value: float, spec: str = ".4g") -> str:
    return "–" if value is None or not math.isfinite(value) else format(value, spec)


def _recent_mean(values: np.ndarray, n: int = 10) -> float:
    finite = values[np.isfinite(values)][-n:]
    return float(finite.mean()) if finite.size else float("nan")


class CompareView(QtWidgets.QWidget):
    """The comparison's overlay plot and a table of its runs; one colour per run."""

    close_requested = QtCore.pyqtSignal()

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        head = QtWidgets.QHBoxLayout()
        self.title = QtWidgets.QLabel()
        self.title.setWordWrap(True)
        self.close_button = QtWidgets.QPushButton("Close comparison")
        self.close_button.setToolTip("Back to the single run")
        self.close_button.clicked.connect(self.close_requested)
        head.addWidget(self.title, 1)
        head.addWidget(self.close_button)
        lay.addLayout(head)
        self.plot = ComparePlot()
        lay.addWidget(self.plot, 1)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        for i, tip in enumerate(COLUMN_TIPS):
            self.table.horizontalHeaderItem(i).setToolTip(tip)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QtWidgets.QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table)
        self.labels: list[str] = []

    def rebuild(self, comparison) -> None:
        """Title, plot items and one table row per run."""
        self.labels = list(comparison.labels)
        fields = ", ".join(comparison.fields)
        same = (" from the same initial weights" if comparison.shared_init else "")
        self.title.setText(f"<b>Comparing {html.escape(fields)}</b> · {len(comparison)} runs"
                           f"{same}")
        self.title.setToolTip("The training controls (Step, Play, Step epoch, Reset) step "
                              "every run together while this tab is shown.")
        self.plot.rebuild(comparison)
        self.table.setRowCount(len(self.labels))
        for row, label in enumerate(self.labels):
            for col in range(len(COLUMNS)):
                item = QtWidgets.QTableWidgetItem("")
                if col > 0 and col < len(COLUMNS) - 1:
                    item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight
                                          | QtCore.Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
            first = self.table.item(row, 0)
            first.setText(f"■ {label}")
            first.setForeground(QtGui.QBrush(QtGui.QColor(run_color(row))))
        height = self.table.horizontalHeader().height() + 4
        height += sum(self.table.rowHeight(r) for r in range(len(self.labels)))
        self.table.setFixedHeight(height)

    def refresh(self, comparison, upto_step: float | None = None) -> None:
        """Plot and table from every run's history (rows up to ``upto_step``)."""
        self.plot.refresh(comparison, upto_step)
        for row, trainer in enumerate(comparison.trainers[: self.table.rowCount()]):
            h = trainer.history
            steps = h.scalar("step", upto_step)
            dead = h.layer("dead_fraction", upto_step)[:, : trainer.n_layers - 1]
            finite = dead[np.isfinite(dead).all(axis=1)] if dead.size else dead
            acc = h.last_finite("test_accuracy", upto_step)
            cells = [int(steps[-1]) if len(steps) else 0,
                     _fmt(_recent_mean(h.scalar("train_loss", upto_step))),
                     _fmt(h.last_finite("test_loss", upto_step)),
                     "–" if not math.isfinite(acc) else f"{100 * acc:.1f} %",
                     f"{100 * finite[-1].max():.0f} %" if len(finite) and finite.shape[1]
                     else "–"]
            for col, text in enumerate(cells, start=1):
                self.table.item(row, col).setText(f"{text:,}" if isinstance(text, int) else text)
            state = self.table.item(row, len(COLUMNS) - 1)
            if trainer.diverged and upto_step is None:
                state.setText(f"diverged at step {trainer.step_count + 1}")
                state.setToolTip(trainer.divergence_message)
                state.setForeground(QtGui.QBrush(QtGui.QColor("#c0392b")))
            else:
                state.setText("")
                state.setToolTip("")
