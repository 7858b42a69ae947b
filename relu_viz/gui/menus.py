"""The window's actions, toolbar and menus (built here, wired to MainWindow's slots)."""

from __future__ import annotations

import math

from PyQt6 import QtCore, QtGui, QtWidgets

from relu_viz.core.config import ACTIVATION_NAMES
from relu_viz.gui.controller import SPEEDS
from relu_viz.gui.panel.control_panel import activation_label

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
If training diverges a red banner offers to lower the learning rate and go on.</p>
<p><b>Experiments</b> load a ready-made run that shows one claim, with what to watch.
<b>Compare…</b> (Ctrl+K) runs 2-4 variants side by side; the training controls step
them together while the comparison tab is shown. When paused, the <b>timeline</b> under
the plots shows every plot as it was at an earlier step. <b>Sessions</b> (Ctrl+S,
Ctrl+O) save a run and continue it exactly where it stopped.</p>"""


def _doc_line(cls) -> str:
    doc = (cls.__doc__ or "").strip().splitlines()
    return doc[0] if doc else ""


GRADIENT_METRICS = {
    "grad_w_norm": "Weight-gradient norm", "grad_b_norm": "Bias-gradient norm",
    "grad_mean_abs": "Mean |gradient|", "update_ratio": "Update / weight ratio",
}


def add_action(w, key, text, slot, shortcut=None, tip="", checkable=False) -> QtGui.QAction:
    """A window-wide action with a tooltip naming its shortcut, kept in ``w.actions[key]``."""
    action = QtGui.QAction(text, w)
    if shortcut:
        action.setShortcut(QtGui.QKeySequence(shortcut))
        native = action.shortcut().toString(QtGui.QKeySequence.SequenceFormat.NativeText)
        tip = f"{tip} ({native})"
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.setCheckable(checkable)
    (action.toggled if checkable else action.triggered).connect(slot)
    w.addAction(action)
    w.actions[key] = action
    return action


def build_actions(w) -> None:
    """Every action of the window, in ``w.actions``."""
    c = w.controller
    a = lambda *args, **kw: add_action(w, *args, **kw)  # noqa: E731
    a("reset", "Reset", lambda: c.reset(True), "R", "Back to step 0, same initial weights")
    a("reset_new", "Reset (new weights)", lambda: c.reset(False), "Shift+R",
      "Back to step 0 with newly drawn initial weights")
    a("step", "Step", c.step, "Right", "Train on one mini-batch")
    a("step_n", "Step N", lambda: c.run_steps(w.step_n_box.value()), "Ctrl+Right",
      "Train on N mini-batches")
    a("step_epoch", "Step epoch", c.step_epoch, "Shift+Right", "Train to the end of the epoch")
    a("play", "Play", c.toggle, "Space", "Start or pause training")
    a("open_session", "Open session…", lambda: w.open_session(), "Ctrl+O",
      "Continue a saved run exactly where it stopped")
    a("save_session", "Save session…", lambda: w.save_session(), "Ctrl+S",
      "Save the whole run (weights, optimizer, history) to continue it later")
    a("open", "Open config…", lambda: w.open_config(), "Ctrl+Shift+O",
      "Start a run from saved settings")
    a("save", "Save config…", lambda: w.save_config(), "Ctrl+Shift+S",
      "Save the run's settings as JSON")
    a("export_all", "Export all plots to folder…", lambda: w.export_all(), None,
      "Write every plot as a PNG into a folder")
    a("export_current", "Export", w.export_current, "Ctrl+E",
      "Export the comparison or the plot shown large, else every plot into a folder")
    a("export_window", "Export window PNG…", lambda: w.export_window(), None,
      "Save a picture of the whole window")
    a("export_csv", "Export metrics CSV…", lambda: w.export_csv(), None,
      "Save every recorded metric as CSV")
    a("quit", "Quit", w.close, "Ctrl+Q", "Close relu_viz")
    a("compare", "Compare…", lambda: w.open_compare_dialog(), "Ctrl+K",
      "Run 2-4 variants of this run side by side, differing in one setting")
    a("close_compare", "Close comparison", lambda: w.close_comparison(), None,
      "Back to the single run")
    a("log_y", "Log-scale loss", w._on_log_y, None, "Loss axis on a log scale", checkable=True)
    a("toggle_panel", "Control panel", w._on_toggle_panel, "Ctrl+B",
      "Show or hide the settings on the left", checkable=True)
    a("about", "About relu_viz", lambda: show_about(w), None, "About this program")
    a("help", "What am I looking at?", lambda: show_help(w), "F1", "What the plots show")
    a("speed", "ReLU speed…", lambda: show_speed_dialog(w), None,
      "How fast the ReLU kernels run on this machine")
    w.actions["close_compare"].setEnabled(False)


def build_toolbar(w) -> None:
    """Reset, play, step, N, compare and the speed slider."""
    bar = w.addToolBar("Training")
    bar.setObjectName("trainingToolbar")
    bar.setMovable(False)
    for key in ("reset", "reset_new", None, "play", "step", "step_epoch", "step_n"):
        bar.addSeparator() if key is None else bar.addAction(w.actions[key])
    w.step_n_box = QtWidgets.QSpinBox()
    w.step_n_box.setRange(1, 1_000_000)
    w.step_n_box.setValue(100)
    w.step_n_box.setToolTip("N: steps run by 'Step N'")
    w.step_n_box.setKeyboardTracking(False)
    bar.addWidget(w.step_n_box)
    bar.addSeparator()
    bar.addAction(w.actions["compare"])
    bar.addSeparator()
    speed_label = QtWidgets.QLabel(" Speed ")
    w.speed_slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
    w.speed_slider.setRange(0, len(SPEEDS) - 1)
    w.speed_slider.setValue(len(SPEEDS) - 1)
    w.speed_slider.setFixedWidth(140)
    w.speed_slider.setToolTip("Target training steps per second while playing")
    speed_label.setToolTip(w.speed_slider.toolTip())
    w.speed_value = QtWidgets.QLabel()
    w.speed_value.setMinimumWidth(70)
    w.speed_slider.valueChanged.connect(lambda i: on_speed(w, i))
    bar.addWidget(speed_label)
    bar.addWidget(w.speed_slider)
    bar.addWidget(w.speed_value)
    on_speed(w, w.speed_slider.value())


def on_speed(w, index: int) -> None:
    speed = SPEEDS[index]
    w.controller.set_speed(speed)
    w.speed_value.setText("max" if math.isinf(speed) else f"{speed:g} /s")


def build_menus(w) -> None:
    """File, Train, Experiments, View and Help."""
    m = w.menuBar()
    file = m.addMenu("&File")
    file.addAction(w.actions["open_session"])
    file.addAction(w.actions["save_session"])
    w.recent_menu = file.addMenu("Open recent")
    w.recent_menu.setToolTipsVisible(True)
    w.recent_menu.aboutToShow.connect(w.update_recent_menu)
    file.addSeparator()
    file.addAction(w.actions["open"])
    file.addAction(w.actions["save"])
    file.addSeparator()
    plot_menu = file.addMenu("Export plot PNG…")
    for plot in w.plots:
        plot_menu.addAction(plot.title, lambda p=plot: w.export_plot(p))
    for key in ("export_all", "export_window", "export_csv", None, "quit"):
        file.addSeparator() if key is None else file.addAction(w.actions[key])
    train = m.addMenu("&Train")
    for key in ("play", "step", "step_epoch", "step_n", None, "reset", "reset_new"):
        train.addSeparator() if key is None else train.addAction(w.actions[key])
    _experiments_menu(w, m.addMenu("&Experiments"))
    _view_menu(w, m.addMenu("&View"))
    help_menu = m.addMenu("&Help")
    for key in ("help", "speed", "about"):
        help_menu.addAction(w.actions[key])


def _experiments_menu(w, menu: QtWidgets.QMenu) -> None:
    menu.setToolTipsVisible(True)
    w.preset_actions = {}
    for preset in w.presets:
        act = menu.addAction(preset.title)
        act.setToolTip(preset.claim)
        act.setStatusTip(preset.claim)
        act.triggered.connect(lambda _c=False, p=preset: w.open_preset(p))
        w.preset_actions[preset.name] = act
    if not w.presets:
        menu.addAction("(no experiments found)").setEnabled(False)
    menu.addSeparator()
    menu.addAction(w.actions["compare"])
    menu.addAction(w.actions["close_compare"])


def _view_menu(w, view: QtWidgets.QMenu) -> None:
    show = view.addMenu("Show plot")
    group = QtGui.QActionGroup(w)
    for i, plot in enumerate([None, *w.plots]):
        act = show.addAction("All plots" if plot is None else plot.title)
        act.setCheckable(True)
        act.setChecked(plot is None)
        act.setShortcut(QtGui.QKeySequence(f"Ctrl+{i}"))
        act.triggered.connect(lambda _c=False, p=plot: w.show_plot(p))
        group.addAction(act)
    view.addAction(w.actions["toggle_panel"])
    view.addSeparator()
    view.addAction(w.actions["log_y"])
    w.layer_menu = view.addMenu("Histogram of layer")
    overlay = view.addMenu("Overlay activations")
    w.overlay_actions = {}
    for name in ACTIVATION_NAMES:
        act = overlay.addAction(activation_label(name))
        act.setCheckable(True)
        act.toggled.connect(w._on_overlays)
        w.overlay_actions[name] = act
    metric_menu = view.addMenu("Gradient metric")
    metric_group = QtGui.QActionGroup(w)
    for i, (name, label) in enumerate(GRADIENT_METRICS.items()):
        act = metric_menu.addAction(label)
        act.setCheckable(True)
        act.setChecked(i == 0)
        act.triggered.connect(lambda _c=False, n=name: w._call_plots("set_metric", n))
        metric_group.addAction(act)


def rebuild_layer_menu(w, config) -> None:
    """One entry per hidden layer in View > Histogram of layer."""
    acts = config.activations()
    if getattr(w, "_layer_menu_key", None) == acts:
        return
    w._layer_menu_key = acts
    w.layer_menu.clear()
    group = QtGui.QActionGroup(w.layer_menu)
    for i, name in enumerate(acts):
        act = w.layer_menu.addAction(f"Layer {i + 1} ({activation_label(name)})")
        act.setCheckable(True)
        act.setChecked(i == 0)
        act.triggered.connect(lambda _c=False, k=i: w._on_layer_chosen(k))
        group.addAction(act)
    w._shown_layer = 0
    w.layer_menu.setEnabled(bool(acts))


def show_about(w) -> None:
    from relu_viz import __version__
    QtWidgets.QMessageBox.about(w, "About relu_viz", ABOUT + f"<p>Version {__version__}</p>")


def show_help(w) -> None:
    items = "".join(f"<li><b>{p.title}</b>: {_doc_line(type(p))}</li>" for p in w.plots)
    QtWidgets.QMessageBox.information(w, "What am I looking at?", HELP.format(items=items))


def show_speed_dialog(w):
    """Help > ReLU speed: the kernel speed view (a message if it is not available)."""
    try:
        from relu_viz.gui.views.speed_view import SpeedDialog
    except ImportError as exc:
        QtWidgets.QMessageBox.information(w, "ReLU speed",
                                          f"The speed view is not available ({exc}).")
        return None
    w.controller.pause()  # training in the background would skew the timings
    w._speed_dialog = SpeedDialog(w)
    w._speed_dialog.show()
    w._speed_dialog.raise_()
    return w._speed_dialog
