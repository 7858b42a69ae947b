"""Comparison: side-by-side runs share data and initial weights where that is fair."""

import numpy as np
import pytest

import relu_viz.app.runs as compare_mod
from relu_viz.app.runs import Comparison, overrides_from_spec, safe_name
from relu_viz.core.config import TrainConfig
from relu_viz.core.trainer import Trainer

BASE = TrainConfig(dataset="circle", n_samples=200, hidden_layers=(8, 8), seed=3)


def weights_equal(a: Trainer, b: Trainer) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a.model.weights, b.model.weights))


def biases_equal(a: Trainer, b: Trainer) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a.model.biases, b.model.biases))


# -- specs and labels --------------------------------------------------------------------
def test_text_and_dict_specs_give_the_same_runs():
    a = Comparison.from_spec(BASE, "activation=relu,sigmoid")
    b = Comparison.from_spec(BASE, {"activation": ["relu", "sigmoid"]})
    assert a.labels == b.labels == ["activation=relu", "activation=sigmoid"]
    assert [c.activation for c in a.configs] == ["relu", "sigmoid"]
    assert a.configs == b.configs


def test_values_take_the_field_type_and_labels_name_the_difference():
    comp = Comparison.from_spec(BASE, "learning_rate=0.1,0.001")
    assert [c.learning_rate for c in comp.configs] == [0.1, 0.001]
    assert comp.labels == ["learning_rate=0.1", "learning_rate=0.001"]
    runs = overrides_from_spec("hidden_layers=16x16,4;nesterov=true,false")
    assert runs == [{"hidden_layers": (16, 16), "nesterov": True},
                    {"hidden_layers": (4,), "nesterov": False}]


def test_zipped_fields_and_none_values_in_labels():
    comp = Comparison.from_spec(BASE, {"activation": ["relu", "leaky_relu"],
                                       "alpha": [None, 0.1]})
    assert comp.labels == ["activation=relu", "activation=leaky_relu alpha=0.1"]
    assert comp.configs[1].alpha == 0.1 and comp.configs[0].alpha is None


def test_labels_make_file_names():
    assert safe_name("activation=sigmoid") == "activation-sigmoid"
    assert safe_name("init=normal init_scale=0.01") == "init-normal-init_scale-0.01"


@pytest.mark.parametrize("spec, words", [
    ("activation=relu", "2 to 4"),
    ("activation=relu,elu,tanh,sigmoid,gelu", "2 to 4"),
    ("colour=red,blue", "unknown field"),
    ("activation=relu,bogus", "activation"),
    ("learning_rate=fast,slow", "not a number"),
    ("activation=relu,relu", "same"),
    ({"activation": ["relu", "elu"], "alpha": [0.1]}, "same number"),
    ("activation", "field=value"),
])
def test_bad_specs_raise_value_error(spec, words):
    with pytest.raises(ValueError, match=words):
        Comparison.from_spec(BASE, spec)


# -- shared data and weights -------------------------------------------------------------
def test_runs_share_data_and_initial_weights():
    comp = Comparison.from_spec(BASE, "activation=relu,sigmoid,prelu")
    first = comp.trainers[0]
    assert comp.shared_init
    for t in comp.trainers[1:]:
        assert np.array_equal(t.X_train, first.X_train)
        assert np.array_equal(t.y_train, first.y_train)
        assert weights_equal(t, first) and biases_equal(t, first)


class _SkewedTrainer(Trainer):
    """A trainer whose initial weights depend on the activation (as a future core might)."""

    def __init__(self, config, *args, **kwargs):
        super().__init__(config, *args, **kwargs)
        if config.activation != "relu":
            self.model.params[...] *= 1.5


def test_weights_are_copied_from_run_0_when_the_field_is_not_about_init(monkeypatch):
    monkeypatch.setattr(compare_mod, "Trainer", _SkewedTrainer)
    comp = Comparison.from_spec(BASE, "activation=relu,elu")
    a, b = comp.trainers
    assert weights_equal(a, b) and biases_equal(a, b)
    # reset(same_init) goes back to the shared weights, not to the trainer's own draw.
    b.run(3)
    assert not weights_equal(a, b)
    b.reset(same_init=True)
    assert weights_equal(a, b)


@pytest.mark.parametrize("spec", ["init=he_normal,xavier_normal", "init_scale=1,2",
                                  "seed=1,2"])
def test_weights_differ_when_the_init_is_compared(spec):
    comp = Comparison.from_spec(BASE, spec)
    assert not comp.shared_init
    assert not weights_equal(*comp.trainers)


def test_a_compared_bias_init_is_kept():
    comp = Comparison.from_spec(BASE, "bias_init=0,-2")
    a, b = comp.trainers
    assert not comp.shared_init
    assert all(np.all(x == 0) for x in a.model.biases)
    assert all(np.all(x == -2) for x in b.model.biases[:-1])
    assert weights_equal(a, b)  # same seed and init: the draws agree by themselves


def test_different_shapes_are_not_copied():
    comp = Comparison.from_spec(BASE, "hidden_layers=8x8,4")
    assert not comp.shared_init
    assert [t.model.layer_sizes for t in comp.trainers] == [[2, 8, 8, 1], [2, 4, 1]]


# -- stepping ----------------------------------------------------------------------------
def test_stepping_together_keeps_step_counts_equal():
    comp = Comparison.from_spec(BASE, "activation=relu,tanh,elu")
    results = comp.step_all()
    assert len(results) == 3 and all(r is not None for r in results)
    ticks = []
    comp.run(7, callback=ticks.append)
    assert ticks == list(range(1, 8))
    assert comp.step_counts == [8, 8, 8]
    assert [len(t.history) for t in comp.trainers] == [8, 8, 8]
    comp.reset()
    assert comp.step_counts == [0, 0, 0]


def test_a_diverged_run_stops_while_the_others_go_on():
    base = TrainConfig(dataset="circle", n_samples=200, hidden_layers=(32,) * 8,
                       optimizer="sgd", learning_rate=0.01, seed=0)
    comp = Comparison.from_spec(base, "init_scale=1,4")
    comp.run(20)
    calm, wild = comp.trainers
    assert wild.diverged and "diverged" in wild.divergence_message
    assert not calm.diverged and calm.step_count == 20
    assert wild.step_count < 20


def test_by_label():
    comp = Comparison.from_spec(BASE, "activation=relu,tanh")
    assert comp.by_label("activation=tanh") is comp.trainers[1]
    with pytest.raises(KeyError, match="activation=relu"):
        comp.by_label("activation=elu")
