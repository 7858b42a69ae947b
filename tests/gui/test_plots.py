"""The window's plots on real trainers: they draw what the history holds, and export."""

from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
import pytest

pytest.importorskip("pytestqt")

from PyQt6 import QtCore, QtGui  # noqa: E402

from relu_viz.core.config import TrainConfig  # noqa: E402
from relu_viz.core.trainer import Trainer  # noqa: E402
from relu_viz.gui.plots import (  # noqa: E402
    ALL_PLOTS,
    ActivationPlot,
    BasePlot,
    BoundaryPlot,
    DeadPlot,
    GradientPlot,
    LossPlot,
    PReluPlot,
    style,
)
from relu_viz.gui.plots.axis import PlotAxis  # noqa: E402
from relu_viz.gui.plots.items import FitText  # noqa: E402
from relu_viz.gui.plots.key import KeyEntry, KeyRow  # noqa: E402
from relu_viz.gui.plots.prelu_plot import NOT_USED  # noqa: E402

STEPS = 50
CASES = {
    "binary": dict(dataset="spiral"),
    "multiclass": dict(dataset="spiral3"),
    "regression_1d": dict(dataset="sine"),
    "regression_2d": dict(dataset="plane"),
    "prelu": dict(dataset="moons", activation="prelu"),
}


def _trainer(steps=STEPS, **config) -> Trainer:
    config.setdefault("n_samples", 200)
    config.setdefault("hidden_layers", (8, 8, 8))
    trainer = Trainer(TrainConfig(**config))
    trainer.run(steps)
    return trainer


@pytest.fixture(scope="module")
def trainers() -> dict:
    return {name: _trainer(**config) for name, config in CASES.items()}


@pytest.fixture
def make(qtbot):
    """Build a plot sized like a window cell; qtbot closes it after the test."""
    def build(cls, trainer=None):
        plot = cls()
        plot.resize(640, 420)
        qtbot.addWidget(plot)
        if trainer is not None:
            plot.rebuild(trainer)
            plot.refresh(trainer)
        return plot
    return build


def _original(curve):
    x, y = curve.getOriginalDataset()
    return (np.empty(0), np.empty(0)) if x is None else (np.asarray(x), np.asarray(y))


def _distinct_colours(image: QtGui.QImage) -> int:
    img = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes())
    rows = np.frombuffer(ptr, np.uint8).reshape(img.height(), img.bytesPerLine())
    pixels = rows[:, : img.width() * 4].reshape(-1, 4).view(np.uint32).ravel()
    return len(np.unique(pixels))


# -- every plot on every kind of run ---------------------------------------------------
def test_all_plots_listed_in_order():
    assert ALL_PLOTS[:1] == [LossPlot]
    assert set(ALL_PLOTS) >= {ActivationPlot, LossPlot, GradientPlot, DeadPlot, BoundaryPlot,
                              PReluPlot}
    assert all(issubclass(cls, BasePlot) for cls in ALL_PLOTS)
    assert len({cls.slug for cls in ALL_PLOTS}) == len(ALL_PLOTS)


@pytest.mark.parametrize("case", list(CASES))
def test_every_plot_rebuilds_and_refreshes(case, trainers, make):
    trainer = trainers[case]
    for cls in ALL_PLOTS:
        plot = make(cls, trainer)
        plot.refresh(trainer, upto_step=20)
        plot.refresh(trainer)
        assert isinstance(plot.summary_text(), str)


# -- curves equal the history ----------------------------------------------------------
@pytest.mark.parametrize("metric", ["grad_w_norm", "grad_mean_abs", "update_ratio"])
def test_gradient_curves_are_the_history(metric, trainers, make):
    trainer = trainers["binary"]
    plot = make(GradientPlot, trainer)
    plot.set_metric(metric)
    assert plot.metric_name() == metric
    hist = trainer.history.layer(metric)
    steps = trainer.history.steps
    assert len(plot.curves) == trainer.n_layers == hist.shape[1]
    for i, curve in enumerate(plot.curves):
        x, y = _original(curve)
        np.testing.assert_array_equal(x, steps)
        ok = np.isfinite(hist[:, i]) & (hist[:, i] > 0)
        assert ok.sum() > STEPS // 2
        np.testing.assert_allclose(y[ok], hist[ok, i])
    assert plot.curve_plot.getAxis("left").logMode
    heights = plot.bars.opts["height"] + plot.bars.opts["y0"]
    np.testing.assert_allclose(heights, np.log10(hist[-1]), rtol=1e-6)
    with pytest.raises(ValueError):
        plot.set_metric("not_a_metric")


