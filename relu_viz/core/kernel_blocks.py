"""Building blocks of the fast kernels: cached constants, blocked and chunked loops.

The constant arrays are read-only and shared; scratch blocks are per thread, so kernels
may run in a worker thread and the GUI thread at the same time.
"""

from __future__ import annotations

import threading

import numpy as np

BLOCK = 16384  # elements per row of the blocked form
CHUNK = 2 * BLOCK  # elements per chunk of the multi-pass kernels
_CONSTS: dict = {}
_local = threading.local()


def mask_dtype(dtype) -> np.dtype:
    """Integer dtype of the ReLU mask for float ``dtype`` (int32 for float32, int64 else)."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f" or dtype.itemsize not in (2, 4, 8):
        raise TypeError(f"ReLU masks need float16/32/64 data, got {dtype}")
    return np.dtype(f"i{dtype.itemsize}")


def const_like(value, dtype, like) -> np.ndarray:
    """Read-only array of ``value`` with the shape of ``like`` (size <= CHUNK)."""
    key = (value, np.dtype(dtype))
    arr = _CONSTS.get(key)
    if arr is None:
        arr = np.full(CHUNK, value, dtype=dtype)
        arr.flags.writeable = False
        _CONSTS[key] = arr
    return arr[:like.size].reshape(like.shape)


def flat_views(*arrays):
    """1-D views of same-shape arrays that are all C- or all F-contiguous, else None."""
    if all(a.flags.c_contiguous for a in arrays):
        return [a.reshape(-1) for a in arrays]
    if all(a.flags.f_contiguous for a in arrays):
        return [a.T.reshape(-1) for a in arrays]
    return None


def check_out(x, out, dtype=None):
    """Validate or allocate ``out`` for input ``x``."""
    dtype = x.dtype if dtype is None else np.dtype(dtype)
    if out is None:
        return np.empty(x.shape, dtype)
    if not isinstance(out, np.ndarray) or out.shape != x.shape or out.dtype != dtype:
        raise ValueError(f"out must be an ndarray of shape {x.shape} and dtype {dtype}")
    if out is not x and np.may_share_memory(out, x) and not _same_memory(out, x):
        raise ValueError("out must be the input itself or not overlap it")
    return out


def _same_memory(a, b) -> bool:
    ia, ib = a.__array_interface__, b.__array_interface__
    return ia["data"][0] == ib["data"][0] and a.strides == b.strides


def as_float(x) -> np.ndarray:
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def with_const(ufunc, x, value, out):
    """``ufunc(x, value, out=out)`` with the constant as a cached array (fast path)."""
    n = x.size
    if n <= CHUNK:
        return ufunc(x, const_like(value, x.dtype, x), out=out)
    flats = flat_views(x, out)
    if flats is None:  # large and strided: scalar form (correct, slower)
        return ufunc(x, x.dtype.type(value), out=out)
    xf, of = flats
    m = n - n % BLOCK
    row = const_like(value, x.dtype, xf[:BLOCK])
    ufunc(xf[:m].reshape(-1, BLOCK), row, out=of[:m].reshape(-1, BLOCK))
    if m < n:
        ufunc(xf[m:], row[:n - m], out=of[m:])
    return out


def scratch_blocks(dtype, k) -> list:
    """``k`` per-thread scratch blocks of CHUNK elements of ``dtype``."""
    store = getattr(_local, "store", None)
    if store is None:
        store = _local.store = {}
    blocks = store.setdefault(np.dtype(dtype), [])
    while len(blocks) < k:
        blocks.append(np.empty(CHUNK, dtype))
    return blocks[:k]


def chunked(body, arrays, n_scratch):
    """Call ``body(*chunks, *scratch)`` on matching chunks of at most CHUNK elements."""
    x = arrays[0]
    n = x.size
    if n <= CHUNK:
        scratch = [s[:n].reshape(x.shape) for s in scratch_blocks(x.dtype, n_scratch)]
        body(*arrays, *scratch)
        return
    flats = flat_views(*arrays)
    if flats is None:  # large and strided: full-size temporaries
        body(*arrays, *[np.empty(x.shape, x.dtype) for _ in range(n_scratch)])
        return
    blocks = scratch_blocks(x.dtype, n_scratch)
    for i in range(0, n, CHUNK):
        j = min(i + CHUNK, n)
        body(*[f[i:j] for f in flats], *[s[:j - i] for s in blocks])


