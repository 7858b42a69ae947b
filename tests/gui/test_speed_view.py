"""The "ReLU speed" dialog: builds offscreen, runs a tiny benchmark, draws it, cancels, exports."""

import threading

import pytest
from PyQt6 import QtGui

from relu_viz.gui.views.speed_view import COPY_VARIANT, SpeedDialog

TINY = (1000, 2000)


@pytest.fixture
def dialog(qtbot):
    d = SpeedDialog(sizes=TINY, repeats=2)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    yield d
    d.close()


def run_to_end(qtbot, d, timeout=20_000):
    with qtbot.waitSignal(d.finished_run, timeout=timeout) as blocker:
        d.start()
    return blocker.args[0]


def test_runs_a_tiny_bench_to_completion_and_draws_it(qtbot, dialog):
    assert run_to_end(qtbot, dialog) == "done"
    assert dialog.state == "done"
    assert dialog.progress.value() == dialog.progress.maximum() == len(TINY)
    assert {r["size"] for r in dialog.rows} == set(TINY)
    # the copy ceiling and at least two implementations of the shown operation
    assert COPY_VARIANT in dialog.curves and len(dialog.curves) >= 3
    for curve in dialog.curves.values():
        xs, ys = curve.getOriginalDataset()
        assert list(xs) == list(TINY) and all(y > 0 for y in ys)
    assert dialog.curves[COPY_VARIANT].opts["pen"].width() >= 3  # the thick dashed ceiling
    # the table: one row per implementation, one ratio column per size
    assert dialog.table.columnCount() == 2 + len(TINY)
    assert dialog.table.rowCount() == len({(r["group"], r["variant"]) for r in dialog.rows})
    assert dialog.table.item(0, 2).text().endswith("x")
    assert "relu forward" in dialog.groups()
    assert "OPENBLAS_CORETYPE" in dialog.env_label.text()
    assert dialog.run_button.isEnabled() and dialog.export_button.isEnabled()
    assert not dialog.cancel_button.isEnabled()


def test_another_operation_can_be_shown(qtbot, dialog):
    run_to_end(qtbot, dialog)
    dialog.group_box.setCurrentText("relu backward")
    assert any("backward" in v for v in dialog.curves)
    assert COPY_VARIANT in dialog.curves


def test_cancel_stops_after_the_size_in_hand(qtbot):
    gate = threading.Event()
    calls = []

    def slow_bench(sizes, dtype, repeats):
        calls.append(sizes[0])
        gate.wait(10)
        row = {"size": sizes[0], "group": "copy", "variant": COPY_VARIANT, "bytes": 8,
               "median_s": 1e-6, "min_s": 1e-6, "gbps": 1.0, "x_copy": 1.0,
               "x_copy_best": 1.0}
        return {"results": [row], "env": {}}

    d = SpeedDialog(sizes=(10, 20, 30, 40), repeats=1, bench=slow_bench)
    qtbot.addWidget(d)
    d.start()
    qtbot.waitUntil(lambda: bool(calls), timeout=5000)
    assert d.running and d.cancel_button.isEnabled()
    d.cancel()
    assert d.state == "cancelling" and not d.cancel_button.isEnabled()
    with qtbot.waitSignal(d.finished_run, timeout=10_000) as blocker:
        gate.set()
    assert blocker.args == ["cancelled"] and d.state == "cancelled"
    assert calls == [10] and d.progress.value() == 1
    assert "1 of 4" in d.status.text()
    assert d.run_button.isEnabled()


def test_a_failing_bench_is_reported_not_raised(qtbot):
    def broken(sizes, dtype, repeats):
        raise MemoryError("no room")

    d = SpeedDialog(sizes=(10,), repeats=1, bench=broken)
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.finished_run, timeout=5000) as blocker:
        d.start()
    assert blocker.args == ["failed"]
    assert "no room" in d.status.text()


def test_export_png(qtbot, dialog, tmp_path):
    run_to_end(qtbot, dialog)
    path = dialog.export_png(tmp_path / "speed.png", width=800)
    image = QtGui.QImage(str(path))
    assert image.width() == 800 and image.height() > 100


def test_closing_while_running_waits_for_the_worker(qtbot):
    d = SpeedDialog(sizes=(1000,) * 3, repeats=2)
    qtbot.addWidget(d)
    d.start()
    d.close()
    assert d.worker is not None and not d.worker.isRunning()
