"""Shared look of every plot: colours per layer and per class, fonts, axes, titles."""

from __future__ import annotations

import colorsys
import html

import pyqtgraph as pg
from PyQt6 import QtCore, QtGui, QtWidgets

FONT_PT = 10
TITLE_PT = 11
SMALL_PT = 9
TEXT = "#222222"
AXIS = "#555555"
MUTED = "#6b6b6b"
GRID_ALPHA = 0.15
OUTPUT_COLOR = "#333333"

#: Zone shades (RGBA) shared by the activation plot and its histogram.
ZERO_GRAD_BRUSH = (150, 150, 150, 70)
SMALL_GRAD_BRUSH = (240, 190, 90, 60)


def _make_palette() -> list[str]:
    """A qualitative palette for lines on white paper, built once at import.

    Ten hues chosen by hand to stay apart in hue and lightness (blue, orange, green, red,
    purple, brown, magenta, teal, olive, gold); none is grey, which marks the output layer.
    """
    hls = [(0.60, 0.43, 0.72), (0.09, 0.46, 0.95), (0.36, 0.36, 0.68), (0.98, 0.45, 0.66),
           (0.76, 0.47, 0.48), (0.07, 0.34, 0.53), (0.89, 0.53, 0.62), (0.50, 0.34, 0.80),
           (0.19, 0.32, 0.80), (0.13, 0.45, 0.95)]
    out = []
    for h, light, sat in hls:
        r, g, b = colorsys.hls_to_rgb(h, light, sat)
        out.append("#%02x%02x%02x" % (round(r * 255), round(g * 255), round(b * 255)))
    return out


PALETTE = _make_palette()


def layer_color(i: int, n_layers: int | None = None) -> QtGui.QColor:
    """Colour of weight layer ``i``; the output layer (``i == n_layers - 1``) is dark grey."""
    if n_layers is not None and i == n_layers - 1:
        return QtGui.QColor(OUTPUT_COLOR)
    return QtGui.QColor(PALETTE[i % len(PALETTE)])


def series_width(n_curves: int, noisy: bool = False) -> float:
    """Line width for per-step curves: 2 px for a few smooth ones, else 1 px.

    Qt strokes any line wider than 1 px through a slow path: a peak-downsampled noisy
    curve in a 300 px panel repaints in ~0.25 ms at 1 px and ~0.65 ms at 1.5 or 2 px
    (offscreen, software raster), and a live window repaints its curves every frame.
    ``noisy`` (a value per step that jumps, e.g. gradient norms): always 1 px.
    """
    return 2.0 if n_curves <= 4 and not noisy else 1.0


def thin_out(curve: pg.PlotDataItem) -> pg.PlotDataItem:
    """Peak-downsample a per-step curve to ~2 points per pixel and clip it to the view.

    Called after the curve exists (``clipToView`` as a ``plot()`` keyword breaks pyqtgraph
    0.14). pyqtgraph's default keeps ~10 points per pixel; the min/max pairs of the peak
    method draw the same envelope from 2, and a noisy 5k-step curve paints ~3x faster.
    """
    curve.setDownsampling(auto=True, method="peak")
    curve.setClipToView(True)
    curve.opts["autoDownsampleFactor"] = 1.0   # no setter in pyqtgraph 0.14
    return curve


def layer_pen(i: int, n_layers: int | None = None, width: float = 2.0,
              dashed: bool = False) -> QtGui.QPen:
    """Pen of layer ``i``; past the palette's length the pattern changes so repeats differ.

    Dashed and patterned pens are always 1 px: a wider dashed stroke of a noisy 5k-point
    curve takes ~160 ms to paint (Qt's path stroker), a 1 px one under 1 ms.
    """
    pen = pg.mkPen(layer_color(i, n_layers), width=width)
    is_output = n_layers is not None and i == n_layers - 1
    cycle = 0 if is_output else i // len(PALETTE)
    style = (QtCore.Qt.PenStyle.DashLine if dashed else
             QtCore.Qt.PenStyle.DashDotLine if cycle % 3 == 1 else
             QtCore.Qt.PenStyle.DotLine if cycle % 3 == 2 else QtCore.Qt.PenStyle.SolidLine)
    pen.setStyle(style)
    if style != QtCore.Qt.PenStyle.SolidLine:
        pen.setWidthF(1.0)
    pen.setCosmetic(True)
    return pen


def class_color(k: int) -> QtGui.QColor:
    """Colour of class ``k`` (binary: 0 blue, 1 red, matching the diverging heatmap)."""
    fixed = ["#2166ac", "#c0392b", "#1b9e4b", "#7b3fa0", "#d4790f", "#178a94"]
    return QtGui.QColor(fixed[k] if k < len(fixed) else PALETTE[k % len(PALETTE)])


def font(size: float = FONT_PT, bold: bool = False) -> QtGui.QFont:
    f = QtGui.QFont()
    f.setPointSizeF(size)
    f.setBold(bold)
    return f


