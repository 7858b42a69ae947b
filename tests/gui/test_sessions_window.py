"""Never lose work: sessions, recent files, remembered settings, recovery from divergence."""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PyQt6 import QtCore, QtGui, QtWidgets

from relu_viz.core.config import TrainConfig
from relu_viz.core.metrics import LAYER_NAMES, SCALAR_NAMES
from relu_viz.gui.main_window import MainWindow
from relu_viz.gui.plots.loss_plot import LossPlot

ROOT = Path(__file__).resolve().parents[2]
SMALL = TrainConfig(dataset="circle", n_samples=200, hidden_layers=(8, 8), batch_size=16,
                    eval_every=5, optimizer="adam")
OTHER = TrainConfig(dataset="xor", n_samples=150, hidden_layers=(4,), batch_size=8)


@pytest.fixture
def make(qtbot, settings_dir, dialogs):
    made = []

    def build(config=SMALL, show=True):
        w = MainWindow(config, plot_classes=[LossPlot])
        qtbot.addWidget(w)
        if show:
            w.show()
            qtbot.waitExposed(w)
        made.append(w)
        return w

    yield build
    for w in made:
        w.controller.pause()


def same_history(a, b) -> None:
    assert len(a.history) == len(b.history)
    for name in SCALAR_NAMES:
        np.testing.assert_array_equal(a.history.scalar(name), b.history.scalar(name), name)
    for name in LAYER_NAMES:
        np.testing.assert_array_equal(a.history.layer(name), b.history.layer(name), name)


def test_save_then_open_in_a_fresh_window_and_continue(make, tmp_path, monkeypatch):
    path = tmp_path / "run.npz"
    first = make()
    first.controller.run_steps(60)
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    assert first.actions["save_session"].shortcut().toString() == "Ctrl+S"
    first.actions["save_session"].trigger()
    assert path.is_file() and "Saved session at step 60" in first.statusBar().currentMessage()

    second = make(OTHER)
    monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))
    assert second.actions["open_session"].shortcut().toString() == "Ctrl+O"
    second.actions["open_session"].trigger()
    loaded = second.controller.trainer
    assert loaded.step_count == 60 and loaded.config == SMALL
    assert second.panel.config == SMALL
    np.testing.assert_array_equal(loaded.model.params, first.controller.trainer.model.params)
    same_history(loaded, first.controller.trainer)
    assert "Step 60" in second.status_line.labels["step"].text()

    second.controller.run_steps(40)
    never_stopped = make()
    never_stopped.controller.run_steps(100)
    same_history(second.controller.trainer, never_stopped.controller.trainer)
    np.testing.assert_array_equal(second.controller.trainer.model.params,
                                  never_stopped.controller.trainer.model.params)


def _newer_version(path: Path) -> bytes:
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    meta = json.loads(str(arrays["meta"]))
    meta["version"] = 99
    arrays["meta"] = np.array(json.dumps(meta))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


