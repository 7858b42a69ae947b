"""The window's speed: launch to first paint, steps per second with every plot live, fps.

Usage::

    python benchmarks/bench_window.py                         # on the current display
    QT_QPA_PLATFORM=offscreen python benchmarks/bench_window.py
    xvfb-run -a -s "-screen 0 1280x800x24" python benchmarks/bench_window.py
    python benchmarks/bench_window.py --launches 7 --seconds 8 --json window.json

Three measurements, each in a fresh child process of this script (the parent never
imports Qt), with the default run config and no remembered settings:

launch
    Wall time from ``Popen`` of a child that imports the app, builds ``MainWindow`` at
    1280x800 and shows it, to the line the child prints once the first paint pass of
    the window is over (an application-wide event filter sees the first Paint event of
    a widget of the window, then a zero-timer fires after that pass). The median of
    ``--launches`` runs; the child also reports its own import / build / show marks.
    Target: <= 1.0 s.
live
    The window at 1280x800, every plot visible, plays for ``--seconds`` through
    ``MainWindow.controller.play()`` at unlimited speed. Counted: ``trainer.step_count``
    (steps/s), the controller's redraws (``metrics_updated`` signals) and the Paint events
    of each plot's viewport (frames actually painted). The same config is stepped
    headless (``Trainer.step`` in a loop) for ``--seconds`` before and after, in the same
    process; targets: window steps/s >= 0.6x headless, redraws >= 25 per second.
    ``--live-runs N`` repeats the live run in N fresh children (the targets then use the
    median over the runs) and counts the runs that **froze**: a watchdog in the child
    (a 100 ms heartbeat timer re-arming ``faulthandler.dump_traceback_later``) ends a
    child whose timers stop firing for ``STALL_S`` seconds and prints where the main
    thread was stuck (the paint loop that froze 5 of 20 runs looked like that).
per plot
    After the live run, paused, with the data of the run: each plot's ``refresh(trainer)``
    and a synchronous ``viewport().repaint()`` timed alone (median of ``--repeats``), and
    a synchronous repaint of the whole window: where a frame's time goes, per plot class.

Every result prints the Qt platform, the screen size, the BLAS kernel and the
OPENBLAS_* variables (they change the BLAS kernel: see docs/benchmarks.md).
"""

from __future__ import annotations

import time

T_START = time.perf_counter()  # the child's first mark, before any other import

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LAUNCH_TARGET_S = 1.0
STEP_RATIO_TARGET = 0.6
FPS_TARGET = 25.0
SIZE = (1280, 800)
#: Seconds without a timer firing while playing after which the live child counts as frozen.
STALL_S = 8.0
MARK = "BENCH_WINDOW "
#: Run-time changes the live run can make first, to measure a proposal (files untouched).
EXPERIMENTS = {
    "axis-cache": "every AxisItem gets QGraphicsItem.DeviceCoordinateCache (the plots' "
                  "own axes have it already)",
    "coarse-grid": "every AxisItem draws one tick level less (setStyle(maxTickLevel=1))",
    "no-grid": "no grid lines (AxisItem.setGrid(False))",
    "tick0": "the controller's step timer interval 0 ms instead of 15: it steps whenever "
             "no event is pending instead of idling the rest of each 15 ms tick",
    "blas1": "BLAS pinned to one thread (threadpoolctl) for the whole child, headless too",
    "budget14": "the controller steps 14 ms per 15 ms tick instead of 10 (STEP_BUDGET_S)",
    "share40": "drawing may take 40 % of the time instead of 60 % (DRAW_SHARE)",
    "settle": "every plot's refresh ends with scene().prepareForPaint(): the view ranges "
              "settle before the paint, so a redraw paints each plot once, not 2-3 times",
    "frame27": "the controller redraws at most 27 times a second instead of 30 "
               "(REDRAW_INTERVAL_S = 1/27)",
}


