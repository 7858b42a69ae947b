"""Built-in toy data sets: their names, descriptions and :func:`make` (no Qt).

Conventions shared by every built-in data set
---------------------------------------------
* **Data scale is 1.** Clean inputs lie in ``[-1, 1]`` for every feature and
  clean regression targets lie in ``[-1, 1]``.
* **noise** (in ``[0, 1]``) is the standard deviation of additive zero-mean
  Gaussian noise in units of that data scale: classification sets jitter the
  *inputs* (each point keeps the label of the clean shape it was drawn from),
  regression sets jitter the *target* only. ``noise=1`` therefore blurs the
  inputs by a full half-width of the ``[-1, 1]`` box.
* **Determinism.** All draws come from one ``numpy.random.Generator`` in a
  fixed order: clean shape, then a standard normal noise field (drawn even when
  ``noise == 0``), then the train/test permutation. The same arguments give
  bit-identical arrays. For a fixed seed, changing ``noise`` only rescales
  the noise field (the clean points and the split stay put) and changing
  ``train_ratio`` only moves the cut in the same shuffled order.
* **Balance.** Class ``c`` of ``k`` gets ``n // k`` points, plus one for the
  first ``n % k`` classes.
* **Split.** ``n_train = floor(n_samples * train_ratio + 0.5)`` points of a
  shuffled permutation go to the training set, the rest to the test set.

The clean shapes are drawn in :mod:`relu_viz.core.data.shapes`; the :class:`Dataset`
container is defined in :mod:`relu_viz.core.data.base` and CSV files are loaded by
:func:`load_csv` (defined in :mod:`relu_viz.core.data.csv_file`); both are re-exported here.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from relu_viz.core.data.base import (
    MAX_SAMPLES,
    MAX_TRAIN_RATIO,
    MIN_SAMPLES,
    MIN_TRAIN_RATIO,
    TASKS,
    Dataset,
    _check_number,
    _split,
)

# Dataset, the limits and the shared checks live in dataset_base; csv_data imports
# Dataset, _check_number and _split from here, so they stay importable under these names.
from relu_viz.core.data.csv_file import load_csv
from relu_viz.core.data.shapes import GENERATORS

__all__ = [
    "DESCRIPTIONS", "Dataset", "NAMES", "TASKS", "TITLES", "input_range",
    "load_csv", "make", "names", "plot_bounds",
]

#: Data-set name -> task, in display order.
NAMES: dict[str, str] = {
    "circle": "binary", "xor": "binary", "gaussian": "binary", "spiral": "binary",
    "moons": "binary", "spiral3": "multiclass", "blobs": "multiclass",
    "sine": "regression", "abs": "regression", "step": "regression",
    "plane": "regression", "multigauss": "regression",
}

TITLES: dict[str, str] = {
    "circle": "Circle", "xor": "XOR", "gaussian": "Two Gaussians", "spiral": "Spiral",
    "moons": "Two moons", "spiral3": "3-class spiral", "blobs": "3 blobs",
    "sine": "Sine", "abs": "Absolute value", "step": "Step", "plane": "Plane",
    "multigauss": "Gaussian bumps",
}

DESCRIPTIONS: dict[str, str] = {
    "circle": "Class 1 fills a disc of radius 0.5; class 0 is a ring from radius 0.7 to 1.",
    "xor": "Class 1 in the quadrants where x*y > 0, class 0 where x*y < 0.",
    "gaussian": "Two round clusters: class 1 around (0.5, 0.5), class 0 around (-0.5, -0.5).",
    "spiral": "Two interleaved spiral arms, 1.5 turns each, one per class.",
    "moons": "Two interlocking half circles of radius 2/3, one per class.",
    "spiral3": "Three interleaved spiral arms, 1.5 turns each, one per class.",
    "blobs": "Three round clusters at radius 0.55, 120 degrees apart.",
    "sine": "y = sin(pi x) for x in [-1, 1]: one full period.",
    "abs": "y = |x| for x in [-1, 1]: a single ReLU-like kink.",
    "step": "y = 0 for x < 0 and 1 for x >= 0: a jump a ReLU net can only approximate.",
    "plane": "y = (x1 + x2) / 2 on [-1, 1]^2: a tilted plane.",
    "multigauss": "Five Gaussian bumps (+ at the centre and (-0.5, 0.5), (0.5, -0.5); "
                  "- at (0.5, 0.5), (-0.5, -0.5)).",
}


def names() -> list[str]:
    """Built-in data-set names in display order."""
    return list(NAMES)


def make(name: str, n_samples: int = 500, noise: float = 0.1, train_ratio: float = 0.8,
         seed: int = 0, rng: np.random.Generator | None = None) -> Dataset:
    """Generate a built-in data set (see the module docstring for conventions).

    Parameters
    ----------
    name : str
        One of :func:`names`.
    n_samples : int
        Total number of samples, 10 to 1,000,000.
    noise : float
        Gaussian noise std in units of the data scale (1), in ``[0, 1]``.
    train_ratio : float
        Fraction of samples in the training set, in ``[0.05, 0.95]``.
    seed : int
        Seed for ``numpy.random.default_rng``; ignored when ``rng`` is given.
    rng : numpy.random.Generator, optional
        Generator to draw from (advanced in place); overrides ``seed``.

    Returns
    -------
    Dataset
        Inputs of shape (n, 2), or (n, 1) for ``sine``, ``abs`` and ``step``.

    Raises
    ------
    ValueError
        Unknown name, an argument out of range, or a split with an empty part.
    """
    if name not in GENERATORS:
        raise ValueError(f"name: unknown data set {name!r}; expected one of "
                         f"{', '.join(NAMES)}")
    _check_number(n_samples, "n_samples", MIN_SAMPLES, MAX_SAMPLES, True)
    _check_number(noise, "noise", 0.0, 1.0, False)
    _check_number(train_ratio, "train_ratio", MIN_TRAIN_RATIO, MAX_TRAIN_RATIO, False)
    if rng is None:
        _check_number(seed, "seed", 0, 2 ** 63 - 1, True)
        rng = np.random.default_rng(seed)
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    n, task = int(n_samples), NAMES[name]
    X, target = GENERATORS[name](n, rng)
    X = np.asarray(X, dtype=np.float64)
    if task == "regression":
        y = target.astype(np.float64) + noise * rng.standard_normal((n, 1))
    else:
        X = X + noise * rng.standard_normal(X.shape)
        y = target.astype(np.float64)[:, None] if task == "binary" else target.astype(np.int64)
    train, test = _split(n, train_ratio, rng, f"n_samples={n}")
    k = {"binary": 2, "multiclass": int(target.max()) + 1}.get(task, 0)
    return Dataset(name=name, task=task, X_train=X[train], y_train=y[train],
                   X_test=X[test], y_test=y[test], n_classes=k)


def input_range(dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature minimum and maximum over train and test inputs.

    Returns
    -------
    lo, hi : numpy.ndarray
        Shape (n_features,) each.
    """
    X = (dataset.X_train, dataset.X_test)
    return (np.minimum(*(x.min(axis=0) for x in X)),
            np.maximum(*(x.max(axis=0) for x in X)))


def plot_bounds(dataset: Dataset, margin: float = 0.1) -> tuple[float, ...]:
    """Plot limits around all inputs, padded by ``margin`` times each feature's span.

    A constant feature is padded by ``margin`` (as if its span were 1).

    Returns
    -------
    tuple of float
        ``(xmin, xmax, ymin, ymax)`` for 2 features, ``(xmin, xmax)`` for 1.

    Raises
    ------
    ValueError
        Negative or non-finite margin, or a data set with more than 2 features.
    """
    if not (isinstance(margin, numbers.Real) and 0 <= margin < math.inf):
        raise ValueError(f"margin must be a finite number >= 0, got {margin!r}")
    if dataset.n_features > 2:
        raise ValueError(f"plot_bounds needs 1 or 2 features; {dataset.name!r} has "
                         f"{dataset.n_features}")
    lo, hi = input_range(dataset)
    span = hi - lo
    pad = margin * np.where(span > 0, span, 1.0)
    return tuple(float(v) for pair in zip(lo - pad, hi + pad) for v in pair)
