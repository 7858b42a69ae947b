"""The control panel's data set editor: the data set choice and the CSV file row.

A mixin of :class:`relu_viz.gui.panel.control_panel.ControlPanel`. Choosing "CSV file…" (or
the Browse button) asks for a file; a file the run cannot use is reported in a dialog
naming the file and the problem (line and column for a bad cell), and the panel keeps
showing the data set in force.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6 import QtWidgets

from relu_viz.gui.panel import field_builders as fb

CSV_FILTER = "CSV files (*.csv *.tsv *.txt);;All files (*)"


class DataSection:
    """Data set combo + CSV row for ControlPanel (uses its _emit, _editors, sync)."""

    def _make_dataset(self, spec):
        combo = fb.make_combo(spec)
        combo.currentIndexChanged.connect(self._on_dataset_chosen)
        self._csv_edit = QtWidgets.QLineEdit()
        self._csv_edit.setReadOnly(True)
        self._csv_edit.setPlaceholderText("no file chosen")
        self._csv_edit.setToolTip("The CSV file in use (last column = target).")
        self._csv_browse = fb.button(
            "Browse…", "Choose a CSV file: numeric columns, the last one is the target.",
            self._browse_csv)
        self._csv_row = fb.row(self._csv_edit, self._csv_browse, stretch=0)
        self._editors["dataset"] = combo
        self._editors["csv_path"] = self._csv_edit
        return fb.row(combo, self._csv_row, vertical=True)

    def _show_csv_path(self, path: str | None) -> None:
        self._csv_edit.setText(path or "")
        self._csv_edit.setCursorPosition(len(path or ""))  # show the file name
        self._csv_edit.setToolTip(path or "The CSV file in use.")

    def _on_dataset_chosen(self, _index: int) -> None:
        name = self._editors["dataset"].currentData()
        if name == "csv" and not self._config.csv_path:
            if not self._browse_csv():
                self.sync(self._config)
            return
        self._emit({"dataset": name})

    def _browse_csv(self) -> bool:
        """Ask for a CSV file and use it; False when cancelled or the file was refused."""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open a CSV data set", self._config.csv_path or "", CSV_FILTER)
        if not path:
            return False
        # The window answers a refused edit synchronously with set_error(message) (and
        # re-syncs the panel); a file chosen in a dialog deserves a dialog back.
        self._refusal = ""
        self._emit({"dataset": "csv", "csv_path": path})
        problem = self._refusal
        if problem:
            # CSV errors name the file already; others (batch too large) need it added.
            text = problem if Path(path).name in problem else f"{path}: {problem}"
            QtWidgets.QMessageBox.critical(self, "Could not use the CSV file", text)
            return False
        return True
