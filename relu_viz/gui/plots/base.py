"""The contract every plot of the window follows, plus the shared hover read-out."""

from __future__ import annotations

import time

import pyqtgraph as pg
import pyqtgraph.exporters  # noqa: F401  (registers ImageExporter)
from PyQt6 import QtCore, QtGui

from relu_viz.gui.plots import style
from relu_viz.gui.plots.items import FitText
from relu_viz.gui.plots.key import KeyRow


class BasePlot(pg.GraphicsLayoutWidget):
    """A plot panel: items built once per run, updated with setData.

    Subclasses set ``title`` (shown in menus and tab names) and ``slug`` (used in file
    names) and implement :meth:`rebuild` and :meth:`refresh`. A subclass that calls
    :meth:`_add_readout` and :meth:`_enable_hover` gets a text line that shows
    :meth:`summary_text` (the latest values) and, while the mouse is over a plot,
    :meth:`hover_text` for the point under it, with a vertical cursor line.
    """

    title = "plot"
    slug = "plot"
    #: While training plays, refresh at most once in this many seconds (0: every redraw).
    #: Set by the plots whose refresh is heavy (a forward pass over a grid, a histogram)
    #: and by those that need not follow every frame, so the window keeps time to step;
    #: see :meth:`_defer`. The loss plot keeps 0.
    live_interval = 0.0
    #: ...and at most this share of the time: a refresh that took 40 ms waits 0.4 s.
    LIVE_SHARE = 0.1
    #: A put-off refresh is drawn by the next redraw once due; this timer margin covers
    #: the case where no redraw comes (e.g. a run that stopped without a pause).
    CATCH_UP_MS = 100

    def __init__(self, parent=None):
        super().__init__(parent=parent)
        self.setBackground("w")
        self.ci.setContentsMargins(6, 6, 10, 4)
        self.ci.setSpacing(4)
        self.readout: pg.LabelItem | None = None
        self._hover_plots: list[pg.PlotItem] = []
        self._cursors: dict[int, pg.InfiniteLine] = {}
        self._hover_proxy = None
        self._hovering = False
        self._playing = False
        self._live_last = -1e9        # perf_counter of the last refresh done
        self._live_cost = 0.0         # smoothed seconds per refresh
        self._pending = None          # (subject, upto_step) of a refresh put off
        self._catch_up = QtCore.QTimer(self)
        self._catch_up.setSingleShot(True)
        self._catch_up.timeout.connect(self._refresh_pending)

    def rebuild(self, trainer) -> None:
        """Create the per-layer items for a new run (called after a cold change)."""
        raise NotImplementedError

    def refresh(self, trainer, upto_step: float | None = None) -> None:
        """Update every item from ``trainer.history`` (rows up to ``upto_step``)."""
        raise NotImplementedError

    # -- throttling while playing --------------------------------------------------------
    def set_playing(self, playing: bool) -> None:
        """Training plays (True) or stopped. Stopping draws a refresh that was put off, so
        a paused window always shows the latest state."""
        self._playing = bool(playing)
        if not self._playing:
            self._refresh_pending()

    def _defer(self, subject, upto_step) -> bool:
        """True: skip this refresh (playing, and the last one was too recent). The skipped
        state is drawn by the first refresh once due (so throttled plots paint in the
        controller's frames, not in passes of their own), by a catch-up timer if no
        refresh comes, or at once on pause. Call first thing in ``refresh``."""
        interval = max(self.live_interval, self._live_cost / self.LIVE_SHARE) \
            if self.live_interval > 0 else 0.0
        now = time.perf_counter()
        wait = self._live_last + interval - now
        new_run = getattr(subject, "model", None) is not getattr(self, "_model", None)
        if not self._playing or wait <= 0 or upto_step is not None or new_run:
            self._pending = None
            self._catch_up.stop()
            return False
        self._pending = (subject, upto_step)
        if not self._catch_up.isActive():
            self._catch_up.start(max(1, int(wait * 1000)) + self.CATCH_UP_MS)
        return True

    def _timed(self, refresh, subject, upto_step) -> None:
        """Run ``refresh(subject, upto_step)`` and keep its smoothed cost for _defer."""
        t0 = time.perf_counter()
        refresh(subject, upto_step)
        t1 = time.perf_counter()
        self._live_last = t1
        self._live_cost += 0.3 * ((t1 - t0) - self._live_cost)

    def _refresh_pending(self) -> None:
        self._catch_up.stop()
        pending, self._pending = self._pending, None
        if pending is not None:
            self.refresh(*pending)

    def close(self) -> bool:
        """Stop the catch-up timer, then let pyqtgraph empty the scene while every item's
        Python side is still alive. A view deleted with its scene still full (its parent
        window deleted) has Qt call back into items whose linked views are already gone,
        which can abort the process."""
        self._catch_up.stop()
        self._pending = None
        return super().close()

    def export_png(self, path: str, width: int = 1200) -> None:
        """Write this plot as a PNG ``width`` pixels wide (raises OSError on failure)."""
        image = self.render_image(width)
        if image.isNull() or not image.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")

    def render_image(self, width: int = 1200) -> QtGui.QImage:
        """This plot as a QImage ``width`` pixels wide."""
        self._show_cursors(False)
        self._prepare_offscreen()
        exporter = pg.exporters.ImageExporter(self.scene())
        exporter.parameters()["width"] = int(width)
        return exporter.export(toBytes=True)

    def _prepare_offscreen(self) -> None:
        """Lay out and autorange a widget that was never shown, as a paint would.

        A hidden widget gets its resize event only when shown, so its layout keeps a default
        size and its views a stale range; curves clipped to that range would export cut.
        """
        if not self.isVisible():
            size = self.size()
            # QGraphicsView swallows a sent resize event; call the handler itself.
            self.resizeEvent(QtGui.QResizeEvent(size, size))
        # Layout requests are posted events: deliver them so legends and labels settle.
        QtCore.QCoreApplication.sendPostedEvents()
        self.scene().prepareForPaint()

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 (Qt name)
        return QtCore.QSize(480, 320)

    # -- hover read-out ----------------------------------------------------------------
    def summary_text(self) -> str:
        """Text of the read-out line when the mouse is not over a plot."""
        return ""

    def hover_text(self, plot: pg.PlotItem, x: float, y: float) -> str | None:
        """Text for the point (x, y) in ``plot``'s data coordinates, or None."""
        return None

    def show_hover(self, plot: pg.PlotItem, x: float, y: float) -> str | None:
        """Show the read-out and cursor for (x, y) in ``plot`` as if the mouse were there."""
        text = self.hover_text(plot, x, y)
        if text is None:
            self._end_hover()
            return None
        self._hovering = True
        self._set_readout(text)
        self._show_cursors(True, x)
        return text

    def _add_readout(self, row: int, col: int = 0, colspan: int = 1) -> None:
        """The read-out line: one line of plain text, cut with "…" when the cell is narrow
        (the whole text is then its tooltip)."""
        self.readout = FitText(size=style.SMALL_PT, color=style.MUTED, align="left")
        self.ci.addItem(self.readout, row=row, col=col, colspan=colspan)

    def _add_key(self, row: int, col: int = 0, colspan: int = 1) -> KeyRow:
        """A legend in a layout row of its own (see :class:`KeyRow`): it never hides data."""
        key = KeyRow()
        self.ci.addItem(key, row=row, col=col, colspan=colspan)
        return key

    def _enable_hover(self, *plots: pg.PlotItem) -> None:
        self._hover_plots = list(plots)
        for plot in plots:
            if id(plot) not in self._cursors:
                line = pg.InfiniteLine(angle=90, movable=False,
                                       pen=pg.mkPen(120, 120, 120, 160, width=1,
                                                    style=QtCore.Qt.PenStyle.DashLine))
                line.setVisible(False)
                plot.addItem(line, ignoreBounds=True)
                self._cursors[id(plot)] = line
        if self._hover_proxy is None:
            self._hover_proxy = pg.SignalProxy(self.scene().sigMouseMoved, rateLimit=30,
                                               slot=self._on_mouse_moved)

    def _on_mouse_moved(self, args) -> None:
        pos = args[0]
        for plot in self._hover_plots:
            if plot.isVisible() and plot.vb.sceneBoundingRect().contains(pos):
                p = plot.vb.mapSceneToView(pos)
                self.show_hover(plot, p.x(), p.y())
                return
        self._end_hover()

    def _end_hover(self) -> None:
        self._hovering = False
        self._show_cursors(False)
        self._set_readout(self.summary_text())

    def _show_cursors(self, visible: bool, x: float = 0.0) -> None:
        for line in self._cursors.values():
            if visible:
                line.setPos(x)
            line.setVisible(visible)

    def _set_readout(self, text: str) -> None:
        if self.readout is not None:
            self.readout.set_text(text)   # a no-op when the text is unchanged

    def _update_summary(self) -> None:
        """Call at the end of refresh: the summary shows unless the mouse is over a plot."""
        if not self._hovering:
            self._set_readout(self.summary_text())

    def leaveEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self._end_hover()
        super().leaveEvent(event)


def nearest_index(xs, x: float) -> int | None:
    """Index of the value in the sorted array ``xs`` nearest to ``x`` (None if empty)."""
    n = len(xs)
    if n == 0:
        return None
    i = int(min(max(int(xs.searchsorted(x)), 1), n - 1)) if n > 1 else 0
    if n > 1 and abs(xs[i - 1] - x) <= abs(xs[i] - x):
        i -= 1
    return i


def demo_trainer(steps: int = 200, **config):
    """A trained Trainer for the ``__main__`` demos of the plot modules."""
    from relu_viz.core.config import TrainConfig
    from relu_viz.core.trainer import Trainer

    trainer = Trainer(TrainConfig(**config))
    trainer.run(steps)
    return trainer


def demo_show(plot_cls, steps: int = 200, **config) -> None:
    """Train a small network, show one plot alone (the plot modules' ``__main__``)."""
    app = pg.mkQApp(plot_cls.title)
    trainer = demo_trainer(steps, **config)
    plot = plot_cls()
    plot.rebuild(trainer)
    plot.refresh(trainer)
    plot.resize(900, 600)
    plot.setWindowTitle(f"relu_viz: {plot_cls.title}")
    plot.show()
    app.exec()
