"""Fast NumPy kernels for the ReLU family (no Qt; NumPy only).

Every kernel takes ``out=``; when ``out`` is given the kernel writes into it and returns
it without allocating (the only scratch is one small per-thread block, see below).
``out`` may be the input itself (in place) but must not partially overlap it.

Kink convention: the derivative at exactly 0 is the left one, ``ReLU'(0) = 0``,
``LeakyReLU'(0) = alpha``, ``ELU'(0) = alpha``.

Why these formulations (interleaved medians, float32, 1 thread, 2-vCPU AVX-512 machine;
"x copy" = GB/s of the kernel / GB/s of ``np.copyto`` of the same size, counting only the
bytes the operation must read and write; ``benchmarks/bench_kernels.py`` prints them):

* ``np.maximum(x, 0)`` with a scalar runs a slow non-vectorised loop here: 0.17-0.28x copy
  from 1e4 to 1e6 elements (float64 0.27-0.58x), 0.58x (float64 0.84x) at 1e7.
* Against a cached array of zeros it runs 0.5-0.8x in cache, but a full-size zeros array
  is a third memory stream: 0.5-0.6x at 1e7.
* So above ``2 * BLOCK`` elements a contiguous array is viewed as rows of ``BLOCK`` and
  compared with one row of zeros that stays in L1/L2: 0.55-0.8x in cache and 1.0-1.15x at
  4e6-8e6 for both float32 and float64 (``np.copyto`` itself is a write-combining memcpy).
  Binary ufuncs have a lower ceiling than copy in cache here: ``np.add(x, zeros)`` also
  reaches only 0.45-0.65x at 1e5.
* The mask kept for backward is an integer 0/1 array of the same item size as the data
  (int32 for float32, int64 for float64), made by two integer passes on the bit pattern;
  backward is one integer multiply of the gradient's bit pattern (0.8-1.3x copy, vs
  0.3-0.45x for ``grad * (x > 0)`` and ``np.multiply(grad, bool_mask)``).
* Multi-pass kernels (leaky ReLU, ELU, sigmoid, their backward) run chunk by chunk over
  ``2 * BLOCK`` elements so the intermediate passes stay in cache.

Figures swing by +-30 % between runs on shared machines; compare ratios from one run.
"""

from __future__ import annotations

import numpy as np

from relu_viz.core.kernel_blocks import (
    BLOCK, as_float, check_out, chunked, const_like, mask_dtype, with_const,
)
from relu_viz.core.kernels_smooth import (
    elu, elu_backward, sigmoid, sigmoid_backward, tanh, tanh_backward,
)

__all__ = [
    "BLOCK", "relu", "relu_inplace", "relu_mask", "relu_forward_with_mask", "relu_backward",
    "leaky_relu", "leaky_relu_backward", "elu", "elu_backward", "sigmoid",
    "sigmoid_backward", "tanh", "tanh_backward", "mask_dtype",
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
    with_const(np.minimum, bits, 1, mask)  # bits are >= 0, so min(bits, 1) is x > 0
    return out, mask


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
    out = check_out(grad, out)
    if mask.shape != grad.shape:
        raise ValueError(f"mask shape {mask.shape} != grad shape {grad.shape}")
    if grad.dtype.itemsize in (2, 4, 8) and mask.dtype == mask_dtype(grad.dtype):
        it = mask.dtype
        np.multiply(grad.view(it), mask, out=out.view(it))
    else:
        np.multiply(grad, mask, out=out, casting="unsafe")
    return out


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


def _slope_into(t, src, low):
    """Write ``1 if src > 0 else low`` into ``t``, exactly."""
    np.sign(src, out=t)  # -1 / 0 / 1
    if 0.0 <= low <= 1.0:
        np.maximum(t, low, out=t)
        return
    np.subtract(1.0, t, out=t)
    np.minimum(t, 1.0, out=t)  # 1 where src <= 0, else 0
    np.multiply(t, low - 1.0, out=t)  # low - 1 is exact for 0.5 <= low <= 2**24
    np.add(t, 1.0, out=t)  # == low there; otherwise within one ulp of |low - 1|


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

    def body(gc, xc, oc, t):
        _slope_into(t, xc, alpha)
        np.multiply(gc, t, out=oc)

    chunked(body, (grad, x, out), 1)
    return out
