"""Training throughput: steps per second of four ReLU networks, NumPy vs PyTorch eager.

Usage::

    python benchmarks/bench_train.py                    # 4 s per network, ~25 s in all
    python benchmarks/bench_train.py --seconds 10 --json train.json
    python benchmarks/bench_train.py --breakdown        # also time each part of Trainer.step

The same run is ``relu-viz bench --train``; see relu_viz/bench_train.py for the method
and docs/benchmarks.md for figures. PyTorch is used only when it is installed.
"""

import sys
from pathlib import Path

try:
    from relu_viz.bench import main
except ImportError:  # run from a source checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from relu_viz.bench import main

if __name__ == "__main__":
    sys.exit(main(["--train", *sys.argv[1:]]))
