"""Reusable editor builders for the control panel, one per FieldSpec kind.

Each builder makes the widget for a spec row and connects its change signal to
``on_value(value)`` with the value already converted to the config's type, so the panel
sections only decide *what* a change means, not how a widget reports it.
"""

from __future__ import annotations

from typing import Callable

from PyQt6 import QtCore, QtWidgets

from relu_viz.gui.panel.spec import FieldSpec, choice_items
from relu_viz.gui.widgets import BigIntSpinBox, LogSpinBox

OnValue = Callable[[object], None]


def make_combo(spec: FieldSpec) -> QtWidgets.QComboBox:
    """A combo box with one item per choice, the value as item data."""
    combo = QtWidgets.QComboBox()
    for i, (value, label, tip) in enumerate(choice_items(spec)):
        combo.addItem(label, value)
        if tip:
            combo.setItemData(i, tip, QtCore.Qt.ItemDataRole.ToolTipRole)
    combo.setSizeAdjustPolicy(
        QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(6)
    return combo


def set_combo(combo: QtWidgets.QComboBox, value) -> None:
    """Select the item whose data is ``value`` (signals of the caller's choosing)."""
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def combo_field(spec: FieldSpec, on_value: OnValue) -> QtWidgets.QComboBox:
    """A choice field: reports the chosen item's data."""
    combo = make_combo(spec)
    combo.currentIndexChanged.connect(lambda _i: on_value(combo.currentData()))
    return combo


def int_field(spec: FieldSpec, on_value: OnValue) -> QtWidgets.QSpinBox:
    """A whole-number field in [lo, hi]; holding an arrow speeds up."""
    box = QtWidgets.QSpinBox()
    box.setRange(int(spec.lo), int(spec.hi))
    box.setSingleStep(int(spec.step))
    # Typing '150' must not apply 1 and 15 first (each could rebuild the run).
    box.setKeyboardTracking(False)
    box.setAccelerated(True)
    box.valueChanged.connect(lambda v: on_value(int(v)))
    return box


def float_field(spec: FieldSpec, on_value: OnValue) -> QtWidgets.QDoubleSpinBox:
    """A decimal field in [lo, hi] with the spec's step and decimals."""
    box = QtWidgets.QDoubleSpinBox()
    box.setDecimals(spec.decimals)
    box.setRange(spec.lo, spec.hi)
    box.setSingleStep(spec.step)
    box.setKeyboardTracking(False)
    box.valueChanged.connect(lambda v: on_value(float(v)))
    return box


def log_field(spec: FieldSpec, on_value: OnValue) -> LogSpinBox:
    """A scale-free field (1-2-5 arrows); with ``allow_zero`` the notch below lo is 0."""
    box = LogSpinBox(spec.lo, spec.hi, allow_zero=spec.allow_zero,
                     zero_step=1e-5 if spec.allow_zero else spec.lo)
    box.valueChanged.connect(lambda v: on_value(float(v)))
    return box


def check_field(on_value: OnValue, text: str = "", tip: str = "") -> QtWidgets.QCheckBox:
    """An on/off field."""
    box = QtWidgets.QCheckBox(text)
    if tip:
        box.setToolTip(tip)
    box.toggled.connect(lambda v: on_value(bool(v)))
    return box


def seed_field(spec: FieldSpec, on_value: OnValue) -> BigIntSpinBox:
    """A seed (0 to 2**32 - 1, beyond QSpinBox's int range)."""
    box = BigIntSpinBox(int(spec.lo), int(spec.hi))
    box.setMinimumWidth(72)  # ten digits scroll instead of widening the whole panel
    box.valueChanged.connect(lambda _v: on_value(box.int_value()))
    return box


def button(text: str, tip: str, on_click) -> QtWidgets.QPushButton:
    """A push button with a tooltip."""
    b = QtWidgets.QPushButton(text)
    b.setToolTip(tip)
    b.clicked.connect(on_click)
    return b


def row(*items, vertical: bool = False, stretch: int | None = None) -> QtWidgets.QWidget:
    """Widgets (or layouts) side by side (or stacked) without margins; ``items[stretch]``
    takes the spare room."""
    holder = QtWidgets.QWidget()
    lay = QtWidgets.QVBoxLayout(holder) if vertical else QtWidgets.QHBoxLayout(holder)
    lay.setContentsMargins(0, 0, 0, 0)
    for i, item in enumerate(items):
        if isinstance(item, QtWidgets.QLayout):
            lay.addLayout(item)
        else:
            lay.addWidget(item, 1 if i == stretch else 0)
    return holder
