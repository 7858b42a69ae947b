"""TrainConfig: the one declarative description of a run, frozen and validated.

Fields are split into *hot* ones, which a running trainer applies between two steps
without losing its weights or history (learning rate, optimizer settings, penalties,
batch size), and *cold* ones, which define the data and the network and so rebuild
the run from step 0 (dataset, layers, activation, initialisation, seed, ...).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

CONFIG_VERSION = 1

DATASET_NAMES = (
    "circle", "xor", "gaussian", "spiral", "moons", "spiral3", "blobs",
    "sine", "abs", "step", "plane", "multigauss", "csv",
)
ACTIVATION_NAMES = (
    "relu", "leaky_relu", "prelu", "elu", "selu", "gelu", "silu", "mish",
    "softplus", "relu6", "sigmoid", "tanh", "linear",
)
INIT_NAMES = (
    "he_normal", "he_uniform", "xavier_normal", "xavier_uniform", "lecun_normal",
    "normal", "uniform", "zeros",
)
LOSS_NAMES = ("auto", "mse", "bce", "cross_entropy")
OUTPUT_NAMES = ("auto", "linear", "sigmoid", "softmax", "relu", "softplus")
OPTIMIZER_NAMES = ("sgd", "momentum", "adam")
DTYPE_NAMES = ("float32", "float64")

MAX_LAYERS = 32
MAX_WIDTH = 4096
MAX_SAMPLES = 1_000_000

#: Fields a running trainer takes between two steps without a reset.
HOT_FIELDS = frozenset({
    "learning_rate", "optimizer", "momentum", "nesterov", "beta1", "beta2", "eps",
    "l1", "l2", "batch_size", "eval_every",
})


def _check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(allowed)}")


def _check_range(name: str, value: Any, lo: float, hi: float, *, integer: bool = False,
                 lo_open: bool = False) -> None:
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            integer and not isinstance(value, int)):
        raise ValueError(f"{name}: {value!r} is not {kind}; allowed range "
                         f"{'(' if lo_open else '['}{lo}, {hi}]")
    bad_lo = value <= lo if lo_open else value < lo
    if not math.isfinite(value) or bad_lo or value > hi:
        raise ValueError(f"{name}: {value!r} is outside the allowed range "
                         f"{'(' if lo_open else '['}{lo}, {hi}]")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run.

    Validated on creation: a bad value raises ``ValueError`` naming the field and its
    allowed range. ``activation`` is one name for every hidden layer or a tuple with
    one name per hidden layer. ``alpha`` is the activation's parameter (Leaky ReLU
    slope, ELU alpha, PReLU initial slope); ``None`` takes each activation's default.
    ``init_scale`` multiplies the named initialiser's standard deviation (for
    ``normal`` it *is* the standard deviation, for ``uniform`` the limit).
    """

    dataset: str = "spiral"
    n_samples: int = 500
    noise: float = 0.05
    train_ratio: float = 0.8
    csv_path: str | None = None
    hidden_layers: tuple[int, ...] = (32, 32, 32)
    activation: str | tuple[str, ...] = "relu"
    alpha: float | None = None
    init: str = "he_normal"
    init_scale: float = 1.0
    bias_init: float = 0.0
    loss: str = "auto"
    output: str = "auto"
    optimizer: str = "adam"
    learning_rate: float = 0.01
    momentum: float = 0.9
    nesterov: bool = False
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    l1: float = 0.0
    l2: float = 0.0
    batch_size: int = 32
    eval_every: int = 10
    seed: int = 0
    dtype: str = "float32"

    def __post_init__(self) -> None:
        # Lists from JSON become tuples so the config stays hashable-ish and comparable.
        if isinstance(self.hidden_layers, list):
            object.__setattr__(self, "hidden_layers", tuple(self.hidden_layers))
        if isinstance(self.activation, list):
            object.__setattr__(self, "activation", tuple(self.activation))
        self._validate()

    def _validate(self) -> None:
        _check_choice("dataset", self.dataset, DATASET_NAMES)
        if self.dataset == "csv" and not (isinstance(self.csv_path, str) and self.csv_path):
            raise ValueError("csv_path: a CSV file is needed when dataset is 'csv'")
        _check_range("n_samples", self.n_samples, 10, MAX_SAMPLES, integer=True)
        _check_range("noise", self.noise, 0.0, 1.0)
        _check_range("train_ratio", self.train_ratio, 0.05, 0.95)
        if not isinstance(self.hidden_layers, tuple):
            raise ValueError(f"hidden_layers: {self.hidden_layers!r} is not a list of widths")
        if len(self.hidden_layers) > MAX_LAYERS:
            raise ValueError(f"hidden_layers: {len(self.hidden_layers)} layers is outside "
                             f"the allowed range [0, {MAX_LAYERS}]")
        for i, width in enumerate(self.hidden_layers):
            _check_range(f"hidden_layers[{i}]", width, 1, MAX_WIDTH, integer=True)
        acts = self.activations()
        for i, act in enumerate(acts):
            _check_choice(f"activation[{i}]" if isinstance(self.activation, tuple)
                          else "activation", act, ACTIVATION_NAMES)
        if isinstance(self.activation, tuple) and len(self.activation) != len(self.hidden_layers):
            raise ValueError(f"activation: {len(self.activation)} names given for "
                             f"{len(self.hidden_layers)} hidden layers")
        if self.alpha is not None:
            _check_range("alpha", self.alpha, 0.0, 10.0)
        _check_choice("init", self.init, INIT_NAMES)
        _check_range("init_scale", self.init_scale, 0.0, 100.0, lo_open=True)
        _check_range("bias_init", self.bias_init, -100.0, 100.0)
        _check_choice("loss", self.loss, LOSS_NAMES)
        _check_choice("output", self.output, OUTPUT_NAMES)
        _check_choice("optimizer", self.optimizer, OPTIMIZER_NAMES)
        _check_range("learning_rate", self.learning_rate, 0.0, 1e4, lo_open=True)
        _check_range("momentum", self.momentum, 0.0, 0.999)
        if not isinstance(self.nesterov, bool):
            raise ValueError(f"nesterov: {self.nesterov!r} is not true or false")
        _check_range("beta1", self.beta1, 0.0, 0.9999)
        _check_range("beta2", self.beta2, 0.0, 0.99999)
        _check_range("eps", self.eps, 0.0, 1.0, lo_open=True)
        _check_range("l1", self.l1, 0.0, 10.0)
        _check_range("l2", self.l2, 0.0, 10.0)
        _check_range("batch_size", self.batch_size, 1, MAX_SAMPLES, integer=True)
        _check_range("eval_every", self.eval_every, 1, 100_000, integer=True)
        _check_range("seed", self.seed, 0, 2**32 - 1, integer=True)
        _check_choice("dtype", self.dtype, DTYPE_NAMES)

    # -- derived -------------------------------------------------------------------
    def activations(self) -> tuple[str, ...]:
        """One activation name per hidden layer."""
        if isinstance(self.activation, tuple):
            return self.activation
        return (self.activation,) * len(self.hidden_layers)

    def activation_label(self) -> str:
        """Short text naming the activation(s), for file names and legends."""
        acts = self.activations()
        if not acts:
            return "linear"
        return acts[0] if len(set(acts)) == 1 else "mixed"

    def replace(self, **changes: Any) -> "TrainConfig":
        """A copy with ``changes`` applied (validated)."""
        return dataclasses.replace(self, **changes)

    def cold_differences(self, other: "TrainConfig") -> list[str]:
        """Names of the fields other than hot ones in which ``other`` differs."""
        return [f.name for f in dataclasses.fields(self)
                if f.name not in HOT_FIELDS
                and getattr(self, f.name) != getattr(other, f.name)]

    # -- serialisation ---------------------------------------------------------------
    def to_dict(self) -> dict:
        """A JSON-safe dict with a ``version`` key."""
        out: dict[str, Any] = {"version": CONFIG_VERSION}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        """Build from :meth:`to_dict` output; unknown fields and newer versions are errors."""
        if not isinstance(data, dict):
            raise ValueError(f"config: expected a JSON object, got {type(data).__name__}")
        data = dict(data)
        version = data.pop("version", CONFIG_VERSION)
        if not isinstance(version, int) or version > CONFIG_VERSION or version < 1:
            raise ValueError(f"version: config version {version!r} is not supported "
                             f"(this relu_viz reads versions 1 to {CONFIG_VERSION})")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"config: unknown field(s) {', '.join(unknown)}")
        return cls(**data)
