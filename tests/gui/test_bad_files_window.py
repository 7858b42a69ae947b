"""Files the window refuses: a config JSON it cannot use, a CSV chosen with Browse.

Each refusal must name the file and the problem (line or field) in a dialog, keep the
run as it was (same Trainer, config, steps, panel) and leave the recent files alone.
The file and message boxes are answered by monkeypatched static methods, so nothing
blocks. (tests/test_bad_input.py checks the wording of more bad files; this checks the
dialog, the recent files and the state around a refusal.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PyQt6 import QtWidgets

from relu_viz.core.config import TrainConfig
from relu_viz.gui.main_window import MainWindow
from relu_viz.gui.plots.loss_plot import LossPlot

SMALL = TrainConfig(dataset="circle", n_samples=120, hidden_layers=(6,), batch_size=16,
                    eval_every=5)
BAD_LINE = 5  # the bad row of a bad CSV sits on this (1-based) line


def csv_text(rows: int = 30, bad: str | None = None) -> str:
    """A 2-feature binary CSV; ``bad`` replaces the row on line BAD_LINE."""
    lines = ["x1,x2,label"] + [f"{i * 0.3:g},{(i % 7) - 3:g},{i % 2}" for i in range(rows)]
    if bad is not None:
        lines[BAD_LINE - 1] = bad
    return "\n".join(lines) + "\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def config_json(folder: Path, name: str = "config.json", **fields) -> Path:
    data = {**SMALL.to_dict(), **fields}
    return write(folder / name, json.dumps(data))


@pytest.fixture
def dialogs(monkeypatch):
    """Message boxes recorded as (kind, title, text) instead of shown."""
    shown: list[tuple[str, str, str]] = []
    for kind in ("critical", "warning", "information"):
        monkeypatch.setattr(QtWidgets.QMessageBox, kind, staticmethod(
            lambda parent, title, text, *a, _k=kind, **kw: shown.append((_k, title, text))))
    return shown


@pytest.fixture
def answer(monkeypatch):
    """answer(path): every open-file dialog returns ``path`` (as if the user chose it)."""
    asked: list[str] = []

    def set_answer(path):
        def get_open(parent=None, caption="", *a, **k):
            asked.append(caption)
            return str(path), ""
        monkeypatch.setattr(QtWidgets.QFileDialog, "getOpenFileName", staticmethod(get_open))
        return asked
    return set_answer


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, dialogs):
    monkeypatch.setenv("RELU_VIZ_SETTINGS_DIR", str(tmp_path / "settings"))
    w = MainWindow(SMALL, plot_classes=[LossPlot], remember=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.controller.run_steps(4)
    yield w
    w.controller.pause()


def state(w):
    c = w.controller
    return c.trainer, c.config, c.step_count, len(c.trainer.history), w.panel.config


def assert_kept(w, before) -> None:
    after = state(w)
    assert after[0] is before[0], "the run was replaced"
    assert after[1:] == before[1:], "the config, steps, history or panel changed"


def only_critical(dialogs) -> str:
    assert [d[0] for d in dialogs] == ["critical"], dialogs
    return dialogs[0][2]


# -- config JSON files ---------------------------------------------------------------------
CONFIG_CASES = {
    # name: (make the file in the folder, words the dialog must contain)
    "csv-with-a-bad-cell": (
        lambda d: config_json(d, dataset="csv", csv_path=str(
            write(d / "data.csv", csv_text(bad="1,oops,0")))),
        ("config.json", "data.csv", f"line {BAD_LINE}", "'oops' is not a number")),
    "csv-file-gone": (
        lambda d: config_json(d, dataset="csv", csv_path=str(d / "gone.csv")),
        ("config.json", "gone.csv")),
    "batch-larger-than-its-data": (
        lambda d: config_json(d, dataset="csv", batch_size=64, csv_path=str(
            write(d / "data.csv", csv_text(rows=20)))),
        ("config.json", "batch_size", "64", "larger than the training set")),
    "not-json": (
        lambda d: write(d / "config.json", '{"dataset": "circle",\n "noise": }'),
        ("config.json", "not valid JSON", "line 2")),
    "width-out-of-range": (
        lambda d: config_json(d, hidden_layers=[8, 0]),
        ("config.json", "hidden_layers[1]")),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_refused_config_is_named_in_a_dialog_and_not_remembered(window, tmp_path, dialogs,
                                                                answer, case):
    make, words = CONFIG_CASES[case]
    path = make(tmp_path)
    earlier = config_json(tmp_path, "earlier.json")
    window.recent.add("config", earlier)
    recent, before = window.recent.items(), state(window)
    answer(path)
    window.actions["open"].trigger()
    text = only_critical(dialogs)
    missing = [w for w in words if w.lower() not in text.lower()]
    assert not missing, f"the dialog does not name {missing}: {text!r}"
    assert_kept(window, before)
    assert window.recent.items() == recent, "a refused file entered the recent files"


def test_usable_config_is_applied_and_remembered(window, tmp_path, dialogs, answer):
    path = config_json(tmp_path, activation="elu")
    answer(path)
    window.actions["open"].trigger()
    assert dialogs == []
    assert window.controller.config.activation == "elu"
    assert window.recent.items()[0] == ("config", str(path))


def test_refused_recent_config_keeps_its_place_in_the_list(window, tmp_path, dialogs):
    first, second = config_json(tmp_path, "first.json"), config_json(tmp_path, "second.json")
    window.recent.add("config", first)
    window.recent.add("config", second)
    first.write_text(json.dumps({**SMALL.to_dict(), "activation": "relu7"}))
    recent, before = window.recent.items(), state(window)
    assert not window.open_recent("config", str(first))
    assert "first.json" in only_critical(dialogs) and "relu7" in dialogs[0][2]
    assert window.recent.items() == recent
    assert_kept(window, before)


def test_refused_config_keeps_an_open_comparison(window, tmp_path, dialogs):
    comparison = window.start_comparison("learning_rate=0.01,0.1")
    assert comparison is not None and window.controller.comparing
    path = config_json(tmp_path, dataset="csv", csv_path=str(
        write(tmp_path / "data.csv", csv_text(bad="NaN,1,1"))))
    assert not window.open_config(str(path))
    assert "not a finite number" in only_critical(dialogs)
    assert window.controller.comparison is comparison and window.controller.comparing
    assert window.compare_view is not None


# -- CSV files chosen in the control panel ---------------------------------------------------
def choose_csv_in_combo(w) -> None:
    combo = w.panel.editor("dataset")
    combo.setCurrentIndex(combo.findData("csv"))


@pytest.mark.parametrize("text, words", [
    (csv_text(bad="1,oops,0"), ("bad.csv", f"line {BAD_LINE}", "column 2", "'oops'")),
    (csv_text(bad="inf,1,0"), ("bad.csv", f"line {BAD_LINE}", "not a finite number")),
    ("x1,x2,label\n", ("bad.csv", "no data rows")),
    (csv_text(rows=12), ("bad.csv", "batch_size", "larger than the training set")),
], ids=["text-cell", "infinity", "header-only", "too-few-rows-for-the-batch"])
def test_bad_csv_chosen_from_the_data_set_combo_is_named_in_a_dialog(window, tmp_path,
                                                                     dialogs, answer,
                                                                     text, words):
    before = state(window)
    asked = answer(write(tmp_path / "bad.csv", text))
    choose_csv_in_combo(window)
    assert asked, "choosing 'CSV file…' without a file should ask for one"
    message = only_critical(dialogs)
    missing = [w for w in words if w.lower() not in message.lower()]
    assert not missing, f"the dialog does not name {missing}: {message!r}"
    assert_kept(window, before)
    assert window.panel.editor("dataset").currentData() == SMALL.dataset


def test_browse_button_with_a_bad_csv_keeps_the_csv_in_use(qtbot, window, tmp_path,
                                                           dialogs, answer):
    good = write(tmp_path / "good.csv", csv_text())
    answer(good)
    choose_csv_in_combo(window)
    assert dialogs == [] and window.controller.config.csv_path == str(good)
    window.controller.run_steps(2)
    before = state(window)
    answer(write(tmp_path / "bad.csv", csv_text(bad="1,2")))
    browse = window.panel._csv_browse
    assert browse.isVisibleTo(window.panel)
    browse.click()
    message = only_critical(dialogs)
    assert "bad.csv" in message and f"line {BAD_LINE}" in message, message
    assert_kept(window, before)
    assert window.panel.editor("csv_path").text() == str(good)


def test_cancelled_browse_changes_nothing_and_says_nothing(window, dialogs, answer):
    before = state(window)
    answer("")
    choose_csv_in_combo(window)
    assert dialogs == []
    assert_kept(window, before)
    assert window.panel.editor("dataset").currentData() == SMALL.dataset
