"""Small Qt helpers shared by the window: settings, number boxes, a brief highlight."""

from __future__ import annotations

import math
import os

from PyQt6 import QtCore, QtGui, QtWidgets

ORGANIZATION = "relu_viz"
APPLICATION = "relu_viz"
SETTINGS_ENV = "RELU_VIZ_SETTINGS_DIR"


def make_settings() -> QtCore.QSettings:
    """The app's QSettings; an INI file under $RELU_VIZ_SETTINGS_DIR when that is set."""
    folder = os.environ.get(SETTINGS_ENV)
    if folder:
        fmt, scope = QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope
        QtCore.QSettings.setPath(fmt, scope, folder)
        return QtCore.QSettings(fmt, scope, ORGANIZATION, APPLICATION)
    return QtCore.QSettings(ORGANIZATION, APPLICATION)


def _nice_steps(value: float, up: bool, steps: int) -> float:
    """Move ``steps`` notches along the 1-2-5 ladder (..., 0.01, 0.02, 0.05, 0.1, ...)."""
    for _ in range(steps):
        exp = math.floor(math.log10(value))
        ladder = [m * 10.0 ** e for e in (exp - 1, exp, exp + 1) for m in (1, 2, 5)]
        if up:
            value = min(v for v in ladder if v > value * (1 + 1e-9))
        else:
            value = max(v for v in ladder if v < value * (1 - 1e-9))
    return float(f"{value:.6g}")


class LogSpinBox(QtWidgets.QDoubleSpinBox):
    """A number box for scale-free values (learning rate, eps, penalties).

    Arrows move along 1-2-5-10; any number can be typed (``3e-4``, ``0.0007``). With
    ``allow_zero`` the notch below the minimum positive value is exactly 0.
    """

    def __init__(self, minimum: float, maximum: float, allow_zero: bool = False,
                 zero_step: float = 1e-5, parent=None):
        super().__init__(parent)
        self._allow_zero = allow_zero
        self._zero_step = zero_step
        self._positive_min = minimum
        self.setDecimals(15)
        self.setRange(0.0 if allow_zero else minimum, maximum)
        self.setKeyboardTracking(False)
        self.setCorrectionMode(QtWidgets.QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt name)
        return "0" if value == 0 else f"{value:.4g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        stripped = text.strip()
        if stripped in ("", "-", ".", "e", "+"):
            return QtGui.QValidator.State.Intermediate, text, pos
        try:
            value = float(stripped)
        except ValueError:
            if stripped[-1:] in "eE-+." and stripped[:-1]:
                return QtGui.QValidator.State.Intermediate, text, pos
            return QtGui.QValidator.State.Invalid, text, pos
        if not math.isfinite(value):
            return QtGui.QValidator.State.Invalid, text, pos
        if value == 0 and not self._allow_zero:
            return QtGui.QValidator.State.Intermediate, text, pos
        if self.minimum() <= value <= self.maximum():
            return QtGui.QValidator.State.Acceptable, text, pos
        return QtGui.QValidator.State.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:  # noqa: N802
        value = self.value()
        if steps > 0:
            value = self._zero_step if value <= 0 else _nice_steps(value, True, steps)
        elif steps < 0:
            if value <= 0:
                return
            value = _nice_steps(value, False, -steps)
            if value < self._positive_min:
                value = 0.0 if self._allow_zero else self._positive_min
        self.setValue(min(max(value, self.minimum()), self.maximum()))

    def stepEnabled(self):  # noqa: N802
        flags = QtWidgets.QAbstractSpinBox.StepEnabledFlag.StepNone
        if self.value() < self.maximum():
            flags |= QtWidgets.QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
        if self.value() > self.minimum():
            flags |= QtWidgets.QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        return flags


class BigIntSpinBox(QtWidgets.QDoubleSpinBox):
    """An integer box beyond QSpinBox's 32-bit signed range (seeds up to 2**32 - 1)."""

    def __init__(self, minimum: int, maximum: int, parent=None):
        super().__init__(parent)
        self.setDecimals(0)
        self.setRange(float(minimum), float(maximum))
        self.setKeyboardTracking(False)

    def int_value(self) -> int:
        """The value as a Python int."""
        return int(round(self.value()))


