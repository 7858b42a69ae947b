"""What the model predicts over the input plane (or line), with the data on top."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PyQt6 import QtCore

from relu_viz.core import data as datasets
from relu_viz.gui.plots import style
from relu_viz.gui.plots.base import BasePlot, demo_show
from relu_viz.gui.plots.items import FitText
from relu_viz.gui.plots.key import KeyEntry

#: Share of full colour the heatmap uses, so points drawn on it stay visible.
HEAT_STRENGTH = 0.6
CURVE_POINTS = 400


def _light_lut(cmap: pg.ColorMap, strength: float = HEAT_STRENGTH) -> np.ndarray:
    """256-entry uint8 RGB table of ``cmap`` blended toward white."""
    lut = cmap.getLookupTable(0.0, 1.0, 256, alpha=False).astype(np.float64)
    return np.round(255.0 - strength * (255.0 - lut)).astype(np.uint8)


def predict_with_params(trainer, X: np.ndarray, params: np.ndarray | None) -> np.ndarray:
    """Model output for ``X`` with the flat parameter vector ``params`` (None: current).

    The model's parameters are swapped in place and restored in a ``finally`` block. This is
    safe only because the window drives the trainer and the plots from one (GUI) thread: no
    step can run between the swap and the restore.
    """
    model = trainer.model
    widest = max(trainer.config.hidden_layers, default=1)
    if params is None:
        return _in_chunks(trainer.predict, X, widest)
    saved = model.params.copy()
    try:
        model.params[...] = params
        return _in_chunks(model.predict, X, widest)
    finally:
        model.params[...] = saved


#: Rows x widest layer per forward pass of the grid (see :func:`_in_chunks`).
CHUNK_ELEMENTS = 16384


def _in_chunks(predict, X: np.ndarray, widest: int = 32) -> np.ndarray:
    """``predict(X)`` over blocks of about CHUNK_ELEMENTS / ``widest`` rows.

    On a shared 2-core machine a 14400-row product lets OpenBLAS use its second thread,
    which then competes with the GUI thread and the display server. Measured in the live
    window under Xvfb (32-32-32 net, 120x120 grid, interleaved): the whole grid at once
    took 4-19 ms (median, by the moment), blocks of 1024 rows 2.6 ms median but 214 ms at
    the 90th percentile, blocks of 512 rows 3.0 ms with a 90th percentile of 3.3 ms.
    """
    rows = int(min(max(2 ** round(math.log2(CHUNK_ELEMENTS / max(widest, 1))), 64), 4096))
    n = len(X)
    if n <= rows:
        return predict(X)
    return np.concatenate([predict(X[i:i + rows]) for i in range(0, n, rows)])


class BoundaryPlot(BasePlot):
    """Heatmap of the output on a grid for 2-D inputs, a fitted curve for 1-D ones."""

    title = "Decision boundary"
    slug = "boundary"
    live_interval = 0.2

    def __init__(self, parent=None, resolution: int = 120):
        super().__init__(parent)
        self.resolution = int(min(max(resolution, 10), 150))
        self._mode = "none"
        self._task = ""
        self._grid = None
        self._grid_shape = (0, 0)
        self._xs = self._ys = np.empty(0)
        self._out = None
        self._shown_step = None
        self._n_classes = 0
        self._model = None
        self._trainer = None

        self.plot = self.addPlot(row=0, col=0)
        style.style_axes(self.plot, "x1", "x2", grid=False)   # a heatmap needs no grid
        self.plot.getAxis("left").setWidth(44)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.curves: list[pg.PlotDataItem] = []
        self.scatters: list[pg.ScatterPlotItem] = []
        self.cmap = pg.colormap.get("CET-D1")
        self._lut = _light_lut(self.cmap)
        self.colorbar = pg.ColorBarItem(
            values=(0, 1), width=14, interactive=False, colorMap=pg.ColorMap(
                np.linspace(0, 1, 256), self._lut), pen=pg.mkPen(style.AXIS))
        self.colorbar.axis.setTextPen(pg.mkPen(style.TEXT))
        self.colorbar.axis.setStyle(tickFont=style.font(style.SMALL_PT))
        self.colorbar.axis.enableAutoSIPrefix(False)
        self._colorbar_shown = False
        # The key spans both columns in a row of its own: it never hides a point.
        self.key = self._add_key(row=1, colspan=2)
        self._keys: list[KeyEntry] = []
        self.message = FitText(size=style.FONT_PT, color=style.MUTED, lines=2).pin(
            self.plot.vb, "center")
        self._add_readout(row=2, colspan=2)
        self._enable_hover(self.plot)

    # -- building ----------------------------------------------------------------------
    def rebuild(self, trainer) -> None:
        """Pick the view for the data set (2-D heatmap, 1-D curve, or a message)."""
        self._trainer = trainer
        self._model = trainer.model
        ds = trainer.dataset
        self._task, self._n_classes = ds.task, ds.n_classes
        for item in self.curves + self.scatters:
            self.plot.removeItem(item)
        self.curves, self.scatters = [], []
        self._keys = []
        self._out, self._shown_step = None, None
        self.image.clear()
        self.message.set_text("")
        if ds.n_features == 2:
            self._build_2d(trainer)
        elif ds.n_features == 1:
            self._build_1d(trainer)
        else:
            self._mode = "none"
            self.message.set_lines([("The boundary view needs 1 or 2 input features;",
                                     "Needs 1 or 2 input features;", "Needs 1-2 features"),
                                    (f"this data has {ds.n_features}.",)])
            style.set_title(self.plot, "Decision boundary", "Boundary")
        self._show_colorbar(self._mode == "2d" and ds.task != "multiclass")
        self.key.set_entries(self._keys)
        self._update_summary()

    def _show_colorbar(self, show: bool) -> None:
        if show and not self._colorbar_shown:
            self.ci.addItem(self.colorbar, row=0, col=1)
        elif not show and self._colorbar_shown:
            self.ci.removeItem(self.colorbar)
        self.colorbar.setVisible(show)
        self._colorbar_shown = show

    def _build_2d(self, trainer) -> None:
        ds = trainer.dataset
        self._mode = "2d"
        x0, x1, y0, y1 = datasets.plot_bounds(ds)
        r = self.resolution
        self._xs, self._ys = np.linspace(x0, x1, r), np.linspace(y0, y1, r)
        gx, gy = np.meshgrid(self._xs, self._ys)          # rows follow y, columns x
        self._grid = np.column_stack([gx.ravel(), gy.ravel()]).astype(trainer.model.dtype)
        self._grid_shape = (r, r)
        dx, dy = (x1 - x0) / (r - 1), (y1 - y0) / (r - 1)
        # Pixel centres sit on the grid points; set with every image (setRect needs a shape).
        self._rect = QtCore.QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy)
        self.image.setVisible(True)
        style.set_axis_label(self.plot, "bottom", "x1")
        style.set_axis_label(self.plot, "left", "x2")
        self.plot.setAspectLocked(True)
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        if ds.task == "regression":
            lo, hi = self._target_range(ds)
            self._levels = (lo, hi)
            self.image.setLookupTable(self._lut)
            self.colorbar.setLevels(values=(lo, hi))
            self.colorbar.axis.setLabel("prediction / target", color=style.TEXT)
            self._add_value_points(ds, lo, hi)
        else:
            if ds.task == "binary":
                self._levels = (0.0, 1.0)
                self.image.setLookupTable(self._lut)
                self.colorbar.setLevels(values=(0, 1))
                self.colorbar.axis.setLabel("p(class 1)", color=style.TEXT)
            else:
                self.image.setLookupTable(None)
                self._levels = (0, 255)
            self._add_class_points(ds, ds.X_train, ds.X_test)

    def _build_1d(self, trainer) -> None:
        ds = trainer.dataset
        self._mode = "1d"
        x0, x1 = datasets.plot_bounds(ds)
        self._xs = np.linspace(x0, x1, CURVE_POINTS)
        self._grid = self._xs[:, None].astype(trainer.model.dtype)
        self.image.setVisible(False)
        self.plot.setAspectLocked(False)
        style.set_axis_label(self.plot, "bottom", "x")
        if ds.task == "regression":
            style.set_axis_label(self.plot, "left", "y")
            grey = pg.mkColor(90, 110, 140)
            self._scatter(ds.X_train[:, 0], ds.y_train[:, 0], "train", brush=grey,
                          pen=pg.mkPen("w", width=0.6), size=6)
            self._scatter(ds.X_test[:, 0], ds.y_test[:, 0], "test", brush=None,
                          pen=pg.mkPen(grey, width=1.6), size=7)
            self._curve(style.PALETTE[1], "model")
        else:
            style.set_axis_label(self.plot, "left", "p(class)")
            k = ds.n_classes
            for c in ([1] if ds.task == "binary" else range(k)):
                self._curve(style.class_color(c), f"p(class {c})")
            self._add_class_points(ds, ds.X_train, ds.X_test, one_d=True)
        self.plot.enableAutoRange()

    def _curve(self, color, name) -> None:
        pen = pg.mkPen(color, width=2.5)
        curve = pg.PlotDataItem(pen=pen)
        self.plot.addItem(curve)
        self.curves.append(curve)
        self._keys.append(KeyEntry.line(name, pen))

    def _scatter(self, x, y, name, brush, pen, size, symbol="o") -> pg.ScatterPlotItem:
        item = pg.ScatterPlotItem(x=np.asarray(x), y=np.asarray(y), size=size, symbol=symbol,
                                  brush=brush if brush is not None else pg.mkBrush(0, 0, 0, 0),
                                  pen=pen)
        self.plot.addItem(item)
        self.scatters.append(item)
        if name:
            # Per-point colours (regression targets) get a neutral sample in the key.
            key_brush = pg.mkColor(150, 150, 150) if isinstance(brush, list) else brush
            self._keys.append(KeyEntry.marker(name, symbol, key_brush, pen, min(size, 8)))
        return item

    def _class_labels(self, y) -> np.ndarray:
        y = np.asarray(y)
        return (y.reshape(-1) > 0.5).astype(int) if self._task == "binary" else y.astype(int)

    def _add_class_points(self, ds, X_train, X_test, one_d=False) -> None:
        for part, X, y in (("train", X_train, ds.y_train), ("test", X_test, ds.y_test)):
            labels = self._class_labels(y)
            for c in range(ds.n_classes):
                sel = labels == c
                colour = style.class_color(c)
                ys = (labels[sel].astype(float) if ds.task == "binary" else
                      np.full(sel.sum(), 1.04)) if one_d else X[sel, 1]
                if part == "train":
                    self._scatter(X[sel, 0], ys, f"class {c}", brush=colour,
                                  pen=pg.mkPen("w", width=0.8), size=7)
                else:
                    self._scatter(X[sel, 0], ys, None, brush=pg.mkBrush(255, 255, 255, 120),
                                  pen=pg.mkPen(colour, width=2), size=8)
        self._keys.append(KeyEntry.marker("test", "o", None, pg.mkPen(style.MUTED, width=2), 8))

    def _add_value_points(self, ds, lo, hi) -> None:
        span = max(hi - lo, 1e-12)

        def brushes(y):
            return [pg.mkBrush(c) for c in self.cmap.map((y.reshape(-1) - lo) / span, "qcolor")]

        self._scatter(ds.X_train[:, 0], ds.X_train[:, 1], "train",
                      brush=brushes(ds.y_train), pen=pg.mkPen(60, 60, 60, 180, width=0.7),
                      size=7)
        self._scatter(ds.X_test[:, 0], ds.X_test[:, 1], "test",
                      brush=brushes(ds.y_test), pen=pg.mkPen(20, 20, 20, width=1.4), size=8,
                      symbol="s")

    @staticmethod
    def _target_range(ds) -> tuple[float, float]:
        y = np.concatenate([ds.y_train.ravel(), ds.y_test.ravel()])
        m = float(np.max(np.abs(y))) if y.size else 1.0
        lo, hi = float(y.min()), float(y.max())
        if lo < 0 < hi:       # centre the diverging map on 0
            return -m, m
        return (lo, hi) if hi > lo else (lo - 1.0, lo + 1.0)

    # -- updating ----------------------------------------------------------------------
    def refresh(self, trainer, upto_step: float | None = None) -> None:
        """Evaluate the model on the grid (at the checkpoint at or before ``upto_step``).

        While training plays, at most every ``live_interval`` seconds (a forward pass
        over the whole grid; see BasePlot._defer); the latest state is drawn on pause.
        """
        if not self._defer(trainer, upto_step):
            self._timed(self._refresh_now, trainer, upto_step)

    def _refresh_now(self, trainer, upto_step: float | None = None) -> None:
        if trainer.model is not self._model:
            self.rebuild(trainer)
        self._trainer = trainer
        if self._mode == "none":
            return
        params, step = None, trainer.step_count
        if upto_step is not None:
            idx = trainer.checkpoints.at(upto_step)
            if idx is None or trainer.checkpoints.params[idx].shape != trainer.model.params.shape:
                return
            params, step = trainer.checkpoints.params[idx], trainer.checkpoints.steps[idx]
        out = np.asarray(predict_with_params(trainer, self._grid, params), dtype=np.float64)
        self._out, self._shown_step = out, step
        if self._mode == "2d":
            self.image.setImage(self._image_data(out), autoLevels=False, levels=self._levels,
                                rect=self._rect)
        else:
            for k, curve in enumerate(self.curves):
                col = 1 if (self._task == "binary" and out.shape[1] == 2) else k
                curve.setData(self._xs, out[:, col])
        what, short = {"binary": ("p(class 1)", "p(class 1)"),
                       "multiclass": ("Likeliest class (pale = unsure)", "Likeliest class"),
                       "regression": ("Prediction", "Prediction")}[self._task]
        style.set_title(self.plot, f"{what} at step {int(step)}", f"{short} at step {int(step)}",
                        f"{short}, step {int(step)}", short)
        self._update_summary()

    def _image_data(self, out: np.ndarray) -> np.ndarray:
        r, c = self._grid_shape
        if self._task != "multiclass":
            return np.nan_to_num(out[:, 0], nan=0.5).reshape(r, c)
        k = out.shape[1]
        best = np.argmax(out, axis=1)
        pmax = out[np.arange(len(out)), best]
        t = np.clip((pmax - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
        colours = np.array([style.class_color(j).getRgb()[:3] for j in range(k)], float)
        rgb = 255.0 - (HEAT_STRENGTH * t)[:, None] * (255.0 - colours[best])
        return np.round(rgb).astype(np.uint8).reshape(r, c, 3)

    # -- read-out ----------------------------------------------------------------------
    def _value_text(self, row: np.ndarray) -> str:
        if self._task == "binary":
            return f"p(class 1) = {row[-1]:.3f}"
        if self._task == "multiclass":
            best = int(np.argmax(row))
            return f"class {best} (p = {row[best]:.2f})"
        return f"prediction = {style.fmt(row[0])}"

    def hover_text(self, plot, x, y):
        if self._out is None:
            return None
        if self._mode == "2d":
            xs, ys = self._xs, self._ys
            if not (xs[0] <= x <= xs[-1] and ys[0] <= y <= ys[-1]):
                return None
            j = int(round((x - xs[0]) / (xs[1] - xs[0])))
            i = int(round((y - ys[0]) / (ys[1] - ys[0])))
            row = self._out[i * self._grid_shape[1] + j]
            return f"x1 = {x:.2f}, x2 = {y:.2f}: {self._value_text(row)}"
        j = int(np.clip(np.searchsorted(self._xs, x), 0, len(self._xs) - 1))
        return f"x = {self._xs[j]:.2f}: {self._value_text(self._out[j])}"

    def summary_text(self) -> str:
        t = self._trainer
        if t is None or self._shown_step is None:
            return "" if self._mode == "none" else "no model evaluated yet"
        upto = self._shown_step
        parts = [f"model at step {int(upto)}"]
        if self._task == "regression":
            parts.append(f"test loss {style.fmt(t.history.last_finite('test_loss', upto))}")
        else:
            tr = t.history.last_finite("train_accuracy", upto)
            te = t.history.last_finite("test_accuracy", upto)
            if tr == tr:
                parts.append(f"accuracy train {tr:.1%} / test {te:.1%}")
        return " \u00b7 ".join(parts)


if __name__ == "__main__":
    demo_show(BoundaryPlot, steps=400, dataset="spiral")