# -- child side (imports Qt) ------------------------------------------------------------------
def _emit(payload: dict) -> None:
    sys.stdout.write(MARK + json.dumps(payload) + "\n")
    sys.stdout.flush()


def _child_first_paint(t_start: float) -> int:
    marks = {}
    import pyqtgraph  # noqa: F401
    from PyQt6 import QtCore, QtWidgets  # noqa: F401
    marks["import_qt_s"] = time.perf_counter() - t_start
    from relu_viz.gui.app import make_app
    app = make_app([])
    from relu_viz.gui.main_window import MainWindow
    marks["import_app_s"] = time.perf_counter() - t_start
    window = MainWindow(remember=False)
    window.resize(*SIZE)
    marks["built_s"] = time.perf_counter() - t_start

    class FirstPaint(QtCore.QObject):
        seen = False

        def eventFilter(self, obj, event):  # noqa: N802 (Qt name)
            if (not self.seen and event.type() == QtCore.QEvent.Type.Paint
                    and isinstance(obj, QtWidgets.QWidget) and obj.window() is window):
                self.seen = True
                marks["first_paint_event_s"] = time.perf_counter() - t_start
                QtCore.QTimer.singleShot(0, done)
            return False

    def done():
        marks["first_paint_done_s"] = time.perf_counter() - t_start
        _emit({"kind": "first_paint", **marks})
        app.quit()

    spy = FirstPaint()
    app.installEventFilter(spy)
    QtCore.QTimer.singleShot(10_000, app.quit)  # never hang if nothing paints
    window.show()
    marks["shown_s"] = time.perf_counter() - t_start
    app.exec()
    app.removeEventFilter(spy)
    return 0 if spy.seen else 1


def _headless_rate(config, seconds: float) -> float:
    from relu_viz.core.trainer import Trainer
    trainer = Trainer(config)
    for _ in range(50):
        trainer.step()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(20):
            trainer.step()
        n += 20
    return n / (time.perf_counter() - t0)