def style_axes(plot: pg.PlotItem, x_label: str | None = None,
               y_label: str | None = None, grid: bool = True) -> None:
    """Dark readable axes with labels (units written in the label, no SI prefixes).

    The left and bottom axes become :class:`~relu_viz.gui.plots.axis.PlotAxis` (opaque
    grid lines under the data, decade labels on log axes), placed under the view box.
    """
    from relu_viz.gui.plots.axis import PlotAxis

    swap = {name: PlotAxis(name) for name in ("left", "bottom")
            if not isinstance(plot.getAxis(name), PlotAxis)}
    if swap:
        plot.setAxisItems(swap)
        plot.updateLogMode()       # a new axis starts linear; keep the plot's log mode
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setZValue(-1)         # with its grid lines, under the curves
        axis.setPen(pg.mkPen(AXIS))
        axis.setTextPen(pg.mkPen(TEXT))
        # Stricter than pyqtgraph's default fill limits: a small panel gets a few labels
        # (each label also costs paint time).
        axis.setStyle(tickFont=font(SMALL_PT), tickTextOffset=4,
                      textFillLimits=[(0, 0.55), (2, 0.4), (4, 0.3), (6, 0.2)])
        axis.enableAutoSIPrefix(False)
        # The axis with its grid as a pixmap: repainted only when its range or size
        # changes (the plots keep ranges steady, see ranges.py), not every time a curve
        # over the grid changes. Measured: ~0.3 ms per axis and frame without.
        axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
    # A tick label at the very top of the left axis would run into the title: hide labels
    # that stick out more than 3 px (pyqtgraph allows 15 on vertical axes without a grid).
    plot.getAxis("left").setStyle(hideOverlappingLabels=3)
    if x_label is not None:
        set_axis_label(plot, "bottom", x_label)
    if y_label is not None:
        set_axis_label(plot, "left", y_label)
    if grid:
        plot.showGrid(x=True, y=True, alpha=GRID_ALPHA)


def set_axis_label(plot: pg.PlotItem, side: str, text: str) -> None:
    """Plain-text axis label (escaped: pyqtgraph renders labels as HTML, so "z < 0" would
    otherwise lose everything after the "<")."""
    plot.setLabel(side, html.escape(text, quote=False),
                  **{"color": TEXT, "font-size": f"{FONT_PT}pt"})


def set_title(plot: pg.PlotItem, text: str, *shorter: str, tooltip: str | None = None):
    """Title above a plot, the longest of ``text`` and its ``shorter`` wordings that fits.

    The title spans the whole plot item (axes included, not only the view box) and never
    widens the panel: past the last wording it is cut with "…" (full text in the tooltip).
    Returns the title item (a :class:`~relu_viz.gui.plots.items.FitText`).
    """
    label = title_item(plot)
    label.set_text(text, *shorter, tooltip=tooltip)
    return label


def title_item(plot: pg.PlotItem):
    """The plot's title as a FitText (pyqtgraph's own LabelItem is replaced once).

    pyqtgraph's title sits over the view box only, is HTML laid out on every change, takes
    a 30 px row and widens the panel to fit its text; this one is plain text in a row as
    tall as one line, over the full width of the plot item.
    """
    from relu_viz.gui.plots.items import FitText

    label = plot.titleLabel
    if isinstance(label, FitText):
        return label
    plot.layout.removeItem(label)
    label.setVisible(False)
    new = FitText(size=TITLE_PT, color=TEXT, parent=plot)
    plot.layout.addItem(new, 0, 0, 1, 3)
    plot.layout.setRowFixedHeight(0, new.preferred_height())
    plot.titleLabel = new
    return new


def layer_tags(names: list[str]) -> list[str]:
    """"L1" ... "out": the first word of each layer name (the activation goes elsewhere)."""
    return [n.split(" ", 1)[0] for n in names]


def shared_activation(names: list[str]) -> str | None:
    """The activation every hidden layer of ``names`` ("L1 relu" ...) shares, or None."""
    acts = {n.split(" ", 1)[1] for n in names if " " in n}
    return acts.pop() if len(acts) == 1 else None


def layer_brush(i: int, n_layers: int | None = None) -> QtGui.QBrush:
    """Fill of layer ``i``'s bar: hatched past the palette's length, as its pen is patterned."""
    color = layer_color(i, n_layers)
    is_output = n_layers is not None and i == n_layers - 1
    if is_output or i < len(PALETTE):
        return QtGui.QBrush(color)
    brush = QtGui.QBrush(color, QtCore.Qt.BrushStyle.BDiagPattern
                         if (i // len(PALETTE)) % 2 else QtCore.Qt.BrushStyle.Dense4Pattern)
    return brush


def fmt(value: float, digits: int = 3) -> str:
    """Compact number: 0.123, 12.3, 1.2e-05; an em dash for NaN."""
    if value is None or value != value:
        return "\u2014"
    a = abs(value)
    if a != 0 and (a < 1e-3 or a >= 1e5):
        return f"{value:.{max(digits - 1, 1)}e}"
    return f"{value:.{digits}g}"
