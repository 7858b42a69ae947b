#!/usr/bin/env bash
# Install what is needed (into .venv) and run the whole test suite.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
export QT_QPA_PLATFORM=offscreen
exec "$VENV/bin/python" -m pytest "$@"
