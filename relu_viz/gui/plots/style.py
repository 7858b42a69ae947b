"""Shared look of every plot: colours per layer and per class, fonts, axes, legends."""

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


def layer_pen(i: int, n_layers: int | None = None, width: float = 2.0,
              dashed: bool = False) -> QtGui.QPen:
    """Pen of layer ``i``; past the palette's length the pattern changes so repeats differ."""
    pen = pg.mkPen(layer_color(i, n_layers), width=width)
    is_output = n_layers is not None and i == n_layers - 1
    cycle = 0 if is_output else i // len(PALETTE)
    if dashed:
        pen.setStyle(QtCore.Qt.PenStyle.DashLine)
    elif cycle % 3 == 1:
        pen.setStyle(QtCore.Qt.PenStyle.DashDotLine)
    elif cycle % 3 == 2:
        pen.setStyle(QtCore.Qt.PenStyle.DotLine)
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
               y_label: str | None = None) -> None:
    """Dark readable axes with labels (units written in the label, no SI prefixes)."""
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(AXIS))
        axis.setTextPen(pg.mkPen(TEXT))
        axis.setStyle(tickFont=font(SMALL_PT), tickTextOffset=4)
        axis.enableAutoSIPrefix(False)
    if x_label is not None:
        set_axis_label(plot, "bottom", x_label)
    if y_label is not None:
        set_axis_label(plot, "left", y_label)
    plot.showGrid(x=True, y=True, alpha=GRID_ALPHA)


def set_axis_label(plot: pg.PlotItem, side: str, text: str) -> None:
    plot.setLabel(side, text, **{"color": TEXT, "font-size": f"{FONT_PT}pt"})


def set_title(plot: pg.PlotItem, text: str) -> None:
    """Title above a plot; a long one is clipped rather than widening the panel."""
    if not getattr(plot.titleLabel, "_relaxed", False):
        relax_label(plot.titleLabel)
        plot.titleLabel._relaxed = True
    plot.setTitle(html.escape(text, quote=False), color=TEXT, size=f"{TITLE_PT}pt")


def add_legend(plot: pg.PlotItem, n_entries: int = 1, corner: str = "top-right"
               ) -> pg.LegendItem:
    """A legend on a translucent white card in a corner; more columns for many entries."""
    offset = {"top-right": (-8, 8), "top-left": (8, 8), "bottom-right": (-8, -8),
              "bottom-left": (8, -8)}[corner]
    legend = plot.addLegend(offset=offset, labelTextColor=TEXT,
                            labelTextSize=f"{SMALL_PT}pt", brush=pg.mkBrush(255, 255, 255, 215),
                            pen=pg.mkPen(200, 200, 200), verSpacing=-4, horSpacing=12)
    set_legend_columns(legend, n_entries)
    return scalable(legend)


def scalable(item):
    """Let an item scale with the scene in PNG exports.

    pyqtgraph's LegendItem ignores transformations, so an export wider or narrower than the
    window draws it at window size in the wrong place; its parent is a view box (not the
    zoomed data), so without the flag it still keeps its size while zooming.
    """
    item.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, False)
    return item


def legend_row(layout: pg.GraphicsLayout, row: int, col: int = 0,
               colspan: int = 1) -> pg.LegendItem:
    """A frameless legend in its own layout row (under a plot), so it never hides data."""
    legend = pg.LegendItem(labelTextColor=TEXT, labelTextSize=f"{SMALL_PT}pt",
                           horSpacing=14, verSpacing=-6)
    scalable(legend)
    layout.addItem(legend, row=row, col=col, colspan=colspan)
    return legend


def short_layer_names(names: list[str]) -> list[str]:
    """Legend names: "L1 relu" ... "out", or just "L1" ... when every hidden layer shares
    one activation and there are more than four layers (the title names it once)."""
    acts = {n.split(" ", 1)[1] for n in names if " " in n}
    if len(names) > 4 and len(acts) == 1:
        return [n.split(" ")[0] for n in names]
    return list(names)


def set_legend_columns(legend: pg.LegendItem, n_entries: int) -> None:
    legend.setColumnCount(1 if n_entries <= 5 else 3 if n_entries <= 12 else 4)


def overlay_label(parent: pg.ViewBox, item_pos=(1, 0), parent_pos=(1, 0),
                  offset=(-10, 8), size: float = FONT_PT, color: str = TEXT) -> pg.LabelItem:
    """A text label pinned to a corner (or the centre) of a view box; follows resizes."""
    label = pg.LabelItem("", color=color, size=f"{size}pt")
    label.setParentItem(parent)
    label.anchor(itemPos=item_pos, parentPos=parent_pos, offset=offset)
    return label


def fmt(value: float, digits: int = 3) -> str:
    """Compact number: 0.123, 12.3, 1.2e-05; an em dash for NaN."""
    if value is None or value != value:
        return "\u2014"
    a = abs(value)
    if a != 0 and (a < 1e-3 or a >= 1e5):
        return f"{value:.{max(digits - 1, 1)}e}"
    return f"{value:.{digits}g}"


def relax_label(label: pg.LabelItem) -> pg.LabelItem:
    """Stop a LabelItem from widening the layout to fit its text; text past the edge is clipped.

    pyqtgraph sets a label's minimum width to its text width, so one long read-out or title
    would make the whole panel wider than its window and squeeze nothing else.
    """
    def update_min() -> None:
        h = label.itemRect().height()
        label.setMinimumWidth(0)
        label.setMinimumHeight(h)
        label._sizeHint = {
            QtCore.Qt.SizeHint.MinimumSize: (0, h),
            QtCore.Qt.SizeHint.PreferredSize: (0, h),
            QtCore.Qt.SizeHint.MaximumSize: (-1, -1),
            QtCore.Qt.SizeHint.MinimumDescent: (0, 0),
        }
        label.updateGeometry()

    label.updateMin = update_min
    label.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemClipsChildrenToShape, True)
    update_min()
    return label
