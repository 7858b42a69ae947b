"""What a headless run leaves behind: CSV, a JSON summary and PNGs of the window's plots.

Qt is imported only inside the PNG functions, after :func:`ensure_offscreen` has chosen
the offscreen platform when there is no display, so the CSV and JSON are written (and
this module imports) where PyQt6 or pyqtgraph are missing. Every file is written
atomically (a temporary file in the same folder, then a rename), so a failed write
never truncates the file of an earlier run. File errors are raised as ``OSError`` for
the caller to report.
"""

from __future__ import annotations

import csv
import io
import math
import os
import sys
from pathlib import Path

import numpy as np

from relu_viz import __version__
from relu_viz.app.runs import safe_name
from relu_viz.core.atomic import atomic_write_text, atomic_write_with
from relu_viz.core.metrics import LAYER_NAMES, SCALAR_NAMES

DEFAULT_SIZE = (900, 600)
_APP = None  # the QApplication made by _app(), if it made one


# -- CSV ---------------------------------------------------------------------------------
def write_data(out: Path, runs: dict, comp) -> list[Path]:
    """``metrics.csv`` (and ``metrics_<run>.csv`` per run when comparing); paths written."""
    if comp is None:
        trainer = next(iter(runs.values()))
        text = trainer.history.to_csv_text(trainer.layer_names())
        return [write_text(out / "metrics.csv", text)]
    files = [write_text(out / "metrics.csv", combined_csv(runs))]
    for label, trainer in runs.items():
        text = trainer.history.to_csv_text(trainer.layer_names())
        files.append(write_text(out / f"metrics_{safe_name(label)}.csv", text))
    return files


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (OSError leaves an old file intact)."""
    return atomic_write_text(path, text)


def generic_layer_names(n_layers: int) -> list[str]:
    """``L1 ... L<k>, out``: layer names that mean the same in runs of other activations."""
    return [f"L{i + 1}" for i in range(n_layers - 1)] + ["out"]


def combined_csv(runs: dict) -> str:
    """Every run's history in one CSV: a ``run`` column, then the usual columns.

    Layer columns are named ``<metric>_L1 ... <metric>_out``; runs with fewer hidden
    layers leave the missing ones empty. Cells are formatted as
    ``MetricsHistory.to_csv_text`` formats them.
    """
    n_max = max(t.n_layers for t in runs.values())
    names = generic_layer_names(n_max)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["run", *SCALAR_NAMES, *(f"{m}_{n}" for m in LAYER_NAMES for n in names)])
    for label, trainer in runs.items():
        h = trainer.history
        n_rows, n = len(h), trainer.n_layers
        cols = list(range(n - 1)) + [n_max - 1]  # this run's layers in the shared layout
        table = np.full((n_rows, len(SCALAR_NAMES) + len(LAYER_NAMES) * n_max), np.nan)
        for j, name in enumerate(SCALAR_NAMES):
            table[:, j] = h.scalar(name)
        for k, metric in enumerate(LAYER_NAMES):
            start = len(SCALAR_NAMES) + k * n_max
            table[:, [start + c for c in cols]] = h.layer(metric)
        for values in table:
            writer.writerow([label] + [_cell(v, j == 0) for j, v in enumerate(values)])
    return buf.getvalue()


def _cell(v: float, is_step: bool) -> str:
    if not np.isfinite(v):
        return ""
    return str(int(v)) if is_step else repr(float(v))


# -- JSON summary ------------------------------------------------------------------------
def summary(preset, config, compare, steps: int, runs: dict, comp, checks,
            png_note: str | None) -> dict:
    """The summary.json content (JSON-safe: NaN and infinity become null)."""
    entries = [_run_json(t, label, comp) for label, t in runs.items()]
    out = {
        "relu_viz_version": __version__,
        "preset": preset.name if preset else None,
        "title": preset.title if preset else None,
        "claim": preset.claim if preset else None,
        "steps_requested": steps,
        "config": config.to_dict(),
        "compare": None if comp is None else {
            "spec": compare if isinstance(compare, str) else
            {k: list(v) for k, v in compare.items()},
            "labels": list(comp.labels), "fields": list(comp.fields),
            "shared_initial_weights": comp.shared_init},
        "diverged": any(e["diverged"] for e in entries),
        "divergence_message": " ".join(
            e["divergence_message"] if comp is None else
            f"[{e['label']}] {e['divergence_message']}" for e in entries if e["diverged"]),
    }
    if comp is None:
        for key in ("layer_names", "steps_done", "first_step", "last_step"):
            out[key] = entries[0][key]
    out["runs"] = entries
    if preset is not None:
        out["checks"] = [r.as_dict() for r in checks]
        out["claim_holds"] = all(r.passed for r in checks)
        out["checked_at_preset_steps"] = steps == preset.steps
    out["png_note"] = png_note
    return out


def _json_value(v):
    v = float(v)
    return v if math.isfinite(v) else None


def _row_json(trainer, row: dict) -> dict:
    names = trainer.layer_names()
    out = {name: _json_value(row[name]) for name in SCALAR_NAMES}
    out["step"] = int(row["step"])
    for metric in LAYER_NAMES:
        out[metric] = {ln: _json_value(v) for ln, v in zip(names, row[metric])}
    return out


def _run_json(trainer, label: str, comp) -> dict:
    h = trainer.history
    entry = {
        "label": label,
        "config": trainer.config.to_dict(),
        "layer_names": trainer.layer_names(),
        "steps_done": int(trainer.step_count),
        "diverged": bool(trainer.diverged),
        "divergence_message": trainer.divergence_message,
        "first_step": _row_json(trainer, h.row(0)) if len(h) else None,
        "last_step": _row_json(trainer, h.last()) if len(h) else None,
    }
    if comp is not None:
        entry["csv"] = f"metrics_{safe_name(label)}.csv"
    return entry


# -- PNG ---------------------------------------------------------------------------------
def ensure_offscreen() -> None:
    """Use Qt's offscreen platform when no display is available (Linux without X/Wayland)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def write_pngs(out: Path, runs: dict, comp, width: int = 1200
               ) -> tuple[list[Path], str | None]:
    """Every plot of every run, and the overlay when comparing; (paths, note or None).

    A plot that cannot load (no PyQt6 / pyqtgraph) is skipped and named in the note.
    """
    files, skipped = [], []
    try:
        for label, trainer in runs.items():
            suffix = "" if comp is None else f"_{safe_name(label)}"
            files += render_trainer_plots(trainer, out, suffix, width)
    except ImportError as exc:
        skipped.append(f"the window's plots ({exc})")
    if comp is not None:
        try:
            files.append(render_comparison(comp, out / "compare.png", width))
        except ImportError as exc:
            skipped.append(f"the comparison plot ({exc})")
    note = ("PNGs skipped, could not load " + "; ".join(skipped)) if skipped else None
    return files, note


