"""relu-viz bench: arguments, output and JSON of the kernel and training benchmarks.

Correctness only: tiny sizes and fractions of a second, no assertion on any timing.
"""

import json
import sys

import pytest

from relu_viz import bench, cli
from relu_viz.bench import breakdown as bench_breakdown
from relu_viz.bench import train as bench_train

NETWORK_NAMES = [n.name for n in bench_train.NETWORKS]


def test_train_prints_every_network_and_the_targets(capsys):
    assert bench.main(["--train", "--seconds", "0.2"]) == 0
    out = capsys.readouterr().out
    for name in NETWORK_NAMES:
        assert name in out
    assert "numpy MLP" in out and "Trainer.step" in out and "stats share" in out
    assert "PASS" in out or "FAIL" in out
    assert "OPENBLAS_CORETYPE" in out  # the environment is printed with every result


def test_train_json(tmp_path, capsys):
    path = tmp_path / "train.json"
    assert bench.main(["--train", "--seconds", "0.1", "--json", str(path)]) == 0
    data = json.loads(path.read_text())
    assert [r["network"] for r in data["results"]] == NETWORK_NAMES
    for r in data["results"]:
        for variant in ("numpy MLP", "Trainer.step", "Trainer+eval"):
            assert r["variants"][variant]["median"] > 0
        assert r["rounds"] >= 3
        assert r["stats_share"] is not None
    assert data["config"]["dtype"] == "float32"
    assert "blas" in data["env"] or "threadpoolctl" in data["env"]


def test_train_without_torch_skips_it_cleanly(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch -> ImportError
    result = bench_train.run_train_bench(seconds=0.05, networks=bench_train.NETWORKS[:2])
    out = capsys.readouterr().out
    assert result["torch"] is None
    assert all("torch" not in r["variants"] and r["torch_ratio"] is None
               for r in result["results"])
    assert not any(t["what"].startswith("numpy MLP / torch") for t in result["targets"])
    assert "torch: not installed" in out and "torch targets not checked" in out


def test_train_with_torch_when_installed(capsys):
    pytest.importorskip("torch")
    result = bench_train.run_train_bench(seconds=0.05, networks=bench_train.NETWORKS[1:2])
    r = result["results"][0]
    assert r["variants"]["torch"]["median"] > 0 and r["torch_ratio"] > 0
    assert result["torch"]["num_threads"] == 1


def test_breakdown_times_each_part(capsys):
    res = bench_breakdown.breakdown(bench_train.NETWORKS[0], seconds=0.05)
    assert "error" not in res, res
    us = res["us"]
    assert us["Trainer.step (whole)"] > 0
    assert us["activation_stats, after (moments + sparsity)"] > 0
    assert all(v > 0 for v in us.values())
    assert "gradient_mean_abs" in capsys.readouterr().out


def test_kernel_quick_json(tmp_path, capsys):
    path = tmp_path / "kernels.json"
    assert bench.main(["--quick", "--json", str(path)]) == 0
    data = json.loads(path.read_text())
    assert {r["size"] for r in data["results"]} == set(bench.QUICK_SIZES)
    assert "np.copyto" in capsys.readouterr().out


@pytest.mark.parametrize("args, words", [
    (["--bogus"], "unrecognized"),
    (["--seconds", "1"], "--seconds needs --train"),
    (["--train", "--full"], "--full applies to the kernel"),
    (["--train", "--dtype", "float64"], "--dtype applies to the kernel"),
    (["--train", "--seconds", "0"], "--seconds"),
    (["--train", "--seconds", "abc"], "not a number"),
    (["--dtype", "int8"], "invalid choice"),
    (["--full", "--quick"], "not allowed with"),
    (["--breakdown"], "needs --train"),
    (["--stats-every", "4"], "needs --train"),
    (["--train", "--stats-every", "0"], "--stats-every"),
    (["--train", "--stats-every", "x"], "not a whole number"),
    (["--json"], "expected one argument"),
])
def test_bad_arguments_exit_2_with_one_line(args, words, capsys):
    assert bench.main(args) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relu-viz: error: bench: ")
    assert words in lines[0]
    assert captured.out == ""


def test_unwritable_json_is_refused_before_running(tmp_path, capsys):
    assert bench.main(["--train", "--json", str(tmp_path / "missing" / "x.json")]) == 2
    assert bench.main(["--quick", "--json", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all("--json" in line for line in err)


def test_help_exits_0(capsys):
    assert bench.main(["--help"]) == 0
    assert "--train" in capsys.readouterr().out


def test_cli_dispatches_to_bench(capsys):
    assert cli.main(["bench", "--no-such-flag"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bench" in err[0]


def test_train_stats_every_is_an_experiment_that_is_undone(capsys):
    from relu_viz.core import trainer

    before = trainer.LAYER_STATS_EVERY
    result = bench_train.run_train_bench(seconds=0.05, networks=bench_train.NETWORKS[:1],
                                         use_torch=False, with_eval=False, stats_every=3)
    assert result["config"]["layer_stats_every"] == 3
    assert trainer.LAYER_STATS_EVERY == before
    assert "every 3 steps" in capsys.readouterr().out
