"""Fast NumPy kernels for the ReLU family (no Qt; NumPy only).

Every kernel takes ``out=``; when ``out`` is given the kernel writes into it and returns
it without allocating (the only scratch is one small per-thread block, see below).
``out`` may be the input itself (in place) but must not partially overlap it.

Kink convention: the derivative at exactly 0 is the left one, ``ReLU'(0) = 0``,
``LeakyReLU'(0) = alpha``, ``ELU'(0) = alpha``.

Measured 2026-11-30 on a 2 vCPU Intel Xeon (AVX-512, NumPy 2.4.6, 1 thread) with
``benchmarks/bench_kernels.py`` (random-order interleaved rounds, medians of per-round
ratios; two quiet runs); "x copy" = GB/s of the operation / GB/s of ``np.copyto`` of the
same size, counting only the bytes it must read and write. docs/benchmarks.md has the
method, the whole table and the AMD machine's figures where they differ:

=====================================  ==========  ==========  ==========  ==========
float32                                1e3         1e5         1e6         1e7
=====================================  ==========  ==========  ==========  ==========
np.maximum(x, 0, out=y)                0.40x       0.38-0.41x  0.97-0.99x  1.00-1.05x
np.maximum(x, zeros, out=y)            0.80x       0.57-0.60x  0.65x       0.69x
relu                                   0.30x       0.49-0.51x  0.97-0.98x  1.01-1.02x
relu_inplace                           0.42x       0.80-0.89x  1.04-1.06x  1.81-1.87x
np.multiply(grad, float_mask)          1.23x       0.49x       0.94x       0.89x
relu_backward (int mask)               0.37x       0.83-0.87x  0.95-0.98x  0.98-1.02x
relu_backward_plan (training path)     1.29x       0.91-0.96x  0.97-0.99x  0.97-0.99x
=====================================  ==========  ==========  ==========  ==========

* A constant operand (the 0 of ReLU, the 1 of the mask) is a cached read-only array up
  to ``WHOLE`` = 2^18 elements, so a kernel is one ufunc call (``np.maximum`` against a
  scalar is not vectorised in cache: 0.38-0.41x at 1e5). Above, out of cache, float data
  go against the scalar, whose loop keeps up with memory (1e7: 1.0x, the blocked form
  0.80x on this machine), and integer data as rows of ``BLOCK`` against one cached row
  (against a scalar the integer loop is not vectorised: 0.85x vs 1.34x at 1e7).
* In cache (1e5) no NaN-propagating binary ufunc gets near copy here: the best forward is
  ~0.6x, the int32 bit pattern ~0.7x (it turns a NaN with the sign bit set into 0), so
  the 0.8x forward target at 1e5 is not met; in place reaches 0.8-0.9x.
* Below ~1e4 elements the Python cost of a call (~0.5-1.5 us) dominates; the MLP uses
  :func:`relu_forward_with_mask_plan` / :func:`relu_backward_plan`, prepared once per
  layer buffer, which cost about one bare ufunc call each.
* The kept mask is an integer 0/1 array of the data's item size (int32 for float32),
  made by two integer passes on the bit pattern; backward is one integer multiply of the
  gradient's bit pattern.
* Leaky ReLU / ELU / sigmoid run chunk by chunk (``2 * BLOCK`` elements) so their passes
  stay in cache: 0.56-0.61x (leaky), 0.41-0.43x (ELU), 0.48x (sigmoid) at 1e7 vs 0.09x,
  0.08x and 0.13x for ``np.where`` / ``1 / (1 + np.exp(-x))`` forms.
"""

from __future__ import annotations

import numpy as np

from relu_viz.core.kernels.blocks import (
    BLOCK,
    MASK_DTYPES,
    as_float,
    as_plan,
    check_out,
    chunked,
    const_calls,
    const_like,
    mask_dtype,
    with_const,
)
from relu_viz.core.kernels.smooth import (
    elu,
    elu_backward,
    sigmoid,
    sigmoid_backward,
    tanh,
    tanh_backward,
)

