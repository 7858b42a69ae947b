"""Presets: every file validates, and every claim holds in the trainer's own history.

Headless and Qt-free. The claims are checked twice: by the preset's machine-readable
``check`` (through :func:`relu_viz.app.presets.verify`), and by the explicit numbers below,
computed here from the history arrays with NumPy.
"""

import dataclasses
import json
import math
import time

import numpy as np
import pytest

from relu_viz.app import presets

REQUIRED = {"vanishing_gradients", "dying_relu_lr", "dying_relu_bias", "rescue", "sparsity",
            "exploding_gradients", "initialisation", "relu_output"}

_RUNS: dict = {}
_SECONDS: dict = {}


def runs_of(name: str) -> dict:
    """The preset's trainers after its own number of steps (run once per test session)."""
    if name not in _RUNS:
        t0 = time.perf_counter()
        _RUNS[name] = presets.run_preset(presets.load(name))
        _SECONDS[name] = time.perf_counter() - t0
    return _RUNS[name]


def layer(trainer, metric: str) -> np.ndarray:
    return trainer.history.layer(metric)


def loss_fall(trainer, k: int = 10) -> float:
    loss = trainer.history.scalar("train_loss")
    loss = loss[np.isfinite(loss)]
    return 1.0 - loss[-k:].mean() / loss[:k].mean()


def first_evaluated(block: np.ndarray) -> np.ndarray:
    rows = [r for r in block if np.isfinite(r).any()]
    return rows[0]


def last_evaluated(block: np.ndarray) -> np.ndarray:
    rows = [r for r in block if np.isfinite(r).any()]
    return rows[-1]


# -- loading and validation --------------------------------------------------------------
def test_every_required_preset_is_there_and_loads():
    items = presets.list_presets()
    assert {p.name for p in items} >= REQUIRED
    for p in items:
        assert p.path.stem == p.name
        assert p.title and len(p.description) > 200 and p.claim
        assert any(ch.isdigit() for ch in p.claim), p.name
        assert 1 <= p.steps <= 1000  # quick enough to run headless in a test
        built = p.build()
        assert 1 <= len(built) <= 4


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match="sparsity"):
        presets.load("no_such_preset")


def _write(tmp_path, data, name="broken"):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return path


def _good():
    return json.loads((presets.presets_dir() / "sparsity.json").read_text())


@pytest.mark.parametrize("edit, words", [
    (lambda d: d.update(colour="blue"), "unknown key"),
    (lambda d: d.pop("claim"), "missing key"),
    (lambda d: d["config"].update(learning_rate=-1), "learning_rate"),
    (lambda d: d["config"].update(activation="swishy"), "activation"),
    (lambda d: d["config"].update(wings=2), "unknown field"),
    (lambda d: d.update(steps=0), "steps"),
    (lambda d: d.update(compare={"activation": ["relu"]}), "compare"),
    (lambda d: d.update(check=[]), "check"),
    (lambda d: d["check"][0].update(what="vibes"), "what"),
    (lambda d: d["check"][0].update(run="activation=gelu"), "run"),
    (lambda d: d["check"][0].update(metric="happiness"), "metric"),
    (lambda d: d["check"][0].update(extra=1), "unknown key"),
    (lambda d: d["check"][0].pop("min"), "bound"),
    (lambda d: d["check"][0].update(layers=7), "layer index"),
])
def test_a_bad_preset_raises_value_error_naming_the_file(tmp_path, edit, words):
    data = _good()
    data["name"] = "broken"
    edit(data)
    with pytest.raises(ValueError, match=words) as info:
        presets.load_file(_write(tmp_path, data))
    assert "broken.json" in str(info.value)


def test_not_json_and_a_wrong_name_are_errors(tmp_path):
    with pytest.raises(ValueError, match="broken.json.*not valid JSON"):
        presets.load_file(_write(tmp_path, "{nope"))
    with pytest.raises(ValueError, match="differs from the file name"):
        presets.load_file(_write(tmp_path, _good(), name="renamed"))


# -- every claim, through the preset's own check -----------------------------------------
@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_preset_check_passes(name):
    results = presets.verify(presets.load(name), runs_of(name))
    assert results
    failed = [str(r) for r in results if not r.passed]
    assert not failed, "\n".join(failed)


def test_verify_reports_a_claim_that_does_not_hold():
    preset = presets.load("vanishing_gradients")
    shallow = dataclasses.replace(preset, config=preset.config.replace(hidden_layers=(32,)))
    results = presets.verify(shallow, presets.run_preset(shallow, steps=20))
    sigmoid_ratio = [r for r in results if r.run == "activation=sigmoid"][0]
    assert not sigmoid_ratio.passed and sigmoid_ratio.value < 1000


