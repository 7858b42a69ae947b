"""Building blocks of the fast kernels: cached constants, blocked and chunked loops.

The constant arrays are read-only and shared; scratch blocks are per thread, so kernels
may run in a worker thread and the GUI thread at the same time.
"""

from __future__ import annotations

import threading

import numpy as np

BLOCK = 16384  # elements per row of the blocked form
CHUNK = 2 * BLOCK  # elements per chunk of the multi-pass kernels
# Up to this many elements a constant operand is one full-size cached array, so a kernel
# is one ufunc call (the blocked form's reshapes and tail call cost ~3 us at 1e5, a fifth
# of the call); above, it stays a row that lives in L1/L2 instead of a third memory stream.
WHOLE = 1 << 18
_CONSTS: dict = {}  # (value, dtype, n) -> read-only block of n = CHUNK or WHOLE elements
_VIEWS: dict = {}  # (value, dtype, shape) -> view of a block (bounded; the fast path)
_ROWS: dict = {}  # (value, dtype) -> read-only row of BLOCK elements
MASK_DTYPES = {np.dtype(f"f{k}"): np.dtype(f"i{k}") for k in (2, 4, 8)}
_local = threading.local()


def mask_dtype(dtype) -> np.dtype:
    """Integer dtype of the ReLU mask for float ``dtype`` (int32 for float32, int64 for float64)."""
    it = MASK_DTYPES.get(dtype)
    if it is None:
        it = MASK_DTYPES.get(np.dtype(dtype))
        if it is None:
            raise TypeError(f"ReLU masks need float16/32/64 data, got {np.dtype(dtype)}")
    return it


def const_like(value, dtype, like) -> np.ndarray:
    """Read-only array of ``value`` with the shape of ``like`` (a cached block if it fits)."""
    key = (value, dtype, like.shape)
    view = _VIEWS.get(key)
    if view is not None:
        return view
    if like.size > WHOLE:
        return np.broadcast_to(np.asarray(value, dtype), like.shape)
    n = CHUNK if like.size <= CHUNK else WHOLE
    block = _CONSTS.get((value, dtype, n))
    if block is None:
        block = np.full(n, value, dtype=dtype)
        block.flags.writeable = False
        _CONSTS[(value, dtype, n)] = block
    if len(_VIEWS) >= 512:  # many distinct shapes (plots): start over
        _VIEWS.clear()
    view = _VIEWS[key] = block[:like.size].reshape(like.shape)
    return view


def flat_views(*arrays):
    """1-D views of same-shape arrays that are all C- or all F-contiguous, else None."""
    if all(a.flags.c_contiguous for a in arrays):
        return [a.reshape(-1) for a in arrays]
    if all(a.flags.f_contiguous for a in arrays):
        return [a.T.reshape(-1) for a in arrays]
    return None


def check_out(x, out, dtype=None):
    """Validate or allocate ``out`` for input ``x``.

    ``out`` may be ``x`` itself. Partial overlap with ``x`` is rejected for arrays larger
    than CHUNK, which are processed piecewise; below that every pass is one ufunc call
    that NumPy makes overlap-safe.
    """
    if dtype is None:
        dtype = x.dtype
    if out is None:
        return np.empty_like(x, dtype=dtype)  # same memory layout as x
    if out is x:
        return out
    if not isinstance(out, np.ndarray) or out.shape != x.shape or out.dtype != dtype:
        raise ValueError(f"out must be an ndarray of shape {x.shape} and dtype {dtype}")
    if x.size > CHUNK and np.may_share_memory(out, x) and not _same_memory(out, x):
        raise ValueError("out must be the input itself or not overlap it")
    return out


def _same_memory(a, b) -> bool:
    ia, ib = a.__array_interface__, b.__array_interface__
    return ia["data"][0] == ib["data"][0] and a.strides == b.strides


