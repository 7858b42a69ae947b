"""Kernel benchmark behind ``relu-viz bench`` and ``benchmarks/bench_kernels.py``.

Every implementation of an operation runs side by side, interleaved after a warm-up, in
a new random order every round, so machine noise and cache state hit all variants alike.
Each timed sample is ``max(1, 2e6 // n)`` calls (~0.1-1 ms), and for sizes that fit in
cache (n <= 1e6) it follows one untimed call of the same variant: otherwise the first
call of a sample pays for bringing its arrays back into cache after the other variants
ran, and with two calls per sample (the old method) that decided the result at 1e5.
Reported: the median time, GB/s counting only the bytes the operation must read and
write, and the ratio to ``np.copyto`` of the same size ("x copy", the median of the
per-round ratios, so a slow moment of the machine cancels out). BLAS threads are pinned
to 1 with threadpoolctl when it is installed, and PyTorch's to 1 when it is present.
Core-only: no Qt.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time

import numpy as np

from relu_viz.core.kernels import relu_family as kernels

DEFAULT_SIZES = (10**3, 10**4, 10**5, 10**6, 10**7)
FULL_SIZES = DEFAULT_SIZES + (10**8,)
# (variant, size, minimum x copy)
TARGETS = (("relu (kernels)", 10**5, 0.8), ("relu (kernels)", 10**7, 0.85),
           ("relu_inplace (kernels)", 10**7, 1.0),
           ("relu_backward, int mask (kernels)", 10**5, 0.9))


def _variants(n, dtype, rng):
    """``[(group, name, fn, bytes moved)]`` for arrays of ``n`` elements of ``dtype``."""
    x = rng.standard_normal(n).astype(dtype)
    g = rng.standard_normal(n).astype(dtype)
    y, w = np.empty_like(x), x.copy()
    zeros = np.zeros_like(x)
    mask = kernels.relu_mask(x)
    bmask, fmask = x > 0, (x > 0).astype(dtype)
    it = kernels.mask_dtype(dtype)
    xi, yi, gi, zi = x.view(it), y.view(it), g.view(it), np.zeros(n, it)
    neg_mask = -mask  # 0 / -1: all bits set where x > 0
    s = x.itemsize * n
    fwd_plan = kernels.relu_forward_with_mask_plan(x, y, mask)
    bwd_plan = kernels.relu_backward_plan(g, mask, y)
    v = [
        ("copy", "np.copyto (ceiling)", lambda: np.copyto(y, x), 2 * s),
        ("relu forward", "np.maximum(x, 0, out=y)", lambda: np.maximum(x, 0, out=y), 2 * s),
        ("relu forward", "np.maximum(x, zeros, out=y)", lambda: np.maximum(x, zeros, out=y), 2 * s),
        ("relu forward", "x * (x > 0)", lambda: x * (x > 0), 2 * s),
        ("relu forward", "relu (kernels)", lambda: kernels.relu(x, y), 2 * s),
        ("relu forward", "relu_forward_with_mask (kernels)",
         lambda: kernels.relu_forward_with_mask(x, y, mask), 3 * s),
        ("relu forward", "forward+mask plan (MLP training path)", fwd_plan, 3 * s),
        # Reference only: on the bit pattern a NaN with the sign bit set becomes 0.
        ("relu forward", "np.maximum(x bits, int zeros) (reference)",
         lambda: np.maximum(xi, zi, out=yi), 2 * s),
        ("relu in place", "np.maximum(w, 0, out=w)", lambda: np.maximum(w, 0, out=w), 2 * s),
        ("relu in place", "relu_inplace (kernels)", lambda: kernels.relu_inplace(w), 2 * s),
        ("relu backward", "grad * (x > 0)", lambda: np.multiply(g, x > 0, out=y), 3 * s),
        ("relu backward", "np.multiply(grad, bool_mask)", lambda: np.multiply(g, bmask, out=y),
         2 * s + n),
        ("relu backward", "np.multiply(grad, float_mask)",
         lambda: np.multiply(g, fmask, out=y), 3 * s),
        ("relu backward", "relu_backward, int mask (kernels)",
         lambda: kernels.relu_backward(g, mask, y), 3 * s),
        ("relu backward", "relu_backward plan (MLP training path)", bwd_plan, 3 * s),
        ("relu backward", "np.bitwise_and(grad bits, 0/-1 mask) (reference)",
         lambda: np.bitwise_and(gi, neg_mask, out=yi), 3 * s),
        ("relu mask", "relu_mask (kernels)", lambda: kernels.relu_mask(x, mask), 2 * s),
        ("leaky relu", "np.where(x > 0, x, 0.01 * x)", lambda: np.where(x > 0, x, 0.01 * x), 2 * s),
        ("leaky relu", "leaky_relu (kernels)", lambda: kernels.leaky_relu(x, 0.01, y), 2 * s),
        ("leaky relu", "backward: g * np.where(x > 0, 1, 0.01)",
         lambda: g * np.where(x > 0, 1.0, 0.01).astype(dtype), 3 * s),
        ("leaky relu", "leaky_relu_backward (kernels)",
         lambda: kernels.leaky_relu_backward(g, x, 0.01, y), 3 * s),
        ("elu", "np.where(x > 0, x, np.expm1(x))",
         lambda: np.where(x > 0, x, np.expm1(np.minimum(x, 0))), 2 * s),
        ("elu", "elu (kernels)", lambda: kernels.elu(x, 1.0, y), 2 * s),
        ("sigmoid", "1 / (1 + np.exp(-x))", lambda: 1.0 / (1.0 + np.exp(-x)), 2 * s),
        ("sigmoid", "sigmoid (kernels, tanh form)", lambda: kernels.sigmoid(x, y), 2 * s),
        ("tanh", "tanh (kernels)", lambda: kernels.tanh(x, y), 2 * s),
    ]
    return v + _optional_variants(x, y, w, s)


def _optional_variants(x, y, w, s):
    """torch variants, only if torch is importable (never required; threads pinned)."""
    try:
        import torch
    except ImportError:
        return []
    tx, ty, tw = torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(w)
    return [("relu forward", "torch.relu(out=)", lambda: torch.clamp(tx, min=0, out=ty), 2 * s),
            ("relu in place", "torch.relu_", lambda: torch.relu_(tw), 2 * s)]


def _cpu_model() -> str | None:
    """The processor's model name (Linux), else None."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def environment() -> dict:
    """Machine, library and threading facts to print with every result."""
    env = {
        "python": platform.python_version(), "numpy": np.__version__,
        "machine": platform.machine(), "cpu": _cpu_model(), "cpu_count": os.cpu_count(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
    }
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        env["threadpoolctl"] = "not installed: BLAS threads not pinned, BLAS kernel unknown"
    else:
        keep = ("internal_api", "version", "num_threads", "architecture", "threading_layer")
        env["blas"] = [{k: lib.get(k) for k in keep} for lib in threadpool_info()]
    return env


def _time(fn, inner) -> float:
    t0 = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - t0) / inner