def _median(values):
    v = sorted(values)
    k = len(v)
    return v[k // 2] if k % 2 else 0.5 * (v[k // 2 - 1] + v[k // 2])


def _instrument_paint(item_types, acc: dict) -> list:
    """Time ``paint`` of each pyqtgraph item class into ``acc[class name] = [seconds, calls]``.

    Wraps the Python ``paint`` each class inherits (Qt calls it through the wrapper); returns
    what to restore. Item paints do not nest, so the times add up.
    """
    import types
    patched = []
    for t in item_types:
        for klass in t.__mro__:
            f = klass.__dict__.get("paint")
            if isinstance(f, types.FunctionType):
                if any(k is klass for k, _ in patched):
                    break

                def wrapper(self, *a, _orig=f, **k):
                    t0 = time.perf_counter()
                    try:
                        return _orig(self, *a, **k)
                    finally:
                        slot = acc.setdefault(type(self).__name__, [0.0, 0])
                        slot[0] += time.perf_counter() - t0
                        slot[1] += 1
                klass.paint = wrapper
                patched.append((klass, f))
                break
    return patched


def _experiments(text: str) -> list[str]:
    names = [] if text in ("", "none") else [t.strip() for t in text.split(",")]
    for name in names:
        if name not in EXPERIMENTS:
            raise argparse.ArgumentTypeError(
                f"unknown experiment {name!r}; choose from {', '.join(EXPERIMENTS)}")
    return names


def _apply_experiments(window, names) -> None:
    """Make the run-time changes ``names`` (see EXPERIMENTS) to the window."""
    import pyqtgraph as pg
    from PyQt6 import QtWidgets
    for p in window.plots:
        for item in p.scene().items():
            if not isinstance(item, pg.AxisItem):
                continue
            if "axis-cache" in names:
                item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
            if "coarse-grid" in names:
                item.setStyle(maxTickLevel=1)
            if "no-grid" in names:
                item.setGrid(False)
    if "tick0" in names:
        window.controller._timer.setInterval(0)
    from relu_viz.gui import controller as controller_mod
    if "budget14" in names:
        controller_mod.STEP_BUDGET_S = 0.014
    if "share40" in names:
        controller_mod.DRAW_SHARE = 0.4
    if "frame27" in names:
        controller_mod.REDRAW_INTERVAL_S = 1 / 27
    if "settle" in names:
        for p in window.plots:
            def settled(trainer, *args, _plot=p, _orig=p.refresh, **kwargs):
                result = _orig(trainer, *args, **kwargs)
                _plot.scene().prepareForPaint()
                return result
            p.refresh = settled


def _child_live(seconds: float, repeats: int, experiments: list) -> int:
    from PyQt6 import QtCore

    from relu_viz.gui.app import make_app
    if "blas1" in experiments:
        from threadpoolctl import threadpool_limits
        _keep = threadpool_limits(limits=1)  # noqa: F841 (held for the whole child)
    app = make_app([])
    from relu_viz.gui.main_window import MainWindow
    window = MainWindow(remember=False)
    window.resize(*SIZE)
    window.show()
    plots = list(window.plots)
    _apply_experiments(window, experiments)
    t_end = time.perf_counter() + 1.0
    while time.perf_counter() < t_end:  # let it map, lay out and paint
        app.processEvents()
        time.sleep(0.01)
    ctrl = window.controller
    config = ctrl.config
    trainer = ctrl.trainer
    out = {"kind": "live", "platform": app.platformName(),
           "experiment": ",".join(experiments) or "none",
           "window": [window.width(), window.height()], "config": config.to_dict()}
    screen = app.primaryScreen()
    if screen is not None:
        out["screen"] = [screen.geometry().width(), screen.geometry().height()]
    out["headless_before"] = _headless_rate(config, seconds)

    paints = {id(p.viewport()): 0 for p in plots}

    class PaintCounter(QtCore.QObject):
        def eventFilter(self, obj, event):  # noqa: N802 (Qt name)
            if event.type() == QtCore.QEvent.Type.Paint and id(obj) in paints:
                paints[id(obj)] += 1
            return False

    counter = PaintCounter()
    for p in plots:
        p.viewport().installEventFilter(counter)
    redraws = [0]
    ctrl.metrics_updated.connect(lambda: redraws.__setitem__(0, redraws[0] + 1))
    steps0 = trainer.step_count
    t0 = time.perf_counter()

    ended = [False]

    def after_play():
        if ended[0]:
            return
        ended[0] = True
        heartbeat.stop()                      # the play is over; the measurements below
        faulthandler.dump_traceback_later(STALL_S + 120, exit=True)   # get 2 minutes
        ctrl.pause()
        elapsed = time.perf_counter() - t0
        for p in plots:
            p.viewport().removeEventFilter(counter)
        out.update({"seconds": elapsed, "steps": trainer.step_count - steps0,
                    "window_steps_per_s": (trainer.step_count - steps0) / elapsed,
                    "redraws": redraws[0], "redraws_per_s": redraws[0] / elapsed,
                    "plot_paints_per_s": {type(p).__name__: paints[id(p.viewport())] / elapsed
                                          for p in plots},
                    "diverged": trainer.diverged})
        # Per plot, still inside the event loop (a window is exposed only while it runs).
        types = {type(item) for p in plots for item in p.scene().items()}
        acc: dict = {}
        patched = _instrument_paint(types, acc)
        per_plot = []
        try:
            for p in plots:
                refresh, paint = [], []
                acc.clear()
                for _ in range(repeats):
                    trainer.run(10)  # new data, as while playing
                    t = time.perf_counter()
                    p.refresh(trainer)
                    refresh.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    p.viewport().repaint()
                    paint.append(time.perf_counter() - t)
                items = {k: {"ms_per_frame": 1e3 * v[0] / repeats,
                             "calls_per_frame": v[1] / repeats}
                         for k, v in sorted(acc.items(), key=lambda kv: -kv[1][0])}
                per_plot.append({"plot": type(p).__name__, "width": p.width(),
                                 "height": p.height(), "visible": p.isVisible(),
                                 "refresh_ms": 1e3 * _median(refresh),
                                 "paint_ms": 1e3 * _median(paint), "items": items})
        finally:
            for klass, f in patched:
                klass.paint = f
        frame_r, frame_p = [], []
        for _ in range(repeats):
            trainer.run(10)
            t = time.perf_counter()
            ctrl.redraw(force=True)
            t1 = time.perf_counter()
            # The scene updates and the paint pass the redraw caused (bounded: never hang).
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 1000)
            frame_r.append(t1 - t)
            frame_p.append(time.perf_counter() - t1)
        out.update({"per_plot": per_plot, "frame_refresh_ms": 1e3 * _median(frame_r),
                    "frame_paint_ms": 1e3 * _median(frame_p)})
        out["headless_after"] = _headless_rate(config, seconds)
        faulthandler.cancel_dump_traceback_later()
        app.quit()

    # Watchdog: a frozen event loop (no timer fires) ends the child with a stack dump.
    import faulthandler
    heartbeat = QtCore.QTimer()
    heartbeat.timeout.connect(lambda: faulthandler.dump_traceback_later(STALL_S, exit=True))
    heartbeat.start(100)
    faulthandler.dump_traceback_later(STALL_S, exit=True)
    ctrl.play()
    QtCore.QTimer.singleShot(int(seconds * 1000), after_play)
    app.exec()
    _emit(out)
    window.close()
    return 0


