"""The headless command line: ``relu-viz run | presets | bench``.

``run`` trains exactly as the window does (``Trainer(config)`` then ``step()``), so the
same config and seed give the same numbers, and writes into ``--out DIR``:

``metrics.csv``
    One row per recorded step, a column per scalar metric and per (metric, layer), as
    the window's CSV export. With ``--compare`` (or a preset that compares runs) it
    holds every run, with a first column ``run`` naming the run and layer columns
    ``<metric>_L1 ... <metric>_out`` shared by the runs; each run also gets
    ``metrics_<run>.csv`` with its own layer names.
``summary.json``
    The config, the per-layer metrics at the first and the last step, the divergence
    flag and message, and for a preset its claim and each measured check.
``<plot>.png`` (``<plot>_<run>.png`` when comparing) and ``compare.png``
    Every plot of the window, drawn offscreen by the same plot classes; with several
    runs also an overlay of their loss and per-layer gradient norms. Skipped, with a
    note, when PyQt6 or pyqtgraph are missing.

Errors in arguments or files exit with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

from relu_viz import __version__
from relu_viz.app import presets, report
from relu_viz.app.argparsing import PROG, Parser, UsageError, bounded, print_error
from relu_viz.app.runs import Comparison
from relu_viz.core.config import TrainConfig
from relu_viz.core.trainer import Trainer

DEFAULT_STEPS = 200
MAX_STEPS = 10_000_000
STEPS = bounded(int, 1, MAX_STEPS)
SEED = bounded(int, 0, 2**32 - 1)

#: A problem with the arguments or files: one line on stderr, exit status 2 (the window's
#: options raise the same class).
CliError = UsageError


# -- entry point -------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    """Run one command; ``argv`` excludes the program name. Returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "bench":
            return _bench(argv[1:])
        args = build_parser().parse_args(argv)
        return args.func(args)
    except CliError as exc:
        print_error(str(exc))
        return 2
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except KeyboardInterrupt:
        print(file=sys.stderr)
        print_error("interrupted")
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="relu_viz without a window: run presets or "
                    "configs headless, list the presets, benchmark the kernels.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=Parser)

    run = sub.add_parser("run", help="train headless and write CSV, JSON and PNGs",
                         description="Train headless and write metrics.csv, summary.json "
                         "and a PNG of every plot into --out.")
    source = run.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help="a preset (see 'relu-viz presets')")
    source.add_argument("--config", metavar="FILE", type=Path,
                        help="a JSON config (TrainConfig fields) or a preset file")
    run.add_argument("--steps", type=STEPS, metavar="N",
                     help=f"steps to run (default: the preset's, or {DEFAULT_STEPS})")
    run.add_argument("--compare", metavar="SPEC",
                     help="side-by-side runs, e.g. activation=relu,sigmoid "
                     "(several fields: init=he_normal,normal;init_scale=1,0.01)")
    run.add_argument("--seed", type=SEED, metavar="S", help="replace the config's seed")
    run.add_argument("--out", required=True, type=Path, metavar="DIR",
                     help="output directory (created if missing)")
    run.add_argument("--width", type=bounded(int, 100, 8000), default=1200, metavar="PX",
                     help="PNG width in pixels, 100-8000 (default 1200)")
    run.add_argument("--no-png", action="store_true", help="write only CSV and JSON")
    run.set_defaults(func=cmd_run)

    lister = sub.add_parser("presets", help="list the presets with their claims")
    lister.set_defaults(func=cmd_presets)

    sub.add_parser("bench", help="benchmark the kernels and the trainer (see bench --help)",
                   add_help=False)
    return parser


def _bench(args: list[str]) -> int:
    try:
        bench = importlib.import_module("relu_viz.bench")
    except ImportError as exc:
        if isinstance(exc, ModuleNotFoundError) and exc.name == "relu_viz.bench":
            raise CliError("bench is not available: this installation has no "
                           "relu_viz.bench") from None
        raise CliError(f"bench cannot start: {exc}") from None
    return int(bench.main(args) or 0)


# -- presets -----------------------------------------------------------------------------
def cmd_presets(args) -> int:
    try:
        items = presets.list_presets()
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if not items:
        print(f"no presets found in {presets.presets_dir()}")
        return 0
    width = max(len(p.name) for p in items)
    for p in items:
        print(f"{p.name:<{width}}  {p.title}")
        print(f"{'':<{width}}  claim: {p.claim}")
    return 0