__all__ = [
    "BLOCK", "relu", "relu_inplace", "relu_mask", "relu_forward_with_mask", "relu_backward",
    "leaky_relu", "leaky_relu_backward", "elu", "elu_backward", "sigmoid",
    "sigmoid_backward", "tanh", "tanh_backward", "mask_dtype", "relu_forward_with_mask_plan",
    "relu_backward_plan",
]


# -- ReLU -------------------------------------------------------------------------------
def relu(x, out=None):
    """ReLU forward, ``max(x, 0)``.

    Parameters
    ----------
    x : ndarray of any shape
        Pre-activations; any strides (large strided arrays take a slower path).
    out : ndarray of the same shape and dtype, optional
        Written and returned; may be ``x`` itself.

    Returns
    -------
    out : ndarray of the shape and dtype of ``x``
        NaN propagates.
    """
    x = as_float(x)
    return with_const(np.maximum, x, 0, check_out(x, out))


def relu_inplace(x):
    """ReLU in place on ``x`` (ndarray of any shape, float); returns ``x`` itself."""
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError("relu_inplace needs a float ndarray")
    return with_const(np.maximum, x, 0, x)


def relu_mask(x, out=None):
    """The mask kept for :func:`relu_backward`: 1 where ``x > 0``, else 0.

    Parameters
    ----------
    x : ndarray of any shape, float16/32/64
    out : ndarray of the same shape and dtype ``mask_dtype(x.dtype)``, optional

    Returns
    -------
    mask : ndarray of the shape of ``x``, integer 0/1 of the item size of ``x``
        Made on the bit pattern: a NaN with the sign bit clear counts as positive.
    """
    x = as_float(x)
    it = mask_dtype(x.dtype)
    mask = check_out(x, out, it)
    with_const(np.maximum, x.view(it), 0, mask)  # negative floats have negative bits
    return with_const(np.minimum, mask, 1, mask)


def relu_forward_with_mask(x, out=None, mask=None):
    """ReLU forward and its backward mask in one call (the training path).

    Parameters
    ----------
    x : ndarray of any shape, float16/32/64
    out : ndarray like ``x``, optional
        Receives ``max(x, 0)``; may be ``x``. Computed on the bit pattern, so ``-0.0``
        gives ``+0.0`` and a NaN with the sign bit set gives 0.
    mask : ndarray of the shape of ``x`` and dtype ``mask_dtype(x.dtype)``, optional

    Returns
    -------
    out, mask : ndarray, ndarray
    """
    x = as_float(x)
    it = mask_dtype(x.dtype)
    out, mask = check_out(x, out), check_out(x, mask, it)
    bits = out.view(it)
    with_const(np.maximum, x.view(it), 0, bits)
    with_const(np.minimum, bits, 1, mask)
    return out, mask


def relu_forward_with_mask_plan(x, out, mask):
    """``relu_forward_with_mask(x, out, mask)`` prepared once for buffers reused every step.

    Parameters
    ----------
    x, out : ndarray of the same shape and float dtype
    mask : ndarray of that shape and dtype ``mask_dtype(x.dtype)``

    Returns
    -------
    run : callable with no arguments
        Recomputes ``out`` and ``mask`` from the current contents of ``x`` with no
        per-call validation (about 2 ufunc calls of overhead).
    """
    it = mask_dtype(x.dtype)
    check_out(x, out)
    check_out(x, mask, it)
    bits = out.view(it)
    return as_plan(const_calls(np.maximum, x.view(it), 0, bits)  # negative floats: bits < 0
                   + const_calls(np.minimum, bits, 1, mask))  # bits >= 0: min(bits, 1) = x > 0


