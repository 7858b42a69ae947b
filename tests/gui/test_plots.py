"""The window's plots on real trainers: they draw what the history holds, and export."""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PyQt6 import QtGui  # noqa: E402

from relu_viz.core.config import TrainConfig  # noqa: E402
from relu_viz.core.trainer import Trainer  # noqa: E402
from relu_viz.gui.plots import (  # noqa: E402
    ALL_PLOTS, ActivationPlot, BasePlot, BoundaryPlot, DeadPlot, GradientPlot, LossPlot,
    PReluPlot)
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
    assert plot.metric() == metric
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
    assert len(grad.legend.items) == 3
    for plot in (grad, dead):
        plot.rebuild(deep)
        plot.refresh(deep)
    assert len(grad.curves) == 6 and len(grad.legend.items) == 6
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
    names = [label.text for _, label in plot.legend.items]
    assert "Tanh" in names and "GELU (tanh approx.)" in names
    plot.set_overlays([])
    assert len(plot.legend.items) == 4   # f, f', two zone keys


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
    assert plain.message.text == NOT_USED and plain.curves == []
    prelu = make(PReluPlot, trainers["prelu"])
    assert prelu.message.text == ""
    slopes = trainers["prelu"].history.layer("prelu_slope")
    assert len(prelu.curves) == slopes.shape[1] - 1
    np.testing.assert_array_equal(_original(prelu.curves[1])[1], slopes[:, 1])


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


def test_hover_reads_values(trainers, make):
    trainer = trainers["binary"]
    grad = make(GradientPlot, trainer)
    text = grad.show_hover(grad.bar_plot, 1.1, 0.0)
    assert text.startswith("L2 relu: ||dL/dW|| = ")
    assert grad.readout.text == text
    loss = make(LossPlot, trainer)
    assert loss.show_hover(loss.loss_plot, 10.2, 0.0).startswith("step 10 ")
    assert loss.show_hover(loss.loss_plot, 1e9, 0.0).startswith(f"step {trainer.step_count} ")


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
