"""View ranges the plots set themselves, with pyqtgraph's auto-range off.

Why: a curve thinned by :func:`style.thin_out` (auto peak downsampling, clip to view) has
display data whose first and last x depend on the downsampling factor, and the factor
depends on the width of the view range. With pyqtgraph's auto-range on, the range is
computed from those display data, so range -> factor -> data bounds -> range is a feedback
loop: at some widths the factor flips between two values (13 <-> 14 at 3000 steps in a
316 px LossPlot) and every paint schedules the next one. The event loop then only paints,
no timer fires, and the window freezes.

Here the range comes from the data (every point, not the display data) and is set
explicitly, so nothing the paint computes feeds back into it. It also changes in steps
(the step axis grows to a round number ahead of the data; y only when the data leave the
range or fill less than 60 % of it), so between those steps the axes keep their cached
pictures and a frame repaints only the curves.

The user still zooms and pans: a manual change stops the following until the "A" button
(or the menu's auto-range) turns it back on.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

#: Shares of a decade a growing step axis may end on.
_NICE = (1.0, 2.0, 2.5, 5.0, 10.0)


def nice_step(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is >= ``value`` (> 0)."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    exp = math.floor(math.log10(value))
    base = 10.0 ** exp
    for m in _NICE:
        if m * base >= value * (1 - 1e-12):
            return m * base
    return 10.0 * base


def step_range(last: float, first: float = 0.0, min_hi: float = 10.0) -> tuple[float, float]:
    """(lo, hi) of a step axis whose data end at ``last``: ``hi`` is ``last`` rounded up to
    a multiple of a round step about a tenth of it, so the axis grows in ~10 % jumps."""
    lo = min(0.0, float(first)) if math.isfinite(first) else 0.0
    if not math.isfinite(last) or last <= lo:
        return lo, lo + min_hi
    q = nice_step((last - lo) / 10.0)
    hi = lo + math.ceil((last - lo) / q - 1e-9) * q
    return lo, max(hi, lo + min_hi)


def finite_bounds(arrays, log: bool = False) -> tuple[float, float] | None:
    """(min, max) over the finite values of ``arrays`` (log10 of the values > 0 if ``log``),
    or None when there are none."""
    lo, hi = math.inf, -math.inf
    for a in arrays:
        a = np.asarray(a, dtype=np.float64)
        if not a.size:
            continue
        ok = np.isfinite(a)
        if log:
            ok &= a > 0
        if not ok.all():
            a = a[ok]
        if not a.size:
            continue
        lo, hi = min(lo, float(a.min())), max(hi, float(a.max()))
    if lo > hi:
        return None
    if log:
        return math.log10(lo), math.log10(hi)
    return lo, hi


def value_range(bounds: tuple[float, float], current: tuple[float, float] | None = None,
                min_span: float = 1e-3, floor: float | None = None,
                fill: float = 0.6) -> tuple[float, float]:
    """A y range for data spanning ``bounds`` (view coordinates).

    Keeps ``current`` while it holds the data and the data fill at least ``fill`` of it;
    else the data plus 5 % on each side (at least ``min_span`` in all), rounded outward to
    a round step about a tenth of the span. ``floor``: never below it unless the data are.
    """
    lo, hi = bounds
    span = hi - lo
    if span < min_span:
        mid = 0.5 * (lo + hi)
        lo, hi, span = mid - 0.5 * min_span, mid + 0.5 * min_span, min_span
    if current is not None:
        c0, c1 = current
        if c0 <= bounds[0] and bounds[1] <= c1 and span >= fill * (c1 - c0):
            return current
    pad = 0.05 * span
    q = nice_step(span / 10.0)
    new_lo = math.floor((lo - pad) / q) * q
    new_hi = math.ceil((hi + pad) / q) * q
    if floor is not None and bounds[0] >= floor:
        new_lo = max(new_lo, floor)
    return new_lo, new_hi


class ViewFollower:
    """Keeps one PlotItem's view on its data; pyqtgraph's auto-range stays off.

    Call :meth:`follow` from ``refresh`` with the x range and/or the y data. ``x`` / ``y``
    False: that axis is the caller's (fixed, or set elsewhere). ``watch``: other PlotItems
    (e.g. an x-linked one) whose zoom or pan also stops the following, and whose
    auto-range is kept off too (their "A" button follows again).
    """

    def __init__(self, plot: pg.PlotItem, x: bool = True, y: bool = True, watch=(),
                 min_span: float = 1e-3, min_decades: float = 1.0,
                 floor: float | None = None):
        self.plot, self.vb = plot, plot.vb
        self.axes = (bool(x), bool(y))
        self.min_span, self.min_decades, self.floor = min_span, min_decades, floor
        self.following = True
        self._x: tuple[float, float] | None = None
        self._ybounds: tuple[float, float] | None = None
        self._y: tuple[float, float] | None = None
        self._y_log: bool | None = None
        self._busy = False
        self._plots = [plot, *watch]
        for p in self._plots:
            p.vb.sigRangeChangedManually.connect(self._manual)
            p.vb.sigStateChanged.connect(self._state_changed)
        self._auto_off()
        self._buttons(False)

    # -- user actions ------------------------------------------------------------------
    def _manual(self, *_args) -> None:
        if self._busy:
            return
        self.following = False
        self._buttons(True)

    def _state_changed(self, *_args) -> None:
        """The "A" button or the menu turned auto-range on: follow the data again."""
        if self._busy or not self._auto_on():
            return
        self.following = True
        self._auto_off()
        self._buttons(False)
        self._apply(force=True)

    def _buttons(self, shown: bool) -> None:
        """The "A" button only while the view is the user's (it means "follow again")."""
        for p in self._plots:
            p.showButtons() if shown else p.hideButtons()

    def _auto_on(self) -> bool:
        """True when pyqtgraph's auto-range is on for an axis of any of the plots."""
        return any(any(p.vb.autoRangeEnabled()) for p in self._plots)

    def _auto_off(self) -> None:
        """pyqtgraph's auto-range off on every axis (an axis the caller fixed keeps its
        range; an axis left auto-ranging with thinned curves could loop)."""
        self._busy = True
        try:
            for p in self._plots:
                if any(p.vb.autoRangeEnabled()):
                    p.vb.disableAutoRange()
        finally:
            self._busy = False

    # -- following ---------------------------------------------------------------------
    def reset(self) -> None:
        """A new run: follow again and forget the ranges (the next follow sets them)."""
        self.following = True
        self._x = self._y = self._ybounds = None
        self._buttons(False)

    def follow(self, x_range: tuple[float, float] | None = None, ys=None) -> None:
        """Show ``x_range`` and a y range holding the finite values of the arrays ``ys``
        (on a log axis: their values > 0)."""
        if self.axes[0] and x_range is not None:
            self._x = (float(x_range[0]), float(x_range[1]))
        if self.axes[1] and ys is not None:
            log = bool(self.vb.state["logMode"][1])
            if log != self._y_log:
                self._y, self._y_log = None, log
            self._ybounds = finite_bounds(ys, log=log)
        self._apply()

    def _apply(self, force: bool = False) -> None:
        if not self.following:
            return
        if self._auto_on():
            self._auto_off()
        args = {}
        if self.axes[0] and self._x is not None:
            args["xRange"] = self._x
        if self.axes[1] and self._ybounds is not None:
            log = bool(self._y_log)
            b0, b1 = self._ybounds
            span = self.min_decades if log else max(self.min_span,
                                                    0.02 * max(abs(b0), abs(b1)))
            self._y = value_range(self._ybounds, None if force else self._y, min_span=span,
                                  floor=None if log else self.floor)
            args["yRange"] = self._y
        if not args:
            return
        (x0, x1), (y0, y1) = self.vb.viewRange()
        same = all(abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
                   for key, now in (("xRange", (x0, x1)), ("yRange", (y0, y1)))
                   if key in args for a, b in zip(args[key], now))
        if same:
            return
        self._busy = True
        try:
            self.vb.setRange(padding=0, **args)
        finally:
            self._busy = False
