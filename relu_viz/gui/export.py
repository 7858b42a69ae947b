"""PNG / CSV / config export with atomic writes.

Every file is written to a temporary file in the target folder and moved into place
with ``os.replace``: a reader sees the old file or the whole new one, and a failed
export leaves nothing behind. Failures raise :class:`ExportError` with a message
meant for the user.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from PyQt6 import QtCore, QtGui

from relu_viz.app.report import combined_csv
from relu_viz.app.runs import Comparison
from relu_viz.core import atomic
from relu_viz.core.config import TrainConfig


class ExportError(Exception):
    """An export (or config load/save) failed; ``str(exc)`` explains it to the user."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; ExportError with a message for the user."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"Could not save {path.name}: the folder {folder} does not exist.")
    try:
        return atomic.atomic_write_bytes(path, data)
    except OSError as exc:
        raise ExportError(f"Could not save {path}: {_reason(exc)}.") from exc


def atomic_write_text(path, text: str) -> Path:
    """Write UTF-8 ``text`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def png_bytes(image: QtGui.QImage) -> bytes:
    """Encode a QImage as PNG bytes (ExportError if it is empty)."""
    if image is None or image.isNull():
        raise ExportError("Could not render the image (it is empty).")
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise ExportError("Could not encode the image as PNG.")
    return bytes(buffer.data())


def save_image(image: QtGui.QImage, path) -> Path:
    """Write a QImage as a PNG file, atomically."""
    return atomic_write_bytes(path, png_bytes(image))


def safe_name(text: str) -> str:
    """A string usable in a file name on every system."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-") or "run"


def default_filename(activation: str, slug: str, step: int, ext: str = "png") -> str:
    """``<activation>_<slug>_step<NNNNNN>.<ext>``."""
    return f"{safe_name(activation)}_{safe_name(slug)}_step{int(step):06d}.{ext}"


def export_plot_png(plot, path, width: int = 1200) -> Path:
    """One plot (a BasePlot) as a PNG ``width`` pixels wide."""
    try:
        image = plot.render_image(int(width))
    except Exception as exc:  # noqa: BLE001 - any renderer failure becomes a user message
        raise ExportError(f"Could not render the plot '{plot.title}': {exc}") from exc
    return save_image(image, path)


def export_all_plots(plots, folder, activation: str, step: int, width: int = 1200) -> list[Path]:
    """Every plot into ``folder`` as ``<activation>_<slug>_step<NNNNNN>.png``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportError(f"Could not export the plots: the folder {folder} does not exist.")
    written = []
    for plot in plots:
        path = folder / default_filename(activation, plot.slug, step)
        written.append(export_plot_png(plot, path, width))
    return written


def export_widget_png(widget, path) -> Path:
    """A widget (the whole window) as it looks on screen."""
    return save_image(widget.grab().toImage(), path)


def export_metrics_csv(subject, path) -> Path:
    """The metrics history as CSV: a header and one row per kept step (none at step 0).

    ``subject`` is a Trainer, or a Comparison: then every run goes into one file with a
    ``run`` column, as ``relu-viz run --compare`` writes its metrics.csv.
    """
    if isinstance(subject, Comparison):
        text = combined_csv(dict(zip(subject.labels, subject.trainers)))
    else:
        text = subject.history.to_csv_text(subject.layer_names())
    return atomic_write_text(path, text)


def save_config(config: TrainConfig, path) -> Path:
    """A config as pretty JSON."""
    return atomic_write_text(path, json.dumps(config.to_dict(), indent=2) + "\n")


def load_config(path) -> TrainConfig:
    """Read a config JSON file; ExportError naming the file and the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"Could not read {path}: {_reason(exc)}.") from exc
    except UnicodeDecodeError as exc:
        raise ExportError(f"{path} is not a text file.") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExportError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg}).") from exc
    try:
        return TrainConfig.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise ExportError(f"{path}: {exc}") from exc