def test_metric_menu_and_signal(trainers, make, qtbot):
    plot = make(GradientPlot, trainers["binary"])
    assert set(plot.metrics()) >= {"grad_w_norm", "grad_b_norm", "grad_mean_abs", "update_ratio"}
    with qtbot.waitSignal(plot.metric_changed) as blocker:
        next(a for a in plot._menu_actions if a.data() == "grad_b_norm").trigger()
    assert blocker.args == ["grad_b_norm"] and plot.metric_name() == "grad_b_norm"
    assert [a.isChecked() for a in plot._menu_actions] == [a.data() == "grad_b_norm"
                                                           for a in plot._menu_actions]
    expected = trainers["binary"].history.layer("grad_b_norm")[:, 0]
    ok = expected > 0
    np.testing.assert_allclose(_original(plot.curves[0])[1][ok], expected[ok])


def test_dead_and_loss_curves_are_the_history(trainers, make):
    trainer = trainers["binary"]
    h = trainer.history
    dead = make(DeadPlot, trainer)
    assert len(dead.dead_curves) == trainer.n_layers - 1
    for i, curve in enumerate(dead.dead_curves):
        np.testing.assert_array_equal(_original(curve)[1], h.layer("dead_fraction")[:, i])
        np.testing.assert_array_equal(_original(dead.sparsity_curves[i])[1],
                                      h.layer("sparsity")[:, i])
    loss = make(LossPlot, trainer)
    np.testing.assert_array_equal(_original(loss.train_raw)[1], h.scalar("train_loss"))
    test = h.scalar("test_loss")
    x, y = _original(loss.test_curve)
    np.testing.assert_array_equal(x, h.steps[np.isfinite(test)])
    np.testing.assert_array_equal(y, test[np.isfinite(test)])
    assert np.isfinite(y).all() and 0 < len(y) < len(test)


def test_upto_step_shows_only_earlier_rows(trainers, make):
    trainer = trainers["binary"]
    s = 17
    n = int(np.count_nonzero(trainer.history.steps <= s))
    loss = make(LossPlot, trainer)
    grad = make(GradientPlot, trainer)
    dead = make(DeadPlot, trainer)
    for plot in (loss, grad, dead):
        plot.refresh(trainer, upto_step=s)
    for curve in (loss.train_raw, loss.train_avg, grad.curves[0], dead.dead_curves[0]):
        x, _ = _original(curve)
        assert len(x) == n and x.max() <= s
    assert _original(loss.test_curve)[0].max() <= s
    heights = grad.bars.opts["height"] + grad.bars.opts["y0"]
    np.testing.assert_allclose(heights, np.log10(trainer.history.layer("grad_w_norm", s)[-1]),
                               rtol=1e-6)
    assert "step 17" in grad.bar_plot.titleLabel.text
    loss.refresh(trainer)
    assert len(_original(loss.train_raw)[0]) == len(trainer.history)


def test_rebuild_follows_the_layer_count(make):
    small, deep = _trainer(10, hidden_layers=(6, 6)), _trainer(10, hidden_layers=(6,) * 5)
    grad = make(GradientPlot, small)
    dead = make(DeadPlot, small)
    assert len(grad.curves) == 3 and len(dead.dead_curves) == 2
    assert grad.key.labels() == ["L1", "L2", "out"]
    for plot in (grad, dead):
        plot.rebuild(deep)
        plot.refresh(deep)
    assert len(grad.curves) == 6 and len(grad.key.labels()) == 6
    assert len(grad.bars.opts["x"]) == 6
    assert len(dead.dead_curves) == 5
    # refresh alone notices a new network too
    grad.refresh(small)
    assert len(grad.curves) == 3


# -- the activation plot ---------------------------------------------------------------
def _number(text: str) -> float:
    return float(re.match(r"\s*([0-9.]+) %", text).group(1))


def test_zero_gradient_text_matches_the_histogram(make):
    trainer = _trainer(40, dataset="spiral", activation="relu", bias_init=-0.2)
    plot = make(ActivationPlot, trainer)
    edges = Trainer.histogram_edges()
    centres = (edges[1:] + edges[:-1]) / 2
    for layer in (0, 2):
        plot.set_layer(layer)
        counts = trainer.histograms()[layer]
        expected = 100.0 * counts[centres < 0].sum() / counts.sum()   # ReLU: f' = 0 for z <= 0
        text = plot.fraction_text()
        assert f"of L{layer + 1}'s inputs get zero gradient" in text
        assert _number(text) == pytest.approx(expected, abs=0.051 if expected < 10 else 0.51)
        assert plot.zero_fraction == pytest.approx(expected / 100)
        assert 0 < expected < 100
    # At an earlier step the stored histogram is used.
    plot.refresh(trainer, upto_step=10)
    idx = trainer.checkpoints.at(10)
    counts = trainer.checkpoints.histograms[idx][2]
    assert plot.zero_fraction == pytest.approx(counts[centres < 0].sum() / counts.sum())
    bars = plot.bars_zero.opts["height"] + plot.bars_live.opts["height"]
    np.testing.assert_allclose(bars, counts / counts.sum())


