"""Per-step metrics and the bounded history that keeps them.

A :class:`StepMetrics` holds plain floats and fresh arrays (nothing that aliases the
trainer's buffers). :class:`MetricsHistory` stores them column-wise in preallocated
arrays; when full it halves the resolution of the older half, so a run of a million
steps keeps its recent steps whole and older ones thinned, in bounded memory.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields

import numpy as np

#: Scalar metrics, one value per step (NaN when not measured at that step).
SCALAR_NAMES = ("step", "epoch", "train_loss", "test_loss", "train_accuracy",
                "test_accuracy", "learning_rate")
#: Per-layer metrics, one value per weight layer (NaN where it does not apply).
LAYER_NAMES = ("grad_w_norm", "grad_b_norm", "grad_mean_abs", "update_ratio",
               "act_mean", "act_std", "sparsity", "dead_fraction", "dead_count",
               "prelu_slope")

LAYER_DESCRIPTIONS = {
    "grad_w_norm": "L2 norm of the gradient of the layer's weights",
    "grad_b_norm": "L2 norm of the gradient of the layer's biases",
    "grad_mean_abs": "mean |dL/dW| over the layer's weights",
    "update_ratio": "||update of W|| / ||W||",
    "act_mean": "mean activation over the batch",
    "act_std": "standard deviation of the activations over the batch",
    "sparsity": "fraction of activations exactly 0 in the batch",
    "dead_fraction": "fraction of units never active on any training sample",
    "dead_count": "units never active on any training sample",
    "prelu_slope": "learned PReLU slope",
}


@dataclass
class StepMetrics:
    """What one training step measured.

    Attributes
    ----------
    step : int
        Steps done so far (1 after the first step).
    epoch : float
        Passes over the training set so far (fractional).
    train_loss : float
        Loss on this step's mini-batch (before the update).
    test_loss, train_accuracy, test_accuracy : float
        Measured every ``eval_every`` steps, NaN otherwise (accuracies NaN for regression).
    learning_rate : float
    grad_w_norm, grad_b_norm, grad_mean_abs, update_ratio, act_mean, act_std,
    sparsity, dead_fraction, dead_count, prelu_slope : ndarray of shape (n_layers,)
        Per weight layer, input to output; see ``LAYER_DESCRIPTIONS``.
    """

    step: int
    epoch: float
    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float
    learning_rate: float
    grad_w_norm: np.ndarray
    grad_b_norm: np.ndarray
    grad_mean_abs: np.ndarray
    update_ratio: np.ndarray
    act_mean: np.ndarray
    act_std: np.ndarray
    sparsity: np.ndarray
    dead_fraction: np.ndarray
    dead_count: np.ndarray
    prelu_slope: np.ndarray

    def as_dict(self) -> dict:
        """JSON-safe dict (lists for per-layer arrays, None for NaN)."""
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                out[f.name] = [None if not np.isfinite(x) else float(x) for x in v]
            else:
                out[f.name] = None if not np.isfinite(v) else (int(v) if f.name == "step"
                                                               else float(v))
        return out


class MetricsHistory:
    """Column store of :class:`StepMetrics`, bounded in memory.

    Parameters
    ----------
    n_layers : int
        Number of weight layers.
    capacity : int
        Rows kept at most. When full, the older half is thinned to every other row.
    """

    def __init__(self, n_layers: int, capacity: int = 20_000) -> None:
        if capacity < 16:
            raise ValueError("capacity: must be at least 16 rows")
        self.n_layers = n_layers
        self.capacity = capacity
        self._scalars = np.full((capacity, len(SCALAR_NAMES)), np.nan)
        self._layers = np.full((capacity, len(LAYER_NAMES), n_layers), np.nan)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def append(self, m: StepMetrics) -> None:
        """Record one step (thins older rows first if the store is full)."""
        if self._n == self.capacity:
            self._thin()
        row = self._n
        for j, name in enumerate(SCALAR_NAMES):
            self._scalars[row, j] = getattr(m, name)
        for j, name in enumerate(LAYER_NAMES):
            self._layers[row, j] = getattr(m, name)
        self._n += 1

    def _thin(self) -> None:
        """Keep every other row of the older half; the newer half stays whole."""
        half = self._n // 2
        older = np.zeros(half, dtype=bool)
        older[::2] = True
        # Rows with test metrics are rarer and carry more: keep them too, unless that
        # would free too little room (evaluation at every step).
        evaluated = np.isfinite(self._scalars[:half, SCALAR_NAMES.index("test_loss")])
        if np.count_nonzero(older | evaluated) <= 0.75 * half:
            older |= evaluated
        keep = np.concatenate([np.flatnonzero(older), np.arange(half, self._n)])
        k = len(keep)
        self._scalars[:k] = self._scalars[keep]
        self._layers[:k] = self._layers[keep]
        self._scalars[k:] = np.nan
        self._layers[k:] = np.nan
        self._n = k

    def clear(self) -> None:
        """Forget every row."""
        self._scalars[:] = np.nan
        self._layers[:] = np.nan
        self._n = 0

    # -- reading -------------------------------------------------------------------------
    def scalar(self, name: str, upto_step: float | None = None) -> np.ndarray:
        """Copy of one scalar column, shape (n_rows,), optionally only rows with step <= upto."""
        col = self._scalars[: self._n, SCALAR_NAMES.index(name)]
        return col[self._upto(upto_step)].copy()

    def layer(self, name: str, upto_step: float | None = None) -> np.ndarray:
        """Copy of one per-layer metric, shape (n_rows, n_layers)."""
        block = self._layers[: self._n, LAYER_NAMES.index(name)]
        return block[self._upto(upto_step)].copy()

    def _upto(self, upto_step):
        if upto_step is None:
            return slice(None)
        steps = self._scalars[: self._n, 0]
        return slice(0, int(np.searchsorted(steps, upto_step, side="right")))

    @property
    def steps(self) -> np.ndarray:
        """Step numbers of the kept rows, shape (n_rows,)."""
        return self.scalar("step")

    def last(self) -> dict | None:
        """The latest row as a dict of floats / per-layer arrays, or None if empty."""
        if not self._n:
            return None
        return self.row(self._n - 1)

    def row(self, i: int) -> dict:
        """Row ``i`` as a dict of floats and per-layer arrays."""
        out = {name: float(self._scalars[i, j]) for j, name in enumerate(SCALAR_NAMES)}
        out.update({name: self._layers[i, j].copy() for j, name in enumerate(LAYER_NAMES)})
        return out

    def row_at_step(self, step: float) -> dict | None:
        """The last kept row with ``step <= step``, or None."""
        sl = self._upto(step)
        return None if sl.stop == 0 else self.row(sl.stop - 1)

    def last_finite(self, name: str, upto_step: float | None = None) -> float:
        """Latest finite value of a scalar column (NaN if none)."""
        col = self.scalar(name, upto_step)
        finite = col[np.isfinite(col)]
        return float(finite[-1]) if finite.size else float("nan")

    def nbytes(self) -> int:
        """Memory held by the store."""
        return self._scalars.nbytes + self._layers.nbytes

    # -- export --------------------------------------------------------------------------
    def column_names(self, layer_names: list[str] | None = None) -> list[str]:
        """CSV header: scalar columns, then ``<metric>_<layer>`` for every layer."""
        layer_names = layer_names or [f"L{i + 1}" for i in range(self.n_layers)]
        return list(SCALAR_NAMES) + [f"{m}_{ln}" for m in LAYER_NAMES for ln in layer_names]

    def to_csv_text(self, layer_names: list[str] | None = None) -> str:
        """The whole history as CSV text (one row per kept step, empty cell for NaN).

        An empty history (step 0) gives the header line alone.
        """
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(self.column_names(layer_names))
        n = self._n
        # Spelled out: reshape(0, -1) cannot infer the width of an empty block.
        # Metric-major columns, as column_names lists them: (n, n_metrics * n_layers).
        flat = self._layers[:n].reshape(n, len(LAYER_NAMES) * self.n_layers)
        table = np.concatenate([self._scalars[:n], flat], axis=1)
        for values in table:
            writer.writerow(["" if not np.isfinite(v) else
                             (str(int(v)) if k == 0 else repr(float(v)))
                             for k, v in enumerate(values)])
        return buf.getvalue()

    # -- persistence ---------------------------------------------------------------------
    def state(self) -> dict:
        """Arrays to save in a session."""
        return {"scalars": self._scalars[: self._n].copy(),
                "layers": self._layers[: self._n].copy()}

    def load_state(self, state: dict) -> None:
        """Restore what :meth:`state` returned."""
        scalars, layers = np.asarray(state["scalars"]), np.asarray(state["layers"])
        n = scalars.shape[0]
        if n > self.capacity or layers.shape != (n, len(LAYER_NAMES), self.n_layers):
            raise ValueError("history: stored arrays do not match this network")
        self.clear()
        self._scalars[:n], self._layers[:n] = scalars, layers
        self._n = n