# -- parent side (no Qt) ----------------------------------------------------------------------
def _child_env() -> dict:
    env = dict(os.environ)
    env["RELU_VIZ_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="relu_viz_bench_settings_")
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + path if path else "")
    return env


def _run_child(args, timeout) -> tuple[dict | None, float, str]:
    """Start this script as a child; (payload, seconds from Popen to the payload line, stderr).

    Both pipes are read by threads, so a child that hangs without printing (or fills its
    stderr) is still killed after ``timeout`` seconds.
    """
    import threading
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_child_env())
    found: dict = {}
    err: list[str] = []

    def read_stdout():
        for line in proc.stdout:
            if "payload" not in found and line.startswith(MARK):
                found["t"] = time.perf_counter() - t0
                found["payload"] = json.loads(line[len(MARK):])

    readers = [threading.Thread(target=read_stdout, daemon=True),
               threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)]
    for reader in readers:
        reader.start()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for reader in readers:
        reader.join(5)
    return found.get("payload"), found.get("t", float("nan")), "".join(err)


def _environment() -> dict:
    env = {k: os.environ.get(k) for k in ("QT_QPA_PLATFORM", "DISPLAY", "OPENBLAS_CORETYPE",
                                         "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS")}
    env["cpu_count"] = os.cpu_count()
    try:
        import numpy  # noqa: F401
        from threadpoolctl import threadpool_info
    except ImportError:
        env["blas"] = "threadpoolctl not installed"
    else:
        env["blas"] = [{k: lib.get(k) for k in ("internal_api", "version", "num_threads",
                                                "architecture")} for lib in threadpool_info()]
    return env


