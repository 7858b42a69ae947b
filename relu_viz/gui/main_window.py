"""MainWindow: assembles the panel, the plots, the views and the controller, and wires them."""

from __future__ import annotations

import json

import pyqtgraph as pg
from PyQt6 import QtCore, QtGui, QtWidgets

from relu_viz.app import presets as presets_mod
from relu_viz.app.runs import Comparison
from relu_viz.core.config import TrainConfig
from relu_viz.gui import menus
from relu_viz.gui.controller import TrainingController
from relu_viz.gui.panel.control_panel import ControlPanel, takes_alpha
from relu_viz.gui.session_actions import FileActions, RecentFiles
from relu_viz.gui.views.compare_view import CompareDialog, CompareView
from relu_viz.gui.views.preset_panel import PresetInfoBox, PresetPicker, load_presets
from relu_viz.gui.views.timeline import TimelineBar
from relu_viz.gui.widgets import DivergenceBanner, StatusLine, flash, make_settings


class MainWindow(FileActions, QtWidgets.QMainWindow):
    """The relu_viz window: control panel left, plots right, toolbar and menus."""

    def __init__(self, config: TrainConfig | None = None, plot_classes=None,
                 remember: bool = True, parent=None):
        super().__init__(parent)
        self._settings = make_settings() if remember else None
        self.recent = RecentFiles(self._settings)
        if plot_classes is None:
            from relu_viz.gui.plots import ALL_PLOTS
            plot_classes = ALL_PLOTS
        self.presets, problems = load_presets()
        self.controller = self._make_controller(config)
        self.panel = ControlPanel(self.controller.config)
        self.plots = [cls() for cls in plot_classes]
        self.banner = DivergenceBanner()
        self.status_line = StatusLine()
        self.preset_picker = PresetPicker(self.presets)
        self.info_box = PresetInfoBox()
        self.timeline = TimelineBar()
        self.compare_view: CompareView | None = None
        self.actions: dict[str, QtGui.QAction] = {}
        self._focused_plot = None
        self._speed_dialog = None
        self._build_layout()
        menus.build_actions(self)
        menus.build_toolbar(self)
        menus.build_menus(self)
        self._wire()
        self.actions["toggle_panel"].setChecked(True)
        self.controller.set_plots(self.plots)
        self._on_config_changed(self.controller.config)
        self.controller.redraw(force=True)
        self.resize(1280, 800)
        self._restore_geometry()
        if problems:
            self.statusBar().showMessage("Skipped a broken experiment: " + "; ".join(problems))
        # Start with the keyboard on the plots, so Space / arrows / R work at once.
        self.plot_area.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self._focus_plots()

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
        self.left = _column(self.preset_picker, scroll, stretch=1)
        self.plot_area = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(self.plot_area)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(4)
        columns = 3 if len(self.plots) > 4 else 2
        for i, plot in enumerate(self.plots):
            grid.addWidget(plot, i // columns, i % columns)
        for c in range(columns):
            grid.setColumnStretch(c, 1)
        self.tabs = QtWidgets.QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabBarAutoHide(True)
        self.tabs.setTabsClosable(True)
        self.tabs.addTab(_column(self.banner, self.plot_area, stretch=1), "Single run")
        self.tabs.tabBar().setTabButton(0, QtWidgets.QTabBar.ButtonPosition.RightSide, None)
        self.tabs.setTabToolTip(0, "The run the control panel edits")
        right = _column(self.info_box, self.tabs, self.timeline, stretch=1)
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([scroll.minimumWidth(), 1280 - scroll.minimumWidth()])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        self.statusBar().addPermanentWidget(self.status_line)

    def _wire(self) -> None:
        c = self.controller
        self.panel.config_edited.connect(self._on_config_edited)
        c.config_changed.connect(self._on_config_changed)
        c.config_rejected.connect(self._on_config_rejected)
        c.run_rebuilt.connect(self._on_run_rebuilt)
        c.running_changed.connect(self._on_running_changed)
        c.status_changed.connect(self.status_line.update_status)
        c.status_changed.connect(self.timeline.update_status)
        c.diverged.connect(self.banner.show_message)
        c.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.timeline.step_chosen.connect(c.set_view_step)
        self.banner.reset_clicked.connect(lambda: c.reset(True))
        self.banner.recover_clicked.connect(self._on_recover)
        self.preset_picker.preset_chosen.connect(self.open_preset)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.tabs.tabCloseRequested.connect(lambda _i: self.close_comparison())

    # -- experiments and comparisons -------------------------------------------------------
    def open_preset(self, preset) -> bool:
        """Load an experiment (a Preset or its name): config, step target, info, comparison."""
        if isinstance(preset, str):
            try:
                preset = presets_mod.load(preset)
            except ValueError as exc:
                QtWidgets.QMessageBox.critical(self, "Could not open the experiment", str(exc))
                return False
        self.close_comparison()
        if not self.controller.apply_config(preset.config, rebuild=True):
            return False
        self.controller.set_step_target(preset.steps)
        self.step_n_box.setValue(preset.steps)
        self.info_box.show_preset(preset)
        self.preset_picker.set_current(preset.name)
        if preset.compare:
            self.start_comparison(preset.compare, preset.config)
        self.statusBar().showMessage(f"Experiment loaded: Space runs its {preset.steps:,} "
                                     "steps", 10000)
        self._focus_plots()
        return True

    def open_compare_dialog(self):
        """Ask which runs to compare, then show them (None if cancelled)."""
        dialog = CompareDialog(self.controller.config, self.presets, self)
        if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
            return None
        base, spec = dialog.choice()
        return self.start_comparison(spec, base)

    def start_comparison(self, spec, base: TrainConfig | None = None):
        """Compare the runs of ``spec`` (text or dict) built on ``base`` (default: this run)."""
        try:
            comparison = Comparison.from_spec(base or self.controller.config, spec)
            for config, trainer in zip(comparison.configs, comparison.trainers):
                self.controller.check_fits(config, trainer)
        except (ValueError, TypeError, OSError) as exc:
            QtWidgets.QMessageBox.critical(self, "Could not compare", str(exc))
            return None
        if self.compare_view is None:
            self.compare_view = CompareView()
            self.compare_view.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
            self.compare_view.close_requested.connect(self.close_comparison)
            self.tabs.addTab(self.compare_view, "")
        index = self.tabs.indexOf(self.compare_view)
        self.tabs.setTabText(index, f"Comparison: {', '.join(comparison.fields)}")
        self.tabs.setTabToolTip(index, " vs ".join(comparison.labels))
        with QtCore.QSignalBlocker(self.tabs):
            self.tabs.setCurrentIndex(index)
        self.controller.set_comparison(comparison, [self.compare_view])
        self._sync_mode()
        self._focus_plots()
        return comparison

    def close_comparison(self) -> None:
        """Drop the comparison; back to the single run."""
        if self.compare_view is None:
            return
        self.controller.close_comparison()
        view, self.compare_view = self.compare_view, None
        self.tabs.removeTab(self.tabs.indexOf(view))
        _close_graphics(view)
        view.deleteLater()
        self._sync_mode()
        self._focus_plots()

    def _on_tab_changed(self, index: int) -> None:
        view = self.compare_view
        self.controller.set_compare_active(view is not None and self.tabs.widget(index) is view)
        self._sync_mode()

    def _sync_mode(self) -> None:
        comparing = self.controller.comparing
        self.panel.setEnabled(not comparing)
        self.panel_scroll.setToolTip("The settings of the single run (switch to its tab to "
                                     "edit them)" if comparing else "")
        self.actions["close_compare"].setEnabled(self.compare_view is not None)
        self._update_title()

    def _focus_plots(self) -> None:
        """Keyboard to the plots shown, so Space / arrows / R drive training at once."""
        page = self.compare_view if self.controller.comparing else self.plot_area
        page.setFocus()

    def _update_title(self) -> None:
        config = self.controller.config
        layers = "-".join(str(w) for w in config.hidden_layers) or "no hidden layers"
        title = f"relu_viz — {config.dataset}, {layers}, {config.activation_label()}"
        comp = self.controller.comparison
        if self.controller.comparing and comp is not None:
            title = f"relu_viz — comparing {', '.join(comp.fields)}: {', '.join(comp.labels)}"
        self.setWindowTitle(title)

    # -- slots ---------------------------------------------------------------------------
    def _on_config_edited(self, changes: dict) -> None:
        self.panel.set_error("")
        self.controller.apply_changes(changes)

    def _on_config_changed(self, config: TrainConfig) -> None:
        self.panel.sync(config)
        self._update_title()
        menus.rebuild_layer_menu(self, config)
        self._push_activation(config)
        if self.info_box.preset is not None:
            self.info_box.set_modified(config != self.info_box.preset.config)
        if not self.controller.trainer.diverged:
            self.banner.hide()

    def _on_config_rejected(self, message: str) -> None:
        self.panel.set_error(message)
        self.statusBar().showMessage(f"Not applied: {message}", 8000)

    def _on_run_rebuilt(self, reason: str) -> None:
        self.banner.hide()
        self.statusBar().showMessage(reason, 5000)
        if self.isVisible():  # not for a run set up before the window shows
            flash(self.statusBar(), ms=1200)
        if reason.startswith("Rebuilt"):
            self.panel.flash_fields(self.controller.last_rebuilt_fields)

    def _on_toggle_panel(self, on: bool) -> None:
        self.left.setVisible(on)
        self.controller.refresh_visible()

    def _on_running_changed(self, running: bool) -> None:
        # While playing, every plot but the loss plot redraws at its own lower rate
        # (BasePlot.live_interval), leaving time to step; on pause all draw the last step.
        for plot in self.plots:
            if hasattr(plot, "set_playing"):
                plot.set_playing(running)
        self.actions["play"].setText("Pause" if running else "Play")
        if running and self.info_box.isVisible():
            self.info_box.toggle.setChecked(False)  # read; now the plots get the room

    def _on_recover(self) -> None:
        self.banner.hide()
        step = self.controller.recover(0.1)
        lr = self.controller.config.learning_rate
        where = "" if step is None else f" from the weights of step {step:,}"
        self.statusBar().showMessage(f"Learning rate lowered to {lr:g}; continuing{where}",
                                     8000)

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

    def show_plot(self, plot=None) -> None:
        """Show one plot large (None: all plots in the grid)."""
        self._focused_plot = plot
        for p in self.plots:
            p.setVisible(plot is None or p is plot)
        self.controller.refresh_visible()

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
        if event.isAccepted():
            _close_graphics(self)


def _close_graphics(root: QtWidgets.QWidget) -> None:
    """Close every pyqtgraph view under ``root`` before Qt deletes it (see BasePlot.close)."""
    for view in root.findChildren(pg.GraphicsView):
        view.close()


def _column(*widgets, stretch: int = 0) -> QtWidgets.QWidget:
    """Widgets stacked top to bottom; the one at index ``stretch`` takes the spare height."""
    holder = QtWidgets.QWidget()
    lay = QtWidgets.QVBoxLayout(holder)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(4)
    for i, w in enumerate(widgets):
        lay.addWidget(w, 1 if i == stretch else 0)
    return holder