def _app():
    """The QApplication, created once and kept.

    PyQt destroys a QApplication when its last Python reference goes; one created here
    and dropped would vanish after the export, and later Qt calls in the process (the
    next export, a window) would crash.
    """
    global _APP
    from PyQt6 import QtWidgets

    app = QtWidgets.QApplication.instance()
    if app is None:
        app = _APP = QtWidgets.QApplication(["relu-viz"])
    return app


def _export(plot, subject, path: Path, width: int) -> Path:
    """Lay the plot out at its export size off screen, draw ``subject`` and write it."""
    from PyQt6 import QtCore

    app = _app()
    try:
        plot.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        plot.resize(*DEFAULT_SIZE)
        plot.show()
        app.processEvents()
        plot.rebuild(subject)
        plot.refresh(subject)
        app.processEvents()
        # Qt writes to a file name: give it a temporary .png beside the target.
        atomic_write_with(path, lambda tmp: plot.export_png(tmp, width), suffix=".png")
    finally:
        plot.close()
        plot.deleteLater()
        app.processEvents()
    return Path(path)


def render_trainer_plots(trainer, out_dir: Path, suffix: str = "",
                         width: int = 1200) -> list[Path]:
    """Write ``<slug><suffix>.png`` for every plot of the window, drawn as the window does.

    Each plot gets ``rebuild(trainer)`` then ``refresh(trainer)``, then is exported
    ``width`` pixels wide.
    """
    ensure_offscreen()
    from relu_viz.gui.plots import ALL_PLOTS

    _app()
    return [_export(cls(), trainer, Path(out_dir) / f"{cls.slug}{suffix}.png", width)
            for cls in ALL_PLOTS]


def render_comparison(comparison, path: Path, width: int = 1200) -> Path:
    """Write the overlaid comparison figure (loss and per-layer gradient norm per run)."""
    ensure_offscreen()
    from relu_viz.gui.plots.compare_plot import ComparePlot

    _app()
    return _export(ComparePlot(), comparison, path, width)
