"""Start the window: QApplication, GUI arguments, ``--screenshot`` mode."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

import relu_viz
from relu_viz.app.argparsing import PROG, Parser, UsageError, bounded, print_error

DEFAULT_STEPS = 300
DEFAULT_SIZE = (1280, 800)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1280x800") from None
    if not (200 <= w <= 8000 and 150 <= h <= 8000):
        raise argparse.ArgumentTypeError(f"{text!r}: width 200-8000, height 150-8000 pixels")
    return w, h


def build_parser() -> argparse.ArgumentParser:
    """The GUI's command-line options."""
    parser = Parser(
        prog=PROG,
        description="A desktop lab for ReLU-family activations: train a small network and "
                    "watch every layer. Subcommands run, presets and bench work without a window.")
    start = parser.add_mutually_exclusive_group()
    start.add_argument("--config", metavar="FILE.json", help="start with this run config")
    start.add_argument("--preset", metavar="NAME",
                       help="open a ready-made experiment ('relu-viz presets' lists them)")
    start.add_argument("--session", metavar="FILE",
                       help="continue a saved session (File > Save session)")
    parser.add_argument("--single", action="store_true",
                        help="with --preset: show its base run, not its comparison")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="build the window, train, save a PNG of it and exit")
    parser.add_argument("--steps", type=bounded(int, 0, 10**9), default=None,
                        help=f"steps to train before --screenshot (default: the preset's "
                             f"own, 0 for a session, else {DEFAULT_STEPS})")
    parser.add_argument("--size", type=_size, default=None, metavar="WxH",
                        help="window size (default: the last one, or 1280x800)")
    return parser


def _has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _excepthook(exc_type, exc, tb) -> None:
    """Print unexpected errors instead of letting PyQt abort the process."""
    traceback.print_exception(exc_type, exc, tb, file=sys.stderr)


def _quiet_offscreen_noise() -> None:
    """Drop the offscreen plugin's harmless 'propagateSizeHints' warning; keep the rest."""
    from PyQt6 import QtCore

    def handler(mode, context, message):
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    QtCore.qInstallMessageHandler(handler)
    _quiet_offscreen_noise.handler = handler  # keep a reference for Qt


def make_app(argv: list[str]):
    """The QApplication (created once)."""
    from PyQt6 import QtWidgets
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        _quiet_offscreen_noise()
    app = QtWidgets.QApplication.instance()
    if app is None:
        app = QtWidgets.QApplication([sys.argv[0] if sys.argv else "relu-viz", *argv])
    app.setOrganizationName("relu_viz")
    app.setApplicationName("relu_viz")
    app.setApplicationDisplayName("relu_viz")
    icon = Path(relu_viz.__file__).resolve().parent.parent / "resources" / "icon.svg"
    if icon.is_file():  # absent only in a non-editable install; Qt's default icon then
        from PyQt6 import QtGui
        app.setWindowIcon(QtGui.QIcon(str(icon)))
    return app


def _fail(message: str) -> int:
    """Report a problem with the options or their files in one line; exit status 2."""
    print_error(message)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Run the window (or take a ``--screenshot``); returns the exit status."""
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    except UsageError as exc:  # a bad option: one line, as the command line tool does
        return _fail(str(exc))
    if not _has_display():
        if args.screenshot:
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        elif not os.environ.get("QT_QPA_PLATFORM"):
            return _fail("no display found (DISPLAY / WAYLAND_DISPLAY unset); run on a "
                         "desktop, or use --screenshot OUT.png to render without one")
    start = _load_start(args)
    if isinstance(start, int):
        return start
    config, preset, trainer = start
    app = make_app([])
    from relu_viz.gui.main_window import MainWindow
    try:
        window = MainWindow(config, remember=not args.screenshot)
    except (ValueError, OSError) as exc:
        return _fail(f"cannot start this run: {exc}")
    if preset is not None:
        window.open_preset(preset)
        if args.single:
            window.close_comparison()
    elif trainer is not None:
        window.use_session(trainer, args.session)
    if args.size or args.screenshot:
        window.resize(*(args.size or DEFAULT_SIZE))
    if args.screenshot:
        if args.steps is None:
            args.steps = (preset.steps if preset is not None else
                          0 if trainer is not None else DEFAULT_STEPS)
        return _screenshot(app, window, args)
    sys.excepthook = _excepthook
    window.show()
    return app.exec()


def _load_start(args):
    """(config, preset, trainer) from --config / --preset / --session, or an exit status."""
    from relu_viz.gui import export
    config = preset = trainer = None
    if args.single and not args.preset:
        return _fail("--single goes with --preset")
    if args.config:
        try:
            config = export.load_config(args.config)
        except export.ExportError as exc:
            return _fail(str(exc))
    elif args.preset:
        from relu_viz.app import presets
        try:
            preset = presets.load(args.preset)
        except ValueError as exc:
            return _fail(str(exc))
        config = preset.config
    elif args.session:
        from relu_viz.core.session import load_session
        try:
            trainer = load_session(args.session)
        except ValueError as exc:
            return _fail(str(exc))
        config = trainer.config
    return config, preset, trainer


def _screenshot(app, window, args) -> int:
    from relu_viz.gui import export
    window.show()
    app.processEvents()
    window.controller.run_steps(args.steps)
    window.controller.redraw(force=True)
    for _ in range(3):
        app.processEvents()
    image = window.grab().toImage()
    try:
        export.save_image(image, args.screenshot)
    except export.ExportError as exc:
        return _fail(str(exc))
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