def test_activation_zones_and_overlays(trainers, make):
    plot = make(ActivationPlot, trainers["binary"])
    zero, small = plot.fn_regions
    (lo, hi), = zero.spans()
    assert lo == pytest.approx(-6.0) and hi == pytest.approx(0.0, abs=0.02)
    assert small.spans() == []
    plot.set_activation("sigmoid")
    assert plot.activation() == ("sigmoid", {})
    assert len(zero.spans()) == 2 and len(small.spans()) == 2
    plot.set_activation("leaky_relu", {"alpha": 0.2})
    np.testing.assert_allclose(_original(plot.f_curve)[1][:3], 0.2 * plot.z[:3])
    assert zero.spans() == []
    plot.set_overlays(["tanh", "gelu"])
    assert len(plot.overlay_curves) == 2
    names = plot.key.labels()
    assert "Tanh" in names and "GELU (tanh approx.)" in names
    plot.set_overlays([])
    assert len(plot.key.labels()) == 4   # f, f', two zone keys


def test_activation_plot_follows_the_learned_prelu_slope(trainers, make):
    trainer = trainers["prelu"]
    plot = make(ActivationPlot, trainer)
    slope = float(trainer.model.slopes()[0])
    assert plot.activation() == ("prelu", {"alpha": pytest.approx(slope)})
    plot.set_activation("prelu", {"alpha": 0.25})     # what the window sends: still follows
    assert plot.activation()[1]["alpha"] == pytest.approx(slope)


# -- the other plots -------------------------------------------------------------------
def test_prelu_plot(trainers, make):
    plain = make(PReluPlot, trainers["binary"])
    assert plain.note.text == NOT_USED and plain.curves == []
    # Without PReLU the panel shows each layer's update/weight ratio instead.
    assert plain.showing() == "update_ratio" and not plain.uses_prelu()
    ratios = trainers["binary"].history.layer("update_ratio")
    assert len(plain.ratio_curves) == ratios.shape[1] == trainers["binary"].n_layers
    np.testing.assert_array_equal(_original(plain.ratio_curves[0])[1], ratios[:, 0])
    assert plain.plot.getAxis("left").logMode and "\u0394W" in plain.header.text
    assert plain.healthy_band.isVisible() and not plain.ref_lines[0].isVisible()
    text = plain.show_hover(plain.plot, 10.2, -3.0)
    assert text.startswith("step 10 \u00b7 ||\u0394W||/||W||: L1 ") and "out " in text
    prelu = make(PReluPlot, trainers["prelu"])
    assert prelu.note.text == "" and prelu.showing() == "slopes" and prelu.ratio_curves == []
    assert prelu.note.preferred_height() == 0     # the note takes no room when not needed
    assert not prelu.plot.getAxis("left").logMode and "PReLU" in prelu.header.text
    slopes = trainers["prelu"].history.layer("prelu_slope")
    assert len(prelu.curves) == slopes.shape[1] - 1
    np.testing.assert_array_equal(_original(prelu.curves[1])[1], slopes[:, 1])
    # PReLU never gives an exact 0: the dead-unit plot says why its curves sit at 0.
    assert "never outputs an exact 0" in make(DeadPlot, trainers["prelu"]).message.text
    assert make(DeadPlot, trainers["binary"]).message.text == ""


def test_boundary_at_an_earlier_step_restores_the_weights(trainers, make):
    trainer = trainers["binary"]
    plot = make(BoundaryPlot, trainer)
    now = plot.image.image.copy()
    assert now.shape == (plot.resolution, plot.resolution)
    assert plot.image.levels is not None and tuple(plot.image.levels) == (0.0, 1.0)
    before = trainer.model.params.copy()
    plot.refresh(trainer, upto_step=1)
    np.testing.assert_array_equal(trainer.model.params, before)
    assert not np.allclose(plot.image.image, now)
    expected = trainer.model.predict(plot._grid)[:, 0].reshape(now.shape)
    np.testing.assert_allclose(now, expected, rtol=1e-5)


