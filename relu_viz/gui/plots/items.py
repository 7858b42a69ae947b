"""Scene items that keep a plot panel inside its cell at any size, and cheap to paint.

``FitText`` is a line (or a few lines) of plain text that never widens its layout: each line
shows the longest of its alternative wordings that fits, else the last one cut with "…".
``KeyRow`` is a one-row legend for a layout row of its own (it never hides data): samples
and names side by side while they fit, else one narrow slot per layer with every k-th
name, so 13 layers still fit in 200 px.

Both paint plain text with QPainter (no HTML layout) and keep a fixed height, so changing
their text every frame never makes the layout run again. ``PlotAxis`` is every panel's
axis: opaque grid lines under the data and readable log-axis labels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PyQt6 import QtCore, QtGui, QtWidgets

from relu_viz.gui.plots import style

_ALIGN = {"left": QtCore.Qt.AlignmentFlag.AlignLeft,
          "center": QtCore.Qt.AlignmentFlag.AlignHCenter,
          "right": QtCore.Qt.AlignmentFlag.AlignRight}
_HINT = QtCore.Qt.SizeHint


class FitText(pg.GraphicsWidget):
    """Plain text in a fixed-height box whose minimum width is 0.

    ``set_text("long wording", "short", "s")`` shows the first wording that fits the width
    and re-picks on every resize; when none fits, the last is cut with "…" (the full text is
    then the tooltip). ``text`` is always the first, full wording (lines joined by "\\n").
    """

    def __init__(self, size: float = style.FONT_PT, color: str = style.TEXT,
                 align: str = "center", bold: bool = False, lines: int = 1,
                 collapse: bool = False, parent=None):
        super().__init__(parent)
        self._collapse = bool(collapse)   # no height at all while the text is empty
        self._font = style.font(size, bold)
        self._fm = QtGui.QFontMetricsF(self._font)
        self._pen = QtGui.QPen(QtGui.QColor(color))
        self._align = _ALIGN[align]
        self._line_h = math.ceil(self._fm.height()) + 1
        self._pad = 3.0
        self._alts: list[tuple[str, ...]] = [("",)]
        self._shown: list[str] = [""]
        self._n_lines = max(1, int(lines))
        self._auto_tip = True
        self._pinned = None
        self.text = ""
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred,
                           QtWidgets.QSizePolicy.Policy.Fixed)
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemClipsToShape, True)

    # -- text --------------------------------------------------------------------------
    def set_text(self, *alternatives: str, tooltip: str | None = None) -> None:
        """One line: the first of ``alternatives`` that fits (longest first)."""
        self.set_lines([alternatives or ("",)], tooltip=tooltip)

    def set_lines(self, lines, tooltip: str | None = None) -> None:
        """Several lines, each a sequence of alternative wordings (longest first)."""
        alts = [tuple(str(a) for a in (line if not isinstance(line, str) else (line,)))
                or ("",) for line in lines] or [("",)]
        text = "\n".join(a[0] for a in alts)
        if tooltip is not None:
            self._auto_tip = False
            if tooltip != self.toolTip():
                self.setToolTip(tooltip)
        if alts == self._alts:
            return
        was_empty = self._empty()
        self._alts, self.text = alts, text
        if self._collapse and was_empty != self._empty():
            self.updateGeometry()
        if len(alts) > self._n_lines:
            self._n_lines = len(alts)
            self.updateGeometry()
            self._place()
        self._fit()

    def setText(self, text: str, **_style) -> None:  # noqa: N802 (pyqtgraph's LabelItem API)
        """pyqtgraph's LabelItem call (``PlotItem.setTitle``); style arguments are ignored."""
        self.set_text(str(text))

    def set_line_count(self, n: int) -> None:
        """Reserve ``n`` lines of height (fewer lines of text leave blank space below)."""
        n = max(1, int(n))
        if n != self._n_lines:
            self._n_lines = n
            self.updateGeometry()
            self._place()

    def pin(self, view: pg.ViewBox, where: str = "center", offset: float = 0.0,
            margin: float = 6.0) -> FitText:
        """Float over ``view`` (not in a layout): as wide as the view less ``margin`` on each
        side, at its "top", "center" or "bottom" shifted down by ``offset`` px; follows
        resizes, so the text is re-fitted whenever the view changes size."""
        self.setParentItem(view)
        self._pinned = (where, float(offset), float(margin))
        view.sigResized.connect(self._place)
        self._place(view)
        return self

    def _place(self, view=None) -> None:
        pinned = getattr(self, "_pinned", None)
        view = self.parentItem() if view is None or not hasattr(view, "width") else view
        if pinned is None or view is None:
            return
        where, offset, margin = pinned
        r = view.boundingRect()
        h = self.preferred_height()
        y = {"top": r.top(), "center": r.center().y() - h / 2.0,
             "bottom": r.bottom() - h}[where] + offset
        self.setGeometry(QtCore.QRectF(r.left() + margin, y, max(r.width() - 2 * margin, 0.0), h))

    def shown_text(self) -> str:
        """What is painted now (lines joined by "\\n")."""
        return "\n".join(self._shown)

    def fits(self) -> bool:
        """True when every line shows its first, full wording."""
        return all(s == a[0] for s, a in zip(self._shown, self._alts))

    def is_cut(self) -> bool:
        """True when a line shows a wording cut with "…" (no alternative fitted)."""
        return any(s not in a for s, a in zip(self._shown, self._alts))

    def text_width(self, text: str | None = None) -> float:
        """Width in pixels of ``text`` (default: the widest shown line) plus padding."""
        lines = self._shown if text is None else [text]
        return max((self._fm.horizontalAdvance(s) for s in lines), default=0.0) + 2 * self._pad

    def _empty(self) -> bool:
        return not any(any(a) for a in self._alts)

    def font_size(self) -> float:
        """Point size of the text (titles are style.TITLE_PT)."""
        return self._font.pointSizeF()

    def preferred_height(self) -> float:
        if self._collapse and self._empty():
            return 0.0
        return self._n_lines * self._line_h + 2.0

    # -- layout and painting -------------------------------------------------------------
    def _fit(self) -> None:
        width = max(self.width() - 2 * self._pad, 0.0)
        shown = []
        for alts in self._alts:
            for alt in alts:
                if self._fm.horizontalAdvance(alt) <= width:
                    shown.append(alt)
                    break
            else:
                shown.append(self._fm.elidedText(alts[-1], QtCore.Qt.TextElideMode.ElideRight,
                                                 width))
        if self._auto_tip:
            tip = "" if all(s == a[0] for s, a in zip(shown, self._alts)) else self.text
            if tip != self.toolTip():
                self.setToolTip(tip)
        if shown != self._shown:
            self._shown = shown
            self.update()

    def resizeEvent(self, ev) -> None:  # noqa: N802 (Qt name)
        super().resizeEvent(ev)
        self._fit()

    def sizeHint(self, which, constraint=QtCore.QSizeF()):  # noqa: N802 (Qt name)
        h = self.preferred_height()
        if which == _HINT.MaximumSize:
            return QtCore.QSizeF(1e6, h)
        if which in (_HINT.MinimumSize, _HINT.PreferredSize):
            return QtCore.QSizeF(0.0, h)
        return QtCore.QSizeF(0.0, 0.0)

    def paint(self, p, *_args) -> None:
        if not any(self._shown):
            return
        p.setFont(self._font)
        p.setPen(self._pen)
        r = self.rect()
        flags = self._align | QtCore.Qt.AlignmentFlag.AlignVCenter
        y = r.top() + 1.0
        for line in self._shown:
            p.drawText(QtCore.QRectF(r.left() + self._pad, y, r.width() - 2 * self._pad,
                                     self._line_h), flags, line)
            y += self._line_h


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


