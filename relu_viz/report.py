"""Offscreen rendering of the window's plots to PNG files, for the command line.

Qt is imported only inside these functions, after :func:`ensure_offscreen` has chosen
the offscreen platform when there is no display, so ``relu_viz.cli`` stays importable
(and writes its CSV and JSON) where PyQt6 or pyqtgraph are missing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DEFAULT_SIZE = (900, 600)


def ensure_offscreen() -> None:
    """Use Qt's offscreen platform when no display is available (Linux without X/Wayland)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def plot_classes():
    """The window's plot classes, or raise ImportError saying why they cannot load."""
    ensure_offscreen()
    from relu_viz.gui.plots import ALL_PLOTS

    return list(ALL_PLOTS)


def _app():
    from PyQt6 import QtWidgets

    app = QtWidgets.QApplication.instance()
    if app is None:
        app = QtWidgets.QApplication(["relu-viz"])
    return app


def _prepare(widget) -> None:
    """Lay the widget out at its export size without putting a window on screen."""
    from PyQt6 import QtCore, QtWidgets

    widget.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.resize(*DEFAULT_SIZE)
    widget.show()
    QtWidgets.QApplication.processEvents()


def render_trainer_plots(trainer, out_dir: Path, suffix: str = "",
                         width: int = 1200) -> list[Path]:
    """Write ``<slug><suffix>.png`` for every plot of the window; the paths written.

    Each plot is built the way the window builds it: ``rebuild(trainer)`` then
    ``refresh(trainer)``, then exported ``width`` pixels wide.
    """
    classes = plot_classes()
    app = _app()
    written = []
    for cls in classes:
        plot = cls()
        try:
            _prepare(plot)
            plot.rebuild(trainer)
            plot.refresh(trainer)
            app.processEvents()
            path = Path(out_dir) / f"{cls.slug}{suffix}.png"
            plot.export_png(str(path), width)
            written.append(path)
        finally:
            plot.close()
            plot.deleteLater()
    app.processEvents()
    return written


def render_comparison(comparison, path: Path, width: int = 1400) -> Path:
    """Write the overlaid comparison figure (loss and per-layer gradient norm per run)."""
    ensure_offscreen()
    from relu_viz.gui.plots.compare_plot import ComparePlot

    app = _app()
    plot = ComparePlot()
    try:
        _prepare(plot)
        plot.rebuild(comparison)
        plot.refresh(comparison)
        app.processEvents()
        plot.export_png(str(path), width)
    finally:
        plot.close()
        plot.deleteLater()
    app.processEvents()
    return Path(path)