def test_boundary_views_per_task(trainers, make):
    multi = make(BoundaryPlot, trainers["multiclass"])
    assert multi.image.image.shape == (multi.resolution, multi.resolution, 3)
    one_d = make(BoundaryPlot, trainers["regression_1d"])
    x, y = _original(one_d.curves[0])
    np.testing.assert_allclose(y, trainers["regression_1d"].predict(x[:, None])[:, 0],
                               rtol=1e-5)
    assert not one_d.image.isVisible()
    two_d = make(BoundaryPlot, trainers["regression_2d"])
    assert two_d.image.image.ndim == 2 and two_d.colorbar.isVisible()


def test_set_log_y_toggles(trainers, make):
    plot = make(LossPlot, trainers["binary"])
    axis = plot.loss_plot.getAxis("left")
    assert not axis.logMode and not plot.log_y()
    plot.set_log_y(True)
    assert axis.logMode and plot.log_y() and plot.train_raw.opts["logMode"][1]
    plot.refresh(trainers["binary"])
    plot.set_log_y(False)
    assert not axis.logMode and not plot.train_raw.opts["logMode"][1]


def test_hover_reads_values(trainers, make, qtbot):
    trainer = trainers["binary"]
    grad = make(GradientPlot, trainer)
    text = grad.show_hover(grad.bar_plot, 1.1, 0.0)
    assert text.startswith("L2 relu: ||dL/dW|| = ")
    assert grad.readout.text == text
    loss = make(LossPlot, trainer)
    assert loss.show_hover(loss.loss_plot, 10.2, 0.0).startswith("step 10 ")
    assert loss.show_hover(loss.loss_plot, 1e9, 0.0).startswith(f"step {trainer.step_count} ")
    # The real path: a mouse move over the plot, mapped from scene coordinates.
    loss.show()
    qtbot.waitExposed(loss)
    loss.loss_plot.setRange(xRange=(0, STEPS), yRange=(0, 1), padding=0)
    pos = loss.loss_plot.vb.mapViewToScene(pg.Point(30.0, 0.5))
    loss._on_mouse_moved((pos,))
    assert loss.readout.text.startswith("step 30 ")
    assert loss._cursors[id(loss.loss_plot)].isVisible()
    loss.leaveEvent(QtCore.QEvent(QtCore.QEvent.Type.Leave))
    assert loss.readout.text.startswith(f"step {trainer.step_count} ")


# -- export ----------------------------------------------------------------------------
@pytest.mark.parametrize("cls", ALL_PLOTS)
def test_export_png_is_a_real_picture(cls, trainers, make, tmp_path):
    plot = make(cls, trainers["prelu"])
    path = tmp_path / f"{cls.slug}.png"
    plot.export_png(str(path), 800)
    image = QtGui.QImage(str(path))
    assert not image.isNull()
    assert image.width() == 800
    assert _distinct_colours(image) > 20


# -- fitting a small window cell -------------------------------------------------------
FIT_CASES = {
    "3 layers": dict(hidden_layers=(8, 8, 8)),
    "12 layers": dict(hidden_layers=(8,) * 12),
    "12 prelu layers": dict(hidden_layers=(8,) * 12, dataset="moons", activation="prelu"),
    "multiclass": dict(dataset="spiral3"),
}


@pytest.fixture(scope="module")
def fit_trainers() -> dict:
    return {name: _trainer(20, **config) for name, config in FIT_CASES.items()}


def _shown_at(qtbot, cls, trainer, w, h):
    plot = cls()
    qtbot.addWidget(plot)
    plot.resize(w, h)
    plot.rebuild(trainer)
    plot.refresh(trainer)
    if isinstance(plot, ActivationPlot):
        plot.set_overlays(["tanh", "gelu"])        # the widest key it can get
    plot.show()
    qtbot.waitExposed(plot)
    QtCore.QCoreApplication.sendPostedEvents()
    QtCore.QCoreApplication.processEvents()
    return plot


