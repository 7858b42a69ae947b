"""The File menu's work: sessions, configs, recent files and exports (a MainWindow mixin).

Every failure becomes a message box naming the file and the problem; a failed open
leaves the window's run exactly as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

from PyQt6 import QtWidgets

from relu_viz.core import session
from relu_viz.gui import export

MAX_RECENT = 8
SESSION_FILTER = "relu_viz sessions (*.npz);;All files (*)"
CONFIG_FILTER = "JSON files (*.json);;All files (*)"


class RecentFiles:
    """Sessions and configs opened or saved lately, newest first, in QSettings (or memory)."""

    KEY = "recent_files"

    def __init__(self, settings=None):
        self._settings = settings
        self._items: list[tuple[str, str]] = self._load()

    def _load(self) -> list[tuple[str, str]]:
        text = self._settings.value(self.KEY, "") if self._settings is not None else ""
        try:
            items = json.loads(text) if text else []
            return [(str(k), str(p)) for k, p in items if k in ("session", "config")][:MAX_RECENT]
        except (ValueError, TypeError):
            return []

    def items(self) -> list[tuple[str, str]]:
        """(kind, path) pairs, kind 'session' or 'config', newest first."""
        return list(self._items)

    def add(self, kind: str, path) -> None:
        """Put ``path`` first (once), keep at most MAX_RECENT."""
        path = str(Path(path).absolute())
        self._items = [(kind, path)] + [(k, p) for k, p in self._items if p != path]
        self._items = self._items[:MAX_RECENT]
        self._save()

    def remove(self, path) -> None:
        self._items = [(k, p) for k, p in self._items if p != str(path)]
        self._save()

    def clear(self) -> None:
        self._items = []
        self._save()

    def prune(self) -> list[str]:
        """Drop the entries whose file is gone; returns their paths."""
        gone = [p for _, p in self._items if not Path(p).is_file()]
        if gone:
            self._items = [(k, p) for k, p in self._items if p not in gone]
            self._save()
        return gone

    def _save(self) -> None:
        if self._settings is not None:
            self._settings.setValue(self.KEY, json.dumps(self._items))
            self._settings.sync()


class FileActions:
    """Open/save of sessions and configs, recent files and exports, for MainWindow.

    Uses the window's ``controller``, ``plots``, ``recent``, ``recent_menu``, ``_settings``,
    ``compare_view``, ``preset_picker``, ``info_box`` and ``close_comparison()``.
    """

    # -- sessions ------------------------------------------------------------------------
    def save_session(self, path=None):
        """Save the single run (weights, optimizer, history) to continue it later."""
        t = self.controller.trainer
        path = path or self._ask_save("Save session", self._default_name("session", "npz"),
                                      SESSION_FILTER)
        if not path:
            return None
        try:
            session.save_session(t, path)
        except (OSError, ValueError) as exc:
            QtWidgets.QMessageBox.critical(self, "Could not save the session",
                                           f"Could not save {path}: {exc}")
            return None
        self._remember_dir(path)
        self.recent.add("session", path)
        note = " (the single run; comparisons are not saved)" if self.controller.comparing else ""
        self.statusBar().showMessage(f"Saved session at step {t.step_count:,}: {path}{note}",
                                     6000)
        return Path(path)

    def open_session(self, path=None) -> bool:
        """Continue a saved run; on any problem say so and keep the current run."""
        if not path:
            path, _ = QtWidgets.QFileDialog.getOpenFileName(
                self, "Open session", self._export_dir(), SESSION_FILTER)
        if not path:
            return False
        try:
            trainer = session.load_session(path)
        except (ValueError, OSError) as exc:
            QtWidgets.QMessageBox.critical(self, "Could not open the session", str(exc))
            return False
        self.use_session(trainer, path)
        return True

    def use_session(self, trainer, path) -> None:
        """Show a loaded session's Trainer as the single run."""
        self.close_comparison()
        self.preset_picker.set_current(None)
        self.info_box.hide()
        self.controller.set_trainer(
            trainer, f"Opened session {Path(path).name} at step {trainer.step_count:,}")
        self._remember_dir(path)
        self.recent.add("session", path)

    # -- configs -------------------------------------------------------------------------
    def open_config(self, path=None) -> bool:
        """Load a config JSON and start a run with it.

        A file that cannot be used (not JSON, a bad field, a CSV data set with a bad
        line, a batch larger than its data) is named in a dialog with the problem; the
        run, an open comparison and the recent files stay as they were.
        """
        if not path:
            path, _ = QtWidgets.QFileDialog.getOpenFileName(
                self, "Open config", self._export_dir(), CONFIG_FILTER)
        if not path:
            return False
        config = self._guard("Could not open the config", export.load_config, path)
        if config is None:
            return False
        # Applied before the comparison closes: a config the run refuses (its data set
        # only fails when loaded) must not cost the user the comparison.
        self.controller.apply_config(config)
        if self.controller.rejection:
            QtWidgets.QMessageBox.critical(
                self, "Could not open the config",
                f"{path} cannot be used:\n{self.controller.rejection}")
            return False
        self.close_comparison()
        self.recent.add("config", path)
        return self.controller.config == config

    def save_config(self, path=None):
        """Save the current config as JSON."""
        path = path or self._ask_save("Save config", "relu_viz_config.json", CONFIG_FILTER)
        if not path:
            return None
        done = self._guard("Could not save the config", export.save_config,
                           self.controller.config, path)
        if done:
            self.recent.add("config", path)
            self.statusBar().showMessage(f"Saved {done}", 5000)
        return done

    # -- recent files ----------------------------------------------------------------------
    def update_recent_menu(self) -> None:
        """Fill File > Open recent (dropping files that are gone, with a note)."""
        gone = self.recent.prune()
        if gone:
            names = ", ".join(Path(p).name for p in gone)
            self.statusBar().showMessage(f"Removed from the recent files (no longer there): "
                                         f"{names}", 8000)
        menu = self.recent_menu
        menu.clear()
        for kind, path in self.recent.items():
            act = menu.addAction(f"{Path(path).name}  ({kind})")
            act.setToolTip(path)
            act.setStatusTip(path)
            act.triggered.connect(lambda _c=False, k=kind, p=path: self.open_recent(k, p))
        if not self.recent.items():
            menu.addAction("(none yet)").setEnabled(False)
        menu.addSeparator()
        menu.addAction("Clear the list", self.recent.clear)

    def open_recent(self, kind: str, path: str) -> bool:
        """Open a recent session or config; a vanished file leaves the list with a message."""
        if not Path(path).is_file():
            self.recent.remove(path)
            QtWidgets.QMessageBox.warning(self, "File not found",
                                          f"{path} no longer exists; removed it from the "
                                          "recent files.")
            return False
        return self.open_session(path) if kind == "session" else self.open_config(path)

    # -- exports ---------------------------------------------------------------------------
    def _export_dir(self) -> str:
        if self._settings is not None:
            return str(self._settings.value("last_export_dir", str(Path.home())))
        return str(Path.home())

    def _remember_dir(self, path) -> None:
        if self._settings is not None:
            self._settings.setValue("last_export_dir", str(Path(path).parent
                                                          if Path(path).suffix else path))

    def _default_name(self, slug: str, ext: str) -> str:
        t = self.controller.trainer
        return export.default_filename(t.config.activation_label(), slug, t.step_count, ext)

    def _ask_save(self, title: str, name: str, filt: str) -> str:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, title, str(Path(self._export_dir()) / name), filt)
        return path

    def _guard(self, title: str, func, *args):
        try:
            return func(*args)
        except export.ExportError as exc:
            QtWidgets.QMessageBox.critical(self, title, str(exc))
            return None

    def _saved(self, done, path=None):
        if done:
            self._remember_dir(path or done)
            self.statusBar().showMessage(f"Saved {done}", 5000)
        return done

    def export_plot(self, plot, path=None, width: int = 1200):
        """One plot as PNG (asks where when ``path`` is None)."""
        path = path or self._ask_save("Export plot", self._default_name(plot.slug, "png"),
                                      "PNG images (*.png)")
        if not path:
            return None
        return self._saved(self._guard("Export failed", export.export_plot_png, plot, path,
                                       width), path)

    def export_all(self, folder=None, width: int = 1200):
        """Every plot as PNG into a folder (asks which when ``folder`` is None)."""
        folder = folder or QtWidgets.QFileDialog.getExistingDirectory(
            self, "Export all plots to folder", self._export_dir())
        if not folder:
            return None
        t = self.controller.trainer
        done = self._guard("Export failed", export.export_all_plots, self.plots, folder,
                           t.config.activation_label(), t.step_count, width)
        if done:
            if self._settings is not None:
                self._settings.setValue("last_export_dir", str(folder))
            self.statusBar().showMessage(f"Saved {len(done)} plots in {folder}", 5000)
        return done

    def export_current(self) -> None:
        """Ctrl+E: the comparison plot when shown, the plot shown large, else every plot."""
        if self.controller.comparing and self.compare_view is not None:
            self.export_plot(self.compare_view.plot)
        elif self._focused_plot is not None:
            self.export_plot(self._focused_plot)
        else:
            self.export_all()

    def export_window(self, path=None):
        """The whole window as PNG."""
        path = path or self._ask_save("Export window", self._default_name("window", "png"),
                                      "PNG images (*.png)")
        if not path:
            return None
        return self._saved(self._guard("Export failed", export.export_widget_png, self, path),
                           path)

    def export_csv(self, path=None):
        """The metrics history as CSV."""
        path = path or self._ask_save("Export metrics", self._default_name("metrics", "csv"),
                                      "CSV files (*.csv)")
        if not path:
            return None
        # What the user looks at: the comparison's runs on its tab, else the single run.
        c = self.controller
        subject = c.comparison if c.comparing else c.trainer
        return self._saved(self._guard("Export failed", export.export_metrics_csv,
                                       subject, path), path)
