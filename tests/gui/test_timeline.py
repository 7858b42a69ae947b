"""The timeline: a paused run shown at an earlier step; Live, Play and Step return to now."""

import numpy as np
import pytest
from PyQt6 import QtCore

from relu_viz.core.config import TrainConfig
from relu_viz.gui.main_window import MainWindow
from relu_viz.gui.plots import BoundaryPlot, GradientPlot, LossPlot

SMALL = TrainConfig(dataset="circle", n_samples=200, hidden_layers=(8, 8), batch_size=16,
                    eval_every=5)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("RELU_VIZ_SETTINGS_DIR", str(tmp_path / "settings"))
    w = MainWindow(SMALL)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.controller.run_steps(100)
    yield w
    w.controller.pause()


def _plot(window, cls):
    return next(p for p in window.plots if isinstance(p, cls))


def last_x(window) -> dict:
    """The largest step drawn by the loss curve and by every gradient curve."""
    loss = _plot(window, LossPlot).train_raw.getData()[0]
    grads = [c.getData()[0] for c in _plot(window, GradientPlot).curves]
    return {"loss": float(np.max(loss)),
            "gradients": max(float(np.max(x)) for x in grads if x is not None and len(x))}


def test_slider_shows_an_earlier_step_and_live_returns(window):
    bar = window.timeline
    assert bar.slider.isEnabled() and bar.slider.maximum() == 100
    assert last_x(window) == {"loss": 100.0, "gradients": 100.0}
    assert not bar.live_button.isEnabled()
    bar.slider.setValue(40)
    assert window.controller.view_step == 40
    drawn = last_x(window)
    assert drawn["loss"] <= 40 and drawn["gradients"] <= 40
    assert bar.label.text() == "viewing step 40 of 100"
    # The boundary comes from the checkpoint taken at the evaluation of step 40.
    assert "model at step 40" in _plot(window, BoundaryPlot).summary_text()
    assert bar.live_button.isEnabled()
    assert window.controller.trainer.step_count == 100, "looking back does not train"
    bar.live_button.click()
    assert window.controller.view_step is None
    assert last_x(window) == {"loss": 100.0, "gradients": 100.0}
    assert bar.slider.value() == 100 and "live" in bar.label.text()
    assert "model at step 100" in _plot(window, BoundaryPlot).summary_text()


def test_moving_to_the_end_is_live(window):
    window.timeline.slider.setValue(30)
    window.timeline.slider.setValue(100)
    assert window.controller.view_step is None


def test_hidden_plots_catch_up_when_shown(window):
    window.show_plot(window.plots[0])
    window.timeline.slider.setValue(25)
    window.show_plot(None)
    assert last_x(window)["gradients"] <= 25


def test_stepping_and_playing_return_to_live(qtbot, window):
    bar = window.timeline
    bar.slider.setValue(50)
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Right)
    assert window.controller.view_step is None
    assert window.controller.trainer.step_count == 101
    assert last_x(window)["loss"] == 101
    bar.slider.setValue(20)
    window.actions["play"].trigger()
    assert window.controller.view_step is None
    qtbot.waitUntil(lambda: window.controller.trainer.step_count > 110, timeout=5000)
    assert not bar.slider.isEnabled(), "the timeline is for a paused run"
    window.controller.set_view_step(10)            # ignored while playing
    assert window.controller.view_step is None
    window.actions["play"].trigger()
    assert bar.slider.isEnabled()
    assert bar.slider.maximum() == window.controller.trainer.step_count


def test_reset_and_rebuild_return_to_live(window):
    window.timeline.slider.setValue(30)
    window.actions["reset"].trigger()
    assert window.controller.view_step is None and window.timeline.slider.maximum() == 0
    assert not window.timeline.slider.isEnabled()
    assert window.timeline.label.text() == "no steps yet"
