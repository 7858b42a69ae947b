"""TrainConfig: validation names the field and range; JSON round trip; hot vs cold."""

import json

import pytest

from relu_viz.core import TrainConfig
from relu_viz.core.config import CONFIG_VERSION, HOT_FIELDS


def test_defaults_are_valid_and_round_trip_through_json():
    cfg = TrainConfig(hidden_layers=(8, 4), activation=("relu", "tanh"), alpha=0.2)
    text = json.dumps(cfg.to_dict())
    back = TrainConfig.from_dict(json.loads(text))
    assert back == cfg
    assert json.loads(text)["version"] == CONFIG_VERSION
    assert back.hidden_layers == (8, 4) and back.activation == ("relu", "tanh")


@pytest.mark.parametrize("field,value,words", [
    ("learning_rate", -0.1, "learning_rate"),
    ("learning_rate", 0.0, "(0.0, 10000.0]"),
    ("learning_rate", float("nan"), "learning_rate"),
    ("learning_rate", "fast", "not a number"),
    ("hidden_layers", (8, 0), "hidden_layers[1]"),
    ("hidden_layers", (1_000_000,), "hidden_layers[0]"),
    ("hidden_layers", tuple([4] * 33), "hidden_layers"),
    ("activation", "swish", "activation"),
    ("activation", ("relu",), "1 names given for 3 hidden layers"),
    ("n_samples", 5, "n_samples"),
    ("n_samples", 10.5, "not an integer"),
    ("noise", 2.0, "noise"),
    ("train_ratio", 1.0, "train_ratio"),
    ("batch_size", 0, "batch_size"),
    ("seed", -1, "seed"),
    ("init", "glorot", "init"),
    ("init_scale", 0.0, "init_scale"),
    ("optimizer", "rmsprop", "optimizer"),
    ("loss", "hinge", "loss"),
    ("dtype", "float16", "dtype"),
    ("l2", -1.0, "l2"),
    ("momentum", 1.0, "momentum"),
    ("nesterov", "yes", "nesterov"),
    ("dataset", "mnist", "dataset"),
    ("eval_every", 0, "eval_every"),
])
def test_bad_values_raise_value_error_naming_the_field(field, value, words):
    with pytest.raises(ValueError) as err:
        TrainConfig(**{field: value})
    assert words in str(err.value)
    assert field.split("[")[0] in str(err.value)


def test_csv_dataset_needs_a_path():
    with pytest.raises(ValueError, match="csv_path"):
        TrainConfig(dataset="csv")


def test_from_dict_rejects_unknown_fields_newer_versions_and_non_objects():
    with pytest.raises(ValueError, match="unknown field.*colour"):
        TrainConfig.from_dict({"colour": "red"})
    with pytest.raises(ValueError, match="version"):
        TrainConfig.from_dict({"version": CONFIG_VERSION + 1})
    with pytest.raises(ValueError, match="JSON object"):
        TrainConfig.from_dict([1, 2])


def test_frozen():
    cfg = TrainConfig()
    with pytest.raises(AttributeError):
        cfg.learning_rate = 1.0  # type: ignore[misc]


def test_hot_and_cold_differences():
    base = TrainConfig()
    assert base.cold_differences(base.replace(learning_rate=0.5, l2=0.1)) == []
    assert base.cold_differences(base.replace(activation="tanh", seed=3)) == [
        "activation", "seed"]
    assert "learning_rate" in HOT_FIELDS and "activation" not in HOT_FIELDS


def test_activations_per_layer():
    assert TrainConfig(hidden_layers=(4, 4)).activations() == ("relu", "relu")
    mixed = TrainConfig(hidden_layers=(4, 4), activation=["elu", "tanh"])
    assert mixed.activations() == ("elu", "tanh") and mixed.activation_label() == "mixed"
