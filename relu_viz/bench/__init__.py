"""``relu-viz bench``: the kernel benchmark, or with ``--train`` the training benchmark.

Usage::

    relu-viz bench [--full | --quick] [--dtype float32|float64] [--json FILE] [--strict]
    relu-viz bench --train [--seconds S] [--quick] [--no-torch] [--breakdown]
                   [--stats-every K] [--json FILE] [--strict]

The kernel run is :func:`relu_viz.bench.kernels.run_kernel_bench` (GB/s and the ratio to
``np.copyto`` for 1e3 ... 1e7 elements); the training run is
:func:`relu_viz.bench.train.run_train_bench` (steps per second of four ReLU networks,
the share of the per-step statistics, and PyTorch eager when it is installed). Both
print tables. ``relu_viz.cli`` calls :func:`main` with the arguments after ``bench``;
a bad argument prints one line on stderr and returns 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from relu_viz.app.argparsing import Parser, UsageError, bounded, print_error

PROG = "relu-viz bench"
QUICK_SIZES = (10**3, 10**4)
QUICK_REPEATS = 3
QUICK_SECONDS = 0.3


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="Benchmark the ReLU kernels (default) or "
                     "training throughput (--train). Figures are medians of interleaved "
                     "runs with BLAS pinned to one thread; see docs/benchmarks.md.")
    parser.add_argument("--train", action="store_true",
                        help="training steps per second instead of the kernels")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true",
                      help="kernels: add 1e8 elements (~4 GB of memory, minutes)")
    size.add_argument("--quick", action="store_true",
                      help="a seconds-long smoke run (kernels: 1e3 and 1e4 elements, "
                      f"{QUICK_REPEATS} rounds; --train: {QUICK_SECONDS} s per network)")
    parser.add_argument("--dtype", choices=("float32", "float64"),
                        help="kernels: element type (default float32)")
    parser.add_argument("--seconds", type=bounded(float, 0, 3600, open_low=True), metavar="S",
                        help="--train: measuring seconds per network (default 4)")
    parser.add_argument("--no-torch", action="store_true",
                        help="--train: leave PyTorch out even when it is installed")
    parser.add_argument("--breakdown", action="store_true",
                        help="--train: also time each part of Trainer.step alone")
    parser.add_argument("--stats-every", type=bounded(int, 1, 1_000_000), metavar="K",
                        help="--train: measure the Trainer with its per-layer statistics "
                        "every K steps instead of the built-in cadence (an experiment)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a target fails")
    return parser


def _check(args) -> None:
    if args.train:
        for flag, given in (("--full", args.full), ("--dtype", args.dtype is not None)):
            if given:
                raise UsageError(f"{flag} applies to the kernel benchmark, not --train")
    else:
        for flag, given in (("--seconds", args.seconds is not None),
                            ("--no-torch", args.no_torch), ("--breakdown", args.breakdown),
                            ("--stats-every", args.stats_every is not None)):
            if given:
                raise UsageError(f"{flag} needs --train")


def _check_json(path: str | None) -> None:
    """Fail before a minutes-long run, not after it, when the JSON file cannot be written."""
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"--json {path}: is a directory")
    parent = target.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"--json {path}: {parent} is not a writable directory")


def main(args: list[str]) -> int:
    """Run ``relu-viz bench`` with ``args`` (the words after ``bench``); the exit status."""
    try:
        opts = build_parser().parse_args(list(args))
        _check(opts)
        _check_json(opts.json)
    except UsageError as exc:
        print_error(f"bench: {exc}")
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    progress = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    try:
        if opts.train:
            result = _train(opts, progress)
            checks = result["targets"]
        else:
            from relu_viz.bench.kernels import run_kernel_bench
            result = run_kernel_bench(
                sizes=QUICK_SIZES if opts.quick else None, dtype=opts.dtype or "float32",
                repeats=QUICK_REPEATS if opts.quick else None, full=opts.full,
                json_path=opts.json, progress=progress)
            checks = result["targets"]
    except OSError as exc:
        print(f"relu-viz: error: bench: --json {opts.json}: cannot write "
              f"({exc.strerror or exc})", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("relu-viz: error: bench: interrupted", file=sys.stderr)
        return 130
    failed = [t for t in checks if not t["passed"]]
    return 1 if opts.strict and failed else 0


def _train(opts, progress) -> dict:
    from relu_viz.bench import breakdown as bench_breakdown
    from relu_viz.bench import train as bench_train
    seconds = opts.seconds or (QUICK_SECONDS if opts.quick else bench_train.DEFAULT_SECONDS)
    result = bench_train.run_train_bench(seconds=seconds, use_torch=not opts.no_torch,
                                         json_path=None, progress=progress,
                                         stats_every=opts.stats_every)
    if opts.breakdown:
        print()
        result["breakdown"] = [bench_breakdown.breakdown(net, seconds=min(seconds, 2.0))
                               for net in bench_train.NETWORKS]
    if opts.json:
        import json
        with open(opts.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=1)
    return result