def as_float(x) -> np.ndarray:
    """``x`` as an ndarray; float dtypes are kept, anything else becomes float64."""
    if type(x) is np.ndarray and x.dtype.kind == "f":
        return x
    x = np.asarray(x)
    if x.dtype.kind == "c":
        raise TypeError("complex input is not supported")
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def const_calls(ufunc, x, value, out) -> list:
    """The calls ``[(ufunc, a, b, out), ...]`` that compute ``ufunc(x, value, out=out)`` fast.

    Up to WHOLE elements: one call against a cached constant array. Above (out of cache):
    float data against the scalar, integer data (the bit-pattern passes of the ReLU mask)
    as rows of BLOCK against one cached row, plus the tail; large strided integer arrays
    against the scalar too (correct, slower). See ``with_const`` for why.
    """
    n = x.size
    if n <= WHOLE:
        return [(ufunc, x, const_like(value, x.dtype, x), out)]
    if x.dtype.kind == "f":
        return [(ufunc, x, x.dtype.type(value), out)]
    flats = flat_views(x, out)
    if flats is None:
        return [(ufunc, x, x.dtype.type(value), out)]
    xf, of = flats
    m = n - n % BLOCK
    row = const_like(value, x.dtype, xf[:BLOCK])
    calls = [(ufunc, xf[:m].reshape(-1, BLOCK), row, of[:m].reshape(-1, BLOCK))]
    if m < n:
        calls.append((ufunc, xf[m:], row[:n - m], of[m:]))
    return calls


def _row(value, dtype) -> np.ndarray:
    """The cached read-only row of BLOCK elements of ``value``."""
    row = _ROWS.get((value, dtype))
    if row is None:
        row = _ROWS[(value, dtype)] = const_like(value, dtype, np.empty(BLOCK, dtype))
    return row


def with_const(ufunc, x, value, out):
    """``ufunc(x, value, out=out)`` with the constant as a cached array; returns ``out``."""
    n = x.size
    if n <= WHOLE:
        ufunc(x, const_like(value, x.dtype, x), out=out)
        return out
    if x.dtype.kind == "f":
        # Out of cache the float loop against a scalar keeps up with memory, and beat the
        # blocked form at 1e7 on the Intel machine (forward 0.89-1.02x copy vs 0.80-0.81x,
        # random-order runs); the integer loop against a scalar does not (0.85x vs 1.34x).
        ufunc(x, x.dtype.type(value), out=out)
        return out
    if x.flags.c_contiguous and out.flags.c_contiguous:
        # The common case spelled out: const_calls' general views cost ~2-4 us a call.
        xf, of = x.reshape(-1), out.reshape(-1)
        m = n - n % BLOCK
        row = _row(value, x.dtype)
        ufunc(xf[:m].reshape(-1, BLOCK), row, out=of[:m].reshape(-1, BLOCK))
        if m < n:
            ufunc(xf[m:], row[:n - m], out=of[m:])
        return out
    for f, a, b, o in const_calls(ufunc, x, value, out):
        f(a, b, out=o)
    return out


def as_plan(calls):
    """A no-argument function running the prepared ``(ufunc, a, b, out)`` calls."""
    if len(calls) == 1:
        (f, a, b, o), = calls
        return lambda: f(a, b, out=o)
    if len(calls) == 2:
        (f1, a1, b1, o1), (f2, a2, b2, o2) = calls

        def run2():
            f1(a1, b1, out=o1)
            f2(a2, b2, out=o2)
        return run2

    def run():
        for f, a, b, o in calls:
            f(a, b, out=o)
    return run


def scratch_blocks(dtype, k) -> list:
    """``k`` per-thread scratch blocks of CHUNK elements of ``dtype``."""
    store = getattr(_local, "blocks", None)
    if store is None:
        store = _local.blocks = {}
    blocks = store.setdefault(dtype, [])
    while len(blocks) < k:
        blocks.append(np.empty(CHUNK, dtype))
    return blocks[:k]


def _scratch_like(x, k) -> list:
    """``k`` per-thread scratch arrays shaped like ``x`` (size <= CHUNK), views cached."""
    views = getattr(_local, "views", None)
    if views is None:
        views = _local.views = {}
    key = (x.dtype, x.shape, k)
    found = views.get(key)
    if found is None:
        if len(views) >= 256:
            views.clear()
        n = x.size
        found = views[key] = [b[:n].reshape(x.shape) for b in scratch_blocks(x.dtype, k)]
    return found


def chunked(body, arrays, n_scratch):
    """Call ``body(*chunks, *scratch)`` on matching chunks of at most CHUNK elements."""
    x = arrays[0]
    n = x.size
    if n <= CHUNK:
        body(*arrays, *_scratch_like(x, n_scratch))
        return
    flats = flat_views(*arrays)
    if flats is None:  # large and strided: full-size temporaries
        body(*arrays, *[np.empty(x.shape, x.dtype) for _ in range(n_scratch)])
        return
    blocks = scratch_blocks(x.dtype, n_scratch)
    for i in range(0, n, CHUNK):
        j = min(i + CHUNK, n)
        body(*[f[i:j] for f in flats], *[s[:j - i] for s in blocks])
