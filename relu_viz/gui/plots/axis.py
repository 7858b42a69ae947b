"""``PlotAxis``: every panel's axis, with opaque grid lines under the data and readable
log-axis labels."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PyQt6 import QtCore, QtGui


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
