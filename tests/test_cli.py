"""The headless command line: files it writes, the numbers in them, and its errors."""

import csv
import importlib.util
import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import relu_viz
from relu_viz import cli
from relu_viz.app import presets, report
from relu_viz.core.config import TrainConfig
from relu_viz.core.metrics import LAYER_NAMES, SCALAR_NAMES
from relu_viz.core.trainer import Trainer

REPO = Path(relu_viz.__file__).resolve().parent.parent


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="") as f:
        return list(csv.reader(f))


def assert_png_drawn(path: Path) -> None:
    """The file decodes as an image and is not one flat colour."""
    from PyQt6 import QtGui

    image = QtGui.QImage(str(path))
    assert not image.isNull(), path
    assert image.width() >= 600 and image.height() >= 300, path
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) >= 4, f"{path.name} looks blank"


def run_cli(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def subprocess_cli(args, cwd, env_extra=None):
    """Run the real command in a fresh interpreter: ``python -m relu_viz ...``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.update(env_extra or {})
    if importlib.util.find_spec("relu_viz.__main__") is not None:
        cmd = [sys.executable, "-m", "relu_viz", *args]
    else:
        cmd = [sys.executable, "-c",
               "import sys, relu_viz.cli as c; sys.exit(c.main(sys.argv[1:]))", *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


# -- presets -----------------------------------------------------------------------------
def test_presets_lists_every_preset_with_its_claim(capsys):
    code, out, err = run_cli(["presets"], capsys)
    assert code == 0
    for p in presets.list_presets():
        assert p.name in out and p.title in out and p.claim in out


def test_help_exits_0(capsys):
    code, out, err = run_cli(["run", "--help"], capsys)
    assert code == 0 and "--preset" in out and "--compare" in out and not err


# -- run: one network --------------------------------------------------------------------
def test_run_single_preset_writes_csv_json_and_every_plot(tmp_path, capsys):
    out_dir = tmp_path / "out"
    code, out, err = run_cli(["run", "--preset", "relu_output", "--steps", "20",
                              "--out", str(out_dir)], capsys)
    assert code == 0, err
    rows = read_csv(out_dir / "metrics.csv")
    header = rows[0]
    n_layers = 3
    assert header[: len(SCALAR_NAMES)] == list(SCALAR_NAMES)
    assert len(header) == len(SCALAR_NAMES) + len(LAYER_NAMES) * n_layers
    assert "grad_w_norm_L1 relu" in header and "dead_fraction_out" in header
    assert len(rows) == 1 + 20
    assert [int(r[0]) for r in rows[1:]] == list(range(1, 21))

    summary = json.loads((out_dir / "summary.json").read_text())
    for key in ("config", "first_step", "last_step", "diverged", "divergence_message",
                "claim", "checks", "runs", "files"):
        assert key in summary, key
    assert summary["preset"] == "relu_output"
    assert summary["claim"] == presets.load("relu_output").claim
    assert summary["diverged"] is False and summary["divergence_message"] == ""
    assert summary["first_step"]["step"] == 1 and summary["last_step"]["step"] == 20
    assert set(summary["last_step"]["grad_w_norm"]) == {"L1 relu", "L2 relu", "out"}
    assert TrainConfig.from_dict(summary["config"]) == presets.load("relu_output").config
    assert summary["checked_at_preset_steps"] is False

    from relu_viz.gui.plots import ALL_PLOTS
    for cls in ALL_PLOTS:
        path = out_dir / f"{cls.slug}.png"
        assert path.name in summary["files"]
        assert_png_drawn(path)
    assert "wrote" in out
    # every file was written through a temporary name: none of those may be left over
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(summary["files"])


def test_cli_numbers_equal_a_direct_trainer_run(tmp_path, capsys):
    config = TrainConfig(dataset="moons", hidden_layers=(12, 12), activation="elu",
                         optimizer="momentum", learning_rate=0.05, eval_every=5, seed=11)
    cfg_file = tmp_path / "cfg.json"
    cfg_file.write_text(json.dumps(config.to_dict()))
    code, _, err = run_cli(["run", "--config", str(cfg_file), "--steps", "37", "--no-png",
                            "--out", str(tmp_path / "o")], capsys)
    assert code == 0, err

    trainer = Trainer(config)  # what the window's controller does
    for _ in range(37):
        trainer.step()
    expected = trainer.history.to_csv_text(trainer.layer_names())
    assert (tmp_path / "o" / "metrics.csv").read_text() == expected


def test_seed_replaces_the_config_seed(tmp_path, capsys):
    out_dir = tmp_path / "s"
    code, _, err = run_cli(["run", "--preset", "relu_output", "--steps", "5", "--seed", "7",
                            "--no-png", "--out", str(out_dir)], capsys)
    assert code == 0, err
    summary = json.loads((out_dir / "summary.json").read_text())
    assert summary["config"]["seed"] == 7
    trainer = Trainer(presets.load("relu_output").config.replace(seed=7))
    trainer.run(5)
    assert (out_dir / "metrics.csv").read_text() == trainer.history.to_csv_text(
        trainer.layer_names())


# -- run: side by side -------------------------------------------------------------------
def test_preset_with_compare_writes_each_run_and_the_overlay(tmp_path, capsys):
    out_dir = tmp_path / "sp"
    code, out, err = run_cli(["run", "--preset", "sparsity", "--steps", "20",
                              "--out", str(out_dir)], capsys)
    assert code == 0, err
    labels = ["activation=relu", "activation=tanh"]
    rows = read_csv(out_dir / "metrics.csv")
    assert rows[0][0] == "run" and rows[0][1:1 + len(SCALAR_NAMES)] == list(SCALAR_NAMES)
    assert "sparsity_L1" in rows[0] and "sparsity_out" in rows[0]
    assert len(rows) == 1 + 2 * 20
    assert sorted({r[0] for r in rows[1:]}) == labels
    for label, file in zip(labels, ["metrics_activation-relu.csv",
                                    "metrics_activation-tanh.csv"]):
        own = read_csv(out_dir / file)
        assert len(own) == 21
        combined = [r[1:] for r in rows[1:] if r[0] == label]
        assert [r for r in own[1:]] == combined  # the same numbers, other layer names
    summary = json.loads((out_dir / "summary.json").read_text())
    assert [r["label"] for r in summary["runs"]] == labels
    assert summary["compare"]["labels"] == labels
    assert summary["compare"]["shared_initial_weights"] is True
    assert all(r["last_step"]["step"] == 20 for r in summary["runs"])
    assert_png_drawn(out_dir / "compare.png")
    assert_png_drawn(out_dir / "loss_activation-tanh.png")


def test_compare_flag_on_a_config(tmp_path, capsys):
    cfg_file = tmp_path / "c.json"
    cfg_file.write_text(json.dumps({"dataset": "circle", "hidden_layers": [8, 8, 8, 8],
                                    "n_samples": 200}))
    out_dir = tmp_path / "cmp"
    code, _, err = run_cli(["run", "--config", str(cfg_file), "--steps", "15",
                            "--compare", "activation=relu,sigmoid", "--out", str(out_dir)],
                           capsys)
    assert code == 0, err
    for name in ("metrics.csv", "metrics_activation-relu.csv",
                 "metrics_activation-sigmoid.csv", "summary.json"):
        assert (out_dir / name).is_file(), name
    assert_png_drawn(out_dir / "compare.png")
    summary = json.loads((out_dir / "summary.json").read_text())
    assert summary["preset"] is None and summary["claim"] is None
    sigmoid = summary["runs"][1]
    assert sigmoid["label"] == "activation=sigmoid"
    grads = sigmoid["first_step"]["grad_w_norm"]
    assert grads["out"] > grads["L1 sigmoid"]


def test_combined_csv_pads_runs_with_fewer_layers():
    comp_runs = {"a": Trainer(TrainConfig(hidden_layers=(4, 4), n_samples=50)),
                 "b": Trainer(TrainConfig(hidden_layers=(4,), n_samples=50))}
    for t in comp_runs.values():
        t.run(3)
    rows = list(csv.reader(io.StringIO(report.combined_csv(comp_runs))))
    header = rows[0]
    b_row = rows[-1]
    assert b_row[0] == "b"
    assert b_row[header.index("grad_w_norm_L2")] == ""
    assert float(b_row[header.index("grad_w_norm_out")]) > 0
    assert float(b_row[header.index("grad_w_norm_L1")]) > 0


# -- progress ----------------------------------------------------------------------------
class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_redraws_on_a_tty_and_is_one_line_otherwise():
    tty = _Tty()
    bar = cli.Progress(50, stream=tty)
    for i in range(1, 51):
        bar.update(i)
    bar.finish(0.5)
    text = tty.getvalue()
    assert "\r[" in text and "50/50" in text and text.endswith("\n")
    plain = io.StringIO()
    bar = cli.Progress(50, n_runs=2, stream=plain)
    for i in range(1, 51):
        bar.update(i)
    bar.finish(0.5)
    assert plain.getvalue() == "relu-viz: 50 steps x 2 runs in 0.5 s\n"


# -- errors ------------------------------------------------------------------------------
@pytest.mark.parametrize("make_args, words", [
    (lambda d: ["run", "--preset", "nope", "--out", str(d / "o")], "unknown preset"),
    (lambda d: ["run", "--config", str(d / "bad.json"), "--out", str(d / "o")], "not valid JSON"),
    (lambda d: ["run", "--config", str(d / "invalid.json"), "--out", str(d / "o")],
     "learning_rate"),
    (lambda d: ["run", "--config", str(d / "missing.json"), "--out", str(d / "o")],
     "cannot read"),
    (lambda d: ["run", "--preset", "sparsity", "--out", str(d / "afile" / "sub")],
     "not a writable directory"),
    (lambda d: ["run", "--preset", "sparsity", "--steps", "0", "--out", str(d / "o")], "steps"),
    (lambda d: ["run", "--preset", "sparsity", "--compare", "activation=relu,nope",
                "--out", str(d / "o")], "compare"),
    (lambda d: ["run", "--preset", "sparsity"], "--out"),
    (lambda d: ["run", "--preset", "a", "--config", "b", "--out", "c"], "not allowed"),
    (lambda d: ["fly"], "invalid choice"),
    (lambda d: [], "required"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, make_args, words):
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "invalid.json").write_text(json.dumps({"learning_rate": -3}))
    (tmp_path / "afile").write_text("x")
    code, out, err = run_cli(make_args(tmp_path), capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("relu-viz: error: ") and words in lines[0]
    assert not (tmp_path / "o" / "metrics.csv").exists()


def test_errors_in_a_real_process_have_no_traceback(tmp_path):
    (tmp_path / "bad.json").write_text("[1, 2")
    for args in (["run", "--preset", "no_such", "--out", "o"],
                 ["run", "--config", "bad.json", "--out", "o"],
                 ["run", "--preset", "sparsity", "--steps", "x", "--out", "o"]):
        proc = subprocess_cli(args, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("relu-viz: error: "), proc.stderr


def test_without_qt_the_data_is_still_written(tmp_path):
    code = ("import sys; sys.modules['PyQt6'] = None; sys.modules['pyqtgraph'] = None\n"
            "import relu_viz.cli as c; sys.exit(c.main(sys.argv[1:]))")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-c", code, "run", "--preset", "sparsity",
                           "--steps", "5", "--out", "o"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "PNGs skipped" in proc.stderr and "Traceback" not in proc.stderr
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert "skipped" in summary["png_note"]
    assert (tmp_path / "o" / "metrics.csv").is_file()
    assert not list((tmp_path / "o").glob("*.png"))


# -- run: a failed write keeps the files of an earlier run --------------------------------
def refuse_replacing(monkeypatch, name_ends: str):
    """os.replace fails for targets whose name ends in ``name_ends`` (a locked file)."""
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if os.fspath(dst).endswith(name_ends):
            raise PermissionError(13, "Permission denied", os.fspath(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def test_a_failed_summary_write_keeps_the_old_summary(tmp_path, capsys, monkeypatch):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "summary.json").write_text("old summary\n")
    refuse_replacing(monkeypatch, "summary.json")
    code, _, err = run_cli(["run", "--preset", "relu_output", "--steps", "3", "--no-png",
                            "--out", str(out_dir)], capsys)
    assert code == 2 and "Permission denied" in err
    assert (out_dir / "summary.json").read_text() == "old summary\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["metrics.csv", "summary.json"]


def test_a_failed_png_write_keeps_the_old_png(tmp_path, monkeypatch):
    import relu_viz.gui.plots as plots
    from relu_viz.gui.plots.loss_plot import LossPlot

    monkeypatch.setattr(plots, "ALL_PLOTS", [LossPlot])
    trainer = Trainer(TrainConfig(dataset="circle", n_samples=120, hidden_layers=(6,),
                                  batch_size=8))
    trainer.run(5)
    target = tmp_path / f"{LossPlot.slug}.png"
    target.write_bytes(b"old png")
    refuse_replacing(monkeypatch, ".png")
    with pytest.raises(PermissionError):
        report.render_trainer_plots(trainer, tmp_path)
    assert target.read_bytes() == b"old png"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    monkeypatch.undo()
    monkeypatch.setattr(plots, "ALL_PLOTS", [LossPlot])
    assert report.render_trainer_plots(trainer, tmp_path) == [target]
    assert_png_drawn(target)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_one_application_serves_every_png(tmp_path):
    # PyQt destroys a QApplication whose last Python reference goes: a dropped one was
    # replaced by a second during the export, and later Qt calls crashed on its leftovers.
    code = """if True:
        import sys, weakref
        import relu_viz.gui.plots as plots
        from relu_viz.app import report
        from relu_viz.core.config import TrainConfig
        from relu_viz.core.trainer import Trainer
        from relu_viz.gui.plots.loss_plot import LossPlot
        from relu_viz.gui.plots.dead_plot import DeadPlot

        plots.ALL_PLOTS = [LossPlot, DeadPlot]
        seen, make_app = [], report._app
        report._app = lambda: seen.append(weakref.ref(make_app())) or seen[-1]()
        t = Trainer(TrainConfig(dataset="circle", n_samples=120, hidden_layers=(6,),
                                batch_size=8))
        t.run(3)
        report.render_trainer_plots(t, sys.argv[1])
        apps = [ref() for ref in seen]
        assert len(apps) >= 2 and None not in apps, apps
        assert all(app is apps[0] for app in apps), apps
    """
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dead.png", "loss.png"]


# -- bench dispatch ----------------------------------------------------------------------
def test_bench_is_dispatched_with_its_arguments(monkeypatch):
    seen = []
    fake = types.ModuleType("relu_viz.bench")
    fake.main = lambda args: seen.append(args) or 0
    monkeypatch.setitem(sys.modules, "relu_viz.bench", fake)
    monkeypatch.setattr(relu_viz, "bench", fake, raising=False)
    assert cli.main(["bench", "--quick", "-n", "3"]) == 0
    assert seen == [["--quick", "-n", "3"]]


def test_missing_bench_module_exits_2(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "relu_viz.bench", None)
    monkeypatch.delattr(relu_viz, "bench", raising=False)
    code, _, err = run_cli(["bench"], capsys)
    assert code == 2
    assert err.startswith("relu-viz: error: ") and "bench" in err
    assert len(err.strip().splitlines()) == 1
