"""Command-line parsing shared by the window's options and the ``run | presets | bench`` tool.

Both report a bad option the same way: one line ``relu-viz: error: ...`` on stderr and
exit status 2, without argparse's usage lines (which push the error off a short terminal
and make the output two or three lines for scripts to parse).
"""

from __future__ import annotations

import argparse
import math
import sys

PROG = "relu-viz"


class UsageError(Exception):
    """A problem with the arguments or files: reported in one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse whose usage errors raise :class:`UsageError` instead of printing and exiting.

    ``--help`` and ``--version`` still print and raise ``SystemExit(0)``.
    """

    def error(self, message: str):
        raise UsageError(message)


def print_error(message: str) -> None:
    """Print ``relu-viz: error: <message>`` as one line on stderr (whitespace collapsed)."""
    text = " ".join(message.split())
    print(f"{PROG}: error: {text}", file=sys.stderr)


def bounded(kind: type, lo: float, hi: float, open_low: bool = False):
    """An argparse ``type``: ``kind(text)`` (int or float) within [lo, hi], or (lo, hi]
    with ``open_low``; anything else is a one-line error naming the value and the range."""
    noun = "a whole number" if kind is int else "a number"
    interval = f"{'(' if open_low else '['}{lo}, {hi}]"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text} is outside {interval}")
        if value < lo or (open_low and value == lo):
            least = f"more than {lo}" if open_low else f"{lo} or more"
            raise argparse.ArgumentTypeError(f"{text} is outside {interval}: it must be {least}")
        if value > hi:
            raise argparse.ArgumentTypeError(f"{text} is outside {interval}: it must be {hi} "
                                             "or less")
        return value

    return parse
