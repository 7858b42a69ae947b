"""Benchmark the ReLU-family kernels against plain NumPy and np.copyto.

Usage::

    python benchmarks/bench_kernels.py                 # float32, 1e3 ... 1e7, < 60 s
    python benchmarks/bench_kernels.py --full          # adds 1e8 (~4 GB, minutes)
    python benchmarks/bench_kernels.py --dtype float64 --json bench.json

The same run is available as ``relu-viz bench``; see relu_viz/bench_kernels.py.
"""

import argparse
import sys
from pathlib import Path

try:
    from relu_viz.bench.kernels import run_kernel_bench
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from relu_viz.bench.kernels import run_kernel_bench


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", help="array sizes, e.g. 1e3 1e5")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--repeats", type=int, help="interleaved rounds per size")
    parser.add_argument("--full", action="store_true", help="add 1e8 elements")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes] if args.sizes else None
    result = run_kernel_bench(sizes=sizes, dtype=args.dtype, repeats=args.repeats,
                              full=args.full, json_path=args.json,
                              progress=lambda msg: print(msg, file=sys.stderr))
    failed = not all(t["passed"] for t in result["targets"])
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
