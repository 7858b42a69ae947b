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
