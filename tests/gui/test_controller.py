"""TrainingController: stepping, play/pause, hot and cold changes, divergence, redraw rate."""

import math
import time

import pytest
from PyQt6 import QtCore

from relu_viz.core.config import TrainConfig
from relu_viz.gui.controller import TrainingController

SMALL = TrainConfig(dataset="circle", n_samples=200, hidden_layers=(8, 8), batch_size=16,
                    eval_every=5)
DIVERGING = TrainConfig(dataset="circle", n_samples=200, hidden_layers=(64,) * 8,
                        batch_size=32, optimizer="sgd", learning_rate=1e3, eval_every=1)


class CountingPlot:
    """Stands in for a BasePlot: counts rebuilds and refreshes."""

    title, slug = "counting", "counting"

    def __init__(self, shown=True):
        self.rebuilds = self.refreshes = 0
        self.shown = shown

    def rebuild(self, trainer):
        self.rebuilds += 1

    def refresh(self, trainer, upto_step=None):
        self.refreshes += 1

    def isVisible(self):  # noqa: N802 - the Qt name the controller asks
        return self.shown

    def width(self):
        return 100

    def height(self):
        return 100

    def window(self):
        return None


@pytest.fixture
def controller(qtbot):
    c = TrainingController(SMALL)
    yield c
    c.pause()


def test_step_emits_metrics_and_advances_exactly_one(qtbot, controller):
    with qtbot.waitSignal(controller.metrics_updated, timeout=2000):
        controller.step()
    assert controller.trainer.step_count == 1
    controller.step()
    assert controller.trainer.step_count == 2
    assert len(controller.trainer.history) == 2
    assert not controller.running


def test_step_pauses_a_running_controller(qtbot, controller):
    controller.play()
    qtbot.waitUntil(lambda: controller.trainer.step_count > 0, timeout=3000)
    controller.step()
    before = controller.trainer.step_count
    qtbot.wait(100)
    assert not controller.running
    assert controller.trainer.step_count == before


def test_play_then_pause_stops(qtbot, controller):
    states = []
    controller.running_changed.connect(states.append)
    controller.play()
    assert controller.running
    qtbot.waitUntil(lambda: controller.trainer.step_count > 20, timeout=5000)
    controller.pause()
    stopped_at = controller.trainer.step_count
    qtbot.wait(150)
    assert controller.trainer.step_count == stopped_at
    assert states == [True, False]
    assert controller.state() == "paused"


def test_speed_setting_caps_the_step_rate(qtbot, controller):
    controller.set_speed(20)
    controller.play()
    qtbot.wait(500)
    controller.pause()
    # 20 steps/s for 0.5 s: about 10; a free run does hundreds.
    assert 1 <= controller.trainer.step_count <= 16


def test_steps_per_second_is_measured_while_running(qtbot, controller):
    statuses = []
    controller.status_changed.connect(statuses.append)
    controller.play()
    qtbot.waitUntil(lambda: any(s["state"] == "running" and s["steps_per_second"] > 0
                                for s in statuses), timeout=3000)
    controller.pause()
    assert statuses[-1]["state"] == "paused"
    assert statuses[-1]["step"] == controller.trainer.step_count


def test_redraw_is_throttled_and_skips_hidden_plots(qtbot, controller):
    shown, hidden = CountingPlot(), CountingPlot(shown=False)
    controller.set_plots([shown, hidden])
    assert shown.rebuilds == hidden.rebuilds == 1
    controller.play()
    qtbot.wait(600)
    controller.pause()
    steps = controller.trainer.step_count
    assert steps > 60, "stepping should run far faster than redrawing"
    assert 1 <= shown.refreshes <= 0.6 * 30 + 4
    assert hidden.refreshes == 0


def test_cold_change_rebuilds_and_clears_history(qtbot, controller):
    controller.run_steps(5)
    reasons = []
    controller.run_rebuilt.connect(reasons.append)
    assert controller.apply_changes({"activation": "elu"})
    assert controller.trainer.step_count == 0
    assert len(controller.trainer.history) == 0
    assert controller.config.activation == "elu"
    assert reasons == ["Rebuilt: activation changed — history cleared"]


def test_hot_change_keeps_the_run(qtbot, controller):
    controller.run_steps(5)
    trainer = controller.trainer
    rebuilt = []
    controller.run_rebuilt.connect(rebuilt.append)
    assert controller.apply_changes({"learning_rate": 0.002})
    assert controller.trainer is trainer
    assert trainer.step_count == 5 and len(trainer.history) == 5
    assert controller.config.learning_rate == 0.002
    assert rebuilt == []


