"""MainWindow: assembles the panel, the plots and the controller, and wires them."""

from __future__ import annotations

import json
import math
from pathlib import Path

from PyQt6 import QtCore, QtGui, QtWidgets

from relu_viz.core.config import ACTIVATION_NAMES, TrainConfig
from relu_viz.gui import export
from relu_viz.gui.control_panel import ControlPanel, activation_label, takes_alpha
from relu_viz.gui.controller import SPEEDS, TrainingController
from relu_viz.gui.widgets import DivergenceBanner, StatusLine, flash, make_settings

GRADIENT_METRICS = {
    "grad_w_norm": "Weight-gradient norm", "grad_b_norm": "Bias-gradient norm",
    "grad_mean_abs": "Mean |gradient|", "update_ratio": "Update / weight ratio",
}
ABOUT = """<h3>relu_viz</h3>
<p>A desktop lab for the ReLU activation function and its family. A small NumPy
network trains in this window while you watch every layer: activations, gradients,
dead units and the decision boundary.</p>"""
HELP = """<h3>What am I looking at?</h3>
<p>On the left: everything that defines the run. Fields that change the data or the
network (data set, layers, activation, initialiser, seed, ...) restart training from
step 0; the learning rate, optimizer settings, penalties and batch size apply while it
runs.</p>
<p>On the right, one panel per view of the same run:</p><ul>{items}</ul>
<p><b>Space</b> plays or pauses, <b>→</b> runs one mini-batch, <b>Shift+→</b> one
epoch, <b>R</b> resets to the same initial weights, <b>Shift+R</b> draws new ones.
<b>Ctrl+1…</b> shows one plot large, <b>Ctrl+0</b> all of them.
If training diverges a red banner offers to lower the learning rate and go on.</p>"""


def _doc_line(cls) -> str:
    doc = (cls.__doc__ or "").strip().splitlines()
    return doc[0] if doc else ""


