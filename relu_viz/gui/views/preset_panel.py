"""Experiments in the window: the preset picker and the info box above the plots."""

from __future__ import annotations

import html

from PyQt6 import QtCore, QtWidgets

from relu_viz.app import presets as presets_mod


def load_presets() -> tuple[list, list[str]]:
    """Every preset that loads, and one message per preset file that does not."""
    loaded, problems = [], []
    for name in presets_mod.names():
        try:
            loaded.append(presets_mod.load(name))
        except ValueError as exc:
            problems.append(str(exc))
    return loaded, problems


class PresetPicker(QtWidgets.QWidget):
    """'Experiment [combo]': one item per preset (tooltip = its claim)."""

    preset_chosen = QtCore.pyqtSignal(str)

    def __init__(self, presets, parent=None):
        super().__init__(parent)
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 0)
        label = QtWidgets.QLabel("Experiment")
        self.combo = QtWidgets.QComboBox()
        self.combo.addItem("Choose a ready-made experiment…", None)
        for i, preset in enumerate(presets, start=1):
            self.combo.addItem(preset.title, preset.name)
            self.combo.setItemData(i, preset.claim, QtCore.Qt.ItemDataRole.ToolTipRole)
        self.combo.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(10)
        tip = ("Load a preset: its settings, its number of steps and, for most, a "
               "comparison of runs that differ in one setting.")
        label.setToolTip(tip)
        self.combo.setToolTip(tip)
        label.setBuddy(self.combo)
        self.combo.activated.connect(self._on_activated)
        lay.addWidget(label)
        lay.addWidget(self.combo, 1)

    def set_current(self, name: str | None) -> None:
        """Show ``name`` as chosen (None: the prompt), without emitting."""
        with QtCore.QSignalBlocker(self.combo):
            index = self.combo.findData(name) if name else 0
            self.combo.setCurrentIndex(max(index, 0))

    def _on_activated(self, index: int) -> None:
        name = self.combo.itemData(index)
        if name:
            self.preset_chosen.emit(name)


class PresetInfoBox(QtWidgets.QFrame):
    """The open experiment: title, what to watch and its claim; collapsible and closable."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("presetInfo")
        self.setStyleSheet("#presetInfo { background: #eef4fb; border: 1px solid #9bb8d8;"
                           " border-radius: 4px; } QLabel { color: #1d2b3a; }")
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(8, 4, 6, 6)
        outer.setSpacing(2)
        head = QtWidgets.QHBoxLayout()
        self.toggle = QtWidgets.QToolButton()
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setArrowType(QtCore.Qt.ArrowType.DownArrow)
        self.toggle.setToolTip("Show or hide what to watch")
        self.toggle.toggled.connect(self.set_expanded)
        self.title = QtWidgets.QLabel()
        self.title.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.title.setWordWrap(True)  # a long title must not widen the window
        self.close_button = QtWidgets.QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Hide the experiment's description")
        self.close_button.clicked.connect(self.hide)
        head.addWidget(self.toggle)
        head.addWidget(self.title, 1)
        head.addWidget(self.close_button)
        outer.addLayout(head)
        self.body = QtWidgets.QLabel()
        self.body.setWordWrap(True)
        self.body.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.body.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setContentsMargins(22, 0, 0, 0)
        outer.addWidget(self.body)
        self.preset = None
        self._modified = None
        self.hide()

    def show_preset(self, preset) -> None:
        """Describe ``preset`` and show the box expanded."""
        self.preset = preset
        self._modified = None
        self.set_modified(False)
        self.body.setText(f"<p style='margin:0'><b>What to watch:</b> "
                          f"{html.escape(preset.description)}</p>"
                          f"<p style='margin:4px 0 0 0'><b>Claim:</b> "
                          f"<i>{html.escape(preset.claim)}</i></p>")
        self.setToolTip(preset.claim)
        self.toggle.setChecked(True)
        self.set_expanded(True)
        self.show()

    def set_modified(self, modified: bool) -> None:
        """Say in the title whether the run's settings still are the experiment's."""
        preset = self.preset
        if preset is None or modified == self._modified:
            return
        self._modified = modified
        runs = f" · {len(next(iter(preset.compare.values())))} runs compared" \
            if preset.compare else ""
        note = (" · <span style='color:#9a5b00'>settings changed since</span>"
                if modified else "")
        self.title.setText(f"<b>{html.escape(preset.title)}</b><span style='color:#4a5d70'>"
                           f" · {preset.steps:,} steps{runs}</span>{note}")

    def set_expanded(self, on: bool) -> None:
        """Show (True) or fold away the description."""
        self.body.setVisible(on)
        self.toggle.setArrowType(QtCore.Qt.ArrowType.DownArrow if on
                                 else QtCore.Qt.ArrowType.RightArrow)
