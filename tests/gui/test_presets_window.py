"""Experiments in the window: menu, picker, info box, step target, --preset on the command line."""

import html
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from PyQt6 import QtCore, QtGui, QtWidgets

from relu_viz.app import presets
from relu_viz.core.config import TrainConfig
from relu_viz.gui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
SMALL = TrainConfig(dataset="circle", n_samples=200, hidden_layers=(8, 8), batch_size=16,
                    eval_every=5)
ALL = presets.list_presets()


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, dialogs):
    monkeypatch.setenv("RELU_VIZ_SETTINGS_DIR", str(tmp_path / "settings"))
    w = MainWindow(SMALL)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.controller.pause()


def test_there_are_presets_to_test():
    assert len(ALL) >= 2 and any(p.compare for p in ALL) and any(not p.compare for p in ALL)


def test_every_preset_is_in_the_menu_and_the_picker(window):
    assert list(window.preset_actions) == [p.name for p in ALL]
    for p in ALL:
        act = window.preset_actions[p.name]
        assert act.text() == p.title and act.toolTip() == p.claim
    combo = window.preset_picker.combo
    assert [combo.itemData(i) for i in range(1, combo.count())] == [p.name for p in ALL]
    assert combo.itemData(1, 3) == ALL[0].claim  # 3 = ToolTipRole


@pytest.mark.parametrize("preset", ALL, ids=[p.name for p in ALL])
def test_opening_a_preset_from_the_menu_applies_it(window, preset):
    window.controller.run_steps(3)
    window.preset_actions[preset.name].trigger()
    c = window.controller
    assert c.trainer.config == preset.config
    assert c.trainer.step_count == 0
    assert window.panel.config == preset.config
    assert window.info_box.isVisible()
    assert preset.title in window.info_box.title.text()
    assert html.escape(preset.claim)[:40] in window.info_box.body.text()
    assert window.step_n_box.value() == preset.steps == c.step_target
    assert window.preset_picker.combo.currentData() == preset.name
    if preset.compare:
        assert c.comparing and window.compare_view is not None
        assert c.comparison.labels == presets.load(preset.name).comparison().labels
        assert all(t.step_count == 0 for t in c.comparison.trainers)
    else:
        assert not c.comparing and window.compare_view is None


def test_picker_opens_a_preset_and_info_box_folds_and_closes(qtbot, window):
    name = ALL[0].name
    combo = window.preset_picker.combo
    combo.setCurrentIndex(combo.findData(name))
    combo.setFocus()
    combo.activated.emit(combo.findData(name))
    assert window.controller.config == presets.load(name).config
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Right)       # the keyboard drives training
    assert window.controller.step_count == 1
    box = window.info_box
    box.toggle.click()
    assert not box.body.isVisible() and box.isVisible()
    box.toggle.click()
    assert box.body.isVisible()
    box.close_button.click()
    assert not box.isVisible()


def test_play_stops_at_the_presets_step_count(qtbot, window):
    preset = min((p for p in ALL if not p.compare), key=lambda p: p.steps)
    window.open_preset(preset.name)
    window.controller.set_step_target(12)  # same mechanism, shorter run
    assert window.info_box.body.isVisible()
    window.actions["play"].trigger()
    assert not window.info_box.body.isVisible(), "playing folds the description away"
    assert window.info_box.isVisible()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=10000)
    assert window.controller.trainer.step_count == 12
    assert "Reached step 12" in window.statusBar().currentMessage()
    window.actions["play"].trigger()       # beyond the target when asked again
    qtbot.waitUntil(lambda: window.controller.trainer.step_count > 14, timeout=10000)
    window.controller.pause()
    assert "settings changed" not in window.info_box.title.text()
    window.panel.editor("learning_rate").setValue(0.5)
    assert "settings changed" in window.info_box.title.text()


def test_unknown_preset_name_shows_an_error_and_keeps_the_run(window, dialogs):
    trainer = window.controller.trainer
    assert not window.open_preset("no_such_experiment")
    assert dialogs and dialogs[-1][0] == "critical" and "no_such_experiment" in dialogs[-1][1]
    assert window.controller.trainer is trainer


def _run_app(args, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               RELU_VIZ_SETTINGS_DIR=str(tmp_path / "settings"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)


def test_preset_screenshot_from_the_command_line(tmp_path):
    name = next(p.name for p in ALL if p.compare)
    out = tmp_path / "shot.png"
    proc = _run_app(["--preset", name, "--screenshot", str(out), "--steps", "5",
                     "--size", "900x600"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    image = QtGui.QImage(str(out))
    assert (image.width(), image.height()) == (900, 600)
    bad = _run_app(["--preset", "no_such", "--screenshot", str(tmp_path / "x.png")], tmp_path)
    assert bad.returncode == 2 and "unknown preset" in bad.stderr
    assert "Traceback" not in bad.stderr and not (tmp_path / "x.png").exists()


def test_help_opens_the_speed_view_or_says_why_not(window, monkeypatch, dialogs):
    opened = []

    class FakeSpeedDialog(QtWidgets.QDialog):
        def __init__(self, parent=None):
            super().__init__(parent)
            opened.append(parent)

    fake = types.ModuleType("relu_viz.gui.views.speed_view")
    fake.SpeedDialog = FakeSpeedDialog
    monkeypatch.setitem(sys.modules, "relu_viz.gui.views.speed_view", fake)
    window.controller.play()
    window.actions["speed"].trigger()
    assert opened == [window] and window._speed_dialog.isVisible()
    assert not window.controller.running
    window._speed_dialog.close()
    monkeypatch.setitem(sys.modules, "relu_viz.gui.views.speed_view", None)  # import fails
    window.actions["speed"].trigger()
    assert dialogs and dialogs[-1][0] == "information" and "not available" in dialogs[-1][1]
    help_menu = window.menuBar().actions()[-1].menu()
    assert "ReLU speed…" in [a.text() for a in help_menu.actions()]
