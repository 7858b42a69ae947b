"""Losses on the network's output, computed stably, each with its gradient.

Every loss takes the output layer's pre-activation ``z`` (the logits) and returns the
mean loss over the batch and dL/dz, so the output non-linearity is folded in where
that is what makes it stable (sigmoid + binary cross-entropy, softmax + cross-entropy).
"""

from __future__ import annotations

import numpy as np

_LOG_EPS = 1e-12


def mse(a: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error, halved so its gradient is plain ``a - y``.

    Parameters
    ----------
    a : ndarray of shape (n, k)
        Network output (after the output activation).
    y : ndarray of shape (n, k)
        Targets.

    Returns
    -------
    loss : float
        ``0.5 * mean over samples of sum over outputs of (a - y)**2``.
    grad : ndarray of shape (n, k)
        dL/da.
    """
    diff = a - y
    n = a.shape[0]
    loss = 0.5 * float(np.vdot(diff, diff)) / n
    diff /= n
    return loss, diff


def bce_with_logits(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Binary cross-entropy of ``sigmoid(z)`` against ``y`` in {0, 1}.

    Uses ``log(1 + exp(-|z|)) + max(z, 0) - z*y``, which never overflows.

    Parameters
    ----------
    z : ndarray of shape (n, 1)
        Logits.
    y : ndarray of shape (n, 1)
        Labels, 0 or 1.

    Returns
    -------
    loss : float
    grad : ndarray of shape (n, 1)
        dL/dz = (sigmoid(z) - y) / n.
    """
    n = z.shape[0]
    loss = float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))
    grad = sigmoid(z)
    grad -= y
    grad /= n
    return loss, grad


def softmax_cross_entropy(z: np.ndarray, y_onehot: np.ndarray) -> tuple[float, np.ndarray]:
    """Cross-entropy of ``softmax(z)`` against one-hot targets, by log-sum-exp.

    Parameters
    ----------
    z : ndarray of shape (n, k)
        Logits.
    y_onehot : ndarray of shape (n, k)

    Returns
    -------
    loss : float
    grad : ndarray of shape (n, k)
        dL/dz = (softmax(z) - y) / n.
    """
    n = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_norm
    loss = -float(np.vdot(y_onehot, log_p)) / n
    grad = np.exp(log_p)
    grad -= y_onehot
    grad /= n
    return loss, grad


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function through tanh (no overflow for any finite z)."""
    out = np.tanh(0.5 * z)
    out *= 0.5
    out += 0.5
    return out


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits of shape (n, k)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    e /= e.sum(axis=1, keepdims=True)
    return e


# -- the training path: the same losses on buffers reused every step ---------------------
class SoftmaxCrossEntropy:
    """Softmax output and its cross-entropy for one batch shape, on reused buffers.

    :meth:`forward` writes the probabilities and keeps the shifted logits, so
    :meth:`loss_and_delta` needs no second softmax. The work runs on (k, n) transposed
    copies: a reduction or a broadcast along a row of only k (2-10) logits costs 5-15 us
    per call for a batch of 128-256, the same along n contiguous values under 1 us.

    Parameters
    ----------
    n, k : int
        Batch size and number of classes.
    dtype : numpy dtype
    """

    def __init__(self, n: int, k: int, dtype) -> None:
        self.n, self.k = n, k
        self._zt, self._shifted, self._p, self._yt = (np.empty((k, n), dtype) for _ in range(4))
        self._row, self._sum, self._ysum = (np.empty(n, dtype) for _ in range(3))
        self._ones = np.ones(k, dtype)

    def forward(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Row-wise softmax of ``z`` into ``out``.

        Parameters
        ----------
        z : ndarray of shape (n, k)
            Logits.
        out : ndarray of shape (n, k)
            Receives the probabilities (rows sum to 1).

        Returns
        -------
        out : ndarray of shape (n, k)
        """
        zt, sh, p, row, total = self._zt, self._shifted, self._p, self._row, self._sum
        np.copyto(zt, z.T)
        np.maximum.reduce(zt, axis=0, out=row)  # row max: exp() cannot overflow
        np.subtract(zt, row, out=sh)
        np.exp(sh, out=p)
        np.dot(self._ones, p, out=total)
        np.divide(p, total, out=p)
        np.copyto(out, p.T)
        return out

    def loss_and_delta(self, p: np.ndarray, y: np.ndarray, delta: np.ndarray) -> float:
        """Cross-entropy of the latest :meth:`forward` against ``y``, and dL/dz.

        Parameters
        ----------
        p : ndarray of shape (n, k)
            The probabilities :meth:`forward` wrote.
        y : ndarray of shape (n, k)
            Targets, one-hot (or rows of class weights summing to anything).
        delta : ndarray of shape (n, k)
            Receives dL/dz = (p - y) / n; may not be ``p``.

        Returns
        -------
        loss : float
            ``-mean over samples of sum_j y_j log p_j``, from ``log p = shifted - log(sum)``
            element by element as in :func:`softmax_cross_entropy`, so a confident right
            answer does not lose its tiny loss to cancellation.
        """
        yt, log_sum = self._yt, self._row  # the row max is no longer needed
        np.copyto(yt, y.T)
        np.log(self._sum, out=log_sum)
        np.dot(self._ones, yt, out=self._ysum)
        n = self.n
        loss = -(float(np.vdot(yt, self._shifted)) - float(np.dot(self._ysum, log_sum))) / n
        np.subtract(p, y, out=delta)
        np.divide(delta, n, out=delta)
        return loss


class BinaryCrossEntropy:
    """Binary cross-entropy of a sigmoid output for one batch shape, on reused buffers.

    Parameters
    ----------
    n : int
        Batch size.
    dtype : numpy dtype
    """

    def __init__(self, n: int, dtype) -> None:
        self.n = n
        self._t, self._u = np.empty((n, 1), dtype), np.empty((n, 1), dtype)
        self._zeros, self._ones = np.zeros((n, 1), dtype), np.ones(n, dtype)

    def loss_and_delta(self, z, p, y, delta) -> float:
        """Loss of ``sigmoid(z)`` against ``y`` and dL/dz, as :func:`bce_with_logits`.

        Parameters
        ----------
        z : ndarray of shape (n, 1)
            Logits.
        p : ndarray of shape (n, 1)
            ``sigmoid(z)``, already computed by the forward pass.
        y : ndarray of shape (n, 1)
            Labels, 0 or 1.
        delta : ndarray of shape (n, 1)
            Receives dL/dz = (p - y) / n.

        Returns
        -------
        loss : float
        """
        t, u = self._t, self._u
        # Term by term, ``max(z, 0) - z*y + log1p(exp(-|z|))``: summing the parts first would
        # cancel a confident right answer's tiny loss away.
        np.maximum(z, self._zeros, out=t)
        np.multiply(z, y, out=u)
        np.subtract(t, u, out=t)
        np.abs(z, out=u)
        np.negative(u, out=u)
        np.exp(u, out=u)
        np.log1p(u, out=u)
        np.add(t, u, out=t)
        n = self.n
        loss = float(np.dot(self._ones, t[:, 0])) / n
        np.subtract(p, y, out=delta)
        np.divide(delta, n, out=delta)
        return loss


def mse_into(a: np.ndarray, y: np.ndarray, delta: np.ndarray) -> float:
    """:func:`mse` with the gradient written into ``delta`` (shape (n, k), like ``a``)."""
    np.subtract(a, y, out=delta)
    n = a.shape[0]
    loss = 0.5 * float(np.vdot(delta, delta)) / n
    np.divide(delta, n, out=delta)
    return loss
