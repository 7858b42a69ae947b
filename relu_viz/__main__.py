"""``python -m relu_viz`` and the ``relu-viz`` command.

``relu-viz run|presets|bench ...`` go to the command line tool (no window);
anything else opens the window (see ``relu-viz --help``).
"""

from __future__ import annotations

import sys

CLI_COMMANDS = frozenset({"run", "presets", "bench"})


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the CLI or the GUI; ``argv`` includes the program name like sys.argv."""
    argv = list(sys.argv if argv is None else argv)
    args = argv[1:]
    if args and args[0] in CLI_COMMANDS:
        try:
            from relu_viz import cli
        except ImportError as exc:
            print(f"relu-viz: the command line tool is not available ({exc}); "
                  f"'{args[0]}' cannot run", file=sys.stderr)
            return 2
        return cli.main(args)
    from relu_viz.gui.app import main as gui_main
    return gui_main(args)


if __name__ == "__main__":
    sys.exit(main())