@pytest.mark.parametrize("damage, words", [
    (lambda p: b"this is not a session at all", "not a readable relu_viz session"),
    (lambda p: p.read_bytes()[: len(p.read_bytes()) // 2], "truncated or corrupted"),
    (_newer_version, "newer relu_viz"),
    (lambda p: None, "no such file"),
])
def test_a_bad_session_is_reported_and_the_run_kept(make, tmp_path, dialogs, damage, words):
    good = tmp_path / "good.npz"
    window = make()
    window.controller.run_steps(12)
    assert window.save_session(str(good))
    bad = tmp_path / "bad.npz"
    data = damage(good)
    if data is not None:
        bad.write_bytes(data)
    window.controller.run_steps(3)
    trainer = window.controller.trainer
    assert not window.open_session(str(bad))
    assert dialogs[-1][0] == "critical" and words in dialogs[-1][1], dialogs[-1]
    assert str(bad) in dialogs[-1][1], "the message names the file"
    assert window.controller.trainer is trainer and trainer.step_count == 15
    window.controller.step()
    assert trainer.step_count == 16


def test_save_into_a_missing_folder_reports_it(make, tmp_path, dialogs):
    window = make()
    assert window.save_session(str(tmp_path / "gone" / "s.npz")) is None
    assert dialogs[-1][0] == "critical" and "does not exist" in dialogs[-1][1]
    assert not (tmp_path / "gone").exists()


def test_recent_files_update_persist_and_drop_missing_files(make, tmp_path, dialogs,
                                                             qtbot):
    window = make()
    session, config = tmp_path / "s.npz", tmp_path / "c.json"
    window.save_session(str(session))
    window.save_config(str(config))
    assert window.recent.items() == [("config", str(config)), ("session", str(session))]
    window.update_recent_menu()
    texts = [a.text() for a in window.recent_menu.actions()]
    assert texts[:2] == ["c.json  (config)", "s.npz  (session)"]
    for i in range(10):                       # at most 8, newest first, no duplicates
        window.save_config(str(tmp_path / f"c{i}.json"))
    window.save_config(str(config))
    items = window.recent.items()
    assert len(items) == 8 and items[0] == ("config", str(config))
    assert len({p for _, p in items}) == 8
    window.close()

    again = make(show=False)
    assert again.recent.items() == items, "kept in QSettings"
    (tmp_path / "c9.json").unlink()
    again.update_recent_menu()
    assert str(tmp_path / "c9.json") not in [p for _, p in again.recent.items()]
    assert "c9.json" in again.statusBar().currentMessage()
    (tmp_path / "c8.json").unlink()
    assert not again.open_recent("config", str(tmp_path / "c8.json"))
    assert dialogs[-1][0] == "warning" and "c8.json" in dialogs[-1][1]
    assert str(tmp_path / "c8.json") not in [p for _, p in again.recent.items()]
    again.controller.run_steps(2)
    assert again.open_recent("session", str(session))
    assert again.controller.trainer.step_count == 0 and again.recent.items()[0][1] == str(session)


def test_window_geometry_and_last_config_are_remembered(make, settings_dir, qtbot):
    window = make()
    window.resize(760, 560)  # inside the offscreen screen (800x600): no clamping
    window.panel.editor("learning_rate").setValue(0.004)
    window.close()
    again = MainWindow(None, plot_classes=[LossPlot])
    qtbot.addWidget(again)
    assert again.controller.config == SMALL.replace(learning_rate=0.004)
    assert (again.width(), again.height()) == (760, 560)


def test_divergence_while_playing_pauses_and_lowering_the_rate_recovers(make, qtbot):
    config = TrainConfig(dataset="circle", n_samples=200, hidden_layers=(64,) * 8,
                         optimizer="sgd", learning_rate=1e3, eval_every=1)
    window = make(config)
    c = window.controller
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=5000)
    assert not c.running and c.trainer.diverged
    assert "step" in window.banner.label.text() and "learning rate" in window.banner.label.text()
    for _ in range(6):                        # 1e3 -> 1e2 -> ... until the run trains
        if not c.trainer.diverged:
            break
        qtbot.mouseClick(window.banner.recover_button, QtCore.Qt.MouseButton.LeftButton)
        assert not window.banner.isVisible() and "lowered" in window.statusBar().currentMessage()
        c.run_steps(40)
    assert not c.trainer.diverged and c.config.learning_rate < 1e3
    loss = c.trainer.history.scalar("train_loss")[-20:]
    assert np.isfinite(loss).all() and loss.mean() < 1.0


def test_session_on_the_command_line(make, tmp_path):
    window = make()
    window.controller.run_steps(7)
    path = tmp_path / "s.npz"
    window.save_session(str(path))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               RELU_VIZ_SETTINGS_DIR=str(tmp_path / "cli_settings"))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    out = tmp_path / "shot.png"
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, str(ROOT / "main.py"), *args], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=120)
    proc = run("--session", str(path), "--screenshot", str(out), "--size", "800x600")
    assert proc.returncode == 0, proc.stderr
    assert QtGui.QImage(str(out)).width() == 800
    (tmp_path / "bad.npz").write_bytes(b"junk")
    proc = run("--session", str(tmp_path / "bad.npz"), "--screenshot", str(out))
    assert proc.returncode == 2 and "bad.npz" in proc.stderr and "Traceback" not in proc.stderr
    with zipfile.ZipFile(path) as z:
        assert "meta.npy" in z.namelist()
