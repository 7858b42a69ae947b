"""Export: PNGs that decode at the asked size and are not blank, CSV, atomic writes, --screenshot."""

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PyQt6 import QtGui

from relu_viz.core import atomic
from relu_viz.core.config import TrainConfig
from relu_viz.gui import export
from relu_viz.gui.export import ExportError
from relu_viz.gui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]
SMALL = TrainConfig(dataset="spiral", n_samples=200, hidden_layers=(8, 8), batch_size=16,
                    eval_every=5)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, dialogs):
    monkeypatch.setenv("RELU_VIZ_SETTINGS_DIR", str(tmp_path / "settings"))
    w = MainWindow(SMALL)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    w.controller.run_steps(25)
    return w


def distinct_colours(image: QtGui.QImage, n: int = 24) -> int:
    """Distinct colours on an n x n grid of sample points."""
    w, h = image.width(), image.height()
    return len({image.pixel(int((i + 0.5) * w / n), int((j + 0.5) * h / n))
                for i in range(n) for j in range(n)})


def load_png(path) -> QtGui.QImage:
    image = QtGui.QImage(str(path))
    assert not image.isNull(), f"{path} does not decode as an image"
    return image


def leftovers(folder) -> list:
    return [p.name for p in Path(folder).iterdir() if p.name.startswith(".")]


def test_export_all_plots(window, tmp_path):
    out = tmp_path / "plots"
    out.mkdir()
    written = window.export_all(str(out), width=640)
    assert len(written) == len(window.plots)
    for plot, path in zip(window.plots, written):
        assert path.name == f"relu_{plot.slug}_step000025.png"
        image = load_png(path)
        assert image.width() == 640
        assert distinct_colours(image) >= 3, f"{path.name} looks blank"
    assert leftovers(out) == []


def test_export_one_plot_and_window(window, tmp_path):
    path = window.export_plot(window.plots[0], str(tmp_path / "loss.png"), width=900)
    assert load_png(path).width() == 900
    shot = load_png(window.export_window(str(tmp_path / "window.png")))
    assert (shot.width(), shot.height()) == (window.width(), window.height())
    assert distinct_colours(shot) >= 3


def test_export_overwrites_atomically(tmp_path):
    target = tmp_path / "a.csv"
    target.write_text("old")
    export.atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert leftovers(tmp_path) == []


def test_default_file_names_carry_activation_and_step():
    assert export.default_filename("leaky_relu", "loss", 42) == "leaky_relu_loss_step000042.png"
    assert export.default_filename("a/b c", "x", 1, "csv") == "a-b-c_x_step000001.csv"


def test_metrics_csv_has_header_and_one_row_per_step(window, tmp_path):
    path = window.export_csv(str(tmp_path / "m.csv"))
    rows = list(csv.reader(io.StringIO(path.read_text())))
    history = window.controller.trainer.history
    assert rows[0][:3] == ["step", "epoch", "train_loss"]
    assert len(rows) == 1 + len(history) == 26
    assert all(len(r) == len(rows[0]) for r in rows)
    assert [int(r[0]) for r in rows[1:]] == list(range(1, 26))


def test_missing_folder_raises_and_window_shows_dialog(window, tmp_path, dialogs):
    missing = tmp_path / "nope"
    with pytest.raises(ExportError, match="does not exist"):
        export.export_all_plots(window.plots, missing, "relu", 1)
    with pytest.raises(ExportError, match="does not exist"):
        export.export_plot_png(window.plots[0], missing / "x.png")
    assert window.export_all(str(missing)) is None
    assert window.export_csv(str(missing / "m.csv")) is None
    assert [d[0] for d in dialogs] == ["critical", "critical"]
    assert "does not exist" in dialogs[0][1]
    assert not missing.exists()


def test_write_failure_leaves_no_file(window, tmp_path, monkeypatch, dialogs):
    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    assert window.export_plot(window.plots[0], str(tmp_path / "p.png")) is None
    assert dialogs and "No space left" in dialogs[-1][1]
    assert list(tmp_path.glob("*.png")) == [] and leftovers(tmp_path) == []


def test_read_only_folder(window, tmp_path, monkeypatch, dialogs):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):  # root ignores modes: fail the temp file instead
            def denied(*a, **k):
                raise PermissionError(13, "Permission denied")
            monkeypatch.setattr(atomic.tempfile, "mkstemp", denied)
        with pytest.raises(ExportError, match="Permission denied"):
            export.export_metrics_csv(window.controller.trainer, folder / "m.csv")
        assert window.export_all(str(folder)) is None
        assert "Permission denied" in dialogs[-1][1]
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_config_file_errors_are_clear(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"learning_rate": -1}')
    with pytest.raises(ExportError, match="learning_rate"):
        export.load_config(bad)
    with pytest.raises(ExportError, match="Could not read"):
        export.load_config(tmp_path / "missing.json")


def _run_app(args, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               RELU_VIZ_SETTINGS_DIR=str(tmp_path / "settings"))
    code = "import sys; from relu_viz.gui.app import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_screenshot_command(tmp_path):
    out = tmp_path / "shot.png"
    proc = _run_app(["--screenshot", str(out), "--steps", "20", "--size", "1100x700"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    image = load_png(out)
    assert (image.width(), image.height()) == (1100, 700)
    assert distinct_colours(image) >= 3
    assert leftovers(tmp_path) == []


def test_screenshot_with_bad_config_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"activation": "nope"}')
    proc = _run_app(["--screenshot", str(tmp_path / "s.png"), "--config", str(bad)], tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "activation" in lines[0]
    assert not (tmp_path / "s.png").exists()
