"""Compare: the dialog, the view, the controls stepping every run together, closing."""

import pyqtgraph as pg
import pytest
from PyQt6 import QtCore, QtGui, QtWidgets

from relu_viz.core.config import TrainConfig
from relu_viz.gui.main_window import MainWindow
from relu_viz.gui.plots.loss_plot import LossPlot
from relu_viz.gui.views.compare_view import CompareDialog

SMALL = TrainConfig(dataset="circle", n_samples=200, hidden_layers=(8, 8), batch_size=16,
                    eval_every=5)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, dialogs):
    monkeypatch.setenv("RELU_VIZ_SETTINGS_DIR", str(tmp_path / "settings"))
    w = MainWindow(SMALL, plot_classes=[LossPlot])
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.controller.pause()


def choose_in_dialog(monkeypatch, field, values):
    """Make the Compare dialog 'accept' with ``field`` = ``values`` instead of blocking."""
    def fake_exec(dialog):
        dialog.field.setCurrentIndex(dialog.field.findData(field))
        dialog.values.setText(values)
        ok = dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
        return QtWidgets.QDialog.DialogCode.Accepted if ok.isEnabled() else \
            QtWidgets.QDialog.DialogCode.Rejected
    monkeypatch.setattr(CompareDialog, "exec", fake_exec)


def legend_labels(view) -> list[str]:
    legends = [i for i in view.plot.scene().items() if isinstance(i, pg.LegendItem)]
    return [label.text for legend in legends for _, label in legend.items]


def test_compare_from_the_menu_steps_every_run_together(qtbot, window, monkeypatch, tmp_path):
    choose_in_dialog(monkeypatch, "activation", "relu, tanh, elu")
    window.controller.run_steps(4)
    single = window.controller.trainer
    assert window.actions["compare"].shortcut().toString() == "Ctrl+K"
    window.actions["compare"].trigger()
    c = window.controller
    comp = c.comparison
    assert c.comparing and comp.labels == ["activation=relu", "activation=tanh",
                                           "activation=elu"]
    view = window.compare_view
    assert view.isVisible() and not window.plots[0].isVisible()
    assert legend_labels(view) == comp.labels
    assert [view.table.item(r, 0).text()[2:] for r in range(3)] == comp.labels
    assert not window.panel.isEnabled()

    qtbot.keyClick(window, QtCore.Qt.Key.Key_Right)            # Step
    assert comp.step_counts == [1, 1, 1]
    window.actions["step_epoch"].trigger()
    epoch_end = comp.step_counts
    assert len(set(epoch_end)) == 1 and comp.trainers[0].epoch_float == pytest.approx(1.0)
    window.actions["play"].trigger()
    qtbot.waitUntil(lambda: min(comp.step_counts) > epoch_end[0] + 20, timeout=5000)
    window.actions["play"].trigger()
    counts = comp.step_counts
    assert len(set(counts)) == 1, counts
    assert [view.table.item(r, 1).text() for r in range(3)] == [f"{counts[0]:,}"] * 3
    assert single.step_count == 4, "the single run waits while the comparison runs"
    assert "Step" in window.status_line.labels["step"].text()
    assert window.status_line.labels["loss"].text() == "Comparing 3 runs"

    window.timeline.slider.setValue(5)
    loss_x = view.plot._loss_curves[0].getData()[0]
    assert loss_x.max() <= 5
    window.actions["reset"].trigger()
    assert comp.step_counts == [0, 0, 0]
    assert single.step_count == 4

    out = tmp_path / "compare.png"
    monkeypatch.setattr(QtWidgets.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(out), "")))
    window.actions["export_current"].trigger()               # Ctrl+E: the comparison
    assert QtGui.QImage(str(out)).width() == 1200

    window.close_comparison()
    assert not c.comparing and c.comparison is None and window.compare_view is None
    assert window.tabs.count() == 1 and window.plots[0].isVisible()
    assert window.panel.isEnabled()
    window.actions["step"].trigger()
    assert c.trainer is single and single.step_count == 5


def test_switching_tabs_switches_what_the_controls_drive(window):
    comp = window.start_comparison("learning_rate=0.01,0.1")
    window.tabs.setCurrentIndex(0)
    assert not window.controller.comparing
    window.actions["step"].trigger()
    assert window.controller.trainer.step_count == 1 and comp.step_counts == [0, 0]
    window.tabs.setCurrentIndex(1)
    assert window.controller.comparing
    window.actions["step"].trigger()
    assert comp.step_counts == [1, 1] and window.controller.trainer.step_count == 1
    window.tabs.tabCloseRequested.emit(1)
    assert window.controller.comparison is None and window.tabs.count() == 1


def test_dialog_validates_and_cancel_does_nothing(qtbot, window, monkeypatch, dialogs):
    dialog = CompareDialog(window.controller.config, window.presets, window)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QtWidgets.QDialogButtonBox.StandardButton.Ok)
    dialog.field.setCurrentIndex(dialog.field.findData("activation"))
    assert dialog.values.text().startswith("relu") and ok.isEnabled()
    dialog.values.setText("relu")                         # one run is not a comparison
    assert not ok.isEnabled() and "2 to 4" in dialog.preview.text()
    dialog.values.setText("relu, no_such_activation")
    assert not ok.isEnabled()
    dialog.values.setText("relu, leaky_relu")
    assert ok.isEnabled() and "activation=leaky_relu" in dialog.preview.text()
    dialog.use_preset.setChecked(True)
    base, spec = dialog.choice()
    preset = next(p for p in window.presets if p.compare)
    assert (base, spec) == (preset.config, preset.compare)
    monkeypatch.setattr(CompareDialog, "exec",
                        lambda d: QtWidgets.QDialog.DialogCode.Rejected)
    assert window.open_compare_dialog() is None and window.compare_view is None


def test_an_impossible_comparison_reports_and_keeps_the_single_run(window, dialogs):
    trainer = window.controller.trainer
    assert window.start_comparison("batch_size=16,500") is None   # 160 training samples
    assert window.compare_view is None and window.controller.trainer is trainer
    assert window.start_comparison("nonsense") is None
    assert [d[0] for d in dialogs] == ["critical", "critical"]


def test_a_diverging_run_stops_while_the_others_go_on(qtbot, window):
    deep = SMALL.replace(hidden_layers=(64,) * 8, optimizer="sgd", eval_every=1)
    comp = window.start_comparison("learning_rate=0.01,1000", deep)
    window.controller.run_steps(30)
    ok, bad = comp.trainers
    assert bad.diverged and not ok.diverged and ok.step_count == 30
    assert "diverged" in window.compare_view.table.item(1, 6).text()
    assert "diverged" in window.statusBar().currentMessage()
    assert not window.banner.isVisible()
