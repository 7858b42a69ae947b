"""The one activation registry: name -> Activation (forward, derivative, params, formula).

The GUI list, the plots, the MLP and the tests all iterate :func:`names`. Derivatives
take the pre-activation ``z``; at a kink they are the left derivative (``ReLU'(0) = 0``,
``LeakyReLU'(0) = alpha``). GELU is the tanh approximation (NumPy has no erf).

Examples
--------
>>> act = get("leaky_relu", alpha=0.1)
>>> act.forward(np.array([-2.0, 3.0]))
array([-0.2,  3. ])
"""

from __future__ import annotations

import math

import numpy as np

from relu_viz.core.activations.base import Activation
from relu_viz.core.activations.piecewise import ELU, SELU, LeakyReLU, Linear, PReLU, ReLU, ReLU6
from relu_viz.core.activations.smooth import GELU, Mish, Sigmoid, SiLU, Softplus, Tanh

__all__ = ["Activation", "DEFAULT_PARAMS", "display_name", "get", "names"]

_CLASSES = {
    "relu": ReLU, "leaky_relu": LeakyReLU, "prelu": PReLU, "elu": ELU, "selu": SELU,
    "gelu": GELU, "silu": SiLU, "mish": Mish, "softplus": Softplus, "relu6": ReLU6,
    "sigmoid": Sigmoid, "tanh": Tanh, "linear": Linear,
}

_DISPLAY = {
    "relu": "ReLU", "leaky_relu": "Leaky ReLU", "prelu": "PReLU", "elu": "ELU",
    "selu": "SELU", "gelu": "GELU (tanh approx.)", "silu": "SiLU (swish)", "mish": "Mish",
    "softplus": "Softplus", "relu6": "ReLU6", "sigmoid": "Sigmoid", "tanh": "Tanh",
    "linear": "Linear",
}

DEFAULT_PARAMS: dict[str, dict] = {name: {} for name in _CLASSES}
DEFAULT_PARAMS.update({"leaky_relu": {"alpha": 0.01}, "prelu": {"alpha": 0.25},
                       "elu": {"alpha": 1.0}})

# name -> (parameter -> (check, text of the rule))
_RULES = {
    "leaky_relu": {"alpha": (lambda v: v >= 0, "a finite number >= 0")},
    "prelu": {"alpha": (lambda v: True, "a finite number (the initial slope)")},
    "elu": {"alpha": (lambda v: v > 0, "a finite number > 0")},
}


def names() -> list[str]:
    """Registered activation names, in display order."""
    return list(_CLASSES)


def _check_name(name) -> str:
    if name not in _CLASSES:
        raise ValueError(f"unknown activation {name!r}; choose one of: {', '.join(_CLASSES)}")
    return name


def display_name(name: str) -> str:
    """Human-readable name, e.g. ``"Leaky ReLU"`` or ``"GELU (tanh approx.)"``."""
    return _DISPLAY[_check_name(name)]


def _param_value(name, key, value) -> float:
    check, rule = _RULES[name][key]
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))
    if ok:
        value = float(value)
        ok = math.isfinite(value) and check(value)
    if not ok:
        raise ValueError(f"{name}: parameter {key!r} must be {rule}, got {value!r}")
    return value


def get(name: str, **params) -> Activation:
    """A new activation by registry name.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    **params
        ``alpha`` for ``leaky_relu`` (>= 0, default 0.01), ``prelu`` (initial slope,
        default 0.25) and ``elu`` (> 0, default 1.0); the others take none.

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        For an unknown name, an unknown parameter or an invalid value; the message names
        what is allowed.
    """
    _check_name(name)
    allowed = DEFAULT_PARAMS[name]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        allowed_text = ", ".join(allowed) if allowed else "none"
        raise ValueError(f"{name}: unknown parameter(s) {', '.join(unknown)}; "
                         f"allowed: {allowed_text}")
    values = dict(allowed)
    values.update({k: _param_value(name, k, v) for k, v in params.items()})
    return _CLASSES[name](**values)
