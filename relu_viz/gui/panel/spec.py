"""The control panel's declarative spec: one row per TrainConfig field, and its labels.

Qt-free: which editor kind edits a field, its range, group and help text, the display
names of the choices, and the parsing of the layer widths field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from relu_viz.core import activations as act_registry
from relu_viz.core import config as cfg
from relu_viz.core import data as data_registry


@dataclass(frozen=True)
class FieldSpec:
    """How one TrainConfig field is edited: widget kind, range and help text."""

    name: str
    label: str
    kind: str  # choice, int, float, log, bool, dataset, layers, activation, alpha, seed
    group: str
    tooltip: str
    lo: float = 0.0
    hi: float = 0.0
    step: float = 1.0
    decimals: int = 2
    choices: tuple = ()
    allow_zero: bool = False


INIT_LABELS = {
    "he_normal": "He normal", "he_uniform": "He uniform", "xavier_normal": "Xavier normal",
    "xavier_uniform": "Xavier uniform", "lecun_normal": "LeCun normal",
    "normal": "Normal (std = scale)", "uniform": "Uniform (± scale)", "zeros": "Zeros",
}
LOSS_LABELS = {"auto": "Auto (from the data)", "mse": "Mean squared error",
               "bce": "Binary cross-entropy", "cross_entropy": "Cross-entropy"}
OUTPUT_LABELS = {"auto": "Auto (matches the loss)", "linear": "Linear", "sigmoid": "Sigmoid",
                 "softmax": "Softmax", "relu": "ReLU", "softplus": "Softplus"}
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "SGD + momentum", "adam": "Adam"}
DTYPE_LABELS = {"float32": "float32 (fast)", "float64": "float64 (precise)"}

_S = FieldSpec
SPEC: tuple[FieldSpec, ...] = (
    _S("dataset", "Data set", "dataset", "Data",
       "The toy problem to learn, or your own CSV file (last column = target).",
       choices=cfg.DATASET_NAMES),
    _S("n_samples", "Samples", "int", "Data", "Points generated (train + test).",
       lo=10, hi=cfg.MAX_SAMPLES, step=50),
    _S("noise", "Noise", "float", "Data",
       "Standard deviation of the noise, in units of the data's scale (1).",
       lo=0.0, hi=1.0, step=0.05, decimals=2),
    _S("train_ratio", "Train share", "float", "Data",
       "Share of the points used for training; the rest is the test set.",
       lo=0.05, hi=0.95, step=0.05, decimals=2),
    _S("hidden_layers", "Hidden layers", "layers", "Network",
       f"Number of hidden layers (0-{cfg.MAX_LAYERS}) and their widths "
       f"(1-{cfg.MAX_WIDTH} units), e.g. '16, 16, 16'."),
    _S("activation", "Activation", "activation", "Network",
       "Non-linearity of the hidden layers: one for the whole net, or tick 'per layer'.",
       choices=cfg.ACTIVATION_NAMES),
    _S("alpha", "Alpha", "alpha", "Network",
       "The activation's parameter: Leaky ReLU negative slope, ELU/SELU alpha, PReLU "
       "initial slope. 'default' takes each activation's own value.",
       lo=0.0, hi=10.0, step=0.01, decimals=3),
    _S("output", "Output", "choice", "Network", "Non-linearity of the output layer.",
       choices=cfg.OUTPUT_NAMES),
    _S("init", "Initialiser", "choice", "Initialisation", "How the weights are drawn.",
       choices=cfg.INIT_NAMES),
    _S("init_scale", "Init scale", "float", "Initialisation",
       "Multiplies the initialiser's standard deviation (1 = textbook).",
       lo=0.001, hi=100.0, step=0.1, decimals=3),
    _S("bias_init", "Bias init", "float", "Initialisation",
       "Initial value of every bias (a small positive value keeps ReLUs alive).",
       lo=-100.0, hi=100.0, step=0.01, decimals=3),
    _S("loss", "Loss", "choice", "Training", "What training minimises.",
       choices=cfg.LOSS_NAMES),
    _S("optimizer", "Optimizer", "choice", "Training", "The update rule.",
       choices=cfg.OPTIMIZER_NAMES),
    _S("learning_rate", "Learning rate", "log", "Training",
       "Step size. Arrows move along 1-2-5; type any value (e.g. 3e-4).", lo=1e-8, hi=1e4),
    _S("batch_size", "Batch size", "int", "Training", "Samples per training step.",
       lo=1, hi=cfg.MAX_SAMPLES, step=8),
    _S("momentum", "Momentum", "float", "Training", "Momentum coefficient (SGD + momentum).",
       lo=0.0, hi=0.999, step=0.01, decimals=3),
    _S("nesterov", "Nesterov", "bool", "Training", "Nesterov look-ahead (SGD + momentum)."),
    _S("beta1", "Adam beta1", "float", "Training", "Decay of Adam's first-moment average.",
       lo=0.0, hi=0.9999, step=0.01, decimals=4),
    _S("beta2", "Adam beta2", "float", "Training", "Decay of Adam's second-moment average.",
       lo=0.0, hi=0.99999, step=0.001, decimals=5),
    _S("eps", "Adam eps", "log", "Training", "Adam's denominator guard.", lo=1e-12, hi=1.0),
    _S("l1", "L1 penalty", "log", "Regularisation", "L1 weight penalty (0 = off).",
       lo=1e-8, hi=10.0, allow_zero=True),
    _S("l2", "L2 penalty", "log", "Regularisation", "L2 weight penalty (0 = off).",
       lo=1e-8, hi=10.0, allow_zero=True),
    _S("eval_every", "Evaluate every", "int", "Run",
       "Steps between test-set evaluations (test loss, accuracy, dead units).",
       lo=1, hi=100_000, step=1),
    _S("seed", "Seed", "seed", "Run", "Seed of the data, the initial weights and the batch order.",
       lo=0, hi=2**32 - 1),
    _S("dtype", "Precision", "choice", "Run", "Floating-point type of the network.",
       choices=cfg.DTYPE_NAMES),
)
#: Every TrainConfig field is edited by exactly one spec row (csv_path by "dataset").
SPEC_BY_NAME = {s.name: s for s in SPEC}
GROUPS = ("Data", "Network", "Initialisation", "Training", "Regularisation", "Run")
OPTIMIZER_FIELDS = {"momentum": ("momentum",), "nesterov": ("momentum",),
                    "beta1": ("adam",), "beta2": ("adam",), "eps": ("adam",)}
_WIDTHS_RE = re.compile(r"^[\s\d,;]*$")


def takes_alpha(name: str) -> bool:
    """True when the activation ``name`` has an ``alpha`` parameter."""
    params = getattr(act_registry, "DEFAULT_PARAMS", {}).get(name, {})
    return "alpha" in params


def default_alpha(name: str) -> float | None:
    """The activation's own default alpha (None when it has none)."""
    value = getattr(act_registry, "DEFAULT_PARAMS", {}).get(name, {}).get("alpha")
    return None if value is None else float(value)


