"""The split modules: old import paths still work, and the core stays free of Qt."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_core_module_and_the_presets_import_without_qt():
    code = textwrap.dedent("""
        import importlib, pkgutil, sys
        sys.modules["PyQt6"] = None  # any import of Qt now fails
        sys.modules["pyqtgraph"] = None
        import relu_viz.core
        for info in pkgutil.iter_modules(relu_viz.core.__path__):
            importlib.import_module("relu_viz.core." + info.name)
        import relu_viz.app.presets, relu_viz.app.preset_checks, relu_viz.app.argparsing
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_preset_names_stay_importable_from_relu_viz_presets():
    from relu_viz.app import preset_checks, presets
    for name in ("CheckResult", "verify", "describe"):
        assert getattr(presets, name) is getattr(preset_checks, name)
    for name in presets.__all__:
        assert hasattr(presets, name), name


def test_dataset_names_stay_importable_from_relu_viz_core_datasets():
    from relu_viz.core import data as datasets
    from relu_viz.core.data import base as dataset_base
    from relu_viz.core.data import csv_file as csv_data
    assert datasets.Dataset is dataset_base.Dataset
    assert datasets.load_csv is csv_data.load_csv
    # csv_data imports these from datasets at call time
    from relu_viz.core.data import _check_number, _split  # noqa: F401
    for name in datasets.__all__:
        assert hasattr(datasets, name), name
