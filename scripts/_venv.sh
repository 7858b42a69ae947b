# Sourced by run.sh and test.sh: create .venv and install relu_viz with its test tools.
VENV="${RELU_VIZ_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
if [[ ! -x "$VENV/bin/python" ]]; then
    echo "Creating $VENV ..." >&2
    "$PYTHON" -m venv "$VENV"
fi
# Reinstall only when pyproject.toml changed since the last install.
STAMP="$VENV/.relu_viz_installed"
if [[ ! -f "$STAMP" || pyproject.toml -nt "$STAMP" ]]; then
    echo "Installing relu_viz and its dependencies into $VENV ..." >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 \
        | grep -v "is ignored: it is neither a file nor a directory" >&2 || true
    "$VENV/bin/python" -c "import relu_viz, PyQt6.QtWidgets, pyqtgraph, numpy" \
        || { echo "install failed" >&2; exit 1; }
    touch "$STAMP"
fi
