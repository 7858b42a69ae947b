"""Per-layer statistics computed cheaply from the network's flat buffers.

Norms are one BLAS dot per contiguous block of the flat gradient (no temporaries);
activation moments are one sum and one dot per layer; sparsity one count. Costly
views (full-set evaluation, dead units, histograms) run every ``eval_every`` steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relu_viz.core import losses

_EVAL_CHUNK = 8192


class LayerStats:
    """Statistics of an :class:`~relu_viz.core.mlp.MLP` right after ``loss_and_grads``.

    Parameters
    ----------
    model : MLP
    """

    def __init__(self, model) -> None:
        self.model = model
        self._w = model.weight_slices()
        self._b = model.bias_slices()
        self._abs = np.empty(model.n_params, dtype=model.dtype)

    def gradient_squares(self) -> np.ndarray:
        """Squared L2 norms of each layer's weight and bias gradients, shape (n_layers, 2)."""
        g = self.model.grad
        return np.array([[np.dot(g[w], g[w]), np.dot(g[b], g[b])]
                         for w, b in zip(self._w, self._b)], dtype=np.float64)

    def gradient_mean_abs(self) -> np.ndarray:
        """Mean |dL/dW| per layer, shape (n_layers,)."""
        np.abs(self.model.grad, out=self._abs)
        return np.array([float(self._abs[w].sum(dtype=np.float64)) / (w.stop - w.start)
                         for w in self._w])

    def update_ratios(self, update: np.ndarray) -> np.ndarray:
        """||update of W|| / ||W|| per layer (after the update), shape (n_layers,)."""
        p = self.model.params
        out = np.empty(len(self._w))
        for i, w in enumerate(self._w):
            norm_w = np.sqrt(float(np.dot(p[w], p[w])))
            norm_u = np.sqrt(float(np.dot(update[w], update[w])))
            out[i] = norm_u / norm_w if norm_w > 0 else (0.0 if norm_u == 0 else np.inf)
        return out

    def activation_stats(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean, standard deviation and fraction of exact zeros of each layer's batch output.

        Returns
        -------
        mean, std, sparsity : ndarray of shape (n_layers,)
        """
        acts = self.model.activations
        n = len(acts)
        mean, std, sparsity = np.empty(n), np.empty(n), np.empty(n)
        for i, a in enumerate(acts):
            size = a.size
            m = float(a.sum(dtype=np.float64)) / size
            sq = float(np.vdot(a, a)) / size
            mean[i] = m
            std[i] = np.sqrt(max(sq - m * m, 0.0))
            sparsity[i] = 1.0 - np.count_nonzero(a) / size
        return mean, std, sparsity


@dataclass
class Evaluation:
    """Loss and accuracy of a model on a data set.

    Attributes
    ----------
    loss : float
        Mean data loss (no penalties).
    accuracy : float
        Fraction correct; NaN for regression.
    active : list of ndarray
        Per hidden layer, bool array of shape (width,): unit active on some sample.
    """

    loss: float
    accuracy: float
    active: list


def evaluate(model, X, Y, task, track_active=False) -> Evaluation:
    """Evaluate ``model`` on all of ``X`` in chunks, without touching its batch buffers.

    Parameters
    ----------
    model : MLP
    X : ndarray of shape (n, n_features)
    Y : ndarray of shape (n, n_outputs)
        Targets encoded as the model's loss wants them.
    task : str
        ``binary``, ``multiclass`` or ``regression``.
    track_active : bool
        Also record which hidden units are active on at least one sample.
    """
    n_hidden = model.n_layers - 1
    active = [np.zeros(model.layer_sizes[i + 1], dtype=bool) for i in range(n_hidden)]
    total_loss, correct, n = 0.0, 0, X.shape[0]
    with np.errstate(all="ignore"):
        for start in range(0, n, _EVAL_CHUNK):
            a = X[start:start + _EVAL_CHUNK]
            y = Y[start:start + _EVAL_CHUNK]
            for i in range(model.n_layers):
                z = a @ model.weights[i] + model.biases[i]
                if i < n_hidden:
                    act = model.hidden_activations[i]
                    if track_active:
                        active[i] |= act.active_mask(z).any(axis=0)
                    a = act.forward(z)
            loss, out = _chunk_loss(model, z, y)
            total_loss += loss * y.shape[0]
            correct += _count_correct(out, y, task, model.loss_name)
    accuracy = float("nan") if task == "regression" else correct / n
    return Evaluation(total_loss / n, accuracy, active)


def _chunk_loss(model, z, y):
    if model.loss_name == "bce":
        loss, _ = losses.bce_with_logits(z, y)
        return loss, losses.sigmoid(z)
    if model.loss_name == "cross_entropy":
        loss, _ = losses.softmax_cross_entropy(z, y)
        return loss, z
    if model.output_name == "linear":
        out = z
    else:
        out = model.output_activation.forward(z)
    loss, _ = losses.mse(out, y)
    return loss, out


def _count_correct(out, y, task, loss_name) -> int:
    if task == "regression":
        return 0
    if out.shape[1] == 1:
        return int(np.count_nonzero((out[:, 0] > 0.5) == (y[:, 0] > 0.5)))
    return int(np.count_nonzero(out.argmax(axis=1) == y.argmax(axis=1)))


class Checkpoints:
    """Parameters and histograms at evaluation steps, thinned to a memory budget.

    Parameters
    ----------
    params_nbytes : int
        Size of one parameter copy.
    budget_bytes : int
        Memory the checkpoints may use; older ones are thinned first.
    """

    def __init__(self, params_nbytes: int, budget_bytes: int = 48 * 2**20) -> None:
        self.max_count = int(max(16, min(2000, budget_bytes // max(params_nbytes, 1))))
        self.steps: list[int] = []
        self.params: list[np.ndarray] = []
        self.histograms: list[np.ndarray] = []

    def clear(self) -> None:
        self.steps, self.params, self.histograms = [], [], []

    def __len__(self) -> int:
        return len(self.steps)

    def add(self, step: int, params: np.ndarray, histograms: np.ndarray) -> None:
        """Store copies; when over the budget keep every other of the older half."""
        self.steps.append(int(step))
        self.params.append(params.copy())
        self.histograms.append(histograms)
        if len(self.steps) > self.max_count:
            half = len(self.steps) // 2
            keep = list(range(0, half, 2)) + list(range(half, len(self.steps)))
            self.steps = [self.steps[i] for i in keep]
            self.params = [self.params[i] for i in keep]
            self.histograms = [self.histograms[i] for i in keep]

    def at(self, step: float) -> int | None:
        """Index of the latest checkpoint at or before ``step``, or None."""
        idx = int(np.searchsorted(np.asarray(self.steps), step, side="right")) - 1
        return None if idx < 0 else idx


def preactivation_histograms(model, X, bins, value_range) -> np.ndarray:
    """Counts of every hidden layer's pre-activations z on inputs ``X`` in fixed bins.

    Parameters
    ----------
    model : MLP
    X : ndarray of shape (n, n_features)
    bins : int
    value_range : (float, float)
        Values outside (and infinities) are counted in the first or last bin.

    Returns
    -------
    counts : ndarray of shape (n_hidden, bins), int64
    """
    lo, hi = value_range
    n_hidden = model.n_layers - 1
    counts = np.zeros((n_hidden, bins), dtype=np.int64)
    a = X
    with np.errstate(all="ignore"):
        for i in range(n_hidden):
            z = a @ model.weights[i] + model.biases[i]
            # Bin index by arithmetic + bincount: several times faster than np.histogram.
            idx = np.nan_to_num((z - lo) * (bins / (hi - lo)), nan=0.0,
                                posinf=bins - 1, neginf=0.0)
            idx = np.clip(idx, 0, bins - 1).astype(np.int64)
            counts[i] = np.bincount(idx.ravel(), minlength=bins)
            a = model.hidden_activations[i].forward(z)
    return counts
