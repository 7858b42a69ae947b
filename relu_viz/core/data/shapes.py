"""The clean shapes of the built-in data sets, classification and regression (no Qt).

Each generator takes ``(n, rng)`` and returns clean inputs ``X`` of shape (n, d) in
``[-1, 1]`` and either int labels of shape (n,) (classification, balanced as
:func:`relu_viz.core.data.make` documents) or targets of shape (n, 1) in ``[-1, 1]``
(regression). Noise and the train/test split are added by ``make``; the generators draw
only the clean shape, so the draws that follow stay in a fixed order.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["CLASSIFICATION", "GENERATORS", "REGRESSION"]

Generator = Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]]


# -- classification ----------------------------------------------------------------------
def _labels(n: int, k: int) -> np.ndarray:
    """Class labels, shape (n,): ``n // k`` of each class, one more for the first ``n % k``."""
    counts = [n // k + (c < n % k) for c in range(k)]
    return np.repeat(np.arange(k), counts)


def _truncated_normal(n: int, sigma: float, radius: float, rng) -> np.ndarray:
    """2-D normal offsets with std ``sigma``, redrawn until within ``radius``; (n, 2)."""
    out = sigma * rng.standard_normal((n, 2))
    bad = np.hypot(out[:, 0], out[:, 1]) > radius
    while bad.any():
        out[bad] = sigma * rng.standard_normal((int(bad.sum()), 2))
        bad = np.hypot(out[:, 0], out[:, 1]) > radius
    return out


def _polar(r: np.ndarray, theta: np.ndarray) -> np.ndarray:
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])


def _circle(n, rng):
    y = _labels(n, 2)
    u, theta = rng.random(n), rng.uniform(0.0, 2 * np.pi, n)
    # uniform density: disc of radius 0.5 (class 1), ring 0.7..1 (class 0)
    r = np.where(y == 1, 0.5 * np.sqrt(u), np.sqrt(0.49 + u * (1.0 - 0.49)))
    return _polar(r, theta), y


def _xor(n, rng):
    y = _labels(n, 2)
    mag = rng.uniform(0.05, 1.0, (n, 2))  # keep a small gap along the axes
    sx = rng.choice(np.array([-1.0, 1.0]), n)
    sy = np.where(y == 1, sx, -sx)
    return mag * np.column_stack([sx, sy]), y


def _blob_set(n, rng, centres, sigma, radius):
    y = _labels(n, len(centres))
    return np.asarray(centres)[y] + _truncated_normal(n, sigma, radius, rng), y


def _gaussian(n, rng):
    return _blob_set(n, rng, [(-0.5, -0.5), (0.5, 0.5)], 0.2, 0.45)


def _blobs(n, rng):
    angles = np.pi / 2 + 2 * np.pi / 3 * np.arange(3)
    return _blob_set(n, rng, _polar(np.full(3, 0.55), angles), 0.18, 0.4)


def _spiral_k(n, rng, k):
    # arm c: r = 0.1 + 0.9 t, theta = 3 pi t + 2 pi c / k, t in [0, 1]
    y = _labels(n, k)
    t = rng.random(n)
    return _polar(0.1 + 0.9 * t, 3 * np.pi * t + 2 * np.pi * y / k), y


def _moons(n, rng):
    # class 0: upper half circle of radius 2/3 around (-1/3, -1/6);
    # class 1: lower half circle of radius 2/3 around (1/3, 1/6)
    y = _labels(n, 2)
    theta = rng.uniform(0.0, np.pi, n)
    sign = np.where(y == 0, 1.0, -1.0)
    centre = np.column_stack([-sign / 3, -sign / 6])
    return centre + (2 / 3) * np.column_stack([sign * np.cos(theta), sign * np.sin(theta)]), y


#: Classification data set name -> generator of (X (n, 2), labels (n,) int).
CLASSIFICATION: dict[str, Generator] = {
    "circle": _circle, "xor": _xor, "gaussian": _gaussian,
    "spiral": lambda n, rng: _spiral_k(n, rng, 2), "moons": _moons,
    "spiral3": lambda n, rng: _spiral_k(n, rng, 3), "blobs": _blobs,
}


# -- regression --------------------------------------------------------------------------
def _curve(f):
    """A 1-D regression set: x uniform in [-1, 1], shape (n, 1); target f(x), (n, 1)."""
    def gen(n, rng):
        x = rng.uniform(-1.0, 1.0, (n, 1))
        return x, f(x)
    return gen


def _surface(f):
    """A 2-D regression set: x uniform in [-1, 1]^2, shape (n, 2); target f(x)[:, None]."""
    def gen(n, rng):
        x = rng.uniform(-1.0, 1.0, (n, 2))
        return x, f(x)[:, None]
    return gen


_BUMPS = ((0.0, 0.0, 1.0), (-0.5, 0.5, 1.0), (0.5, -0.5, 1.0),
          (0.5, 0.5, -1.0), (-0.5, -0.5, -1.0))


def _multigauss(x):
    y = sum(s * np.exp(-((x[:, 0] - a) ** 2 + (x[:, 1] - b) ** 2) / (2 * 0.25 ** 2))
            for a, b, s in _BUMPS)
    return np.clip(y, -1.0, 1.0)


#: Regression data set name -> generator of (X (n, d), targets (n, 1) float).
REGRESSION: dict[str, Generator] = {
    "sine": _curve(lambda x: np.sin(np.pi * x)), "abs": _curve(np.abs),
    "step": _curve(lambda x: np.where(x >= 0.0, 1.0, 0.0)),
    "plane": _surface(lambda x: (x[:, 0] + x[:, 1]) / 2),
    "multigauss": _surface(_multigauss),
}

#: Every built-in generator, by data-set name.
GENERATORS: dict[str, Generator] = {**CLASSIFICATION, **REGRESSION}