# -- run ---------------------------------------------------------------------------------
def cmd_run(args) -> int:
    preset, config, compare = _resolve_source(args)
    if args.seed is not None:
        config = _checked(lambda: config.replace(seed=args.seed), "--seed")
    if args.compare is not None:
        compare = args.compare
    steps = args.steps or (preset.steps if preset else DEFAULT_STEPS)
    out = _prepare_out(args.out)

    if compare is not None:
        comp = _checked(lambda: Comparison.from_spec(config, compare), "--compare")
        runs = dict(zip(comp.labels, comp.trainers))
    else:
        comp = None
        runs = {presets.SINGLE_LABEL: _checked(lambda: Trainer(config), "config")}
    for trainer in runs.values():  # the window refuses this too (controller.check_fits)
        n_train = trainer.dataset.n_train
        if trainer.config.batch_size > n_train:
            raise CliError(f"config: batch_size: {trainer.config.batch_size} is larger than "
                           f"the training set ({n_train} samples); use at most {n_train}")

    progress = Progress(steps, len(runs))
    t0 = time.perf_counter()
    for i in range(steps):
        for trainer in runs.values():
            trainer.step()  # a diverged run returns None and stays where it stopped
        progress.update(i + 1)
    progress.finish(time.perf_counter() - t0)

    checks = presets.verify(preset, runs) if preset is not None else []
    try:
        files = report.write_data(out, runs, comp)
        png_note = "PNGs not requested (--no-png)" if args.no_png else None
        if not args.no_png:
            pngs, png_note = report.write_pngs(out, runs, comp, args.width)
            files += pngs
        summary = report.summary(preset, config, compare, steps, runs, comp, checks, png_note)
        summary["files"] = [p.name for p in files] + ["summary.json"]
        report.write_text(out / "summary.json",
                          json.dumps(summary, indent=2, allow_nan=False) + "\n")
    except OSError as exc:
        raise CliError(f"--out {out}: cannot write ({exc.strerror or exc})") from None

    if png_note:
        print(png_note, file=sys.stderr)
    for label, trainer in runs.items():
        if trainer.diverged:
            name = "" if comp is None else f"[{label}] "
            print(f"{name}{trainer.divergence_message}")
    if checks and steps != preset.steps:
        print(f"checks after {steps} steps (the claim is for {preset.steps}):")
    for result in checks:
        print(result)
    print(f"wrote {len(files) + 1} files to {out}")
    return 0


def _resolve_source(args):
    """(preset or None, base config, compare spec or None) from --preset / --config."""
    if args.preset is not None:
        try:
            preset = presets.load(args.preset)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        return preset, preset.config, preset.compare
    path = args.config
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"--config {path}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise CliError(f"--config {path}: not a JSON text file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"--config {path}: not valid JSON ({exc})") from None
    if isinstance(data, dict) and "config" in data and "check" in data:
        try:
            preset = presets.from_dict(data)
        except ValueError as exc:
            raise CliError(f"--config {path}: {exc}") from None
        return preset, preset.config, preset.compare
    try:
        return None, TrainConfig.from_dict(data), None
    except (TypeError, ValueError) as exc:
        raise CliError(f"--config {path}: {exc}") from None


def _checked(build, what: str):
    """Run ``build()``; a ValueError / OSError becomes a CliError naming ``what``."""
    try:
        return build()
    except (TypeError, ValueError, OSError) as exc:
        raise CliError(f"{what}: {exc}") from None


def _prepare_out(out: Path) -> Path:
    """Create the output directory and prove it is writable, before any training."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".relu_viz_write_test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CliError(f"--out {out}: not a writable directory "
                       f"({exc.strerror or exc})") from None
    return out


# -- progress ----------------------------------------------------------------------------
class Progress:
    """A text progress bar on stderr, redrawn in place; one final line when not a TTY."""

    BAR = 30

    def __init__(self, total: int, n_runs: int = 1, stream=None) -> None:
        self.total = max(int(total), 1)
        self.n_runs = n_runs
        self.stream = sys.stderr if stream is None else stream
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_draw = 0.0
        self._start = time.perf_counter()

    def update(self, done: int) -> None:
        if not self.tty:
            return
        now = time.perf_counter()
        if done < self.total and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        filled = int(self.BAR * done / self.total)
        bar = "#" * filled + "." * (self.BAR - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} steps  {now - self._start:5.1f} s")
        self.stream.flush()

    def finish(self, seconds: float) -> None:
        runs = "" if self.n_runs == 1 else f" x {self.n_runs} runs"
        line = f"{self.total} steps{runs} in {seconds:.1f} s"
        if self.tty:
            self.update(self.total)
            self.stream.write("\n")
        self.stream.write(f"{PROG}: {line}\n")
        self.stream.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
