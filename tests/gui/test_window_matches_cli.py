"""The window and the command line give the same numbers for the same config and seed.

Both sides are driven the way a user drives them: the window opens a config file (or an
experiment), plays until its step target and exports the metrics CSV from File > Export;
the command line runs ``relu-viz run`` on the same file. The two CSV files must be equal
byte for byte.
"""

import json

import pytest

from relu_viz import cli
from relu_viz.app import presets
from relu_viz.core.config import TrainConfig
from relu_viz.gui.main_window import MainWindow
from relu_viz.gui.plots.gradient_plot import GradientPlot
from relu_viz.gui.plots.loss_plot import LossPlot

STEPS = 37


@pytest.fixture
def window(qtbot, settings_dir, dialogs):
    w = MainWindow(TrainConfig(), plot_classes=[LossPlot, GradientPlot], remember=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.controller.pause()


def cli_csv(argv, tmp_path, capsys) -> str:
    out = tmp_path / "cli"
    code = cli.main([*argv, "--no-png", "--out", str(out)])
    _, err = capsys.readouterr()
    assert code == 0, err
    return (out / "metrics.csv").read_text()


def play_to(window, qtbot, steps: int) -> None:
    """Press Play with a step target, as an experiment does, and wait for the pause."""
    window.controller.set_step_target(steps)
    window.controller.play()
    qtbot.waitUntil(lambda: not window.controller.running, timeout=20000)
    assert window.controller.trainer.step_count == steps


def window_csv(window, tmp_path) -> str:
    path = tmp_path / "window.csv"
    assert window.export_csv(str(path)) is not None
    return path.read_text()


def test_config_file_in_window_and_cli(window, qtbot, tmp_path, capsys):
    # Differs from the window's starting config only in hot fields and the seed: opening
    # it must still start a fresh run, not continue the old one with new settings.
    config = TrainConfig(learning_rate=0.02, seed=5, eval_every=4)
    cfg_file = tmp_path / "config.json"
    cfg_file.write_text(json.dumps(config.to_dict()))
    window.controller.run_steps(5)  # the user had trained a little before opening the file

    assert window.open_config(str(cfg_file))
    assert window.controller.trainer.step_count == 0
    play_to(window, qtbot, STEPS)

    expected = cli_csv(["run", "--config", str(cfg_file), "--steps", str(STEPS)],
                       tmp_path, capsys)
    assert window_csv(window, tmp_path) == expected
    assert expected.count("\n") == STEPS + 1  # a header and a row per step


@pytest.mark.parametrize("name", ["relu_output", "dying_relu_bias"])  # single run; compare
def test_preset_in_window_and_cli(window, qtbot, tmp_path, capsys, name):
    preset = presets.load(name)
    assert window.open_preset(preset)
    assert window.controller.comparing == bool(preset.compare)
    window.controller.run_steps(STEPS)  # Step N instead of Play: the same numbers

    expected = cli_csv(["run", "--preset", preset.name, "--steps", str(STEPS)],
                       tmp_path, capsys)
    assert window_csv(window, tmp_path) == expected
