#!/usr/bin/env bash
# Install what is needed (into .venv) and start relu_viz.
# With no display, it starts on a virtual screen (Xvfb, installed with apt-get if missing).
# Usage: bash scripts/run.sh [relu-viz arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" || "$(uname)" == "Darwin" ]]; then
    exec "$VENV/bin/python" main.py "$@"
fi
if ! command -v xvfb-run >/dev/null; then
    echo "No display: installing a virtual screen (xvfb) ..." >&2
    SUDO=""; [[ "$(id -u)" != 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends xvfb xauth libxcb-icccm4 \
        libxcb-keysyms1 libxcb-cursor0 libxkbcommon-x11-0 >/dev/null
fi
echo "No display: running relu_viz on a virtual screen (1280x800)." >&2
exec xvfb-run -a -s "-screen 0 1280x800x24" "$VENV/bin/python" main.py "$@"
