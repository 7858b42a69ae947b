"""Command-line parsing shared by the window's options and the ``run | presets | bench`` tool.

Both report a bad option the same way: one line ``relu-viz: error: ...`` on stderr and
exit status 2, without argparse's usage lines (which push the error off a short terminal
and make the output two or three lines for scripts to parse).
"""

from __future__ import annotations

import argparse
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
