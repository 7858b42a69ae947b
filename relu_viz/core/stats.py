"""Per-layer statistics computed cheaply from the network's flat buffers.

Every sum is either a BLAS dot product per block (with itself for squares, with a
cached vector of ones for plain sums) or, for small networks, one ``np.add.reduceat``
over a whole flat buffer: the per-call cost (~0.5-1 us) is what counts there. Costly
views (full-set evaluation, dead units, histograms) run every ``eval_every`` steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relu_viz.core import losses

_EVAL_CHUNK = 8192
#: Below this many parameters one reduceat over all blocks beats one dot per block.
SEGMENT_SUMS_BELOW = 1 << 15


class LayerStats:
    """Statistics of an :class:`~relu_viz.core.mlp.MLP` right after ``loss_and_grads``.

    The views and scratch buffers are prepared once. Why not plain NumPy reductions: a
    reduction with ``dtype=float64`` casts as it goes and ``np.count_nonzero`` of floats is
    not vectorised, each several times slower here than a dot product or a count of
    integers. Sums of float32 data therefore accumulate in float32 (pairwise or BLAS),
    good to about 1e-6 relative at these sizes. Each network always takes the same path,
    so the statistics are reproducible bit for bit.

    Parameters
    ----------
    model : MLP
    """

    def __init__(self, model) -> None:
        self.model = model
        self._w = model.weight_slices()
        self._b = model.bias_slices()
        g, p = model.grad, model.params
        self._gw = [g[w] for w in self._w]
        self._gb = [g[b] for b in self._b]
        self._pw = [p[w] for w in self._w]
        dtype = model.dtype
        self._scratch = np.empty(model.n_params, dtype=dtype)
        # Per layer: (its gradient, |gradient| in the scratch, ones, row sums, ones).
        self._abs_plan = [(gw, self._scratch[w].reshape(gw.shape), np.ones(gw.shape[1], dtype),
                           np.empty(gw.shape[0], dtype), np.ones(gw.shape[0], dtype))
                          for gw, w in zip(model.grad_weights, self._w)]
        self._n_w = np.array([w.stop - w.start for w in self._w], dtype=np.float64)
        self._ones = np.ones(0, dtype=dtype)  # grown to the largest activation block
        # Start of every block of the flat buffers (weights, bias, PReLU slope), and where
        # each layer's weight and bias blocks sit in that list.
        starts = sorted([s.start for s in self._w] + [s.start for s in self._b]
                        + [i for i in model.slope_indices() if i is not None])
        self._starts = np.array(starts, dtype=np.intp)
        self._wb_pos = np.array([[starts.index(w.start), starts.index(b.start)]
                                 for w, b in zip(self._w, self._b)], dtype=np.intp)
        self._segments = model.n_params < SEGMENT_SUMS_BELOW
        self._update_views = (None, [])
        self._act_views = (None, ([], None, []))
        self._sizes = (None, None)

    def _block_sums(self, x: np.ndarray) -> np.ndarray:
        """Sum of every block of a flat buffer (``x`` may be the scratch), shape (n_blocks,)."""
        return np.add.reduceat(x, self._starts).astype(np.float64)

    @property
    def records_in_passes(self) -> bool:
        """Whether this network's sums are best taken by the MLP's own passes.

        True above ``SEGMENT_SUMS_BELOW`` parameters, where reading the buffers again
        after the step misses the cache; below, a few calls over the flat buffers cost
        less than the per-layer calls the passes would make.
        """
        return not self._segments

    def gradient_squares(self) -> np.ndarray:
        """Squared L2 norms of each layer's weight and bias gradients, shape (n_layers, 2)."""
        model = self.model
        if model.recorded_gradients:
            return model.grad_sums[:, :2].copy()
        if self._segments:
            g = self.model.grad
            return self._block_sums(np.multiply(g, g, out=self._scratch))[self._wb_pos]
        dot = np.dot
        return np.array([[dot(gw, gw), dot(gb, gb)] for gw, gb in zip(self._gw, self._gb)],
                        dtype=np.float64)

    def gradient_mean_abs(self) -> np.ndarray:
        """Mean |dL/dW| per layer, shape (n_layers,)."""
        if self.model.recorded_gradients > 1:
            return self.model.grad_sums[:, 2] / self._n_w
        if self._segments:
            np.abs(self.model.grad, out=self._scratch)  # one pass over the flat buffer
            return self._block_sums(self._scratch)[self._wb_pos[:, 0]] / self._n_w
        # Per layer |G| into the scratch, then |G| @ ones and a dot: the matrix-vector
        # product reads |G| once, a dot with a full-size ones vector reads twice as much
        # (784-256-256-10: 97 instead of 155 us).
        dot, absolute = np.dot, np.abs
        return np.array([dot(dot(absolute(g, out=a), ones_out, out=rows), ones_in)
                         for g, a, ones_out, rows, ones_in in self._abs_plan],
                        dtype=np.float64) / self._n_w

    def update_ratios(self, update: np.ndarray) -> np.ndarray:
        """||update of W|| / ||W|| per layer (after the update), shape (n_layers,).

        Parameters
        ----------
        update : ndarray of shape (n_params,)
            The change the optimizer just made (its reused buffer).

        Returns
        -------
        ratio : ndarray of shape (n_layers,)
            Where ``||W||`` is not positive (zero or NaN): 0 if the block did not move,
            else inf.
        """
        p = self.model.params
        if self._segments:
            wpos = self._wb_pos[:, 0]
            sq_u = self._block_sums(np.multiply(update, update, out=self._scratch))[wpos]
            sq_w = self._block_sums(np.multiply(p, p, out=self._scratch))[wpos]
        else:
            owner, views = self._update_views
            if owner is not update:
                views = [update[w] for w in self._w]
                self._update_views = (update, views)
            dot = np.dot
            sq = np.array([[dot(u, u), dot(w, w)] for u, w in zip(views, self._pw)],
                          dtype=np.float64)
            sq_u, sq_w = sq[:, 0], sq[:, 1]
        norm_u, norm_w = np.sqrt(sq_u), np.sqrt(sq_w)
        ok = norm_w > 0
        if ok.all():
            return norm_u / norm_w
        # Not a positive norm (zero or NaN weights): 0 if nothing moved, else inf.
        return np.where(ok, norm_u / np.where(ok, norm_w, 1.0),
                        np.where(norm_u == 0, 0.0, np.inf))

    def _sizes_of_outputs(self) -> np.ndarray:
        """Number of values in each layer's output, shape (n_layers,), float64."""
        acts = self.model.activations
        owner, sizes = self._sizes
        if owner is not acts:
            sizes = np.array([a.size for a in acts], dtype=np.float64)
            self._sizes = (acts, sizes)
        return sizes

    def _nan(self) -> np.ndarray:
        return np.full(self.model.n_layers, np.nan)

    def _activation_views(self):
        """(views, sizes): per layer (a as 1-D, ones of its size, the kept mask as 1-D or None)."""
        model = self.model
        acts = model.activations
        masks = [model.kept_mask(i) for i in range(len(acts))]
        owner, cached = self._act_views
        if owner is not acts or any(m is not k for m, k in zip(masks, cached[2])):
            size = max(a.size for a in acts)
            if self._ones.size < size:
                self._ones = np.ones(size, dtype=model.dtype)
            views = [(a.reshape(-1), self._ones[:a.size], None if m is None else m.reshape(-1))
                     for a, m in zip(acts, masks)]
            sizes = np.array([a.size for a in acts], dtype=np.float64)
            cached = (views, sizes, masks)
            self._act_views = (acts, cached)
        return cached[0], cached[1]

    def activation_stats(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean, standard deviation and fraction of exact zeros of each layer's batch output.

        Returns
        -------
        mean, std, sparsity : ndarray of shape (n_layers,)
        """
        mean, std = self.activation_moments()
        return mean, std, self.sparsity()

    def activation_moments(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of each layer's batch output, each shape (n_layers,).

        NaN before the first forward pass.
        """
        if not self.model.activations:
            return self._nan(), self._nan()
        if self.model.recorded_outputs:
            sums, sizes = self.model.output_sums, self._sizes_of_outputs()
        else:
            dot = np.dot
            views, sizes = self._activation_views()
            sums = np.array([(dot(a, ones), dot(a, a)) for a, ones, _ in views],
                            dtype=np.float64)
        mean = sums[:, 0] / sizes
        var = sums[:, 1] / sizes - mean * mean
        return mean, np.sqrt(np.maximum(var, 0.0))

    def sparsity(self) -> np.ndarray:
        """Fraction of exact zeros in each layer's batch output, shape (n_layers,).

        NaN before the first forward pass.
        """
        model = self.model
        acts = model.activations
        if not acts:
            return self._nan()
        if model.recorded_outputs:  # counted by the forward pass
            return 1.0 - model.output_sums[:, 2] / self._sizes_of_outputs()
        views, sizes = self._activation_views()
        # For ReLU the kept 0/1 mask is nonzero exactly where the output is: an integer
        # count, which is vectorised; on floats count_nonzero is not, != 0 into bools is.
        nonzero = np.array([np.count_nonzero(a != 0 if mask is None else mask)
                            for a, _, mask in views], dtype=np.float64)
        return 1.0 - nonzero / sizes


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