def activation_label(name: str) -> str:
    """Display name of an activation (falls back to the registry key)."""
    try:
        return act_registry.display_name(name)
    except Exception:  # noqa: BLE001 - a name without a display entry still shows
        return name


def activation_formula(name: str) -> str:
    """The activation's formula for tooltips ('' if unknown)."""
    try:
        return str(act_registry.get(name).formula)
    except Exception:  # noqa: BLE001
        return ""


def choice_items(spec: FieldSpec) -> list[tuple[str, str, str]]:
    """(value, label, tooltip) for every choice of a combo field."""
    if spec.name == "dataset":
        return [(n, "CSV file…" if n == "csv" else data_registry.TITLES.get(n, n),
                 "Your own data: a CSV file whose last column is the target." if n == "csv"
                 else data_registry.DESCRIPTIONS.get(n, "")) for n in spec.choices]
    if spec.name == "activation":
        return [(n, activation_label(n), activation_formula(n)) for n in spec.choices]
    labels = {"init": INIT_LABELS, "loss": LOSS_LABELS, "output": OUTPUT_LABELS,
              "optimizer": OPTIMIZER_LABELS, "dtype": DTYPE_LABELS}.get(spec.name, {})
    return [(n, labels.get(n, n), spec.tooltip) for n in spec.choices]


def parse_widths(text: str) -> tuple[int, ...]:
    """'16, 16 32' -> (16, 16, 32); raises ValueError with a readable reason."""
    if not _WIDTHS_RE.match(text):
        raise ValueError("widths: use whole numbers separated by commas, e.g. 16, 16, 16")
    parts = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    widths = tuple(int(p) for p in parts)
    if len(widths) > cfg.MAX_LAYERS:
        raise ValueError(f"widths: at most {cfg.MAX_LAYERS} hidden layers")
    for w in widths:
        if not 1 <= w <= cfg.MAX_WIDTH:
            raise ValueError(f"widths: {w} is outside 1-{cfg.MAX_WIDTH} units")
    return widths
