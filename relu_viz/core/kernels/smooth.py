"""Fast NumPy kernels for ELU, sigmoid and tanh (forward and backward from the output).

Same conventions as :mod:`relu_viz.core.kernels.relu_family`: ``out=`` is written and returned without
allocation (it may be the input itself); work runs chunk by chunk so the passes of one
chunk stay in cache. ``ELU'(0) = alpha``.
"""

from __future__ import annotations

import numpy as np

from relu_viz.core.kernels.blocks import as_float, check_out, chunked, const_like

__all__ = ["elu", "elu_backward", "sigmoid", "sigmoid_backward", "tanh", "tanh_backward"]


def elu(x, alpha=1.0, out=None):
    """ELU, ``x if x > 0 else alpha * expm1(x)``, for ``alpha > 0``.

    Parameters
    ----------
    x : ndarray of any shape, float
    alpha : float > 0
    out : ndarray like ``x``, optional; may be ``x``.

    Returns
    -------
    out : ndarray of the shape and dtype of ``x``
    """
    x = as_float(x)
    out = check_out(x, out)
    alpha = float(alpha)

    def body(xc, oc, t):
        np.minimum(xc, const_like(0, xc.dtype, xc), out=t)
        np.expm1(t, out=t)
        if alpha != 1.0:
            np.multiply(t, alpha, out=t)
        if alpha <= 1.0:  # alpha * expm1(x) >= x for x <= 0 when alpha <= 1
            np.maximum(t, xc, out=oc)
        else:
            np.maximum(xc, const_like(0, xc.dtype, xc), out=oc)
            np.add(oc, t, out=oc)

    chunked(body, (x, out), 1)
    return out


def elu_backward(grad, y, alpha=1.0, out=None):
    """``grad * ELU'(x)`` from the ELU output ``y``: 1 if ``y > 0`` else ``y + alpha``.

    ``y + alpha = alpha * exp(x)`` holds exactly in real arithmetic; in floating point its
    absolute error is about one ulp of ``alpha``. ``ELU'(0) = alpha``.

    Parameters
    ----------
    grad, y : ndarray of the same shape, float
    alpha : float > 0
    out : ndarray like ``grad``, optional; may be ``grad``.

    Returns
    -------
    out : ndarray of the shape and dtype of ``grad``
    """
    grad, y = as_float(grad), as_float(y)
    out = check_out(grad, out)
    alpha = float(alpha)

    def body(gc, yc, oc, t, s):
        np.minimum(yc, const_like(0, yc.dtype, yc), out=t)
        np.add(t, alpha, out=t)  # alpha * exp(x) for x <= 0, alpha for x > 0
        np.greater(yc, const_like(0, yc.dtype, yc), out=s)  # [y > 0] = [x > 0]
        if alpha <= 1.0:
            np.maximum(t, s, out=t)  # 1 where y > 0; t in [0, alpha] elsewhere
        else:  # exact blend t * [y <= 0] + [y > 0]
            np.subtract(1.0, s, out=s)
            np.multiply(t, s, out=t)
            np.subtract(1.0, s, out=s)
            np.add(t, s, out=t)
        np.multiply(gc, t, out=oc)

    chunked(body, (grad, y, out), 2)
    return out


def sigmoid(x, out=None):
    """Logistic sigmoid as ``0.5 * tanh(0.5 * x) + 0.5`` (stable, no overflow).

    Parameters
    ----------
    x : ndarray of any shape, float
    out : ndarray like ``x``, optional; may be ``x``.

    Returns
    -------
    out : ndarray of the shape and dtype of ``x``, values in [0, 1]
    """
    x = as_float(x)
    out = check_out(x, out)

    def body(xc, oc):
        np.multiply(xc, 0.5, out=oc)
        np.tanh(oc, out=oc)
        np.multiply(oc, 0.5, out=oc)
        np.add(oc, 0.5, out=oc)

    chunked(body, (x, out), 0)
    return out


def sigmoid_backward(grad, y, out=None):
    """``grad * y * (1 - y)`` from the sigmoid output ``y`` (shapes equal; out may be grad)."""
    grad, y = as_float(grad), as_float(y)
    out = check_out(grad, out)

    def body(gc, yc, oc, t):
        np.subtract(1.0, yc, out=t)
        np.multiply(gc, yc, out=oc)
        np.multiply(oc, t, out=oc)

    chunked(body, (grad, y, out), 1)
    return out


def tanh(x, out=None):
    """``np.tanh`` with the kernel conventions (``out`` validated; may be ``x``)."""
    x = as_float(x)
    return np.tanh(x, out=check_out(x, out))


def tanh_backward(grad, y, out=None):
    """``grad * (1 - y) * (1 + y)`` from the tanh output ``y`` (accurate near |y| = 1)."""
    grad, y = as_float(grad), as_float(y)
    out = check_out(grad, out)

    def body(gc, yc, oc, t, u):
        np.subtract(1.0, yc, out=t)
        np.add(1.0, yc, out=u)  # y is read before out is written
        np.multiply(gc, t, out=oc)
        np.multiply(oc, u, out=oc)

    chunked(body, (grad, y, out), 2)
    return out
