"""Soak: a million headless training steps in bounded memory and at a steady rate.

Usage::

    python benchmarks/soak.py                         # 1,000,000 steps, a few minutes
    python benchmarks/soak.py --steps 100000          # a quick look
    python benchmarks/soak.py --json soak.json        # also write the figures as JSON

Run it when the history (relu_viz/core/metrics.py), the checkpoints (core/stats.py) or
the trainer change. One ``Trainer`` (2-8-8-1 on the circle data, batch 32, Adam,
evaluation every 10 steps: what the window runs, minus the drawing) steps ``--steps``
times in ``--windows`` equal windows. For each window it prints the steps per second,
the resident memory (VmRSS) at its end, the history's rows and bytes, the checkpoints'
count and bytes, and the number of live Python objects.

Steps per second of a window are the median over ``--chunks`` equal chunks of it, in
wall-clock time and in this process's CPU time. The verdict uses the CPU-time rate: on
a shared machine other processes slow the wall clock by a factor of two for minutes
while the work per step stays the same; a real slow-down (a history that grows, a
search that gets longer) shows in both.

PASS when both hold:

* memory: the largest VmRSS after the first window (the warm-up, by which the history
  and the checkpoints have filled and thinned many times) exceeds VmRSS at the end of
  the warm-up by at most 50 MB;
* speed: the last window's steps per CPU second are at least 0.9x the first window's.

Exit status 0 on PASS, 1 on FAIL (or when the run diverges), 2 on bad arguments.
BLAS runs on one thread (the trainer's matrices are tiny), set before NumPy loads.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402  (after the thread settings, before NumPy)
import gc  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

try:
    import relu_viz  # noqa: F401
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from relu_viz.core.config import TrainConfig  # noqa: E402
from relu_viz.core.trainer import Trainer  # noqa: E402

MAX_GROWTH_MB = 50.0
MIN_RATE_RATIO = 0.9
CONFIG = TrainConfig(dataset="circle", n_samples=500, hidden_layers=(8, 8), batch_size=32,
                     optimizer="adam", learning_rate=0.01, eval_every=10, seed=0)


def rss_mb() -> float:
    """Resident memory now (VmRSS), in MB; the peak (ru_maxrss) where /proc is missing."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def checkpoint_bytes(trainer: Trainer) -> int:
    ck = trainer.checkpoints
    return sum(p.nbytes for p in ck.params) + sum(np.asarray(h).nbytes for h in ck.histograms)


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    parts = [f"{p.get('internal_api')} {p.get('version')} {p.get('architecture')} "
             f"threads={p.get('num_threads')}" for p in threadpool_info()]
    return "; ".join(parts) or "no BLAS found"


def blas_env() -> str:
    """OPENBLAS_* settings of this machine (they change the BLAS kernel)."""
    found = [f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("OPENBLAS_")]
    return " ".join(found) or "no OPENBLAS_* variables"


def snapshot(trainer: Trainer) -> dict:
    return {"rss_mb": rss_mb(), "history_rows": len(trainer.history),
            "history_bytes": trainer.history.nbytes(),
            "checkpoints": len(trainer.checkpoints),
            "checkpoint_bytes": checkpoint_bytes(trainer),
            "python_objects": len(gc.get_objects())}


