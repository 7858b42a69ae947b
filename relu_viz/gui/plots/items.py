"""Scene items that keep a plot panel inside its cell at any size, and cheap to paint.

``FitText`` is a line (or a few lines) of plain text that never widens its layout: each line
shows the longest of its alternative wordings that fits, else the last one cut with "…".
It paints plain text with QPainter (no HTML layout) and keeps a fixed height, so changing
its text every frame never makes the layout run again. The legend row is in
:mod:`.key`, every panel's axis in :mod:`.axis`.
"""
from __future__ import annotations

import math

import pyqtgraph as pg
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
