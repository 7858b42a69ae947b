"""The :class:`Dataset` container and the argument checks every data source shares (no Qt).

Built-in data sets (:mod:`relu_viz.core.data`) and CSV files
(:mod:`relu_viz.core.data.csv_file`) both end in a :class:`Dataset`, checked against the
same limits and split by the same rule (:func:`_split`).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

__all__ = ["MAX_SAMPLES", "MAX_TRAIN_RATIO", "MIN_SAMPLES", "MIN_TRAIN_RATIO", "TASKS",
           "Dataset"]

TASKS = ("binary", "multiclass", "regression")

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
        Built-in name (see :data:`relu_viz.core.data.NAMES`) or the CSV file's stem.
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


# -- argument checks (shared with csv_data) ---------------------------------------------
def _check_number(value, name: str, lo: float, hi: float, integer: bool) -> None:
    """TypeError unless ``value`` is a number (an integer if ``integer``), ValueError
    unless it lies in ``[lo, hi]``; both messages name ``name``."""
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