#: Largest size whose samples are preceded by an untimed warm-up call (its arrays fit in
#: cache; above, every call streams from memory anyway and warming would double the time).
WARM_UP_BELOW = 10**6


def _bench_size(n, dtype, repeats, rng):
    """Interleaved round-robin timings of every variant at size ``n``."""
    variants = _variants(n, dtype, rng)
    inner = max(1, int(2e6 // n))
    warm = n <= WARM_UP_BELOW
    for _, _, fn, _ in variants:  # warm-up: caches, page faults, lazy constants
        _time(fn, inner)
    k_all = len(variants)
    samples = [[] for _ in variants]
    order_rng = np.random.default_rng(n)
    for _ in range(repeats):
        # A new random order every round: at 1e7 the arrays sit in a large L3 or not
        # depending on what ran just before (np.copyto's streaming stores evict its
        # output), so a fixed or rotated order, where each variant always follows the
        # same one, biased single variants by 20 %.
        for k in order_rng.permutation(k_all):
            fn = variants[k][2]
            if warm:
                fn()
            samples[k].append(_time(fn, inner))
    rows = []
    copy = np.asarray(samples[0])
    copy_bytes = variants[0][3]
    copy_med, copy_min = float(np.median(copy)), float(np.min(copy))
    for (group, name, _, nbytes), ts in zip(variants, samples):
        ts = np.asarray(ts)
        med, best = float(np.median(ts)), float(np.min(ts))
        per_round = (nbytes / ts) / (copy_bytes / copy)
        rows.append({"size": n, "group": group, "variant": name, "bytes": nbytes,
                     "median_s": med, "min_s": best, "gbps": nbytes / med / 1e9,
                     "x_copy": float(np.median(per_round)),
                     "x_copy_best": (nbytes / best) / (copy_bytes / copy_min)})
    return rows


def _pinned():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=1)


def _pin_torch():
    """Pin PyTorch (when it is already importable) to one thread; returns the undo."""
    try:
        import torch
    except ImportError:
        return lambda: None
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    return lambda: torch.set_num_threads(before)


def run_kernel_bench(sizes=None, dtype="float32", repeats=None, full=False, json_path=None,
                     progress=None) -> dict:
    """Benchmark the kernels against plain NumPy forms and ``np.copyto``; print a table.

    Parameters
    ----------
    sizes : sequence of int, optional
        Array sizes; default 1e3 ... 1e7, plus 1e8 with ``full``.
    dtype : str
        ``"float32"`` (default) or ``"float64"``.
    repeats : int, optional
        Interleaved rounds per size (default 25, 5 for sizes >= 1e8).
    full : bool
        Add 1e8 to the default sizes (needs ~4 GB of memory and a few minutes).
    json_path : str or path, optional
        Also write the result dict there as JSON.
    progress : callable(str), optional
        Called with a short message after each size.

    Returns
    -------
    dict
        ``{"env", "config", "results": [row, ...], "targets": [...]}``; a row has ``size,
        group, variant, bytes, median_s, min_s, gbps, x_copy``.
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    sizes = tuple(int(s) for s in sizes) if sizes else (FULL_SIZES if full else DEFAULT_SIZES)
    rng = np.random.default_rng(0)
    limiter = _pinned()
    unpin_torch = _pin_torch()
    rows, t_start = [], time.perf_counter()
    try:
        env = environment()  # inside the limits: shows the pinned thread counts
        for n in sizes:
            r = repeats or (5 if n >= 10**8 else 25)
            rows += _bench_size(n, dtype, r, rng)
            if progress:
                progress(f"size {n:.0e}: done ({time.perf_counter() - t_start:.1f} s)")
    finally:
        unpin_torch()
        if limiter is not None:
            limiter.restore_original_limits()
    result = {"env": env, "results": rows, "targets": _targets(rows),
              "config": {"sizes": list(sizes), "dtype": dtype.name, "repeats": repeats,
                         "blas_threads_pinned": limiter is not None,
                         "seconds": round(time.perf_counter() - t_start, 1)}}
    print(format_report(result))
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=1)
    return result


def _targets(rows):
    out = []
    for variant, size, threshold in TARGETS:
        hit = [r for r in rows if r["variant"] == variant and r["size"] == size]
        if hit:
            value = hit[0]["x_copy"]
            out.append({"variant": variant, "size": size, "threshold": threshold,
                        "x_copy": value, "x_copy_best": hit[0]["x_copy_best"],
                        "passed": bool(value >= threshold)})
    return out


def format_report(result) -> str:
    """The printed table: x copy per variant and size, copy times, targets, environment."""
    rows, cfg = result["results"], result["config"]
    sizes = cfg["sizes"]
    lines = [f"relu_viz kernel benchmark, {cfg['dtype']}, BLAS threads pinned to 1: "
             f"{cfg['blas_threads_pinned']}", "environment: " + json.dumps(result["env"]), "",
             "x copy = GB/s of the operation / GB/s of np.copyto of the same size "
             "(bytes the operation must read + write); median of the per-round ratios of "
             "interleaved rounds", ""]
    head = f"{'group':<14}{'variant':<40}" + "".join(f"{n:>9.0e}" for n in sizes)
    lines += [head, "-" * len(head)]
    seen = []
    for r in rows:
        if (r["group"], r["variant"]) not in seen:
            seen.append((r["group"], r["variant"]))
    table = {(r["group"], r["variant"], r["size"]): r for r in rows}
    for group, variant in seen:
        cells = [table.get((group, variant, n)) for n in sizes]
        text = "".join(f"{c['x_copy']:>8.2f}x" if c else f"{'-':>9}" for c in cells)
        lines.append(f"{group:<14}{variant:<40}{text}")
    copy = [table.get(("copy", "np.copyto (ceiling)", n)) for n in sizes]
    lines.append(f"{'':<14}{'np.copyto median time (us)':<40}"
                 + "".join(f"{c['median_s'] * 1e6:>9.1f}" if c else f"{'-':>9}" for c in copy))
    lines.append(f"{'':<14}{'np.copyto GB/s':<40}"
                 + "".join(f"{c['gbps']:>9.1f}" if c else f"{'-':>9}" for c in copy))
    lines.append("")
    for t in result["targets"]:
        lines.append(f"{'PASS' if t['passed'] else 'FAIL'}  {t['variant']} at {t['size']:.0e}: "
                     f"{t['x_copy']:.2f}x copy, median (best runs: {t['x_copy_best']:.2f}x; "
                     f"target >= {t['threshold']}x)")
    lines.append(f"total {cfg['seconds']} s")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    run_kernel_bench(progress=lambda m: print(m, file=sys.stderr))