def test_no_op_edit_is_ignored(qtbot, controller):
    emitted = []
    controller.config_changed.connect(emitted.append)
    assert not controller.apply_changes({"learning_rate": SMALL.learning_rate})
    assert emitted == []


@pytest.mark.parametrize("changes, word", [
    ({"dataset": "sine", "loss": "bce"}, "bce"),          # bce on regression data
    ({"batch_size": 500}, "larger than the training"),    # 160 training samples
    ({"noise": 3.0}, "noise"),                             # outside TrainConfig's range
    ({"activation": "elu", "alpha": 0.0}, "alpha"),       # ELU needs alpha > 0
])
def test_invalid_change_is_rejected_and_keeps_config(qtbot, controller, changes, word):
    controller.run_steps(3)
    trainer, config = controller.trainer, controller.config
    rejected, synced = [], []
    controller.config_rejected.connect(rejected.append)
    controller.config_changed.connect(synced.append)
    assert not controller.apply_changes(changes)
    assert len(rejected) == 1 and word in rejected[0]
    assert synced == [config], "editors are told to show the last valid config"
    assert controller.trainer is trainer and controller.config == config
    assert trainer.step_count == 3


def test_divergence_pauses_and_recover_lowers_lr(qtbot):
    c = TrainingController(DIVERGING)
    messages = []
    c.diverged.connect(messages.append)
    c.play()
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)
    assert not c.running and c.state() == "diverged"
    assert "diverged" in messages[0].lower()
    configs = []
    c.config_changed.connect(configs.append)
    c.recover(0.1)
    assert c.state() == "paused" and not c.trainer.diverged
    assert math.isclose(c.config.learning_rate, 100.0)
    assert configs and configs[-1].learning_rate == pytest.approx(100.0)


def test_reset_same_and_new_weights(qtbot, controller):
    first = controller.trainer.model.params.copy()
    controller.run_steps(4)
    controller.reset(same_init=True)
    assert controller.trainer.step_count == 0
    assert (controller.trainer.model.params == first).all()
    controller.reset(same_init=False)
    assert not (controller.trainer.model.params == first).all()


def test_step_epoch_ends_on_an_epoch_boundary(qtbot, controller):
    controller.step()
    controller.step_epoch()
    t = controller.trainer
    assert t.epoch_float == pytest.approx(1.0)
    assert t.step_count == math.ceil(t.dataset.n_train / SMALL.batch_size)


def test_rejection_holds_the_latest_refusal(qtbot, controller):
    assert not controller.apply_changes({"batch_size": 500})
    assert "larger than the training" in controller.rejection
    assert controller.apply_changes({"learning_rate": 0.002})
    assert controller.rejection == "", "a later accepted change clears it"


def _latencies(qtbot, seconds: float) -> list[float]:
    """How late zero-delay callbacks run, one after another, for ``seconds``."""
    late: list[float] = []
    end = time.perf_counter() + seconds

    def ping():
        asked = time.perf_counter()

        def pong():
            late.append(time.perf_counter() - asked)
            if time.perf_counter() < end:
                ping()
        QtCore.QTimer.singleShot(0, pong)
    ping()
    qtbot.waitUntil(lambda: time.perf_counter() >= end, timeout=int(seconds * 1000) + 5000)
    return late


def test_the_step_budget_leaves_the_event_loop_responsive(qtbot, controller):
    # At full speed a tick could step forever: only the time budget hands the loop back.
    c = controller
    c.set_plots([CountingPlot()])
    seconds = 0.8
    c.play()
    try:
        late = _latencies(qtbot, seconds)
    finally:
        c.pause()
    assert c.trainer.step_count > 100
    # Callbacks run back to back, so their waits add up to the time the loop was held.
    # A tick holds it for the budget (10 ms) plus at most one step; waits beyond 50 ms
    # are scheduling noise and must stay rare.
    blocked = sum(t for t in late if t > 0.05)
    assert blocked < 0.15 * seconds, f"the loop was held {blocked:.2f} s in long stretches"


def test_frames_have_their_own_timer_independent_of_stepping(qtbot, controller):
    controller._timer.setInterval(250)  # slow the step timer: 4 ticks a second
    statuses = []
    controller.status_changed.connect(lambda s: statuses.append(s["running"]))
    controller.play()
    qtbot.wait(700)
    frames = sum(statuses)
    # ~30 frames a second (each reports the status) whatever the step timer does.
    assert frames >= 12, f"{frames} frames in 0.7 s"
    controller.pause()
    after = len(statuses)
    qtbot.wait(150)
    assert len(statuses) == after, "the frame timer stops with Pause"
    assert not controller._frame_timer.isActive()