def run(launches: int, seconds: float, repeats: int, experiment: str = "none",
        live_runs: int = 1) -> dict:
    """Launch timing in ``launches`` children, then the live run in ``live_runs`` more."""
    if sys.platform == "linux" and not (os.environ.get("DISPLAY") or os.environ.get(
            "WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        print("no display: using QT_QPA_PLATFORM=offscreen", file=sys.stderr)
    launch = []
    for i in range(launches):
        payload, wall, err = _run_child(["--child", "first-paint"], timeout=60)
        if payload is None:
            raise SystemExit(f"launch {i + 1}: the child printed no first-paint line\n{err}")
        launch.append({"wall_s": wall, **payload})
        print(f"launch {i + 1}/{launches}: {wall:.3f} s", file=sys.stderr)
    lives, frozen = [], []
    for i in range(live_runs):
        live, _, err = _run_child(["--child", "live", "--seconds", str(seconds),
                                   "--repeats", str(repeats), "--experiment", experiment],
                                  timeout=4 * seconds + 180)
        if live is None:
            # The watchdog's dump (or a kill after the timeout): the event loop stopped
            # running timers, e.g. a paint loop; keep where it was stuck.
            frozen.append({"run": i + 1, "stderr": err[-3000:]})
            print(f"live run {i + 1}/{live_runs}: FROZE (no result: the watchdog ended it "
                  f"after {STALL_S:g} s without a timer, or the timeout)\n{err[-1500:]}",
                  file=sys.stderr)
            continue
        live["ratio"] = live["window_steps_per_s"] / (
            0.5 * (live["headless_before"] + live["headless_after"]))
        lives.append(live)
        print(f"live run {i + 1}/{live_runs}: {live['ratio']:.2f}x headless, "
              f"{live['redraws_per_s']:.1f} redraws/s", file=sys.stderr)
    if not lives:
        raise SystemExit(f"every live run froze ({len(frozen)} of {live_runs}); the last "
                         f"one's stderr:\n{frozen[-1]['stderr']}")
    live = lives[0]
    walls = [x["wall_s"] for x in launch]
    ratio = _median([x["ratio"] for x in lives])
    fps = _median([x["redraws_per_s"] for x in lives])
    targets = [
        {"what": "launch to first painted window (median)",
         "value": _median(walls) if walls else None,
         "threshold": LAUNCH_TARGET_S, "kind": "max", "unit": "s"},
        {"what": "steps/s in the window / headless Trainer.step", "value": ratio,
         "threshold": STEP_RATIO_TARGET, "kind": "min", "unit": "x"},
        {"what": "redraws per second while playing", "value": fps,
         "threshold": FPS_TARGET, "kind": "min", "unit": "fps"},
        {"what": "live runs that froze", "value": len(frozen), "threshold": 0,
         "kind": "max", "unit": f"of {live_runs}"},
    ]
    targets = [t for t in targets if t["value"] is not None]
    for t in targets:
        t["passed"] = bool(t["value"] <= t["threshold"] if t["kind"] == "max"
                           else t["value"] >= t["threshold"])
    return {"env": _environment(), "launch": launch, "live": live, "lives": lives,
            "frozen": frozen, "targets": targets,
            "config": {"launches": launches, "seconds": seconds, "repeats": repeats,
                       "experiment": experiment, "live_runs": live_runs}}


def _runs_lines(result: dict) -> list[str]:
    """One line over all live runs (when there were several), the frozen ones first."""
    lives, frozen = result.get("lives", []), result.get("frozen", [])
    if len(lives) + len(frozen) < 2:
        return []
    ratios = sorted(x["ratio"] for x in lives)
    fps = sorted(x["redraws_per_s"] for x in lives)
    return [f"{len(lives) + len(frozen)} live runs, {len(frozen)} froze; over the others: "
            f"steps/s ratio median {_median(ratios):.2f} (min {ratios[0]:.2f}, max "
            f"{ratios[-1]:.2f}), redraws/s median {_median(fps):.1f} (min {fps[0]:.1f}, max "
            f"{fps[-1]:.1f}); the lines above and below are the first run's"]


def format_report(result: dict) -> str:
    live, launch = result["live"], result["launch"]
    walls = sorted(x["wall_s"] for x in launch)
    lines = [f"relu_viz window benchmark: platform {live['platform']}, screen "
             f"{live.get('screen')}, window {live['window']}, experiment {live['experiment']}",
             "environment: " + json.dumps(result["env"]), ""]
    if walls:
        lines.append(f"launch (Popen -> end of the first paint pass), {len(walls)} runs: median "
                     f"{_median(walls):.3f} s, min {walls[0]:.3f} s, max {walls[-1]:.3f} s")
        keys = ("import_qt_s", "import_app_s", "built_s", "shown_s", "first_paint_event_s",
                "first_paint_done_s")
        lines.append("  inside the child (median, from its first line): " + ", ".join(
            f"{k[:-2]} {_median([x[k] for x in launch if k in x]):.3f} s" for k in keys))
    headless = 0.5 * (live["headless_before"] + live["headless_after"])
    lines += ["",
              f"live: {live['steps']} steps in {live['seconds']:.1f} s = "
              f"{live['window_steps_per_s']:.0f} steps/s in the window; headless "
              f"{headless:.0f} steps/s (before {live['headless_before']:.0f}, after "
              f"{live['headless_after']:.0f}); diverged: {live['diverged']}",
              f"redraws (metrics_updated) {live['redraws_per_s']:.1f}/s; viewport paints/s: "
              + ", ".join(f"{k} {v:.1f}" for k, v in live["plot_paints_per_s"].items()),
              *_runs_lines(result),
              f"one whole frame, paused (median): controller.redraw() "
              f"{live['frame_refresh_ms']:.1f} ms + the paint pass it causes (processEvents) "
              f"{live['frame_paint_ms']:.1f} ms",
              "", "per plot, paused, new data each time (median): refresh, synchronous viewport "
              "repaint, and the repaint split by item class (ms per frame, calls)",
              f"  {'plot':<16}{'size':>10}{'refresh':>9}{'paint':>8}  paint by item class"]
    total_r = total_p = 0.0
    for p in live["per_plot"]:
        total_r += p["refresh_ms"]
        total_p += p["paint_ms"]
        items = ", ".join(f"{k} {v['ms_per_frame']:.2f} ({v['calls_per_frame']:.0f})"
                          for k, v in list(p["items"].items())[:4])
        lines.append(f"  {p['plot']:<16}{p['width']:>5}x{p['height']:<4}{p['refresh_ms']:>9.2f}"
                     f"{p['paint_ms']:>8.2f}  {items}")
    lines.append(f"  {'all plots':<16}{'':>10}{total_r:>9.2f}{total_p:>8.2f}")
    lines.append("")
    for t in result["targets"]:
        if t.get("value") is None:
            continue
        op = "<=" if t["kind"] == "max" else ">="
        lines.append(f"{'PASS' if t['passed'] else 'FAIL'}  {t['what']}: {t['value']:.3g} "
                     f"{t['unit']} (target {op} {t['threshold']} {t['unit']})")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=5,
                        help="launch runs (default 5; 0 skips the launch measurement)")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="seconds of play, and of each headless run (default 5)")
    parser.add_argument("--repeats", type=int, default=15,
                        help="timings per plot after the live run (default 15)")
    parser.add_argument("--live-runs", type=int, default=1, metavar="N",
                        help="repeat the live run in N fresh children: targets use the "
                        "median, and the runs whose timers stopped (froze) are counted")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    parser.add_argument("--experiment", default="none", metavar="NAME[,NAME]",
                        help="live run only: run-time changes to measure a proposal (the "
                        "plot and controller files are not touched): " + "; ".join(
                            f"{k}: {v}" for k, v in EXPERIMENTS.items()))
    parser.add_argument("--child", choices=("first-paint", "live"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "first-paint":
        return _child_first_paint(T_START)
    if args.child == "live":
        return _child_live(args.seconds, args.repeats, _experiments(args.experiment))
    if args.launches < 0 or args.seconds <= 0 or args.repeats < 1 or args.live_runs < 1:
        parser.error("--seconds, --repeats and --live-runs must be positive, --launches 0 "
                     "or more")
    try:
        _experiments(args.experiment)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    result = run(args.launches, args.seconds, args.repeats, args.experiment, args.live_runs)
    print(format_report(result))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=1)
    return 1 if args.strict and not all(t["passed"] for t in result["targets"]) else 0


if __name__ == "__main__":
    sys.exit(main())
