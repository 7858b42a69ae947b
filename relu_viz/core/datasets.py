"""Built-in toy data sets and the :class:`Dataset` container (no Qt).

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

CSV files are loaded by :func:`load_csv` (defined in :mod:`relu_viz.core.csv_data`
and re-exported here).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Callable

import numpy as np

from relu_viz.core.csv_data import load_csv

__all__ = [
    "DESCRIPTIONS", "Dataset", "NAMES", "TASKS", "TITLES", "input_range",
    "load_csv", "make", "names", "plot_bounds",
]

TASKS = ("binary", "multiclass", "regression")

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

MIN_SAMPLES = 10
MAX_SAMPLES = 1_000_000
MIN_TRAIN_RATIO = 0.05
MAX_TRAIN_RATIO = 0.95


@dataclass(frozen=True, eq=False)
class Dataset:
    """A train/test split of one data set.

    Arrays are owned by the instance; treat them as read-only.

    Attributes
    ----------
    name : str
        Built-in name (see :data:`NAMES`) or the CSV file's stem.
    task : {"binary", "multiclass", "regression"}
    X_train, X_test : numpy.ndarray
        Inputs, shape (n_train, n_features) and (n_test, n_features), float64.
    y_train, y_test : numpy.ndarray
        Binary: shape (n, 1) float64 in {0., 1.}; multiclass: shape (n,) int64
        in ``[0, n_classes)``; regression: shape (n, 1) float64.
    n_classes : int
        2 for binary, k >= 2 for multiclass, 0 for regression.
    class_values : tuple
        CSV only: original target value of each class, in class order.
    feature_mean, feature_std : numpy.ndarray or None
        CSV only, shape (n_features,): the standardisation applied to the raw
        columns, ``X = (raw - feature_mean) / feature_std``.
    """

    name: str
    task: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    class_values: tuple = ()
    feature_mean: np.ndarray | None = None
    feature_std: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {self.task!r}")
        want_k = {"binary": 2, "regression": 0}.get(self.task)
        k = self.n_classes
        if (want_k is not None and k != want_k) or (want_k is None and k < 2):
            raise ValueError(f"n_classes={k} does not fit task {self.task!r}")
        if self.class_values and len(self.class_values) != k:
            raise ValueError(f"class_values has {len(self.class_values)} entries, expected {k}")
        n_features = None
        for part in ("train", "test"):
            X, y = getattr(self, "X_" + part), getattr(self, "y_" + part)
            if X.ndim != 2 or X.dtype != np.float64 or len(X) == 0:
                raise ValueError(f"X_{part} must be a non-empty 2-D float64 array")
            if n_features not in (None, X.shape[1]):
                raise ValueError("X_train and X_test have different numbers of features")
            n_features = X.shape[1]
            if not np.isfinite(X).all():
                raise ValueError(f"X_{part} contains NaN or infinity")
            if self.task == "multiclass":
                ok = y.shape == (len(X),) and y.dtype == np.int64 and (
                    0 <= y.min() and y.max() < k)
            else:
                ok = y.shape == (len(X), 1) and y.dtype == np.float64 and bool(
                    np.isfinite(y).all())
                if ok and self.task == "binary":
                    ok = bool(((y == 0.0) | (y == 1.0)).all())
            if not ok:
                raise ValueError(f"y_{part} does not match task {self.task!r} "
                                 f"(shape {y.shape}, dtype {y.dtype})")
        for stat in ("feature_mean", "feature_std"):
            value = getattr(self, stat)
            if value is not None and np.shape(value) != (n_features,):
                raise ValueError(f"{stat} must have shape ({n_features},)")

    @property
    def n_features(self) -> int:
        """Number of input features."""
        return int(self.X_train.shape[1])

    @property
    def n_train(self) -> int:
        """Number of training samples."""
        return int(self.X_train.shape[0])

    @property
    def n_test(self) -> int:
        """Number of test samples."""
        return int(self.X_test.shape[0])

    @property
    def n_outputs(self) -> int:
        """Network output width: ``n_classes`` for multiclass, else 1."""
        return self.n_classes if self.task == "multiclass" else 1

    def __repr__(self) -> str:
        return (f"Dataset(name={self.name!r}, task={self.task!r}, n_train={self.n_train}, "
                f"n_test={self.n_test}, n_features={self.n_features}, "
                f"n_classes={self.n_classes})")


def names() -> list[str]:
    """Built-in data-set names in display order."""
    return list(NAMES)


# ----------------------------------------------------------------------------- argument checks

def _check_number(value, name: str, lo: float, hi: float, integer: bool) -> None:
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise TypeError(f"{name} must be {'an integer' if integer else 'a number'}, "
                        f"got {value!r}")
    if not lo <= value <= hi:  # also rejects NaN
        interval = f"between {lo:,} and {hi:,}" if integer else f"in [{lo:g}, {hi:g}]"
        raise ValueError(f"{name} must be {interval}, got {value!r}")


def _split(n: int, train_ratio: float, rng: np.random.Generator,
           what: str) -> tuple[np.ndarray, np.ndarray]:
    """Shuffled train/test index arrays, shapes (n_train,) and (n - n_train,).

    ``what`` names the sample count in the error message.
    """
    _check_number(train_ratio, "train_ratio", MIN_TRAIN_RATIO, MAX_TRAIN_RATIO, False)
    n_train = math.floor(n * train_ratio + 0.5)
    if not 0 < n_train < n:
        empty = "training" if n_train <= 0 else "test"
        raise ValueError(f"train_ratio={train_ratio} with {what} leaves the {empty} set "
                         "empty; both parts need at least one sample")
    perm = rng.permutation(n)
    return perm[:n_train], perm[n_train:]


# ----------------------------------------------------------------------------- generators
# Each takes (n, rng) and returns clean inputs of shape (n, d) in [-1, 1] and
# either int labels of shape (n,) (classification) or targets of shape (n, 1).

def _labels(n: int, k: int) -> np.ndarray:
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


def _curve(f):
    def gen(n, rng):
        x = rng.uniform(-1.0, 1.0, (n, 1))
        return x, f(x)
    return gen


_BUMPS = ((0.0, 0.0, 1.0), (-0.5, 0.5, 1.0), (0.5, -0.5, 1.0),
          (0.5, 0.5, -1.0), (-0.5, -0.5, -1.0))


def _surface(f):
    def gen(n, rng):
        x = rng.uniform(-1.0, 1.0, (n, 2))
        return x, f(x)[:, None]
    return gen


def _multigauss(x):
    y = sum(s * np.exp(-((x[:, 0] - a) ** 2 + (x[:, 1] - b) ** 2) / (2 * 0.25 ** 2))
            for a, b, s in _BUMPS)
    return np.clip(y, -1.0, 1.0)


_GENERATORS: dict[str, Callable] = {
    "circle": _circle, "xor": _xor, "gaussian": _gaussian,
    "spiral": lambda n, rng: _spiral_k(n, rng, 2), "moons": _moons,
    "spiral3": lambda n, rng: _spiral_k(n, rng, 3), "blobs": _blobs,
    "sine": _curve(lambda x: np.sin(np.pi * x)), "abs": _curve(np.abs),
    "step": _curve(lambda x: np.where(x >= 0.0, 1.0, 0.0)),
    "plane": _surface(lambda x: (x[:, 0] + x[:, 1]) / 2),
    "multigauss": _surface(_multigauss),
}


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
    if name not in _GENERATORS:
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
    X, target = _GENERATORS[name](n, rng)
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
