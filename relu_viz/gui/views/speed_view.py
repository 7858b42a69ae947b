"""The "ReLU speed" view: the kernel benchmark run from the window, drawn as GB/s by size.

:class:`SpeedDialog` runs :func:`relu_viz.bench.kernels.run_kernel_bench` one array size
at a time in a worker thread (NumPy releases the GIL in its loops, so the window keeps
painting), with a progress bar and a Cancel button that stops after the size in hand.
It draws GB/s against the array size (log x), one curve per implementation of the chosen
operation, with the ``np.copyto`` ceiling as a thick dashed line, and a table of every
implementation's ratio to that ceiling ("x copy"). The plot exports to PNG.

Figures taken while the window trains are noisier: pause training for steadier ones.
While a size runs, the bench pins BLAS to one thread for the whole process (threadpoolctl
limits are process-wide), so a training run in the window is pinned too for that time.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import math
import threading

import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers ImageExporter)
from PyQt6 import QtCore, QtGui, QtWidgets

from relu_viz.gui.plots import style

COPY_GROUP, COPY_VARIANT = "copy", "np.copyto (ceiling)"
QUICK_SIZES = (10**3, 10**4, 10**5, 10**6)
FULL_SIZES = QUICK_SIZES + (10**7,)
DEFAULT_REPEATS = 9
DEFAULT_GROUP = "relu forward"


class BenchWorker(QtCore.QThread):
    """Runs the kernel benchmark size by size; emits each size's rows as it finishes.

    Signals
    -------
    size_done(object)
        ``(size, rows, env)``: the rows of one size (dicts as in ``run_kernel_bench``).
    failed(str)
        The benchmark raised; the message.
    """

    size_done = QtCore.pyqtSignal(object)
    failed = QtCore.pyqtSignal(str)

    def __init__(self, sizes, dtype="float32", repeats=DEFAULT_REPEATS, bench=None,
                 parent=None):
        super().__init__(parent)
        self.sizes = tuple(int(s) for s in sizes)
        self.dtype = dtype
        self.repeats = int(repeats)
        self._bench = bench
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Stop before the next size (the size in hand runs to its end)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:  # the thread's body
        bench = self._bench
        if bench is None:
            from relu_viz.bench.kernels import run_kernel_bench as bench
        try:
            quiet = "quiet" in inspect.signature(bench).parameters
        except (TypeError, ValueError):
            quiet = False
        for n in self.sizes:
            if self._cancel.is_set():
                return
            try:
                if quiet:
                    result = bench(sizes=[n], dtype=self.dtype, repeats=self.repeats, quiet=True)
                else:
                    # The bench prints its table; keep the terminal of the window quiet.
                    with contextlib.redirect_stdout(io.StringIO()):
                        result = bench(sizes=[n], dtype=self.dtype, repeats=self.repeats)
            except Exception as exc:  # reported in the dialog, never raised into Qt
                self.failed.emit(f"{type(exc).__name__}: {exc}")
                return
            self.size_done.emit((n, result.get("results", []), result.get("env", {})))


class SpeedDialog(QtWidgets.QDialog):
    """The "ReLU speed" dialog: run the kernel benchmark, plot GB/s, table of x copy.

    Parameters
    ----------
    parent : QWidget, optional
    sizes : sequence of int, optional
        Array sizes to run (default 1e3 ... 1e6; "Include 1e7" adds 1e7).
    repeats : int
        Interleaved rounds per size.
    bench : callable, optional
        Stand-in for ``run_kernel_bench`` (same keywords), for tests.
    """

    finished_run = QtCore.pyqtSignal(str)  # "done", "cancelled" or "failed"

    def __init__(self, parent=None, sizes=None, repeats: int = DEFAULT_REPEATS, bench=None):
        super().__init__(parent)
        self.setWindowTitle("ReLU speed")
        self._fixed_sizes = tuple(int(s) for s in sizes) if sizes else None
        self._bench = bench
        self.rows: list[dict] = []
        self.env: dict = {}
        self.state = "idle"  # idle, running, cancelling, done, cancelled, failed
        self.worker: BenchWorker | None = None
        self._failure: str | None = None
        self._sizes_done = 0
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._build(repeats)
        self.resize(980, 720)

    # -- layout --------------------------------------------------------------------------
    def _build(self, repeats: int) -> None:
        lay = QtWidgets.QVBoxLayout(self)
        intro = QtWidgets.QLabel(
            "Throughput of each ReLU implementation against the array size, next to "
            "<code>np.copyto</code> of the same size, the ceiling for an operation that "
            "reads and writes every element once. One BLAS thread; medians of "
            "interleaved rounds. Pause training for steadier figures.")
        intro.setWordWrap(True)
        lay.addWidget(intro)

        bar = QtWidgets.QHBoxLayout()
        self.dtype_box = QtWidgets.QComboBox()
        self.dtype_box.addItems(["float32", "float64"])
        self.dtype_box.setToolTip("Element type of the arrays")
        self.big_box = QtWidgets.QCheckBox("Include 1e7")
        self.big_box.setToolTip("Also 10 million elements: out of cache, a few seconds more")
        self.big_box.setVisible(self._fixed_sizes is None)
        self.repeats_box = QtWidgets.QSpinBox()
        self.repeats_box.setRange(1, 200)
        self.repeats_box.setValue(int(repeats))
        self.repeats_box.setToolTip("Interleaved rounds per size (more: steadier, slower)")
        self.group_box = QtWidgets.QComboBox()
        self.group_box.setToolTip("Which operation's implementations to draw")
        self.group_box.addItem(DEFAULT_GROUP)
        self.group_box.currentTextChanged.connect(self._draw)
        self.run_button = QtWidgets.QPushButton("Run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.export_button = QtWidgets.QPushButton("Export PNG…")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._on_export)
        for label, widget in (("Type", self.dtype_box), ("Rounds", self.repeats_box),
                              ("Show", self.group_box)):
            bar.addWidget(QtWidgets.QLabel(label))
            bar.addWidget(widget)
        bar.addWidget(self.big_box)
        bar.addStretch(1)
        for button in (self.run_button, self.cancel_button, self.export_button):
            bar.addWidget(button)
        lay.addLayout(bar)

        self.progress = QtWidgets.QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%v of %m sizes")
        self.status = QtWidgets.QLabel("Press Run to measure.")
        self.status.setWordWrap(True)
        prog = QtWidgets.QHBoxLayout()
        prog.addWidget(self.progress, 1)
        prog.addWidget(self.status, 2)
        lay.addLayout(prog)

        self.plot_widget = pg.GraphicsLayoutWidget()
        self.plot_widget.setBackground("w")
        self.plot = self.plot_widget.addPlot(row=0, col=0)
        self.plot.setLogMode(x=True, y=False)
        style.style_axes(self.plot, "array size (elements, log scale)",
                         "throughput (GB/s, bytes read + written)")
        style.set_title(self.plot, "ReLU implementations vs the np.copyto ceiling")
        self.plot.setMenuEnabled(False)
        # The legend gets its own column: curves fill the whole plot area.
        self.legend = pg.LegendItem(labelTextColor=style.TEXT)
        side = self.plot_widget.addLayout(row=0, col=1)
        side.addItem(self.legend, row=0, col=0)
        side.addItem(pg.GraphicsWidget(), row=1, col=0)  # takes the height left below
        side.layout.setRowStretchFactor(1, 1)
        self.plot_widget.ci.layout.setColumnStretchFactor(0, 3)
        self.plot_widget.setMinimumHeight(300)

        self.table = QtWidgets.QTableWidget(0, 0)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setToolTip("x copy: GB/s of the implementation / GB/s of np.copyto "
                              "of the same size (above 1: faster than a plain copy)")
        self.table.verticalHeader().setVisible(False)
        self.env_label = QtWidgets.QLabel("")
        self.env_label.setWordWrap(True)
        self.env_label.setStyleSheet(f"color: {style.MUTED}")

        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        split.addWidget(self.plot_widget)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay.addWidget(split, 1)
        lay.addWidget(self.env_label)
        close = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay.addWidget(close)

    # -- running -------------------------------------------------------------------------
    def sizes(self) -> tuple[int, ...]:
        """The sizes the next run measures."""
        if self._fixed_sizes:
            return self._fixed_sizes
        return FULL_SIZES if self.big_box.isChecked() else QUICK_SIZES

    @property
    def running(self) -> bool:
        return self.worker is not None and self.worker.isRunning()

    def start(self) -> None:
        """Start a run (ignored while one is running)."""
        if self.running:
            return
        sizes = self.sizes()
        self.rows = []
        self._sizes_done = 0
        self.worker = BenchWorker(sizes, self.dtype_box.currentText(),
                                  self.repeats_box.value(), self._bench, self)
        self.worker.size_done.connect(self._on_size_done)
        self.worker.failed.connect(self._on_failed)
        self.worker.finished.connect(self._on_finished)
        self.progress.setRange(0, len(sizes))
        self.progress.setValue(0)
        self._set_state("running", f"Measuring {len(sizes)} sizes…")
        self._draw()
        self.worker.start()

    def cancel(self) -> None:
        """Stop after the size in hand; the sizes measured so far stay drawn."""
        if not self.running:
            return
        self.worker.cancel()
        self._set_state("cancelling", "Cancelling after the current size…")

    def _set_state(self, state: str, message: str) -> None:
        self.state = state
        self.status.setText(message)
        busy = state in ("running", "cancelling")
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(state == "running")
        self.dtype_box.setEnabled(not busy)
        self.repeats_box.setEnabled(not busy)
        self.big_box.setEnabled(not busy)
        self.export_button.setEnabled(bool(self.rows) and not busy)

    def _on_size_done(self, payload) -> None:
        n, rows, env = payload
        sender = self.sender()
        if self.worker is None or (sender is not None and sender is not self.worker):
            return  # a late signal of an earlier run
        self.rows.extend(rows)
        self.env = env or self.env
        self._sizes_done += 1
        self.progress.setValue(self._sizes_done)
        if self.state == "running":
            self.status.setText(f"{n:.0e} elements done ({self._sizes_done} of "
                                f"{self.progress.maximum()})")
        self._refresh_groups()
        self._draw()
        self._fill_table()
        self._show_env()

    def _on_failed(self, message: str) -> None:
        self._failure = message

    def _on_finished(self) -> None:
        worker = self.worker
        sender = self.sender()
        if worker is None or (sender is not None and sender is not worker):
            return
        failure = self._failure
        self._failure = None
        if failure:
            self._set_state("failed", f"The benchmark failed: {failure}")
            outcome = "failed"
        elif worker.cancelled:
            self._set_state("cancelled", f"Cancelled: {self._sizes_done} of "
                            f"{len(worker.sizes)} sizes measured.")
            outcome = "cancelled"
        else:
            self._set_state("done", f"Done: {self._sizes_done} sizes, "
                            f"{len({r['variant'] for r in self.rows})} implementations.")
            outcome = "done"
        self.finished_run.emit(outcome)

    # -- drawing -------------------------------------------------------------------------
    def groups(self) -> list[str]:
        """Operations measured so far, in the bench's order (the copy ceiling excluded)."""
        seen = []
        for r in self.rows:
            if r["group"] != COPY_GROUP and r["group"] not in seen:
                seen.append(r["group"])
        return seen

    def _refresh_groups(self) -> None:
        current = self.group_box.currentText() or DEFAULT_GROUP
        groups = self.groups() or [DEFAULT_GROUP]
        if [self.group_box.itemText(i) for i in range(self.group_box.count())] == groups:
            return
        self.group_box.blockSignals(True)
        self.group_box.clear()
        self.group_box.addItems(groups)
        self.group_box.setCurrentText(current if current in groups else groups[0])
        self.group_box.blockSignals(False)

    def series(self, group: str | None = None) -> dict[str, tuple[list, list]]:
        """``{variant: (sizes, GB/s)}`` of ``group`` (default: the one shown) and the copy."""
        group = group or self.group_box.currentText() or DEFAULT_GROUP
        out: dict[str, tuple[list, list]] = {}
        for r in sorted(self.rows, key=lambda r: r["size"]):
            if r["group"] in (group, COPY_GROUP):
                xs, ys = out.setdefault(r["variant"], ([], []))
                xs.append(r["size"])
                ys.append(r["gbps"])
        return out

    def _draw(self, *_args) -> None:
        for curve in self.curves.values():
            self.plot.removeItem(curve)
        self.curves.clear()
        self.legend.clear()
        data = self.series()
        others = [v for v in data if v != COPY_VARIANT]
        if COPY_VARIANT in data:
            xs, ys = data[COPY_VARIANT]
            pen = pg.mkPen(style.OUTPUT_COLOR, width=4, style=QtCore.Qt.PenStyle.DashLine)
            self.curves[COPY_VARIANT] = self.plot.plot(
                xs, ys, pen=pen, symbol="o", symbolSize=7, symbolBrush=style.OUTPUT_COLOR,
                symbolPen=None)
            self.legend.addItem(self.curves[COPY_VARIANT], "np.copyto (ceiling)")
        for i, variant in enumerate(others):
            xs, ys = data[variant]
            colour = style.layer_color(i, max(len(others), 1))
            self.curves[variant] = self.plot.plot(
                xs, ys, pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=6,
                symbolBrush=colour, symbolPen=None)
            self.legend.addItem(self.curves[variant], variant)
        self._set_axes(data)

    def _set_axes(self, data) -> None:
        """Decade ticks on x (10^3, 10^4, ...); y from 0 to just above the highest point."""
        sizes = sorted({x for xs, _ in data.values() for x in xs})
        top = max((y for _, ys in data.values() for y in ys), default=1.0)
        if sizes:
            lo, hi = math.floor(math.log10(sizes[0])), math.ceil(math.log10(sizes[-1]))
            ticks = [(k, f"1e{k}") for k in range(lo, hi + 1)]
            self.plot.getAxis("bottom").setTicks([ticks, []])
            pad = 0.15
            self.plot.setXRange(math.log10(sizes[0]) - pad, math.log10(sizes[-1]) + pad,
                                padding=0)
        self.plot.setYRange(0, top * 1.08, padding=0)

    def _fill_table(self) -> None:
        sizes = sorted({r["size"] for r in self.rows})
        variants = []
        for r in self.rows:
            key = (r["group"], r["variant"])
            if key not in variants:
                variants.append(key)
        cell = {(r["group"], r["variant"], r["size"]): r for r in self.rows}
        self.table.clear()
        self.table.setRowCount(len(variants))
        self.table.setColumnCount(2 + len(sizes))
        self.table.setHorizontalHeaderLabels(
            ["operation", "implementation"] + [f"{n:.0e} (x copy)" for n in sizes])
        for row, (group, variant) in enumerate(variants):
            self.table.setItem(row, 0, QtWidgets.QTableWidgetItem(group))
            self.table.setItem(row, 1, QtWidgets.QTableWidgetItem(variant))
            for col, n in enumerate(sizes):
                r = cell.get((group, variant, n))
                if r is None:
                    continue
                item = QtWidgets.QTableWidgetItem(f"{r['x_copy']:.2f}x")
                item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight
                                      | QtCore.Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(f"{r['gbps']:.1f} GB/s, median {r['median_s'] * 1e6:.1f} us")
                if group != COPY_GROUP and r["x_copy"] >= 1.0:
                    item.setForeground(QtGui.QColor("#1b7a3a"))
                self.table.setItem(row, 2 + col, item)
        self.table.resizeColumnsToContents()

    def _show_env(self) -> None:
        env = self.env or {}
        blas = env.get("blas")
        if isinstance(blas, list):
            kernels = ", ".join(f"{b.get('internal_api')} {b.get('architecture') or ''} "
                                f"x{b.get('num_threads')}".strip() for b in blas)
        else:
            kernels = str(blas or env.get("threadpoolctl", "unknown"))
        self.env_label.setText(
            f"NumPy {env.get('numpy', '?')}, {env.get('cpu_count', '?')} CPUs, BLAS: {kernels}; "
            f"OPENBLAS_CORETYPE={env.get('OPENBLAS_CORETYPE')}, "
            f"OPENBLAS_L2_SIZE={env.get('OPENBLAS_L2_SIZE')}")

    # -- export and closing ----------------------------------------------------------------
    def export_png(self, path, width: int = 1200):
        """Write the plot as a PNG ``width`` pixels wide; returns the path.

        Raises
        ------
        relu_viz.gui.export.ExportError
            When the file cannot be written.
        """
        from relu_viz.gui import export
        exporter = pg.exporters.ImageExporter(self.plot_widget.scene())
        exporter.parameters()["width"] = int(width)
        image = exporter.export(toBytes=True)
        return export.save_image(image, path)

    def _on_export(self) -> None:
        from relu_viz.gui import export
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self, "Export the speed plot", "relu_speed.png", "PNG image (*.png)")
        if not path:
            return
        try:
            self.export_png(path)
        except export.ExportError as exc:
            QtWidgets.QMessageBox.warning(self, "Export failed", str(exc))

    def done(self, result: int) -> None:  # Close, Esc and the window's X all end here
        self._stop_worker()
        super().done(result)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self._stop_worker()
        super().closeEvent(event)

    def _stop_worker(self) -> None:
        """Cancel a run and wait for the size in hand (so no thread outlives the dialog)."""
        if self.worker is not None and self.worker.isRunning():
            self.worker.cancel()
            self.worker.wait()
