"""The legend of a plot panel: a row of its own in the layout, so it never hides data.

``KeyRow`` shows samples and names side by side while they fit, else one narrow slot per
layer with every k-th name, so 13 layers still fit in 200 px. Like ``FitText`` it paints
plain text with QPainter and keeps a fixed height.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyqtgraph as pg
from PyQt6 import QtCore, QtGui, QtWidgets
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol

from relu_viz.gui.plots import style

_HINT = QtCore.Qt.SizeHint


@dataclass
class KeyEntry:
    """One key sample: a line (``pen``, optional ``symbol``), a marker, or a filled box."""

    label: str
    pen: QtGui.QPen | None = None
    brush: QtGui.QBrush | None = None
    symbol: str | None = None
    symbol_pen: QtGui.QPen | None = None
    symbol_brush: QtGui.QBrush | None = None
    symbol_size: float = 7.0
    layer: bool = False      # a per-layer entry: may become a narrow slot when space is short

    @classmethod
    def line(cls, label, pen, symbol=None, symbol_brush=None, symbol_size=6.0, layer=False):
        pen = pg.mkPen(pen)
        return cls(label, pen=pen, symbol=symbol, symbol_pen=pen,
                   symbol_brush=pg.mkBrush(symbol_brush if symbol_brush is not None
                                           else pen.color()),
                   symbol_size=symbol_size, layer=layer)

    @classmethod
    def marker(cls, label, symbol="o", brush=None, pen=None, size=7.0):
        return cls(label, symbol=symbol, symbol_pen=pg.mkPen(pen if pen is not None else None),
                   symbol_brush=pg.mkBrush(brush) if brush is not None else pg.mkBrush(0, 0, 0, 0),
                   symbol_size=size)

    @classmethod
    def box(cls, label, brush, pen=None):
        return cls(label, pen=pg.mkPen(pen) if pen is not None else None,
                   brush=pg.mkBrush(brush))


class KeyRow(pg.GraphicsWidget):
    """A legend laid out in one row (or ``rows`` rows) of fixed height.

    Modes, tried in order for the current width: "full" (sample and name of every entry),
    "compact" (each layer entry a narrow slot with its line sample and every k-th name
    under it; other entries stay full), "cut" (names shortened with "…"). The mode and the
    boxes of the painted names are recomputed only when the width or the entries change.
    """

    SAMPLE = 18.0     # length of a line sample
    GAP = 4.0         # sample to name
    SPACING = 11.0    # between entries

    def __init__(self, size: float = style.SMALL_PT, rows: int = 1, parent=None):
        super().__init__(parent)
        self._font = style.font(size)
        self._small = style.font(max(size - 1.0, 6.0))
        self._fm = QtGui.QFontMetricsF(self._font)
        self._fm_small = QtGui.QFontMetricsF(self._small)
        self._text_pen = QtGui.QPen(QtGui.QColor(style.TEXT))
        self._line_h = math.ceil(self._fm.height()) + 2
        self._compact_h = math.ceil(self._fm_small.height()) + 7
        self._rows = max(1, int(rows))
        self.entries: list[KeyEntry] = []
        self._plan = None
        self._plan_width = -1.0
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred,
                           QtWidgets.QSizePolicy.Policy.Fixed)
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemClipsToShape, True)

    # -- content -----------------------------------------------------------------------
    def set_entries(self, entries, rows: int | None = None) -> None:
        was_empty = not self.entries
        self.entries = list(entries)
        # The height hint is 0 without entries: the layout must ask again when that flips,
        # or a plot drawn once (an export) keeps a legend row of height 0.
        resized = was_empty != (not self.entries)
        if rows is not None and max(1, int(rows)) != self._rows:
            self._rows = max(1, int(rows))
            resized = True
        if resized:
            self.updateGeometry()
        self._invalidate()

    def clear(self) -> None:
        self.set_entries([])

    def labels(self) -> list[str]:
        return [e.label for e in self.entries]

    def rename(self, index: int, label: str) -> None:
        if self.entries[index].label != label:
            self.entries[index].label = label
            self._invalidate()

    def mode(self) -> str:
        """"full", "compact" or "cut" for the current width."""
        return self._layout()[0]

    def text_rects(self) -> list[tuple[str, QtCore.QRectF]]:
        """The names painted now and their boxes (item coordinates)."""
        return [(text, rect) for kind, rect, text, _e in self._layout()[1] if kind == "text"]

    def _invalidate(self) -> None:
        self._plan = None
        self.update()

    # -- layout --------------------------------------------------------------------------
    def _row_height(self) -> float:
        return float(max(self._line_h, self._compact_h))

    def sizeHint(self, which, constraint=QtCore.QSizeF()):  # noqa: N802 (Qt name)
        h = self._rows * self._row_height() + 2.0 if self.entries else 0.0
        if which == _HINT.MaximumSize:
            return QtCore.QSizeF(1e6, h)
        if which in (_HINT.MinimumSize, _HINT.PreferredSize):
            return QtCore.QSizeF(0.0, h)
        return QtCore.QSizeF(0.0, 0.0)

    def resizeEvent(self, ev) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(ev)
        self._plan = None

    def _full_width(self, e: KeyEntry, fm=None) -> float:
        fm = fm or self._fm
        return self._sample_width(e) + self.GAP + fm.horizontalAdvance(e.label)

    def _sample_width(self, e: KeyEntry) -> float:
        if e.pen is None and e.brush is None:          # a marker alone
            return max(e.symbol_size + 4.0, 10.0)
        return self.SAMPLE if e.brush is None else 14.0

    def _layout(self):
        width = self.width()
        if self._plan is not None and self._plan_width == width:
            return self._plan
        self._plan_width = width
        self._plan = self._plan_for(width)
        return self._plan

    def _plan_for(self, width: float):
        """(mode, ops); an op is ("sample", rect, None, entry) or ("text", rect, text, font)."""
        if not self.entries:
            return "full", []
        rows = self._wrap(width)
        if rows is not None:
            return "full", self._full_ops(rows, width)
        layers = [e for e in self.entries if e.layer]
        others = [e for e in self.entries if not e.layer]
        other_w = sum(self._full_width(e) for e in others) + self.SPACING * len(others)
        slot = (width - other_w - 4.0) / max(len(layers), 1)
        if len(layers) >= 2 and slot >= 7.0:
            return "compact", self._compact_ops(layers, others, width, slot)
        return "cut", self._cut_ops(width)

    def _wrap(self, width: float):
        """Entries greedily into at most ``rows`` rows, or None when they do not fit."""
        rows, current, used = [], [], 0.0
        for e in self.entries:
            w = self._full_width(e)
            need = w if not current else used + self.SPACING + w
            if need <= width - 4.0:
                current.append(e)
                used = need
                continue
            if not current or len(rows) + 1 >= self._rows:
                return None
            rows.append((current, used))
            current, used = [e], w
        rows.append((current, used))
        return rows

    def _full_ops(self, rows, width):
        ops = []
        rh = self._row_height()
        for r, (entries, used) in enumerate(rows):
            x, top = max((width - used) / 2.0, 2.0), 1.0 + r * rh
            for e in entries:
                sw = self._sample_width(e)
                ops.append(("sample", QtCore.QRectF(x, top, sw, rh), None, e))
                x += sw + self.GAP
                tw = self._fm.horizontalAdvance(e.label)
                ops.append(("text", QtCore.QRectF(x, top, tw + 1.0, rh), e.label, self._font))
                x += tw + self.SPACING
        return ops

    def _compact_ops(self, layers, others, width, slot):
        ops = []
        rh = self._row_height()
        x = 2.0
        label_w = max(self._fm_small.horizontalAdvance(e.label) for e in layers) + 4.0
        every = max(1, math.ceil(label_w / slot))
        n = len(layers)
        labelled = set(range(0, n, every))
        last = n - 1
        if last not in labelled:
            # The last name (the output layer) matters most: show it unless it would overlap.
            if (last - max(labelled)) * slot >= label_w:
                labelled.add(last)
            elif max(labelled) != 0:
                labelled.discard(max(labelled))
                labelled.add(last)
        for k, e in enumerate(layers):
            ops.append(("slot", QtCore.QRectF(x + 1.0, 1.0, slot - 2.0, 6.0), None, e))
            if k in labelled:
                cx = x + slot / 2.0
                tw = self._fm_small.horizontalAdvance(e.label)
                left = min(max(cx - tw / 2.0, 0.0), width - tw - 1.0)
                ops.append(("text", QtCore.QRectF(left, 7.0, tw + 1.0, rh - 7.0), e.label,
                            self._small))
            x += slot
        x += self.SPACING
        for e in others:
            sw = self._sample_width(e)
            ops.append(("sample", QtCore.QRectF(x, 1.0, sw, rh), None, e))
            x += sw + self.GAP
            tw = self._fm.horizontalAdvance(e.label)
            ops.append(("text", QtCore.QRectF(x, 1.0, tw + 1.0, rh), e.label, self._font))
            x += tw + self.SPACING
        return ops

    def _cut_ops(self, width):
        ops = []
        rh = self._row_height()
        n = len(self.entries)
        samples = sum(self._sample_width(e) + self.GAP for e in self.entries)
        per = max((width - 4.0 - samples - self.SPACING * (n - 1)) / n, 0.0)
        x = 2.0
        for e in self.entries:
            sw = self._sample_width(e)
            ops.append(("sample", QtCore.QRectF(x, 1.0, sw, rh), None, e))
            x += sw + self.GAP
            text = self._fm.elidedText(e.label, QtCore.Qt.TextElideMode.ElideRight, per)
            tw = self._fm.horizontalAdvance(text)
            if text:
                ops.append(("text", QtCore.QRectF(x, 1.0, tw + 1.0, rh), text, self._font))
            x += per + self.SPACING
        return ops

    # -- painting --------------------------------------------------------------------------
    def paint(self, p, *_args) -> None:
        mode, ops = self._layout()
        for kind, rect, text, extra in ops:
            if kind == "text":
                p.setFont(extra)
                p.setPen(self._text_pen)
                p.drawText(rect, QtCore.Qt.AlignmentFlag.AlignLeft
                           | QtCore.Qt.AlignmentFlag.AlignVCenter, text)
            elif kind == "slot":
                pen = QtGui.QPen(extra.pen)
                pen.setWidthF(3.0)
                pen.setCosmetic(True)
                p.setPen(pen)
                y = rect.center().y()
                p.drawLine(QtCore.QPointF(rect.left(), y), QtCore.QPointF(rect.right(), y))
            else:
                self._paint_sample(p, rect, extra)

    @staticmethod
    def _paint_sample(p, rect: QtCore.QRectF, e: KeyEntry) -> None:
        c = rect.center()
        if e.brush is not None:
            box = QtCore.QRectF(rect.left(), c.y() - 5.0, rect.width(), 10.0)
            p.setPen(e.pen if e.pen is not None else QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
            p.setBrush(e.brush)
            p.drawRect(box)
        elif e.pen is not None:
            pen = QtGui.QPen(e.pen)
            pen.setWidthF(max(pen.widthF(), 1.5))
            pen.setCosmetic(True)
            p.setPen(pen)
            p.drawLine(QtCore.QPointF(rect.left(), c.y()), QtCore.QPointF(rect.right(), c.y()))
        if e.symbol is not None:
            p.save()
            p.translate(c)
            drawSymbol(p, e.symbol, e.symbol_size,
                       e.symbol_pen if e.symbol_pen is not None else pg.mkPen(None),
                       e.symbol_brush if e.symbol_brush is not None else pg.mkBrush(None))
            p.restore()


def layer_entries(names: list[str], pens: list[QtGui.QPen]) -> list[KeyEntry]:
    """Key entries of per-layer curves (short names such as "L1" ... "out")."""
    return [KeyEntry(name, pen=pg.mkPen(pen), layer=True) for name, pen in zip(names, pens)]