# -- every claim, in numbers computed here -----------------------------------------------
def test_vanishing_gradients_numbers():
    runs = runs_of("vanishing_gradients")
    g_sig = layer(runs["activation=sigmoid"], "grad_w_norm")[0]
    g_relu = layer(runs["activation=relu"], "grad_w_norm")[0]
    assert len(g_sig) >= 9  # >= 8 hidden layers + output
    assert g_sig[-1] / g_sig[0] >= 1000
    assert 1 / 20 <= g_relu[-1] / g_relu[0] <= 20
    # Sigmoid's gradient shrinks at every layer toward the input.
    assert np.all(g_sig[:-1] < g_sig[1:])
    assert loss_fall(runs["activation=relu"]) > 0.5
    assert loss_fall(runs["activation=sigmoid"]) < 0.2


def test_dying_relu_lr_numbers():
    runs = runs_of("dying_relu_lr")
    dead_high = last_evaluated(layer(runs["learning_rate=0.1"], "dead_fraction"))[:-1]
    dead_low = last_evaluated(layer(runs["learning_rate=0.003"], "dead_fraction"))[:-1]
    assert dead_high.max() >= 0.5 and dead_high[0] >= 0.25
    assert dead_low.max() <= 0.25 and dead_low[0] == 0
    # The count agrees with the fraction.
    trainer = runs["learning_rate=0.1"]
    count = last_evaluated(layer(trainer, "dead_count"))[:-1]
    widths = np.array(trainer.model.layer_sizes[1:-1])
    np.testing.assert_allclose(count / widths, dead_high)


def test_dying_relu_bias_numbers():
    runs = runs_of("dying_relu_bias")
    dead = first_evaluated(layer(runs["bias_init=-2"], "dead_fraction"))[:-1]
    assert dead.min() >= 0.75
    assert abs(loss_fall(runs["bias_init=-2"])) < 0.05
    assert loss_fall(runs["bias_init=0"]) > 0.5
    # Dead units pass back nothing: the weights get no gradient, only the output bias learns.
    trainer = runs["bias_init=-2"]
    assert np.median(layer(trainer, "grad_w_norm")) < 1e-6
    assert layer(trainer, "grad_b_norm")[0, -1] > 1e-3


def test_rescue_numbers():
    runs = runs_of("rescue")
    relu = runs["activation=relu"]
    assert first_evaluated(layer(relu, "dead_fraction"))[:-1].min() >= 0.75
    assert abs(loss_fall(relu)) < 0.05
    for label in ("activation=leaky_relu alpha=0.1", "activation=prelu", "activation=elu"):
        dead = layer(runs[label], "dead_fraction")[:, :-1]
        measured = dead[np.isfinite(dead)]
        assert measured.size >= 40 * 3 and np.all(measured == 0), label
        assert loss_fall(runs[label]) > 0.5, label
    slopes = layer(runs["activation=prelu"], "prelu_slope")[:, :-1]
    assert np.all(np.isfinite(slopes)) and np.ptp(slopes) > 0  # PReLU's slope is learned


def test_sparsity_numbers():
    runs = runs_of("sparsity")
    relu0 = layer(runs["activation=relu"], "sparsity")[0][:-1]
    assert np.all((relu0 >= 0.4) & (relu0 <= 0.6))
    assert np.all(layer(runs["activation=tanh"], "sparsity")[:, :-1] == 0)
    assert runs["activation=relu"].config.init == "he_normal"


def test_exploding_gradients_numbers():
    runs = runs_of("exploding_gradients")
    wild = runs["init_scale=4"]
    gb = layer(wild, "grad_b_norm")[0]
    assert np.all(gb[:-1] > gb[1:])  # grows layer by layer toward the input
    assert gb[0] / gb[-1] >= 1000
    assert wild.history.scalar("train_loss")[0] > 100
    assert wild.diverged and wild.step_count < 10
    assert "diverged" in wild.divergence_message
    calm = runs["init_scale=1"]
    assert not calm.diverged and calm.step_count == presets.load("exploding_gradients").steps


def test_initialisation_numbers():
    runs = runs_of("initialisation")
    he = layer(runs["init=he_normal init_scale=1"], "grad_w_norm")[0]
    xavier = layer(runs["init=xavier_normal init_scale=1"], "grad_w_norm")[0]
    small = layer(runs["init=normal init_scale=0.01"], "grad_w_norm")[0]
    assert len(he) >= 5
    assert small[0] < 1e-6 * he[0]
    assert xavier[0] < 0.2 * he[0]
    assert loss_fall(runs["init=normal init_scale=0.01"]) < 0.05
    assert loss_fall(runs["init=he_normal init_scale=1"]) > 0.5


def test_relu_output_numbers():
    trainer = runs_of("relu_output")["run"]
    assert trainer.config.dataset == "abs" and trainer.config.output == "relu"
    X = np.linspace(-1.5, 1.5, 301)[:, None]
    assert trainer.predict(X).min() >= 0
    assert trainer.predict(np.concatenate([trainer.X_train, trainer.X_test])).min() >= 0
    test_loss = trainer.history.scalar("test_loss")
    assert test_loss[np.isfinite(test_loss)][-1] < 0.005


def test_all_presets_run_quickly():
    for name in sorted(REQUIRED):
        runs_of(name)
    assert sum(_SECONDS.values()) < 30, _SECONDS
    assert all(math.isfinite(s) for s in _SECONDS.values())
