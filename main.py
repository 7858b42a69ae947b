"""Launch the relu_viz window: ``python main.py``."""

import sys

from relu_viz.gui.app import main

if __name__ == "__main__":
    sys.exit(main())