def run_window(trainer: Trainer, steps: int, chunks: int) -> dict:
    """Run ``steps`` steps in ``chunks`` chunks; wall and CPU seconds, median rates."""
    sizes = [steps // chunks + (1 if i < steps % chunks else 0) for i in range(chunks)]
    wall_rates, cpu_rates, wall, cpu = [], [], 0.0, 0.0
    for size in sizes:
        if size == 0:
            continue
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(size):
            if trainer.step() is None:
                raise RuntimeError(trainer.divergence_message or "training diverged")
        dw, dc = time.perf_counter() - w0, time.process_time() - c0
        wall, cpu = wall + dw, cpu + dc
        wall_rates.append(size / dw)
        cpu_rates.append(size / max(dc, 1e-9))
    return {"seconds": wall, "cpu_seconds": cpu, "steps_per_s": statistics.median(wall_rates),
            "steps_per_cpu_s": statistics.median(cpu_rates), "steps_per_s_mean": steps / wall}


def soak(steps: int, windows: int, chunks: int, out=sys.stdout) -> dict:
    """Run the soak and print the table; returns every figure (``passed`` included)."""
    start_rss = rss_mb()
    trainer = Trainer(CONFIG)
    net = "-".join(str(s) for s in trainer.model.layer_sizes)
    print(f"soak: {steps:,} steps of a {net} net, batch {CONFIG.batch_size}, "
          f"{CONFIG.dataset} ({trainer.dataset.n_train} training samples), evaluation "
          f"every {CONFIG.eval_every} steps; {windows} windows", file=out)
    print(f"python {platform.python_version()}, numpy {np.__version__}, BLAS: {blas_info()}; "
          f"{blas_env()}", file=out)
    print(f"history capacity {trainer.history.capacity:,} rows, checkpoints at most "
          f"{trainer.checkpoints.max_count:,}; RSS at start {start_rss:.1f} MB", file=out)
    header = (f"{'window':>6} {'steps to':>10} {'s':>6} {'steps/s':>8} {'/CPU s':>8} "
              f"{'x first':>7} {'RSS MB':>7} {'hist rows':>9} {'hist MB':>7} "
              f"{'ckpts':>6} {'ckpt MB':>7} {'objects':>8}")
    print(header, file=out)
    print("-" * len(header), file=out)
    rows = []
    per_window = [steps // windows + (1 if i < steps % windows else 0) for i in range(windows)]
    wall = time.perf_counter()
    for i, n in enumerate(per_window):
        row = {"window": i + 1, **run_window(trainer, n, chunks),
               "steps_to": trainer.step_count, **snapshot(trainer)}
        rate = row["steps_per_cpu_s"]
        row["ratio_to_first"] = rate / rows[0]["steps_per_cpu_s"] if rows else 1.0
        rows.append(row)
        print(f"{row['window']:>6} {row['steps_to']:>10,} {row['seconds']:>6.1f} "
              f"{row['steps_per_s']:>8,.0f} {rate:>8,.0f} {row['ratio_to_first']:>7.2f} "
              f"{row['rss_mb']:>7.1f} {row['history_rows']:>9,} "
              f"{row['history_bytes'] / 2**20:>7.2f} {row['checkpoints']:>6,} "
              f"{row['checkpoint_bytes'] / 2**20:>7.2f} {row['python_objects']:>8,}",
              file=out, flush=True)
    wall = time.perf_counter() - wall
    warm_rss = rows[0]["rss_mb"]
    later = [r["rss_mb"] for r in rows[1:]] or [warm_rss]
    growth = max(later) - warm_rss
    ratio = rows[-1]["steps_per_cpu_s"] / rows[0]["steps_per_cpu_s"]
    wall_ratio = rows[-1]["steps_per_s"] / rows[0]["steps_per_s"]
    memory_ok = growth <= MAX_GROWTH_MB
    speed_ok = ratio >= MIN_RATE_RATIO
    print("-" * len(header), file=out)
    print(f"RSS: start {start_rss:.1f} MB, after warm-up (window 1) {warm_rss:.1f} MB, "
          f"largest after {max(later):.1f} MB, end {rows[-1]['rss_mb']:.1f} MB", file=out)
    print(f"{'PASS' if memory_ok else 'FAIL'}  memory growth after warm-up {growth:+.1f} MB "
          f"(limit {MAX_GROWTH_MB:g} MB)", file=out)
    print(f"{'PASS' if speed_ok else 'FAIL'}  last window {rows[-1]['steps_per_cpu_s']:,.0f} "
          f"steps per CPU second = {ratio:.2f}x the first {rows[0]['steps_per_cpu_s']:,.0f} "
          f"(limit {MIN_RATE_RATIO:g}x); wall clock {rows[-1]['steps_per_s']:,.0f} vs "
          f"{rows[0]['steps_per_s']:,.0f} steps/s = {wall_ratio:.2f}x", file=out)
    print(f"{trainer.step_count:,} steps in {wall:.1f} s ({trainer.step_count / wall:,.0f} "
          f"steps/s overall)", file=out)
    return {"steps": steps, "windows": windows, "chunks": chunks, "network": net,
            "config": CONFIG.to_dict(), "python": platform.python_version(),
            "numpy": np.__version__, "blas": blas_info(), "blas_env": blas_env(),
            "rss_start_mb": start_rss,
            "rss_after_warmup_mb": warm_rss, "rss_growth_mb": growth,
            "rate_ratio_last_first": ratio, "wall_rate_ratio_last_first": wall_ratio,
            "seconds": wall, "rows": rows,
            "memory_ok": memory_ok, "speed_ok": speed_ok,
            "passed": memory_ok and speed_ok}


def _positive(text: str) -> int:
    try:
        value = int(float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=_positive, default=1_000_000,
                        help="training steps in all (default 1e6; 1e5 for a quick look)")
    parser.add_argument("--windows", type=_positive, default=10,
                        help="equal windows the steps are reported in (default 10)")
    parser.add_argument("--chunks", type=_positive, default=20,
                        help="chunks per window; a window's rate is their median (20)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    args = parser.parse_args(argv)
    if args.windows < 2 or args.steps < args.windows * args.chunks:
        parser.error("need at least 2 windows and one step per chunk")
    try:
        result = soak(args.steps, args.windows, args.chunks)
    except RuntimeError as exc:
        print(f"FAIL  {exc}")
        return 1
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
