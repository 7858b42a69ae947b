"""Trainer: stepping, determinism, hot/cold changes, divergence, metrics and history."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from relu_viz.core import MetricsHistory, TrainConfig, Trainer
from relu_viz.core import stats as stats_mod
from relu_viz.core import trainer as trainer_mod
from relu_viz.core.metrics import LAYER_NAMES, SCALAR_NAMES
from relu_viz.core.stats import evaluate

SMALL = dict(dataset="circle", n_samples=200, hidden_layers=(8, 8), batch_size=16)


def history_arrays(trainer):
    h = trainer.history
    return ([h.scalar(n) for n in SCALAR_NAMES] + [h.layer(n) for n in LAYER_NAMES])


def test_step_returns_metrics_and_counts():
    t = Trainer(TrainConfig(**SMALL))
    m = t.step()
    assert m.step == 1 and t.step_count == 1 and len(t.history) == 1
    assert m.grad_w_norm.shape == (3,) and np.all(m.grad_w_norm > 0)
    assert np.isfinite(m.test_loss)  # first step is evaluated
    assert m.epoch == pytest.approx(16 / t.dataset.n_train)


def test_same_config_gives_the_same_history_bit_for_bit():
    cfg = TrainConfig(**SMALL, seed=7)
    a, b = Trainer(cfg), Trainer(cfg)
    a.run(60)
    b.run(60)
    for x, y in zip(history_arrays(a), history_arrays(b)):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.model.params, b.model.params)
    c = Trainer(cfg.replace(seed=8))
    c.run(60)
    assert not np.array_equal(a.model.params, c.model.params)


def test_reset_same_init_replays_and_new_init_differs():
    t = Trainer(TrainConfig(**SMALL))
    t.run(30)
    first = t.history.scalar("train_loss")
    params_after = t.model.params.copy()
    t.reset(same_init=True)
    assert t.step_count == 0 and len(t.history) == 0
    t.run(30)
    np.testing.assert_array_equal(t.history.scalar("train_loss"), first)
    np.testing.assert_array_equal(t.model.params, params_after)
    t.reset(same_init=False)
    t.run(30)
    assert not np.array_equal(t.model.params, params_after)


def test_hot_change_keeps_step_count_cold_change_rebuilds():
    t = Trainer(TrainConfig(**SMALL, optimizer="sgd", learning_rate=0.1))
    t.run(20)
    assert t.apply_config(t.config.replace(learning_rate=0.01, l2=0.001)) is False
    assert t.step_count == 20 and len(t.history) == 20
    assert t.optimizer.learning_rate == 0.01
    m = t.step()
    assert m.step == 21 and m.learning_rate == 0.01
    assert t.apply_config(t.config.replace(optimizer="adam")) is False
    assert t.step_count == 21
    assert t.apply_config(t.config.replace(activation="tanh")) is True
    assert t.step_count == 0 and len(t.history) == 0


def test_epoch_runs_one_pass():
    t = Trainer(TrainConfig(**SMALL))
    t.epoch()
    assert t.epoch_float == pytest.approx(1.0)
    assert t.step_count == int(np.ceil(t.dataset.n_train / 16))


def test_huge_learning_rate_is_flagged_not_raised():
    t = Trainer(TrainConfig(dataset="spiral", hidden_layers=(64,) * 6, optimizer="sgd",
                            learning_rate=1e3, batch_size=32))
    t.run(50)
    assert t.diverged
    assert "learning rate" in t.divergence_message and "step" in t.divergence_message
    count = t.step_count
    assert t.step() is None and t.step_count == count
    t.recover(0.1)
    assert not t.diverged and t.config.learning_rate == pytest.approx(100.0)


def test_training_learns_circle():
    t = Trainer(TrainConfig(dataset="circle", n_samples=400, hidden_layers=(16, 16),
                            learning_rate=0.02, noise=0.05))
    t.run(600)
    assert t.history.last_finite("test_accuracy") > 0.9


@pytest.mark.parametrize("dataset", ["spiral3", "sine", "plane", "xor"])
def test_every_task_trains_and_loss_falls(dataset):
    t = Trainer(TrainConfig(dataset=dataset, n_samples=300, noise=0.02, hidden_layers=(32, 32)))
    t.run(300)
    losses = t.history.scalar("test_loss")
    finite = losses[np.isfinite(losses)]
    assert finite[-1] < 0.8 * finite[0]


def test_dead_units_from_negative_bias_are_counted():
    t = Trainer(TrainConfig(**{**SMALL, "hidden_layers": (32, 32)}, bias_init=-5.0))
    m = t.step()
    # With a -5 bias and He-scaled weights on inputs in [-1, 1] almost no unit fires.
    assert m.dead_fraction[0] > 0.8
    assert m.dead_count[0] == pytest.approx(m.dead_fraction[0] * 32)
    assert np.isnan(m.dead_fraction[-1])
    # Independent count: units whose pre-activation is <= 0 on every training sample.
    t2 = Trainer(t.config)
    z = t2.X_train @ t2.model.weights[0] + t2.model.biases[0]
    assert t2.step().dead_count[0] == np.count_nonzero((z <= 0).all(axis=0))


def test_sparsity_and_gradient_norms_match_direct_computation():
    t = Trainer(TrainConfig(**SMALL, optimizer="sgd"))
    before = t.model.params.copy()
    m = t.step()
    a0 = t.model.activations[0]
    assert m.sparsity[0] == pytest.approx(np.mean(a0 == 0))
    assert m.act_mean[0] == pytest.approx(a0.mean(), rel=1e-5)
    assert m.act_std[0] == pytest.approx(a0.std(), rel=1e-4)
    g = t.model.grad_weights[1]
    assert m.grad_w_norm[1] == pytest.approx(np.linalg.norm(g), rel=1e-5)
    assert m.grad_mean_abs[1] == pytest.approx(np.abs(g).mean(), rel=1e-5)
    w_slice = t.model.weight_slices()[0]
    delta = t.model.params[w_slice] - before[w_slice]
    expected = np.linalg.norm(delta) / np.linalg.norm(t.model.params[w_slice])
    assert m.update_ratio[0] == pytest.approx(expected, rel=1e-4)


def test_prelu_slopes_are_learned_per_layer():
    t = Trainer(TrainConfig(**SMALL, activation="prelu", learning_rate=0.05))
    t.run(100)
    slopes = t.history.layer("prelu_slope")
    assert np.all(np.isfinite(slopes[:, :2])) and np.all(np.isnan(slopes[:, 2]))
    assert not np.allclose(slopes[-1, :2], 0.25)


def test_histograms_have_fixed_bins_and_count_the_subsample():
    t = Trainer(TrainConfig(**SMALL))
    counts = t.histograms()
    assert counts.shape == (2, 60)
    # every unit of the layer contributes one pre-activation per sample
    assert counts.sum(axis=1).tolist() == [min(512, t.dataset.n_train) * 8] * 2
    assert len(Trainer.histogram_edges()) == 61


def test_history_memory_stays_bounded_and_keeps_recent_steps():
    h = MetricsHistory(n_layers=3, capacity=64)
    t = Trainer(TrainConfig(**SMALL))
    m = t.step()
    for step in range(1, 1001):
        m.step = step
        m.test_loss = 1.0 if step % 10 == 0 else float("nan")
        h.append(m)
    assert len(h) <= 64 and h.nbytes() < 100_000
    steps = h.steps
    assert steps[-1] == 1000 and np.all(np.diff(steps) > 0)
    assert np.all(np.diff(steps[-20:]) == 1)  # recent steps whole
    assert steps[0] == 1 and np.max(np.diff(steps)) > 1  # older ones thinned
    assert np.isfinite(h.scalar("test_loss")).sum() >= 3


def test_history_csv_has_header_and_one_row_per_step():
    t = Trainer(TrainConfig(**SMALL))
    t.run(12)
    lines = t.history.to_csv_text(t.layer_names()).strip().split("\n")
    assert lines[0].startswith("step,epoch,train_loss")
    assert "grad_w_norm_out" in lines[0]
    assert len(lines) == 13 and lines[1].split(",")[0] == "1"


def test_step_metrics_are_json_safe():
    t = Trainer(TrainConfig(**SMALL))
    m = t.step()
    json.dumps(m.as_dict())


def test_core_imports_and_trains_without_qt():
    code = textwrap.dedent("""
        import sys
        sys.modules["PyQt6"] = None
        sys.modules["pyqtgraph"] = None
        from relu_viz.core import Trainer, TrainConfig
        t = Trainer(TrainConfig(dataset="xor", n_samples=50, hidden_layers=(4,)))
        m = t.step()
        assert m.step == 1
        print("ok", sorted(k for k in sys.modules if k.startswith("PyQt")))
    """)
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=root)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok ['PyQt6']"


def test_recovery_point_is_only_taken_where_the_loss_is_sane():
    # lr 3 on a regression task: the batch loss grows 0.2 -> 25 -> 300 -> 3e11 -> inf.
    # Every step is evaluated, so a recovery point taken at every finite loss would sit
    # one step before the blow-up, where the loss is already astronomical.
    cfg = TrainConfig(dataset="sine", n_samples=200, hidden_layers=(16, 16), batch_size=16,
                      optimizer="sgd", learning_rate=3.0, eval_every=1)
    t = Trainer(cfg)
    t.run(50)
    assert t.diverged and t.step_count > 2
    fresh = Trainer(cfg)  # the same initial weights
    initial = evaluate(fresh.model, fresh.X_train, fresh.y_train, fresh.dataset.task).loss
    t.recover(0.1)
    recovered = evaluate(t.model, t.X_train, t.y_train, t.dataset.task).loss
    assert np.isfinite(recovered) and recovered <= trainer_mod.SANE_LOSS_FACTOR * initial
    t.run(100)  # from a sane point the smaller rate trains on
    assert not t.diverged


def test_layer_stats_before_any_step_are_nan_and_then_match_the_batch():
    t = Trainer(TrainConfig(**SMALL))
    mean, std, sparsity = t.stats.activation_stats()
    assert mean.shape == std.shape == sparsity.shape == (3,)
    assert np.isnan(mean).all() and np.isnan(sparsity).all()
    t.step()
    mean, std, sparsity = t.stats.activation_stats()
    for i, a in enumerate(t.model.activations):
        assert sparsity[i] == np.mean(a == 0)
        assert mean[i] == pytest.approx(a.mean(dtype=np.float64), rel=1e-5)


@pytest.mark.parametrize("activation", ["relu", "tanh", "leaky_relu"])
def test_sparsity_counted_by_the_forward_pass_equals_a_direct_count(activation):
    t = Trainer(TrainConfig(**SMALL, activation=activation, bias_init=-0.3))
    m = t.step()  # step 1 measures everything; the forward pass counted the zeros
    assert t.model.recorded_outputs
    direct = [np.mean(a == 0) for a in t.model.activations]
    np.testing.assert_array_equal(m.sparsity, direct)
    t.model.record_outputs = False  # the statistics count for themselves then
    t.model.forward(t.X_train[:16])
    assert not t.model.recorded_outputs
    np.testing.assert_array_equal(t.stats.sparsity(),
                                  [np.mean(a == 0) for a in t.model.activations])


def test_layer_statistics_are_measured_every_step_by_default():
    t = Trainer(TrainConfig(**SMALL, optimizer="sgd"))
    rows = [t.step() for _ in range(3)]
    for name in ("grad_mean_abs", "update_ratio", "act_mean", "act_std"):
        values = [tuple(getattr(m, name)) for m in rows]
        assert len(set(values)) == len(values), name  # a new batch, new values


def test_layer_statistics_are_measured_every_kth_step_and_held_between(monkeypatch):
    k = 8
    monkeypatch.setattr(trainer_mod, "LAYER_STATS_EVERY", k)
    t = Trainer(TrainConfig(**SMALL, optimizer="sgd"))
    rows = [t.step() for _ in range(2 * k)]
    held = ("grad_mean_abs", "update_ratio", "act_mean", "act_std", "sparsity")
    for number, m in enumerate(rows, start=1):
        source = rows[0] if number < k else rows[k - 1] if number < 2 * k else m
        for name in held:
            np.testing.assert_array_equal(getattr(m, name), getattr(source, name))
        assert np.isfinite(m.grad_w_norm).all() and np.isfinite(m.train_loss)
    # the gradient norms are new on every step
    assert len({float(m.grad_w_norm[0]) for m in rows}) == len(rows)
    # a full step measures the batch it ran on
    a0 = t.model.activations[0]
    assert rows[-1].sparsity[0] == np.mean(a0 == 0)
    assert rows[-1].act_mean[0] == pytest.approx(a0.mean(dtype=np.float64), rel=1e-5)


@pytest.mark.parametrize("l2", [0.0, 1e-3])
def test_sums_recorded_by_the_passes_equal_the_stats_computed_after(l2, monkeypatch):
    monkeypatch.setattr(trainer_mod, "LAYER_STATS_EVERY", 8)  # so step 2 is a held step
    # Above SEGMENT_SUMS_BELOW parameters the MLP takes the sums during its passes.
    t = Trainer(TrainConfig(dataset="spiral", n_samples=300, hidden_layers=(256, 128),
                            batch_size=64, optimizer="sgd", l2=l2))
    assert t.model.n_params >= stats_mod.SEGMENT_SUMS_BELOW and t.stats.records_in_passes
    m = t.step()
    model = t.model
    assert model.recorded_outputs and model.recorded_gradients == 2
    recorded = (t.stats.gradient_squares(), t.stats.gradient_mean_abs(),
                *t.stats.activation_stats())
    model.recorded_outputs, model.recorded_gradients = False, 0  # compute them afresh
    computed = (t.stats.gradient_squares(), t.stats.gradient_mean_abs(),
                *t.stats.activation_stats())
    for r, c in zip(recorded, computed):
        np.testing.assert_allclose(r, c, rtol=2e-6)
    np.testing.assert_array_equal(recorded[4], m.sparsity)  # sparsity is a count: exact
    for i, g in enumerate(model.grad_weights):
        assert m.grad_w_norm[i] == pytest.approx(np.linalg.norm(g.astype(np.float64)), rel=1e-5)
        assert m.grad_mean_abs[i] == pytest.approx(np.abs(g).mean(dtype=np.float64), rel=1e-5)
    t.step()  # a held step records only the norms
    assert not model.recorded_outputs and model.recorded_gradients == 1
