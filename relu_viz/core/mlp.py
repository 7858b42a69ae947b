"""A fully connected network whose parameters live in one flat buffer.

Every weight matrix, bias vector and PReLU slope is a view into ``MLP.params`` and
every gradient a view into ``MLP.grad``, so optimizers and per-layer statistics work on
two contiguous arrays. Per-batch buffers (pre-activations, activations, deltas) are
allocated once per batch size and reused with ``out=``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from relu_viz.core import activations as act_registry
from relu_viz.core import losses
from relu_viz.core.init import init_weights

_OUTPUT_FOR_LOSS = {"bce": "sigmoid", "cross_entropy": "softmax", "mse": "linear"}
_LOSS_FOR_OUTPUT = {"sigmoid": "bce", "softmax": "cross_entropy"}
_MAX_CACHED_BATCH_SIZES = 4


@dataclass
class Gradients:
    """Gradients of the loss, as views into one flat buffer.

    Attributes
    ----------
    flat : ndarray of shape (n_params,)
    weights : list of ndarray, weights[i] of shape (n_in_i, n_out_i)
    biases : list of ndarray, biases[i] of shape (n_out_i,)
    slopes : list of ndarray or None, one (1,)-array per layer using PReLU, else None
    """

    flat: np.ndarray
    weights: list
    biases: list
    slopes: list


class MLP:
    """Multi-layer perceptron with any registered activation per hidden layer.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[n_inputs, hidden_1, ..., hidden_k, n_outputs]``.
    activation : str or sequence of str
        One activation name for every hidden layer, or one per hidden layer.
    output : str
        Output non-linearity: ``linear``, ``sigmoid``, ``softmax`` or an activation
        name (e.g. ``relu`` for a non-negative target).
    loss : str or None
        ``mse``, ``bce`` (needs a sigmoid output) or ``cross_entropy`` (needs
        softmax); ``None`` picks the natural loss for ``output``.
    init : str
        Initialiser name (see :mod:`relu_viz.core.init`).
    bias_init : float
        Constant every bias starts at; a negative one makes ReLUs die.
    seed : int
        Seed of the generator used when ``rng`` is not given.
    dtype : numpy dtype
        float32 (default, fast) or float64 (for gradient checks).
    init_scale : float
        Multiplies the initialiser's spread.
    activation_params : dict or None
        Parameters for the hidden activations, e.g. ``{"alpha": 0.1}``.
    rng : numpy.random.Generator or None
        Generator to draw the initial weights from.

    Attributes
    ----------
    record_outputs : bool
        When True, :meth:`forward` also fills ``output_sums``. Off by default.
    record_gradients : int
        0 (default) off; 1: :meth:`loss_and_grads` also fills ``grad_sums[:, :2]``; 2:
        ``grad_sums[:, 2]`` too. Each sum is taken right after its block was written,
        while it is in cache; :class:`~relu_viz.core.stats.LayerStats` reads them.
    output_sums : ndarray of shape (n_layers, 3)
        Per layer: sum, sum of squares and number of nonzero values of the output.
    grad_sums : ndarray of shape (n_layers, 3)
        Per layer: squared L2 norm of the weight gradient and of the bias gradient, sum of
        |weight gradient| (penalties included).
    recorded_outputs : bool
    recorded_gradients : int
        What the latest :meth:`forward` / :meth:`loss_and_grads` filled (a forward pass
        resets ``recorded_gradients`` to 0).
    """

    def __init__(self, layer_sizes, activation="relu", output="linear", loss=None,
                 init="he_normal", bias_init=0.0, seed=0, dtype=np.float32,
                 init_scale=1.0, activation_params=None, rng=None):
        sizes = [int(s) for s in layer_sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"layer_sizes: need at least an input and an output size, "
                             f"all >= 1; got {list(layer_sizes)}")
        self.layer_sizes = sizes
        self.dtype = np.dtype(dtype)
        n_hidden = len(sizes) - 2
        names = [activation] * n_hidden if isinstance(activation, str) else list(activation)
        if len(names) != n_hidden:
            raise ValueError(f"activation: {len(names)} names for {n_hidden} hidden layers")
        params = dict(activation_params or {})
        self.hidden_activations = [
            act_registry.get(n, **{k: v for k, v in params.items()
                                   if k in act_registry.DEFAULT_PARAMS.get(n, {})})
            for n in names]
        self.output_name = output
        self.loss_name = loss or _LOSS_FOR_OUTPUT.get(output, "mse")
        self._check_output_and_loss()
        if output in ("linear", "sigmoid", "softmax"):
            self.output_activation = None if output == "softmax" else act_registry.get(output)
        else:
            self.output_activation = act_registry.get(output)
        self._layout()
        self.init_parameters(init, bias_init, init_scale,
                             rng if rng is not None else np.random.default_rng(seed))
        self._buffers: dict[int, dict] = {}
        self._buf: dict | None = None  # the batch buffers of the latest forward()
        # Statistics taken by the passes themselves, each block read right after it was
        # written, while it is in cache: read after the step, the same sums cost a
        # 784-256-256-10 network about twice as much. See the class docstring.
        self.record_outputs = False
        self.record_gradients = 0
        self.output_sums = np.zeros((self.n_layers, 3))
        self.grad_sums = np.zeros((self.n_layers, 3))
        self.recorded_outputs = False
        self.recorded_gradients = 0
        self._caches = [dict() for _ in range(self.n_layers)]
        self.zs: list[np.ndarray] = []
        self.activations: list[np.ndarray] = []

    # -- structure -------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + the output layer)."""
        return len(self.layer_sizes) - 1

    def _check_output_and_loss(self) -> None:
        if self.loss_name not in ("mse", "bce", "cross_entropy"):
            raise ValueError(f"loss: {self.loss_name!r} is not one of mse, bce, cross_entropy")
        needed = {"bce": "sigmoid", "cross_entropy": "softmax"}.get(self.loss_name)
        if needed and self.output_name != needed:
            raise ValueError(f"loss: {self.loss_name} needs a {needed} output, "
                             f"got {self.output_name!r}")
        if self.output_name == "softmax" and self.loss_name != "cross_entropy":
            raise ValueError("output: softmax is only used with the cross_entropy loss")

    def _layout(self) -> None:
        """Place every parameter block in the flat buffer, layer by layer."""
        offset = 0
        self._w_slices, self._b_slices, self._slope_index = [], [], []
        self.block_starts = []
        for i in range(self.n_layers):
            n_in, n_out = self.layer_sizes[i], self.layer_sizes[i + 1]
            self.block_starts.append(offset)
            self._w_slices.append(slice(offset, offset + n_in * n_out))
            offset += n_in * n_out
            self._b_slices.append(slice(offset, offset + n_out))
            offset += n_out
            is_prelu = i < self.n_layers - 1 and self.hidden_activations[i].learnable
            self._slope_index.append(offset if is_prelu else None)
            offset += 1 if is_prelu else 0
        self.n_params = offset
        self.params = np.zeros(offset, dtype=self.dtype)
        self.grad = np.zeros(offset, dtype=self.dtype)
        self.weights = self._views(self.params, self._w_slices, True)
        self.biases = self._views(self.params, self._b_slices, False)
        self.grad_weights = self._views(self.grad, self._w_slices, True)
        self.grad_biases = self._views(self.grad, self._b_slices, False)
        for i, idx in enumerate(self._slope_index):
            if idx is not None:
                self.hidden_activations[i].slope = self.params[idx:idx + 1]
        self._record_plan: list | None = None  # built by the first _record_gradient

    def _views(self, flat, slices, as_matrix):
        return [flat[s].reshape(self.layer_sizes[i], self.layer_sizes[i + 1]) if as_matrix
                else flat[s] for i, s in enumerate(slices)]

    def weight_slices(self) -> list[slice]:
        """Slice of each layer's weight matrix in the flat buffers."""
        return list(self._w_slices)

    def bias_slices(self) -> list[slice]:
        """Slice of each layer's bias vector in the flat buffers."""
        return list(self._b_slices)

    def slope_indices(self) -> list:
        """Index of each layer's PReLU slope in the flat buffers, or None."""
        return list(self._slope_index)

    def init_parameters(self, init, bias_init, init_scale, rng) -> None:
        """Draw every weight from ``rng`` (layer order), set biases and PReLU slopes."""
        for i, w in enumerate(self.weights):
            w[...] = init_weights(init, w.shape[0], w.shape[1], rng, init_scale, self.dtype)
        for i, b in enumerate(self.biases):
            # The output bias stays 0: a negative constant there only shifts the target.
            b[...] = bias_init if i < self.n_layers - 1 else 0.0
        for i, idx in enumerate(self._slope_index):
            if idx is not None:
                self.params[idx] = self.hidden_activations[i].params["alpha"]

    # -- forward -----------------------------------------------------------------------
    def _buffers_for(self, n: int) -> dict:
        buf = self._buffers.get(n)
        if buf is None:
            if len(self._buffers) >= _MAX_CACHED_BATCH_SIZES:
                self._buffers.pop(next(iter(self._buffers)))
            widths = self.layer_sizes[1:]
            k = widths[-1]
            buf = {"z": [np.empty((n, w), self.dtype) for w in widths],
                   "a": [np.empty((n, w), self.dtype) for w in widths],
                   "d": [np.empty((n, w), self.dtype) for w in widths],
                   # Bias gradients as ones @ delta: a BLAS product, 4-15x faster here
                   # than np.sum(delta, axis=0) (a reduction across rows).
                   "ones": np.ones(n, self.dtype),
                   "softmax": (losses.SoftmaxCrossEntropy(n, k, self.dtype)
                               if self.output_name == "softmax" else None),
                   "bce": (losses.BinaryCrossEntropy(n, self.dtype)
                           if self.loss_name == "bce" else None)}
            self._buffers[n] = buf
        return buf

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Run the network on a batch, keeping every layer's z and a.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_inputs)

        Returns
        -------
        out : ndarray of shape (n_samples, n_outputs)
            The network output after the output non-linearity. ``self.zs[i]`` and
            ``self.activations[i]`` hold layer i's pre-activations and activations
            (reused buffers: copy them to keep them past the next call).
        """
        X = np.asarray(X, dtype=self.dtype)
        buf = self._buffers_for(X.shape[0])
        zs, acts, weights, biases = buf["z"], buf["a"], self.weights, self.biases
        last = self.n_layers - 1
        a_prev = X
        for i in range(last):
            z, a = zs[i], acts[i]
            np.matmul(a_prev, weights[i], out=z)
            np.add(z, biases[i], out=z)
            self.hidden_activations[i].forward_train(z, a, self._caches[i])
            a_prev = a
        z, a = zs[last], acts[last]
        np.matmul(a_prev, weights[last], out=z)
        np.add(z, biases[last], out=z)
        if self.output_name == "softmax":
            buf["softmax"].forward(z, a)  # keeps what the cross-entropy needs
        elif self.output_name == "linear":
            np.copyto(a, z)
        else:
            self.output_activation.forward_train(z, a, self._caches[last])
        self.zs, self.activations = zs, acts
        self._input = X
        self._buf = buf
        self.recorded_gradients = 0  # the gradients no longer belong to this batch
        self.recorded_outputs = self.record_outputs
        if self.record_outputs:
            self._record_outputs(buf)
        return a

    def _record_outputs(self, buf) -> None:
        """Sum, sum of squares and nonzero count of every layer's output (``output_sums``)."""
        sums, dot, count = self.output_sums, np.dot, np.count_nonzero
        views = buf.get("record")
        if views is None:
            acts = buf["a"]
            ones = np.ones(max(a.size for a in acts), self.dtype)
            views = buf["record"] = [(a.reshape(-1), ones[:a.size], np.empty(a.size, bool))
                                     for a in acts]
        for i, (a, ones, flags) in enumerate(views):
            mask = self.kept_mask(i)
            # The ReLU's 0/1 mask is nonzero exactly where its output is: an integer
            # count is vectorised, count_nonzero of floats is not (!= 0 into bools is).
            nonzero = count(mask) if mask is not None else count(np.not_equal(a, 0, out=flags))
            sums[i] = dot(a, ones), dot(a, a), nonzero

    def kept_mask(self, i: int) -> np.ndarray | None:
        """The 0/1 mask a ReLU layer kept in the latest forward pass, or None.

        Parameters
        ----------
        i : int
            Layer index (the output layer and non-ReLU layers give None).

        Returns
        -------
        mask : ndarray of shape (n_samples, width_i), integer of the data's item size
            Nonzero exactly where ``self.activations[i]`` is nonzero (a reused buffer).
        """
        if i >= self.n_layers - 1 or not self.activations:
            return None
        plan = self._caches[i].get("relu_fwd")  # (z, out, shape, mask, run), see ReLU
        if plan is None or plan[1] is not self.activations[i]:
            return None
        return plan[3]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Network output for ``X`` of shape (n, n_inputs), in fresh arrays."""
        a = np.asarray(X, dtype=self.dtype)
        with np.errstate(all="ignore"):
            for i in range(self.n_layers):
                z = a @ self.weights[i] + self.biases[i]
                if i < self.n_layers - 1:
                    a = self.hidden_activations[i].forward(z)
                elif self.output_name == "softmax":
                    a = losses.softmax(z)
                elif self.output_name == "linear":
                    a = z
                else:
                    a = self.output_activation.forward(z)
        return a

    # -- loss and backward ---------------------------------------------------------------
    def encode_targets(self, y: np.ndarray) -> np.ndarray:
        """Targets in the shape the loss wants: one-hot (n, k) for integer class labels."""
        y = np.asarray(y)
        k = self.layer_sizes[-1]
        already_onehot = y.ndim == 2 and y.shape[1] == k and k > 1
        if not already_onehot and (self.loss_name == "cross_entropy" or k > 1):
            labels = y.reshape(-1).astype(np.int64)
            onehot = np.zeros((labels.shape[0], k), dtype=self.dtype)
            onehot[np.arange(labels.shape[0]), labels] = 1.0
            return onehot
        return y.reshape(y.shape[0], -1).astype(self.dtype, copy=False)

    def loss_and_grads(self, X, y, l1=0.0, l2=0.0):
        """Loss on a batch and the gradient of every parameter.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_inputs)
        y : ndarray of shape (n_samples, n_outputs), or (n_samples,) integer labels
        l1, l2 : float
            Penalties ``l1 * sum|W|`` and ``0.5 * l2 * sum W**2`` on weights only.

        Returns
        -------
        loss : float
            Data loss plus penalties.
        grads : Gradients
            Views into ``self.grad`` (overwritten by the next call).
        """
        out = self.forward(X)
        target = self.encode_targets(y)
        buf = self._buf
        z_out, delta = self.zs[-1], buf["d"][-1]
        # The output non-linearity is already in ``out``: the losses reuse it.
        if self.loss_name == "bce":
            loss = buf["bce"].loss_and_delta(z_out, out, target, delta)
        elif self.loss_name == "cross_entropy":
            loss = buf["softmax"].loss_and_delta(out, target, delta)
        else:
            loss = losses.mse_into(out, target, delta)
            if self.output_activation is not None and self.output_name != "linear":
                self.output_activation.backward_train(delta, z_out, out, self._caches[-1], delta)
        loss += self._backward(delta, buf, l1, l2)
        return loss, self.gradients()

    def _backward(self, delta, buf, l1, l2) -> float:
        """Backpropagate dL/dz of the output layer; return the penalty added to the loss."""
        penalty = 0.0
        ones, d_bufs, zs, acts = buf["ones"], buf["d"], self.zs, self.activations
        record = self.record_gradients
        for i in range(self.n_layers - 1, -1, -1):
            a_prev = self._input if i == 0 else acts[i - 1]
            np.matmul(a_prev.T, delta, out=self.grad_weights[i])
            np.dot(ones, delta, out=self.grad_biases[i])
            if l2 or l1:
                penalty += self._add_penalty(i, l1, l2)
            if record:
                self._record_gradient(i, record)
            if i == 0:
                break
            d_prev = d_bufs[i - 1]
            np.matmul(delta, self.weights[i].T, out=d_prev)
            act = self.hidden_activations[i - 1]
            idx = self._slope_index[i - 1]
            if idx is not None:
                self.grad[idx] = act.slope_grad(d_prev, zs[i - 1])
            act.backward_train(d_prev, zs[i - 1], acts[i - 1], self._caches[i - 1], d_prev)
            delta = d_prev
        self.recorded_gradients = record
        return penalty

    def _record_gradient(self, i: int, level: int) -> None:
        """Fill ``grad_sums[i]`` (``level`` 1: the squared norms; 2: also sum |dL/dW|)."""
        if self._record_plan is None:
            # Per layer: 1-D weight and bias gradients, a |dL/dW| scratch, ones, row
            # sums, ones. |dL/dW| @ ones reads the block once; a dot with a full-size
            # ones vector would read twice as much.
            self._record_plan = [
                (self.grad[w], self.grad[b], np.empty(gw.shape, self.dtype),
                 np.ones(gw.shape[1], self.dtype), np.empty(gw.shape[0], self.dtype),
                 np.ones(gw.shape[0], self.dtype))
                for w, b, gw in zip(self._w_slices, self._b_slices, self.grad_weights)]
        g_w, g_b, scratch, ones_out, rows, ones_in = self._record_plan[i]
        dot = np.dot
        row = self.grad_sums[i]
        row[0], row[1] = dot(g_w, g_w), dot(g_b, g_b)
        if level > 1:
            row[2] = dot(dot(np.abs(self.grad_weights[i], out=scratch), ones_out, out=rows),
                         ones_in)

    def _add_penalty(self, i, l1, l2) -> float:
        w, g = self.weights[i], self.grad_weights[i]
        penalty = 0.0
        if l2:
            g += l2 * w
            penalty += 0.5 * l2 * float(np.vdot(w, w))
        if l1:
            g += l1 * np.sign(w)
            penalty += l1 * float(np.abs(w).sum())
        return penalty

    def gradients(self) -> Gradients:
        """The current gradient buffer as per-parameter views."""
        slopes = [None if idx is None else self.grad[idx:idx + 1] for idx in self._slope_index]
        return Gradients(self.grad, self.grad_weights, self.grad_biases, slopes)

    def slopes(self) -> np.ndarray:
        """PReLU slope of each layer, NaN where the layer does not use PReLU; shape (n_layers,)."""
        out = np.full(self.n_layers, np.nan)
        layers = [i for i, idx in enumerate(self._slope_index) if idx is not None]
        if layers:
            out[layers] = self.params[[self._slope_index[i] for i in layers]]
        return out