def relu_backward(grad, mask, out=None):
    """``grad * 1[x > 0]`` from the mask kept by the forward pass.

    Parameters
    ----------
    grad : ndarray of any shape, float
        dL/d(output).
    mask : ndarray of the same shape
        From :func:`relu_mask` / :func:`relu_forward_with_mask` (fast integer path: masked
        entries become exactly +0.0, even where ``grad`` is inf or NaN), or any bool/float
        0/1 mask (plain multiply).
    out : ndarray like ``grad``, optional; may be ``grad`` itself.

    Returns
    -------
    out : ndarray of the shape and dtype of ``grad``
    """
    grad = as_float(grad)
    if out is None or out is grad:
        out = check_out(grad, out)
    elif type(out) is not np.ndarray or out.shape != grad.shape or out.dtype != grad.dtype:
        # One ufunc call whatever the size, so NumPy copes with any overlap: no
        # may_share_memory test here (it is most of the Python cost at 1e5 elements).
        raise ValueError(f"out must be an ndarray of shape {grad.shape} and dtype {grad.dtype}")
    if mask.shape != grad.shape:
        raise ValueError(f"mask shape {mask.shape} != grad shape {grad.shape}")
    it = MASK_DTYPES.get(grad.dtype)
    if it is not None and mask.dtype == it:  # 0/1 integers times the gradient's bits
        np.multiply(grad.view(it), mask, out=out.view(it))
    else:
        np.multiply(grad, mask, out=out, casting="unsafe")
    return out


def relu_backward_plan(grad, mask, out):
    """``relu_backward(grad, mask, out)`` prepared once for buffers reused every step.

    Parameters
    ----------
    grad, out : ndarray of the same shape and float dtype (``out`` may be ``grad``)
    mask : ndarray of that shape, a kept integer mask or a bool/float 0/1 mask

    Returns
    -------
    run : callable with no arguments
    """
    if mask.shape != grad.shape:
        raise ValueError(f"mask shape {mask.shape} != grad shape {grad.shape}")
    check_out(grad, out)
    it = MASK_DTYPES.get(grad.dtype)
    if it is not None and mask.dtype == it:
        return as_plan([(np.multiply, grad.view(it), mask, out.view(it))])
    return lambda: np.multiply(grad, mask, out=out, casting="unsafe")


# -- leaky ReLU / PReLU -----------------------------------------------------------------
def leaky_relu(x, alpha, out=None):
    """Leaky ReLU, ``x if x > 0 else alpha * x``; ``alpha`` may be any finite float.

    Parameters
    ----------
    x : ndarray of any shape, float
    alpha : float
    out : ndarray like ``x``, optional; may be ``x``.

    Returns
    -------
    out : ndarray of the shape and dtype of ``x``
    """
    x = as_float(x)
    out = check_out(x, out)
    alpha = float(alpha)
    if alpha == 0.0:
        return relu(x, out)  # 0 * inf would be NaN
    pick = np.maximum if alpha <= 1.0 else np.minimum  # max(x, a x) holds for any a <= 1

    def body(xc, oc, t):
        np.multiply(xc, alpha, out=t)
        pick(xc, t, out=oc)

    chunked(body, (x, out), 1)
    return out


def _slope_into(t, u, src, low):
    """Write ``1 if src > 0 else low`` into ``t`` exactly (``u`` is scratch).

    ``np.greater`` into floats then an array maximum is ~2.5x faster here than
    ``np.sign`` and a maximum against a scalar (scalar maximum is not vectorised).
    """
    np.greater(src, const_like(0, src.dtype, src), out=t)  # 0.0 / 1.0
    if 0.0 <= low <= 1.0:
        u.fill(low)
        np.maximum(t, u, out=t)
    else:  # exact 0/1-weight blend: t + low * (1 - t)
        np.subtract(1.0, t, out=u)
        np.multiply(u, low, out=u)
        np.add(t, u, out=t)


def leaky_relu_backward(grad, x, alpha, out=None):
    """``grad * (1 if x > 0 else alpha)`` (``LeakyReLU'(0) = alpha``).

    Parameters
    ----------
    grad, x : ndarray of the same shape, float
    alpha : float
    out : ndarray like ``grad``, optional; may be ``grad``.

    Returns
    -------
    out : ndarray of the shape and dtype of ``grad``
    """
    grad, x = as_float(grad), as_float(x)
    out = check_out(grad, out)
    alpha = float(alpha)

    def body(gc, xc, oc, t, u):
        _slope_into(t, u, xc, alpha)
        np.multiply(gc, t, out=oc)

    chunked(body, (grad, x, out), 2)
    return out