class PlotAxis(pg.AxisItem):
    """The axis of every panel: opaque grid lines under the data, decade labels on log axes.

    Grid lines: pyqtgraph draws them translucent, above the data; a translucent 1 px line
    costs the software rasteriser ~25x an opaque one (about 0.8 ms per axis of a small
    panel, every frame). Here each grid line gets the opaque colour it would have had over
    the white background, and :func:`style.style_axes` puts the axis under the data.

    Log mode: pyqtgraph labels every 2..9 of each decade once the range spans ~2 decades
    on a short axis, a column of crowded labels. Here whole decades only (thinned so two
    labels are never closer than ``LOG_LABEL_GAP`` px), with the 5 and 2 of each decade
    only when fewer than two decades are in view; the other ticks stay as unlabelled
    marks. Labels read 0.001 ... 1000, else 10⁻⁴ (not pyqtgraph's wide "0.0001"), and a
    plot that draws exact zeros on the bottom edge can label it "0" (:meth:`set_zero_tick`).
    In linear mode the ticks are pyqtgraph's.
    """

    def __init__(self, orientation: str, **kwargs):
        super().__init__(orientation, **kwargs)
        self.setStyle(maxTextLevel=0 if self.logMode else 1)

    def boundingRect(self):  # noqa: N802 (Qt name)
        # While Qt deletes a scene it may ask an axis for its box after the linked view's
        # C++ side is gone; pyqtgraph's answer then raises inside Qt's destructor.
        try:
            return super().boundingRect()
        except RuntimeError:
            return QtCore.QRectF()

    def setLogMode(self, *args, **kwargs):  # noqa: N802 (pyqtgraph name)
        super().setLogMode(*args, **kwargs)
        self.setStyle(maxTextLevel=0 if self.logMode else 1)

    def generateDrawSpecs(self, p):  # noqa: N802 (pyqtgraph name)
        specs = super().generateDrawSpecs(p)
        if specs is None or self.grid is False:
            return specs
        axis_spec, tick_specs, text_specs = specs
        flat = []
        for pen, p1, p2 in tick_specs:
            c = pen.color()
            a = c.alphaF()
            if a < 1.0:
                pen = QtGui.QPen(pen)
                pen.setColor(QtGui.QColor.fromRgbF(1.0 - a * (1.0 - c.redF()),
                                                   1.0 - a * (1.0 - c.greenF()),
                                                   1.0 - a * (1.0 - c.blueF())))
            flat.append((pen, p1, p2))
        return axis_spec, flat, text_specs

    #: Least distance in pixels between two labelled ticks of a log axis (a 9 pt label is
    #: ~15 px tall, ~30 px wide on a horizontal axis).
    LOG_LABEL_GAP = {"left": 22.0, "right": 22.0, "top": 44.0, "bottom": 44.0}

    def set_zero_tick(self, value: float | None) -> None:
        """On a log axis, label the view value ``value`` (log10 units) "0": where a plot
        draws values of exactly 0 (None: no such tick)."""
        value = None if value is None or not math.isfinite(value) else float(value)
        if value != getattr(self, "_zero_tick", None):
            self._zero_tick = value
            self.picture = None
            self.update()

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802 (pyqtgraph name)
        """Labelled: whole decades, thinned to fit; the 2 and 5 of each decade only when
        fewer than two decades are in view; never two labels closer than
        ``LOG_LABEL_GAP`` pixels (the others stay as unlabelled marks)."""
        span = maxVal - minVal
        if not span > 0 or not size > 0:
            return [(None, []), (None, [])]
        gap = self.LOG_LABEL_GAP.get(self.orientation, 22.0) * span / size   # in decades
        lo, hi = math.ceil(minVal - 1e-9), math.floor(maxVal + 1e-9)
        decades = list(range(lo, hi + 1))
        every = max(1, math.ceil(gap - 1e-9))
        zero = getattr(self, "_zero_tick", None)
        if zero is not None and not minVal <= zero <= maxVal:
            zero = None
        labelled = [] if zero is None else [zero]
        for d in decades:
            if d % every == 0 and all(abs(d - v) >= gap for v in labelled):
                labelled.append(float(d))
        minor = []
        for d in range(math.floor(minVal), math.ceil(maxVal)):
            minor.extend(d + math.log10(m) for m in range(2, 10))
        minor = [v for v in minor if minVal < v < maxVal]
        # A label within ~8 px of an end is dropped by pyqtgraph (it would stick out): it
        # does not count as one of the two wanted.
        edge = 8.0 * span / size
        if sum(1 for v in labelled if v != zero and minVal + edge <= v <= maxVal - edge) < 2:
            for m in (5, 2):       # 5 first: it splits the decade more evenly
                for v in minor:
                    if round(10 ** (v - math.floor(v + 1e-9))) == m and \
                            all(abs(v - w) >= gap for w in labelled):
                        labelled.append(v)
        labelled.sort()
        taken = set(labelled)
        return [(None, labelled), (None, [v for v in minor if v not in taken])]

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 (pyqtgraph name)
        """"0.001" ... "1000" in between, "10⁻⁴" / "2·10⁻⁴" beyond (pyqtgraph
        writes "0.0001", wider than a 58 px axis holds next to its title); "0" at the
        zero tick."""
        zero = getattr(self, "_zero_tick", None)
        shift = math.log10(scale) if scale and scale > 0 else 0.0    # 1 without SI prefixes
        return ["0" if zero is not None and abs(v - zero) < 1e-9 else _log_label(v + shift)
                for v in values]


_SUPERSCRIPT = str.maketrans("0123456789-", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076"
                                            "\u2077\u2078\u2079\u207b")


def _log_label(exponent: float) -> str:
    """The label of 10 ** ``exponent``: plain from 0.001 to 1000, else m·10ⁿ."""
    mantissa, power = f"{10.0 ** exponent:.0e}".split("e")
    power = int(power)
    if -3 <= power <= 3:
        return f"{10.0 ** exponent:.{max(-power, 0)}f}"
    head = "" if mantissa == "1" else f"{mantissa}\u00b7"
    return f"{head}10{str(power).translate(_SUPERSCRIPT)}"