@pytest.mark.parametrize("case", list(FIT_CASES))
@pytest.mark.parametrize("cls", ALL_PLOTS)
def test_plot_fits_a_300px_cell(cls, case, fit_trainers, qtbot):
    """At 300 x 300 px nothing overflows the widget and no title or key is cut."""
    plot = _shown_at(qtbot, cls, fit_trainers[case], 300, 300)
    bounds = QtCore.QRectF(0, 0, 300, 300)
    rect = plot.ci.mapRectToScene(plot.ci.boundingRect())
    assert bounds.contains(rect), f"layout {rect} overflows the 300 x 300 widget"
    layout = plot.ci.layout
    for i in range(layout.count()):
        item = layout.itemAt(i)
        geometry = item.geometry().adjusted(0.5, 0.5, -0.5, -0.5)
        assert bounds.contains(geometry), f"{type(item).__name__} at {item.geometry()}"
    minimum = plot.ci.effectiveSizeHint(QtCore.Qt.SizeHint.MinimumSize)
    assert minimum.width() <= 280
    titles = [item for item in plot.scene().items()
              if isinstance(item, FitText) and item.isVisible() and item.font_size()
              >= style.TITLE_PT]
    assert titles, "every plot has a title"
    for title in titles:
        assert not title.is_cut(), f"title cut: {title.shown_text()!r} of {title.text!r}"
        assert title.text_width() <= title.width() + 0.5
    for key in (item for item in plot.scene().items() if isinstance(item, KeyRow)):
        if not key.entries:
            continue
        assert key.mode() != "cut", f"key names cut: {key.labels()}"
        boxes = key.text_rects()
        assert boxes and all(key.rect().adjusted(-0.5, -0.5, 0.5, 0.5).contains(r)
                             for _, r in boxes)
        for (_, a), (_, b) in zip(boxes, boxes[1:]):
            assert not a.intersects(b), "key names overlap"


@pytest.mark.parametrize("cls", ALL_PLOTS)
def test_no_legend_over_the_data(cls, trainers, make):
    """Keys live in layout rows of their own: nothing legend-like is drawn inside a view."""
    plot = make(cls, trainers["prelu"])
    for item in plot.scene().items():
        if isinstance(item, (pg.LegendItem, KeyRow)):
            parent = item.parentItem()
            while parent is not None:
                assert not isinstance(parent, pg.ViewBox), f"{type(item).__name__} in a view"
                parent = parent.parentItem()


def test_many_layers_key_and_bars_stay_readable(fit_trainers, qtbot):
    trainer = fit_trainers["12 layers"]
    grad = _shown_at(qtbot, GradientPlot, trainer, 300, 300)
    assert grad.key.mode() == "compact"
    names = [text for text, _ in grad.key.text_rects()]
    assert names[0] == "L1" and names[-1] == "out" and 3 <= len(names) < 13
    ticks = grad.bar_plot.getAxis("bottom")._tickLevels[0]
    assert ticks[0] == (0, "L1") and ticks[-1] == (12, "out") and len(ticks) < 13
    assert not any(label.isVisible() for label in grad.value_labels)   # no room over bars
    wide = _shown_at(qtbot, GradientPlot, _trainer(5, hidden_layers=(8, 8)), 600, 500)
    assert wide.key.mode() == "full" and all(label.isVisible() for label in wide.value_labels)
    assert [t for _, t in wide.bar_plot.getAxis("bottom")._tickLevels[0]] == [
        "L1 relu", "L2 relu", "out"]


def test_fit_text_picks_the_longest_wording_that_fits(qtbot):
    view = pg.GraphicsLayoutWidget()
    qtbot.addWidget(view)
    label = FitText()
    view.ci.addItem(label)
    view.resize(160, 60)
    view.show()
    qtbot.waitExposed(view)
    label.set_text("a rather long title that cannot fit here", "short title")
    assert label.shown_text() == "short title" and label.fits() is False
    assert label.text == "a rather long title that cannot fit here"
    assert label.toolTip() == label.text
    label.set_text("x" * 200)
    assert label.is_cut() and label.shown_text().endswith("\u2026")
    assert label.text_width() <= label.width() + 0.5
    label.set_text("ok")
    assert label.fits() and label.toolTip() == ""
    # a long text never widens the layout
    assert view.ci.effectiveSizeHint(QtCore.Qt.SizeHint.MinimumSize).width() < 100


