"""TimelineBar: a slider over the steps so far, to look at a paused run at an earlier step."""

from __future__ import annotations

from PyQt6 import QtCore, QtWidgets

SLIDER_TIP = ("Drag while paused to see every plot as it was at an earlier step "
              "(histograms and the decision boundary from the nearest evaluation). "
              "Play or Step returns to live.")


class TimelineBar(QtWidgets.QWidget):
    """'Timeline [slider] viewing step s of N [Live]': emits the step to show (None = live)."""

    step_chosen = QtCore.pyqtSignal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(4, 0, 4, 0)
        lay.setSpacing(8)
        title = QtWidgets.QLabel("Timeline")
        title.setToolTip(SLIDER_TIP)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setToolTip(SLIDER_TIP)
        # The keyboard stays with the window's shortcuts (arrows step the run).
        self.slider.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.slider.valueChanged.connect(self._on_slider)
        self.label = QtWidgets.QLabel()
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance(
            "viewing step 1,000,000 of 1,000,000"))
        self.label.setToolTip("The step the plots show.")
        self.live_button = QtWidgets.QPushButton("Live")
        self.live_button.setToolTip("Back to the latest step.")
        self.live_button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.live_button.clicked.connect(lambda: self.step_chosen.emit(None))
        lay.addWidget(title)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.label)
        lay.addWidget(self.live_button)
        self._looking_back = False
        self.update_status({"step": 0, "view_step": None, "running": False})

    def update_status(self, status: dict) -> None:
        """Follow a controller status dict: range 0..step, position, enabled while paused."""
        total = int(status["step"])
        view = status.get("view_step")
        running = bool(status.get("running"))
        with QtCore.QSignalBlocker(self.slider):
            self.slider.setRange(0, total)
            self.slider.setValue(total if view is None else int(view))
            self.slider.setPageStep(max(1, total // 10))
        self.slider.setEnabled(total > 0 and not running)
        self.live_button.setEnabled(view is not None)
        if view is None:
            self.label.setText(f"live · step {total:,}" if total else "no steps yet")
        else:
            self.label.setText(f"viewing step {int(view):,} of {total:,}")
        looking_back = view is not None
        if looking_back != self._looking_back:  # restyling 30 times a second costs
            self._looking_back = looking_back
            self.label.setStyleSheet("color: #9a5b00; font-weight: bold;" if looking_back
                                     else "")

    def _on_slider(self, value: int) -> None:
        self.step_chosen.emit(None if value >= self.slider.maximum() else int(value))