class MainWindow(QtWidgets.QMainWindow):
    """The relu_viz window: control panel left, plots right, toolbar and menus."""

    def __init__(self, config: TrainConfig | None = None, plot_classes=None,
                 remember: bool = True, parent=None):
        super().__init__(parent)
        self._remember = remember
        self._settings = make_settings() if remember else None
        if plot_classes is None:
            from relu_viz.gui.plots import ALL_PLOTS
            plot_classes = ALL_PLOTS
        self.controller = self._make_controller(config)
        self.panel = ControlPanel(self.controller.config)
        self.plots = [cls() for cls in plot_classes]
        self.banner = DivergenceBanner()
        self.status_line = StatusLine()
        self.actions: dict[str, QtGui.QAction] = {}
        self._focused_plot = None
        self._build_layout()
        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self._wire()
        self.actions["toggle_panel"].setChecked(True)
        self.controller.set_plots(self.plots)
        self._on_config_changed(self.controller.config)
        self.controller.redraw(force=True)
        self.resize(1280, 800)
        self._restore_geometry()
        # Start with the keyboard on the plots, so Space / arrows / R work at once.
        self.plot_area.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.plot_area.setFocus()

    def _make_controller(self, config: TrainConfig | None) -> TrainingController:
        """A controller for ``config``, else the remembered config, else the defaults."""
        if config is not None:
            return TrainingController(config, self)  # errors are the caller's to report
        saved = self._saved_config()
        if saved is not None:
            try:
                return TrainingController(saved, self)
            except (ValueError, OSError):  # e.g. its CSV file is gone: start afresh
                pass
        return TrainingController(TrainConfig(), self)

    # -- layout --------------------------------------------------------------------------
    def _build_layout(self) -> None:
        scroll = QtWidgets.QScrollArea()
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.panel.minimumSizeHint().width() + 20)
        self.panel_scroll = scroll
        self.plot_area = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(self.plot_area)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        columns = 3 if len(self.plots) > 4 else 2
        for i, plot in enumerate(self.plots):
            grid.addWidget(plot, i // columns, i % columns)
        for c in range(columns):
            grid.setColumnStretch(c, 1)
        right = QtWidgets.QWidget()
        right_lay = QtWidgets.QVBoxLayout(right)
        right_lay.setContentsMargins(0, 0, 0, 0)
        right_lay.setSpacing(4)
        right_lay.addWidget(self.banner)
        right_lay.addWidget(self.plot_area, 1)
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([scroll.minimumWidth(), 1280 - scroll.minimumWidth()])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.statusBar().addPermanentWidget(self.status_line)

    def _action(self, key, text, slot, shortcut=None, tip="", checkable=False) -> QtGui.QAction:
        action = QtGui.QAction(text, self)
        if shortcut:
            action.setShortcut(QtGui.QKeySequence(shortcut))
            tip = f"{tip} ({action.shortcut().toString(QtGui.QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.setCheckable(checkable)
        (action.toggled if checkable else action.triggered).connect(slot)
        self.addAction(action)
        self.actions[key] = action
        return action

    def _build_actions(self) -> None:
        c = self.controller
        a = self._action
        a("reset", "Reset", lambda: c.reset(True), "R", "Back to step 0, same initial weights")
        a("reset_new", "Reset (new weights)", lambda: c.reset(False), "Shift+R",
          "Back to step 0 with newly drawn initial weights")
        a("step", "Step", c.step, "Right", "Train on one mini-batch")
        a("step_n", "Step N", lambda: c.run_steps(self.step_n_box.value()), "Ctrl+Right",
          "Train on N mini-batches")
        a("step_epoch", "Step epoch", c.step_epoch, "Shift+Right", "Train to the end of the epoch")
        a("play", "Play", c.toggle, "Space", "Start or pause training")
        a("open", "Open config…", lambda: self.open_config(), "Ctrl+O", "Load a run's settings")
        a("save", "Save config…", lambda: self.save_config(), "Ctrl+S", "Save the run's settings")
        a("export_all", "Export all plots to folder…", lambda: self.export_all(), None,
          "Write every plot as a PNG into a folder")
        a("export_current", "Export", self.export_current, "Ctrl+E",
          "Export the plot shown large, or every plot into a folder")
        a("export_window", "Export window PNG…", lambda: self.export_window(), None,
          "Save a picture of the whole window")
        a("export_csv", "Export metrics CSV…", lambda: self.export_csv(), None,
          "Save every recorded metric as CSV")
        a("quit", "Quit", self.close, "Ctrl+Q", "Close relu_viz")
        a("log_y", "Log-scale loss", self._on_log_y, None, "Loss axis on a log scale",
          checkable=True)
        a("toggle_panel", "Control panel", self._on_toggle_panel, "Ctrl+B",
          "Show or hide the settings on the left", checkable=True)
        a("about", "About relu_viz", self._show_about, None, "About this program")
        a("help", "What am I looking at?", self._show_help, "F1", "What the plots show")

    def _build_toolbar(self) -> None:
        bar = self.addToolBar("Training")
        bar.setObjectName("trainingToolbar")
        bar.setMovable(False)
        for key in ("reset", "reset_new"):
            bar.addAction(self.actions[key])
        bar.addSeparator()
        bar.addAction(self.actions["play"])
        bar.addAction(self.actions["step"])
        bar.addAction(self.actions["step_epoch"])
        bar.addAction(self.actions["step_n"])
        self.step_n_box = QtWidgets.QSpinBox()
        self.step_n_box.setRange(1, 1_000_000)
        self.step_n_box.setValue(100)
        self.step_n_box.setToolTip("N: steps run by 'Step N'")
        self.step_n_box.setKeyboardTracking(False)
        bar.addWidget(self.step_n_box)
        bar.addSeparator()
        speed_label = QtWidgets.QLabel(" Speed ")
        self.speed_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.speed_slider.setRange(0, len(SPEEDS) - 1)
        self.speed_slider.setValue(len(SPEEDS) - 1)
        self.speed_slider.setFixedWidth(140)
        self.speed_slider.setToolTip("Target training steps per second while playing")
        speed_label.setToolTip(self.speed_slider.toolTip())
        self.speed_value = QtWidgets.QLabel()
        self.speed_value.setMinimumWidth(70)
        self.speed_slider.valueChanged.connect(self._on_speed)
        bar.addWidget(speed_label)
        bar.addWidget(self.speed_slider)
        bar.addWidget(self.speed_value)
        self._on_speed(self.speed_slider.value())

    def _build_menus(self) -> None:
        m = self.menuBar()
        file = m.addMenu("&File")
        file.addAction(self.actions["open"])
        file.addAction(self.actions["save"])
        file.addSeparator()
        plot_menu = file.addMenu("Export plot PNG…")
        for plot in self.plots:
            plot_menu.addAction(plot.title, lambda p=plot: self.export_plot(p))
        for key in ("export_all", "export_window", "export_csv"):
            file.addAction(self.actions[key])
        file.addSeparator()
        file.addAction(self.actions["quit"])
        train = m.addMenu("&Train")
        for key in ("play", "step", "step_epoch", "step_n", None, "reset", "reset_new"):
            train.addSeparator() if key is None else train.addAction(self.actions[key])
        view = m.addMenu("&View")
        show = view.addMenu("Show plot")
        group = QtGui.QActionGroup(self)
        for i, plot in enumerate([None, *self.plots]):
            act = show.addAction("All plots" if plot is None else plot.title)
            act.setCheckable(True)
            act.setChecked(plot is None)
            act.setShortcut(QtGui.QKeySequence(f"Ctrl+{i}"))
            act.triggered.connect(lambda _c=False, p=plot: self.show_plot(p))
            group.addAction(act)
        view.addAction(self.actions["toggle_panel"])
        view.addSeparator()
        view.addAction(self.actions["log_y"])
        self.layer_menu = view.addMenu("Histogram of layer")
        overlay = view.addMenu("Overlay activations")
        self.overlay_actions = {}
        for name in ACTIVATION_NAMES:
            act = overlay.addAction(activation_label(name))
            act.setCheckable(True)
            act.toggled.connect(self._on_overlays)
            self.overlay_actions[name] = act
        metric_menu = view.addMenu("Gradient metric")
        metric_group = QtGui.QActionGroup(self)
        for i, (name, label) in enumerate(GRADIENT_METRICS.items()):
            act = metric_menu.addAction(label)
            act.setCheckable(True)
            act.setChecked(i == 0)
            act.triggered.connect(lambda _c=False, n=name: self._call_plots("set_metric", n))
            metric_group.addAction(act)
        help_menu = m.addMenu("&Help")
        help_menu.addAction(self.actions["help"])
        help_menu.addAction(self.actions["about"])

    def _wire(self) -> None:
        c = self.controller
        self.panel.config_edited.connect(self._on_config_edited)
        c.config_changed.connect(self._on_config_changed)
        c.config_rejected.connect(self._on_config_rejected)
        c.run_rebuilt.connect(self._on_run_rebuilt)
        c.running_changed.connect(self._on_running_changed)
        c.status_changed.connect(self.status_line.update_status)
        c.diverged.connect(self.banner.show_message)
        self.banner.reset_clicked.connect(lambda: c.reset(True))
        self.banner.recover_clicked.connect(self._on_recover)

    # -- slots ---------------------------------------------------------------------------
    def _on_config_edited(self, changes: dict) -> None:
        self.panel.set_error("")
        self.controller.apply_changes(changes)

    def _on_config_changed(self, config: TrainConfig) -> None:
        self.panel.sync(config)
        layers = "-".join(str(w) for w in config.hidden_layers) or "no hidden layers"
        self.setWindowTitle(f"relu_viz — {config.dataset}, {layers}, "
                            f"{config.activation_label()}")
        self._rebuild_layer_menu(config)
        self._push_activation(config)
        if not self.controller.trainer.diverged:
            self.banner.hide()

    def _on_config_rejected(self, message: str) -> None:
        self.panel.set_error(message)
        self.statusBar().showMessage(f"Not applied: {message}", 8000)

    def _on_run_rebuilt(self, reason: str) -> None:
        self.banner.hide()
        self.statusBar().showMessage(reason, 5000)
        flash(self.statusBar(), ms=1200)
        if reason.startswith("Rebuilt"):
            self.panel.flash_fields(self.controller.last_rebuilt_fields)

    def _on_toggle_panel(self, on: bool) -> None:
        self.panel_scroll.setVisible(on)
        self.controller.refresh_visible()

    def _on_running_changed(self, running: bool) -> None:
        self.actions["play"].setText("Pause" if running else "Play")

    def _on_recover(self) -> None:
        self.banner.hide()
        self.controller.recover(0.1)
        lr = self.controller.config.learning_rate
        self.statusBar().showMessage(f"Learning rate lowered to {lr:g}; continuing", 5000)

    def _on_speed(self, index: int) -> None:
        speed = SPEEDS[index]
        self.controller.set_speed(speed)
        self.speed_value.setText("max" if math.isinf(speed) else f"{speed:g} /s")

    def _on_log_y(self, on: bool) -> None:
        self._call_plots("set_log_y", bool(on))

    def _on_overlays(self, _on: bool = False) -> None:
        names = [n for n, act in self.overlay_actions.items() if act.isChecked()]
        self._call_plots("set_overlays", names)

    def _call_plots(self, method: str, *args) -> None:
        for plot in self.plots:
            if hasattr(plot, method):
                getattr(plot, method)(*args)
        self.controller.refresh_visible()

    def _rebuild_layer_menu(self, config: TrainConfig) -> None:
        acts = config.activations()
        if getattr(self, "_layer_menu_key", None) == acts:
            return
        self._layer_menu_key = acts
        self.layer_menu.clear()
        group = QtGui.QActionGroup(self.layer_menu)
        for i, name in enumerate(acts):
            act = self.layer_menu.addAction(f"Layer {i + 1} ({activation_label(name)})")
            act.setCheckable(True)
            act.setChecked(i == 0)
            act.triggered.connect(lambda _c=False, k=i: self._on_layer_chosen(k))
            group.addAction(act)
        self._shown_layer = 0
        self.layer_menu.setEnabled(bool(acts))

    def _on_layer_chosen(self, index: int) -> None:
        self._shown_layer = index
        self._call_plots("set_layer", index)
        self._push_activation(self.controller.config)

    def _push_activation(self, config: TrainConfig) -> None:
        acts = config.activations()
        if not acts:
            return
        name = acts[min(getattr(self, "_shown_layer", 0), len(acts) - 1)]
        params = {"alpha": config.alpha} if config.alpha is not None and takes_alpha(name) \
            else {}
        for plot in self.plots:
            if hasattr(plot, "set_activation"):
                plot.set_activation(name, params)

    # -- plots shown -----------------------------------------------------------------------
    def show_plot(self, plot=None) -> None:
        """Show one plot large (None: all plots in the grid)."""
        self._focused_plot = plot
        for p in self.plots:
            p.setVisible(plot is None or p is plot)
        self.controller.refresh_visible()

    # -- files ---------------------------------------------------------------------------
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
            result = func(*args)
        except export.ExportError as exc:
            QtWidgets.QMessageBox.critical(self, title, str(exc))
            return None
        return result

    def export_plot(self, plot, path=None, width: int = 1200):
        """One plot as PNG (asks where when ``path`` is None)."""
        path = path or self._ask_save("Export plot", self._default_name(plot.slug, "png"),
                                      "PNG images (*.png)")
        if not path:
            return None
        done = self._guard("Export failed", export.export_plot_png, plot, path, width)
        if done:
            self._remember_dir(path)
            self.statusBar().showMessage(f"Saved {done}", 5000)
        return done

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
        """Ctrl+E: the plot shown large, else every plot."""
        if self._focused_plot is not None:
            self.export_plot(self._focused_plot)
        else:
            self.export_all()

    def export_window(self, path=None):
        """The whole window as PNG."""
        path = path or self._ask_save("Export window", self._default_name("window", "png"),
                                      "PNG images (*.png)")
        if not path:
            return None
        done = self._guard("Export failed", export.export_widget_png, self, path)
        if done:
            self._remember_dir(path)
            self.statusBar().showMessage(f"Saved {done}", 5000)
        return done

    def export_csv(self, path=None):
        """The metrics history as CSV."""
        path = path or self._ask_save("Export metrics", self._default_name("metrics", "csv"),
                                      "CSV files (*.csv)")
        if not path:
            return None
        done = self._guard("Export failed", export.export_metrics_csv,
                           self.controller.trainer, path)
        if done:
            self._remember_dir(path)
            self.statusBar().showMessage(f"Saved {done}", 5000)
        return done

    def open_config(self, path=None) -> bool:
        """Load a config JSON and start a run with it."""
        if not path:
            path, _ = QtWidgets.QFileDialog.getOpenFileName(
                self, "Open config", self._export_dir(), "JSON files (*.json);;All files (*)")
        if not path:
            return False
        config = self._guard("Could not open the config", export.load_config, path)
        if config is None:
            return False
        self.controller.apply_config(config)
        return self.controller.config == config

    def save_config(self, path=None):
        """Save the current config as JSON."""
        path = path or self._ask_save("Save config", "relu_viz_config.json",
                                      "JSON files (*.json)")
        if not path:
            return None
        return self._guard("Could not save the config", export.save_config,
                           self.controller.config, path)

    # -- help ----------------------------------------------------------------------------
    def _show_about(self) -> None:
        from relu_viz import __version__
        QtWidgets.QMessageBox.about(self, "About relu_viz", ABOUT + f"<p>Version {__version__}</p>")

    def _show_help(self) -> None:
        items = "".join(f"<li><b>{p.title}</b>: {_doc_line(type(p))}</li>" for p in self.plots)
        QtWidgets.QMessageBox.information(self, "What am I looking at?", HELP.format(items=items))

    # -- settings ------------------------------------------------------------------------
    def _saved_config(self) -> TrainConfig | None:
        text = self._settings.value("last_config", "") if self._settings else ""
        if not text:
            return None
        try:
            return TrainConfig.from_dict(json.loads(text))
        except (ValueError, TypeError):
            return None

    def _restore_geometry(self) -> None:
        if self._settings is None:
            return
        geometry = self._settings.value("geometry")
        if isinstance(geometry, QtCore.QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        splitter = self._settings.value("splitter")
        if isinstance(splitter, QtCore.QByteArray) and not splitter.isEmpty():
            self.splitter.restoreState(splitter)

    def save_settings(self) -> None:
        """Remember geometry, splitter and the config in force."""
        if self._settings is None:
            return
        self._settings.setValue("geometry", self.saveGeometry())
        self._settings.setValue("splitter", self.splitter.saveState())
        self._settings.setValue("last_config", json.dumps(self.controller.config.to_dict()))
        self._settings.sync()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 (Qt name)
        self.controller.pause()
        self.save_settings()
        super().closeEvent(event)