def test_axes_label_decades_and_draw_opaque_grid_lines(trainers, make, qtbot):
    plot = make(PReluPlot, trainers["binary"])          # the update-ratio view: log axis
    plot.show()
    qtbot.waitExposed(plot)
    plot.grab()                       # views auto-range when painted
    axis = plot.plot.getAxis("left")
    assert isinstance(axis, PlotAxis) and axis.logMode
    levels = axis.logTickValues(-3.2, -1.1, 190, [])
    assert levels[0][1] == [-3.0, -2.0]                 # whole decades only
    assert len(levels[1][1]) > 10                        # the rest: marks without labels
    narrow = axis.logTickValues(-2.9, -2.2, 190, [])[0][1]
    assert len(narrow) >= 2 and all(round(10 ** (v % 1)) in (2, 5) for v in narrow)
    image = QtGui.QImage(300, 300, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        for ax in (axis, plot.plot.getAxis("bottom")):
            _, ticks, texts = ax.generateDrawSpecs(painter)
            assert ticks and texts
            assert all(pen.color().alpha() == 255 for pen, _, _ in ticks)
    finally:
        painter.end()
    assert axis.zValue() < 0          # grid lines under the curves
    # The view always spans the healthy band (1e-4 .. 1e-2): two decades to label.
    assert axis.range[0] <= -4 + 1e-6 and axis.range[1] >= -2 - 1e-6


def test_unchanged_text_is_not_laid_out_again(trainers, make):
    """A refresh that changes no number leaves every text item alone (paint cost)."""
    trainer = trainers["binary"]
    plot = make(GradientPlot, trainer)
    calls = []
    for label in plot.value_labels:
        label.setText = lambda *a, _orig=label.setText, **k: (calls.append(a), _orig(*a, **k))
    plot.refresh(trainer)
    assert calls == []


# -- view ranges: no auto-range feedback loop (the window freeze) ------------------------
#: A plot, and widths at which pyqtgraph's auto-range over thinned curves (peak
#: downsampling + clip to view) flipped between two ranges forever at 3029 steps of the
#: default run: every paint scheduled the next, no timer fired and the window froze.
LOOP_WIDTHS = {
    LossPlot: [*range(310, 323, 2), *range(437, 450, 2)],
    GradientPlot: list(range(407, 420, 2)),
    DeadPlot: list(range(401, 414, 2)),
    PReluPlot: list(range(401, 414, 2)),
}


@pytest.fixture(scope="module")
def long_run() -> Trainer:
    trainer = Trainer(TrainConfig())
    trainer.run(3029)
    return trainer


def _paints_after_settling(plot, app, rounds: int = 20) -> int:
    """Viewport paints in ``rounds`` passes of the event loop once the plot has settled:
    0-2 for a plot at rest, about one per pass for a plot stuck in a paint loop."""
    count = [0]

    class Counter(QtCore.QObject):
        def eventFilter(self, obj, event):  # noqa: N802 (Qt name)
            if event.type() == QtCore.QEvent.Type.Paint:
                count[0] += 1
            return False

    counter = Counter()
    plot.viewport().installEventFilter(counter)
    try:
        for _ in range(3):
            app.processEvents()
        count[0] = 0
        for _ in range(rounds):
            app.processEvents()
    finally:
        plot.viewport().removeEventFilter(counter)
    return count[0]


@pytest.mark.parametrize("cls", list(LOOP_WIDTHS))
def test_no_paint_loop_at_any_width(cls, long_run, qtbot):
    """Regression: the window froze in 5 of 20 live runs (a paint loop in LossPlot,
    GradientPlot, DeadPlot, PReluPlot). Each plot must come to rest at these widths."""
    app = QtCore.QCoreApplication.instance()
    plot = cls()
    qtbot.addWidget(plot)
    plot.resize(LOOP_WIDTHS[cls][0], 340)
    plot.rebuild(long_run)
    plot.refresh(long_run)
    plot.show()
    qtbot.waitExposed(plot)
    looping = []
    for width in LOOP_WIDTHS[cls]:
        plot.resize(width, 340)
        plot.refresh(long_run)
        paints = _paints_after_settling(plot, app)
        if paints > 5:
            looping.append((width, paints))
    assert not looping, f"{cls.__name__} keeps repainting at (width, paints): {looping}"


def _thinned_views(plot):
    """The view boxes that hold a curve with auto-downsampling or clip-to-view."""
    views = []
    for item in plot.scene().items():
        if isinstance(item, pg.PlotDataItem) and (item.opts["autoDownsample"]
                                                  or item.opts["clipToView"]):
            vb = item.getViewBox()
            if vb is not None and vb not in views:
                views.append(vb)
    return views


@pytest.mark.parametrize("cls", [LossPlot, GradientPlot, DeadPlot, PReluPlot])
def test_views_of_thinned_curves_never_auto_range(cls, trainers, make):
    """The ranges come from the data, set in refresh; pyqtgraph's auto-range stays off,
    also after the user asks for it (the "A" button turns following back on)."""
    trainer = trainers["prelu"] if cls is PReluPlot else trainers["binary"]
    plot = make(cls, trainer)
    views = _thinned_views(plot)
    assert views
    linked = [v for vb in views for v in (vb.linkedView(0),) if v is not None]
    for vb in views + linked:
        assert vb.autoRangeEnabled() == [False, False], f"{cls.__name__}: {vb.name}"
        vb.enableAutoRange()                             # the "A" button
        assert vb.autoRangeEnabled() == [False, False], "auto-range came back"
    steps = trainer.history.scalar("step")
    for vb in views:
        x0, x1 = vb.viewRange()[0]
        assert x0 <= steps[0] and steps[-1] <= x1 <= 1.25 * steps[-1] + 10


def test_manual_zoom_stops_following_until_auto(trainers, make):
    trainer = trainers["binary"]
    plot = make(GradientPlot, trainer)
    vb = plot.curve_plot.vb
    following = vb.viewRange()
    vb.setXRange(5, 20, padding=0)
    vb.sigRangeChangedManually.emit([True, True])        # as a mouse drag does
    plot.refresh(trainer)
    assert vb.viewRange()[0] == pytest.approx([5, 20])  # the user's view stays
    vb.enableAutoRange()                                  # "A": follow again
    assert np.allclose(vb.viewRange(), following)
    assert vb.autoRangeEnabled() == [False, False]


def test_range_helpers():
    from relu_viz.gui.plots.ranges import finite_bounds, nice_step, step_range, value_range

    assert [nice_step(v) for v in (0.07, 1, 1.1, 2.2, 3, 7, 10)] == \
        [0.1, 1, 2, 2.5, 5, 10, 10]
    assert step_range(0) == (0.0, 10.0)
    lo, hi = step_range(3029)
    assert lo == 0 and 3029 <= hi <= 3029 * 1.25
    # The step axis grows in jumps: it stays put while the data grow inside it.
    assert len({step_range(s) for s in range(3000, 3300)}) <= 2
    assert finite_bounds([np.array([np.nan, 0.0, 1e-3, 10.0])], log=True) == (-3.0, 1.0)
    assert finite_bounds([np.array([np.nan])]) is None
    r = value_range((0.2, 0.8))
    assert r[0] <= 0.2 and r[1] >= 0.8
    assert value_range((0.2, 0.75), r) == r                     # inside, fills it: kept
    assert value_range((0.45, 0.55), r) != r                    # fills too little: new
    assert value_range((0.05, 0.8), r)[0] <= 0.05               # out of it: new
    assert value_range((0.01, 0.5), None, floor=0.0)[0] == 0.0  # never below 0 for >= 0


def test_gradient_bar_range_holds_still_while_values_jump(long_run, make):
    plot = make(GradientPlot, long_run)
    rows = long_run.history.layer("grad_w_norm")[-2000::10]
    ranges = []
    for row in rows:
        logs = np.log10(row[row > 0])
        base, top = plot._bar_range(logs)
        assert base <= logs.min() - 0.1 + 1e-9 and logs.max() <= top
        ranges.append((base, top))
    changes = sum(a != b for a, b in zip(ranges, ranges[1:]))
    assert changes <= len(rows) // 10, f"the bar axis moved in {changes} of {len(rows)} frames"


# -- heavy plots redraw less often while playing ---------------------------------------
@pytest.mark.parametrize("cls", [BoundaryPlot, ActivationPlot])
def test_heavy_plots_throttle_while_playing_and_catch_up_on_pause(cls, qtbot):
    trainer = _trainer(20, dataset="spiral")
    plot = cls()
    qtbot.addWidget(plot)
    plot.rebuild(trainer)
    plot.refresh(trainer)
    calls = []
    original = plot._refresh_now
    plot._refresh_now = lambda t, u=None: (calls.append(t.step_count), original(t, u))
    plot.live_interval = 60.0
    plot.set_playing(True)
    trainer.run(5)
    plot.refresh(trainer)                 # the last refresh was just now: put off
    assert calls == []
    plot.set_playing(False)               # pause: the latest state at once
    assert calls == [25]
    plot.live_interval = 0.2
    plot.set_playing(True)
    trainer.run(5)
    plot.refresh(trainer)
    qtbot.waitUntil(lambda: calls[-1] == 30, timeout=3000)   # ...or when due
    plot.set_playing(False)
    plot.refresh(trainer, upto_step=10)   # never put off: the timeline, paused
    assert len(calls) == 3


# -- the comparison: a dead run stays visible on the log axis --------------------------
@pytest.fixture(scope="module")
def dead_comparison():
    from relu_viz.app.runs import Comparison

    comp = Comparison.from_spec(TrainConfig(dataset="circle", n_samples=200,
                                            hidden_layers=(8, 8, 8)), "bias_init=0,-2")
    comp.run(30)
    return comp


def test_compare_plot_floors_exact_zero_gradients(dead_comparison, qtbot):
    from relu_viz.gui.plots.compare_plot import ComparePlot

    comp = dead_comparison
    dead = comp.trainers[1].history.layer("grad_w_norm")
    assert np.all(dead[[0, -1]] == 0), "the bias_init=-2 run is not dead: pick another"
    plot = ComparePlot()
    qtbot.addWidget(plot)
    plot.resize(900, 420)
    plot.rebuild(comp)
    plot.refresh(comp)
    plot.show()
    qtbot.waitExposed(plot)
    n = comp.trainers[1].n_layers
    assert plot.zero_runs == ["bias_init=-2"]
    for curve in (plot._first_curves[1], plot._last_curves[1]):
        x, y = _original(curve)
        assert len(x) == n and np.allclose(y, plot.grad_floor)   # every layer, on the edge
    mx, my = _original(plot._zero_marks[1])
    assert list(mx) == list(range(1, n + 1)) and np.allclose(my, plot.grad_floor)
    assert len(_original(plot._zero_marks[0])[0]) == 0           # the live run: no marks
    live = comp.trainers[0].history.layer("grad_w_norm")
    y0, y1 = plot.grad_plot.vb.viewRange()[1]
    floor = np.log10(plot.grad_floor)
    assert y0 < floor < np.log10(live[[0, -1]].min()) <= y1     # inside, under the rest
    assert "exactly 0" in plot.zero_note.shown_text() and plot.zero_note.height() > 0
    axis = plot.grad_plot.getAxis("left")
    values = [v for v in axis.tickValues(y0, y1, 300)[0][1]]
    assert any(abs(v - floor) < 1e-9 for v in values)
    assert axis.tickStrings(values, 1.0, 1.0)[values.index(
        min(values, key=lambda v: abs(v - floor)))] == "0"


def _text_boxes(axis):
    image = QtGui.QImage(400, 400, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [] if specs is None else [(rect, text) for rect, _, text in specs[2]]


@pytest.mark.parametrize("height", [200, 260, 420, 700])
def test_log_axis_labels_never_overlap(dead_comparison, qtbot, height):
    """The comparison's log axes at any height: labelled ticks at least a label apart."""
    from relu_viz.gui.plots.compare_plot import ComparePlot

    plot = ComparePlot()
    qtbot.addWidget(plot)
    plot.resize(700, height)
    plot.rebuild(dead_comparison)
    plot.refresh(dead_comparison)
    plot.show()
    qtbot.waitExposed(plot)
    QtCore.QCoreApplication.processEvents()
    for sub in (plot.loss_plot, plot.grad_plot):
        boxes = sorted(_text_boxes(sub.getAxis("left")), key=lambda b: b[0].top())
        assert boxes
        for (a, ta), (b, tb) in zip(boxes, boxes[1:]):
            assert a.bottom() <= b.top() + 1, f"labels {ta!r} and {tb!r} overlap at {height}"


def test_log_tick_values_keep_a_label_apart():
    axis = PlotAxis("left")
    axis.setLogMode(False, True)
    for lo, hi, size in [(-2.9, -1.2, 60), (-2.9, -1.2, 120), (-4.3, -0.2, 90), (-1, 0, 40),
                         (-0.9, 0.05, 80), (-12, 1, 150)]:
        labelled = axis.logTickValues(lo, hi, size, [])[0][1]
        px = np.diff(sorted(labelled)) * size / (hi - lo)
        assert labelled and np.all(px >= 22 - 1e-6), (lo, hi, size)   # a 9 pt label: ~15 px


def test_log_labels_stay_narrow():
    """Decade labels fit the 52-58 px left axes: no "0.0001" (pyqtgraph's %g)."""
    axis = PlotAxis("left")
    axis.setLogMode(False, True)
    values = [-6.0, np.log10(2e-5), -4.0, -3.0, np.log10(5e-3), -1.0, 0.0, 2.0, 3.0, 4.0]
    assert axis.tickStrings(values, 1.0, 1.0) == [
        "10\u207b\u2076", "2\u00b710\u207b\u2075", "10\u207b\u2074", "0.001", "0.005", "0.1",
        "1", "100", "1000", "10\u2074"]


def test_key_row_gets_its_height_when_entries_arrive_after_layout(qtbot):
    # An exported plot is laid out once, empty, then filled: the key row must grow then,
    # or the PNG has no legend (seen in relu-viz run's PNGs).
    view = pg.GraphicsLayoutWidget()
    qtbot.addWidget(view)
    view.resize(600, 300)
    view.ci.addPlot(row=0, col=0)
    key = KeyRow()
    view.ci.addItem(key, row=1, col=0)
    view.show()
    qtbot.waitExposed(view)
    QtCore.QCoreApplication.sendPostedEvents()
    assert key.size().height() == 0
    key.set_entries([KeyEntry.line("L1", "#1f77b4"), KeyEntry.line("out", "#333333")])
    qtbot.waitUntil(lambda: key.size().height() > 10, timeout=2000)