def flash(widget: QtWidgets.QWidget, colour: str = "#ffe680", ms: int = 900) -> None:
    """Give ``widget`` a coloured background for ``ms`` milliseconds."""
    if widget.property("_flashing"):
        return
    widget.setProperty("_flashing", True)
    previous = widget.styleSheet()
    widget.setStyleSheet(previous + f"; background-color: {colour};" if previous
                         else f"background-color: {colour};")

    def restore():
        try:
            widget.setStyleSheet(previous)
            widget.setProperty("_flashing", False)
        except RuntimeError:  # the widget was deleted meanwhile
            pass

    QtCore.QTimer.singleShot(ms, restore)


class DivergenceBanner(QtWidgets.QFrame):
    """A red strip above the plots: what went wrong and the two ways out."""

    reset_clicked = QtCore.pyqtSignal()
    recover_clicked = QtCore.pyqtSignal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("divergenceBanner")
        self.setStyleSheet("#divergenceBanner { background: #fde2e1; border: 1px solid #d9534f;"
                           " border-radius: 4px; } QLabel { color: #7a1712; }")
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        self.label = QtWidgets.QLabel()
        self.label.setWordWrap(True)
        self.reset_button = QtWidgets.QPushButton("Reset")
        self.reset_button.setToolTip("Back to step 0 with the same initial weights.")
        self.recover_button = QtWidgets.QPushButton("Lower the learning rate 10x and continue")
        self.recover_button.setToolTip("Restore the last finite weights, divide the learning "
                                       "rate by 10 and keep training.")
        self.reset_button.clicked.connect(self.reset_clicked)
        self.recover_button.clicked.connect(self.recover_clicked)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.reset_button)
        lay.addWidget(self.recover_button)
        self.hide()

    def show_message(self, text: str) -> None:
        """Show the banner with ``text``."""
        self.label.setText(text)
        self.show()


def _fmt(value: float, spec: str = ".4g") -> str:
    return "–" if value is None or not math.isfinite(value) else format(value, spec)


class StatusLine(QtWidgets.QWidget):
    """Step, epoch, losses, accuracy, speed and state, in fixed-width cells."""

    STATE_COLOURS = {"running": "#1a7f37", "paused": "#555555", "diverged": "#c0392b"}

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 4, 0)
        lay.setSpacing(14)
        self.labels: dict[str, QtWidgets.QLabel] = {}
        tips = {"step": "Training steps (mini-batches) so far.",
                "epoch": "Passes over the training set so far.",
                "loss": "Latest training-batch loss / test loss "
                        "(while comparing, the comparison lists each run's).",
                "accuracy": "Latest test accuracy (classification only).",
                "speed": "Training steps per second over the last second.",
                "state": "Running, paused or diverged."}
        for key, tip in tips.items():
            label = QtWidgets.QLabel()
            label.setToolTip(tip)
            self.labels[key] = label
            lay.addWidget(label)
        self.labels["state"].setMinimumWidth(70)

    def update_status(self, s: dict) -> None:
        """Show a controller status dict."""
        acc = s.get("accuracy", float("nan"))
        self.labels["step"].setText(f"Step {s['step']:,}")
        self.labels["epoch"].setText(f"Epoch {_fmt(s['epoch'], '.2f')}")
        runs = s.get("runs")
        if runs:
            self.labels["loss"].setText(f"Comparing {runs} runs")
        else:
            self.labels["loss"].setText(
                f"Loss {_fmt(s['train_loss'])} / test {_fmt(s['test_loss'])}")
        self.labels["accuracy"].setText("Acc –" if not math.isfinite(acc)
                                        else f"Acc {100 * acc:.1f} %")
        self.labels["accuracy"].setVisible(not runs and not s.get("regression"))
        sps = s.get("steps_per_second", 0.0)
        self.labels["speed"].setText(f"{sps:,.0f} steps/s" if sps else "– steps/s")
        state = s["state"]
        colour = self.STATE_COLOURS.get(state, "#000000")
        self.labels["state"].setText(f"<b style='color:{colour}'>{state}</b>")
