"""A seeded monkey: 1000+ random actions on the window, invariants checked after each.

The actions are drawn with ``np.random.default_rng(1234)`` from what a user can do: edit
any control of the panel (from its declarative ``SPEC``) to a random valid value, step,
step N, step an epoch, play briefly and pause, reset, open an experiment, compare,
move the timeline, export (sometimes to a folder that does not exist), save and open
sessions and configs, and any other action found in the window's menus. Dialogs are
answered by the test (file dialogs with a path of its choosing, message boxes
recorded) so nothing blocks, and the timer never runs between two actions.

After every action:

* no exception escaped a Qt slot;
* the step counter of each run did not decrease unless the run was reset or rebuilt;
* each history has one row per step (or, once thinned, still ends at the step count);
* the panel shows the config in force and the timeline spans the steps done;
* each visible plot draws the history: the loss plot's per-batch curve and every
  per-layer curve of the gradient plot (and the comparison's loss curves) hold the
  history's values at the same steps, up to the step the timeline shows.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest
from panel_checks import panel_disagrees
from PyQt6 import QtGui, QtWidgets

from relu_viz.core import session
from relu_viz.core.config import TrainConfig
from relu_viz.core.trainer import Trainer
from relu_viz.gui.controller import SPEEDS
from relu_viz.gui.main_window import MainWindow
from relu_viz.gui.panel.control_panel import SPEC
from relu_viz.gui.plots import ALL_PLOTS
from relu_viz.gui.plots.gradient_plot import GradientPlot
from relu_viz.gui.plots.loss_plot import LossPlot, moving_average
from relu_viz.gui.views.compare_view import COMPARE_FIELDS, CompareDialog, suggested_values

SEED = 1234
N_ACTIONS = 1000
START = TrainConfig(dataset="circle", n_samples=200, hidden_layers=(8, 8), batch_size=16,
                    eval_every=5)
MAX_N_STEPS = 20
MAX_EPOCH_STEPS = 60
#: Bounds of the random values, tighter than the panel's so each action stays quick.
INT_RANGES = {"n_samples": (20, 500), "batch_size": (1, 64), "eval_every": (1, 50)}
FLOAT_RANGES = {"noise": (0.0, 0.5), "train_ratio": (0.2, 0.9), "init_scale": (0.05, 3.0),
                "bias_init": (-0.5, 0.5), "momentum": (0.0, 0.99), "beta1": (0.5, 0.99),
                "beta2": (0.9, 0.9999), "alpha": (0.0, 1.0)}
LOG_RANGES = {"learning_rate": (1e-4, 3.0), "eps": (1e-10, 1e-3), "l1": (1e-6, 1e-2),
              "l2": (1e-6, 1e-2)}
MAX_LAYERS, MAX_WIDTH = 4, 32
#: Menu entries the monkey leaves alone: Quit closes the window, the speed view runs
#: kernel benchmarks for seconds.
SKIPPED_TEXTS = ("Quit", "ReLU speed")
SPEED_1000 = SPEEDS.index(1000)


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal values where both are finite, and the same places not finite (None: empty)."""
    a, b = (np.asarray([] if v is None else v, dtype=float) for v in (a, b))
    if a.shape != b.shape:
        return False
    fa, fb = np.isfinite(a), np.isfinite(b)
    return bool(np.array_equal(fa, fb) and np.array_equal(a[fa], b[fb]))


def csv_file(path: Path, rows: int = 60, bad: bool = False) -> Path:
    lines = ["x1,x2,label"] + [f"{i * 0.37 % 3 - 1.5:.3f},{(i * 0.61) % 2 - 1:.3f},{i % 2}"
                               for i in range(rows)]
    if bad:
        lines[5] = "1.0,oops,0"
    path.write_text("\n".join(lines) + "\n")
    return path


class Monkey:
    """Draws and performs random actions on ``window``; checks the invariants."""

    def __init__(self, window: MainWindow, qtbot, folder: Path, shown: list, monkeypatch):
        self.w, self.qtbot, self.folder, self.shown = window, qtbot, folder, shown
        self.rng = np.random.default_rng(SEED)
        self.exports = folder / "exports"
        self.exports.mkdir()
        self.missing = folder / "no_such_folder"
        self.good_csv = csv_file(folder / "good.csv")
        self.bad_csv = csv_file(folder / "bad.csv", bad=True)
        self.bad_json = folder / "bad.json"
        self.bad_json.write_text('{"dataset": ')
        self.bad_session = folder / "bad.npz"
        trainer = Trainer(START)
        trainer.run(3)
        session.save_session(trainer, self.bad_session)
        data = self.bad_session.read_bytes()
        self.bad_session.write_bytes(data[: len(data) // 2])
        self.saved_sessions: list[Path] = []
        self.saved_configs: list[Path] = []
        self.expect_dialog = False      # the last file dialog answered a path that must fail
        self.rebuilt = False
        self.counts: dict[str, int] = {}
        self.timing: dict[str, float] = {}
        self.seen = {"single run": 0, "comparison": 0, "timeline view": 0, "diverged": 0,
                     "bad path reported": 0, "edit rejected": 0}
        window.controller.config_rejected.connect(lambda _m: self._saw("edit rejected"))
        window.controller.run_rebuilt.connect(self._on_rebuilt)
        self._patch_dialogs(monkeypatch)
        self._remember()

    # -- dialogs ---------------------------------------------------------------------
    def _patch_dialogs(self, mp) -> None:
        fd = QtWidgets.QFileDialog
        mp.setattr(fd, "getOpenFileName", staticmethod(self._answer_open))
        mp.setattr(fd, "getSaveFileName", staticmethod(self._answer_save))
        mp.setattr(fd, "getExistingDirectory", staticmethod(self._answer_folder))
        mp.setattr(QtWidgets.QDialog, "exec", lambda dialog, *a: self._answer_exec(dialog))
        for name in ("getText", "getInt", "getDouble", "getItem"):
            if hasattr(QtWidgets.QInputDialog, name):
                mp.setattr(QtWidgets.QInputDialog, name,
                           staticmethod(lambda *a, **k: (None, False)))

    def _answer_open(self, parent=None, caption="", directory="", filt="", *a, **k):
        text = f"{caption} {filt}".lower()
        if "csv" in text:
            bad, good = self.bad_csv, self.good_csv
        elif "session" in text:
            bad, good = self.bad_session, self._pick(self.saved_sessions)
        else:
            bad, good = self.bad_json, self._pick(self.saved_configs)
        roll = self.rng.random()
        if roll < 0.1:
            self.expect_dialog = False
            return "", ""                      # cancelled
        if good is None or roll < 0.35:
            self.expect_dialog = True   # CSV files too: a refused file gets a dialog
            return str(self._pick([bad, self.missing / "gone.dat"])), ""
        self.expect_dialog = False
        return str(good), ""

    def _answer_save(self, parent=None, caption="", directory="", filt="", *a, **k):
        name = Path(str(directory)).name or "file.dat"
        self.expect_dialog = bool(self.rng.random() < 0.2)
        folder = self.missing if self.expect_dialog else self.exports
        path = folder / name
        if not self.expect_dialog and path.suffix == ".npz":
            self.saved_sessions.append(path)
        if not self.expect_dialog and path.suffix == ".json":
            self.saved_configs.append(path)
        return str(path), ""

    def _answer_folder(self, *a, **k):
        self.expect_dialog = bool(self.rng.random() < 0.2)
        return str(self.missing if self.expect_dialog else self.exports)

    def _answer_exec(self, dialog):
        if isinstance(dialog, CompareDialog) and self.rng.random() < 0.85:
            self._fill_compare(dialog)
            return QtWidgets.QDialog.DialogCode.Accepted
        self.shown.append(("exec", type(dialog).__name__))
        return QtWidgets.QDialog.DialogCode.Rejected

    def _fill_compare(self, dialog: CompareDialog) -> None:
        if dialog.use_preset.isEnabled() and self.rng.random() < 0.2:
            dialog.use_preset.setChecked(True)
            dialog.preset.setCurrentIndex(int(self.rng.integers(dialog.preset.count())))
            return
        name = self._pick([n for n in COMPARE_FIELDS if n != "hidden_layers"])
        dialog.field.setCurrentIndex(dialog.field.findData(name))
        dialog.values.setText(suggested_values(name, self.w.controller.config))

    def _pick(self, items):
        items = list(items)
        return items[int(self.rng.integers(len(items)))] if items else None

    # -- the actions -----------------------------------------------------------------
    def actions(self):
        return [
            (30, "panel", self.edit_panel),
            (12, "step", lambda: self.w.actions["step"].trigger()),
            (10, "step_n", self.step_n),
            (4, "epoch", self.step_epoch),
            (6, "play_pause", self.play_pause),
            (4, "reset", lambda: self.w.actions["reset"].trigger()),
            (3, "reset_new", lambda: self.w.actions["reset_new"].trigger()),
            (3, "preset", self.open_preset),
            (3, "compare", lambda: self.w.actions["compare"].trigger()),
            (3, "compare_tab", self.switch_tab),
            (4, "compare_close", self.close_compare),
            (8, "timeline", self.move_timeline),
            (4, "export", self.export),
            (2, "session", self.session_round_trip),
            (2, "speed", self.change_speed),
            (4, "view", self.view_action),
            (6, "menu", self.menu_action),
        ]

    def edit_panel(self) -> None:
        panel = self.w.panel
        spec = self._pick(SPEC)
        editor = panel.editor(spec.name)
        if not editor.isEnabled() and spec.kind != "alpha":
            return
        value_of = getattr(self, f"_edit_{spec.kind}")
        value_of(spec, editor)

    def _edit_choice(self, spec, combo) -> None:
        combo.setCurrentIndex(int(self.rng.integers(combo.count())))

    def _edit_dataset(self, spec, combo) -> None:
        names = [n for n in spec.choices if n != "csv"]
        name = "csv" if self.rng.random() < 0.1 else self._pick(names)
        combo.setCurrentIndex(combo.findData(name))

    def _edit_int(self, spec, box) -> None:
        lo, hi = INT_RANGES.get(spec.name, (int(spec.lo), int(min(spec.hi, 100))))
        box.setValue(int(self.rng.integers(lo, hi + 1)))

    def _edit_float(self, spec, box) -> None:
        lo, hi = FLOAT_RANGES.get(spec.name, (spec.lo, spec.hi))
        box.setValue(float(self.rng.uniform(lo, hi)))

    def _edit_log(self, spec, box) -> None:
        lo, hi = LOG_RANGES.get(spec.name, (spec.lo, spec.hi))
        if spec.allow_zero and self.rng.random() < 0.3:
            box.setValue(0.0)
        else:
            value = math.exp(self.rng.uniform(math.log(lo), math.log(hi)))
            box.setValue(float(f"{value:.3g}"))

    def _edit_bool(self, spec, box) -> None:
        box.setChecked(not box.isChecked())

    def _edit_seed(self, spec, box) -> None:
        box.setValue(float(self.rng.integers(0, 2**32)))

    def _edit_layers(self, spec, edit) -> None:
        n = int(self.rng.integers(0, MAX_LAYERS + 1))
        if self.rng.random() < 0.5:
            self.w.panel.layer_count_box().setValue(n)
        else:
            widths = self.rng.integers(1, MAX_WIDTH + 1, size=n)
            edit.setText(", ".join(str(int(v)) for v in widths))
            edit.editingFinished.emit()

    def _edit_activation(self, spec, combo) -> None:
        panel = self.w.panel
        per_layer = panel.per_layer_checkbox()
        if self.rng.random() < 0.2:
            per_layer.setChecked(not per_layer.isChecked())
        combos = panel.activation_combos() if per_layer.isChecked() else [combo]
        target = self._pick(combos)
        if target is not None and target.isEnabled():
            target.setCurrentIndex(int(self.rng.integers(target.count())))

    def _edit_alpha(self, spec, box) -> None:
        auto = self.w.panel.alpha_default_checkbox()
        if auto.isEnabled() and self.rng.random() < 0.4:
            auto.setChecked(not auto.isChecked())
        elif box.isEnabled():
            box.setValue(float(self.rng.uniform(*FLOAT_RANGES["alpha"])))

    def _small_n_box(self) -> None:
        self.w.step_n_box.setValue(int(self.rng.integers(1, MAX_N_STEPS + 1)))

    def step_n(self) -> None:
        self._small_n_box()
        self.w.actions["step_n"].trigger()

    def _epoch_is_short(self) -> bool:
        c = self.w.controller
        runs = c.comparison.trainers if c.comparing else [c.trainer]
        live = [t for t in runs if not t.diverged] or runs
        return live[0].steps_to_epoch_end() <= MAX_EPOCH_STEPS

    def step_epoch(self) -> None:
        if self._epoch_is_short():
            self.w.actions["step_epoch"].trigger()

    def play_pause(self) -> None:
        c = self.w.controller
        self.w.actions["play"].trigger()
        self.qtbot.wait(int(self.rng.integers(5, 40)))
        if c.running:
            self.w.actions["play"].trigger()

    def open_preset(self) -> None:
        name = self._pick(sorted(self.w.preset_actions))
        if name is not None:
            self.w.preset_actions[name].trigger()
            self._small_n_box()

    def switch_tab(self) -> None:
        tabs = self.w.tabs
        tabs.setCurrentIndex(int(self.rng.integers(tabs.count())))

    def close_compare(self) -> None:
        if self.w.actions["close_compare"].isEnabled():
            self.w.actions["close_compare"].trigger()

    def move_timeline(self) -> None:
        bar = self.w.timeline
        if self.rng.random() < 0.15 and bar.live_button.isEnabled():
            bar.live_button.click()
        elif bar.slider.isEnabled():
            bar.slider.setValue(int(self.rng.integers(0, bar.slider.maximum() + 1)))

    def export(self) -> None:
        key = self._pick(["export_csv", "export_window", "export_current", "save",
                          "export_csv", "plot_menu", "export_all"])
        if key == "plot_menu":
            menu = next(m for m in self.w.findChildren(QtWidgets.QMenu)
                        if m.title().startswith("Export plot"))
            self._pick(menu.actions()).trigger()
        else:
            self.w.actions[key].trigger()

    def session_round_trip(self) -> None:
        if self.rng.random() < 0.5 or not self.saved_sessions:
            self.w.actions["save_session"].trigger()
            return
        self.w.actions["open_session"].trigger()

    def change_speed(self) -> None:
        self.w.speed_slider.setValue(int(self.rng.integers(0, SPEED_1000 + 1)))

    def _menu_entries(self, top: str | None = None) -> list[QtGui.QAction]:
        """Enabled entries of the menu bar (or of its menu titled ``top``), found now."""
        self.w.update_recent_menu()
        found = []
        stack = [a for a in self.w.menuBar().actions()
                 if top is None or a.text().replace("&", "") == top]
        while stack:
            act = stack.pop()
            if act.menu() is not None:
                stack.extend(act.menu().actions())
            elif not act.isSeparator() and act.isEnabled() and act.text() and not any(
                    act.text().startswith(s) for s in SKIPPED_TEXTS):
                found.append(act)
        return sorted(found, key=lambda a: a.text())

    def view_action(self) -> None:
        """An entry of the View menu: log-scale loss, show one plot, metric, overlays..."""
        act = self._pick(self._menu_entries("View"))
        if act is not None:
            act.trigger()

    def menu_action(self) -> None:
        """Any enabled entry of the window's menus (found at run time)."""
        act = self._pick(self._menu_entries())
        if act.text() in ("Step epoch",) and not self._epoch_is_short():
            return
        self._small_n_box()
        act.trigger()
        self.w.controller.pause()

    # -- invariants ------------------------------------------------------------------
    def _saw(self, what: str) -> None:
        self.seen[what] += 1

    def _on_rebuilt(self, _reason: str) -> None:
        self.rebuilt = True

    def _remember(self) -> None:
        c = self.w.controller
        self.single = (c.trainer, c.trainer.step_count)
        comp = c.comparison
        self.compared = (comp, list(comp.step_counts) if comp is not None else [])
        self.rebuilt = False

    def check(self, where: str) -> None:
        w, c = self.w, self.w.controller
        assert not c.running, f"{where}: the timer was left running"
        trainer, before = self.single
        if c.trainer is trainer and not self.rebuilt:
            assert c.trainer.step_count >= before, f"{where}: the step counter went back"
        self._check_history(c.trainer, where)
        comp, counts = self.compared
        if c.comparison is not None:
            if c.comparison is comp and not self.rebuilt:
                assert all(a >= b for a, b in zip(c.comparison.step_counts, counts)), \
                    f"{where}: a compared run's step counter went back"
            for t in c.comparison.trainers:
                self._check_history(t, where)
        assert w.panel.config == c.config, f"{where}: the panel holds another config"
        wrong = panel_disagrees(w.panel, c.config)
        assert not wrong, f"{where}: the panel shows other values of {wrong}"
        bar = w.timeline.slider
        assert bar.maximum() == c.step_count, f"{where}: the timeline does not span the run"
        shown = c.step_count if c.view_step is None else c.view_step
        assert bar.value() == shown, f"{where}: the timeline is not at the step shown"
        if c.comparing:
            self._check_compare_plot(where)
        else:
            self._check_plots(where)
        self._saw("comparison" if c.comparing else "single run")
        if c.view_step is not None:
            self._saw("timeline view")
        if any(t.diverged for t in [c.trainer, *(c.comparison.trainers if c.comparison
                                                   else [])]):
            self._saw("diverged")
        self._remember()

    @staticmethod
    def _check_history(trainer: Trainer, where: str) -> None:
        h, n = trainer.history, trainer.step_count
        steps = h.steps
        if n <= h.capacity:
            assert len(h) == n and np.array_equal(steps, np.arange(1, n + 1)), \
                f"{where}: {len(h)} history rows for {n} steps"
        else:
            assert len(h) <= h.capacity and steps[-1] == n and np.all(np.diff(steps) > 0), \
                f"{where}: the thinned history does not end at step {n}"

    def _check_plots(self, where: str) -> None:
        c = self.w.controller
        h, upto = c.trainer.history, c.view_step
        steps = h.scalar("step", upto)
        for plot in self.w.plots:
            if not (plot.isVisible() and plot.width() > 0 and plot.height() > 0):
                continue
            if isinstance(plot, LossPlot):
                loss = h.scalar("train_loss", upto)
                if plot.log_y():
                    loss = np.where(loss > 0, loss, np.nan)
                x, y = plot.train_raw.getOriginalDataset()
                assert same(x, steps) and same(y, loss), \
                    f"{where}: the loss curve does not match the history"
            elif isinstance(plot, GradientPlot):
                values = h.layer(plot.metric_name(), upto)
                assert len(plot.curves) == c.trainer.n_layers, f"{where}: curves per layer"
                for i, curve in enumerate(plot.curves):
                    x, y = curve.getOriginalDataset()
                    assert same(x, steps) and same(y, np.where(values[:, i] > 0,
                                                               values[:, i], np.nan)), \
                        f"{where}: gradient curve of layer {i + 1} does not match the history"

    def _check_compare_plot(self, where: str) -> None:
        c = self.w.controller
        view = self.w.compare_view
        curves = view.plot.loss_plot.listDataItems()
        for i, trainer in enumerate(c.comparison.trainers):
            h = trainer.history
            steps = h.scalar("step", c.view_step)
            avg = moving_average(h.scalar("train_loss", c.view_step), 10)
            ok = np.isfinite(steps) & np.isfinite(avg) & (avg > 0)
            x, y = curves[i].getOriginalDataset()
            assert same(x, steps[ok]) and same(y, avg[ok]), \
                f"{where}: the comparison's loss curve of run {i} does not match its history"


@pytest.fixture
def monkey(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("RELU_VIZ_SETTINGS_DIR", str(tmp_path / "settings"))
    shown: list = []
    for kind in ("critical", "warning", "information", "about"):
        monkeypatch.setattr(QtWidgets.QMessageBox, kind, staticmethod(
            lambda *a, _k=kind, **kw: shown.append((_k, str(a[2] if len(a) > 2 else a)))))
    monkeypatch.setattr(QtWidgets.QMessageBox, "question", staticmethod(
        lambda *a, **k: QtWidgets.QMessageBox.StandardButton.No))
    window = MainWindow(START, plot_classes=ALL_PLOTS, remember=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.speed_slider.setValue(SPEED_1000)  # a brief Play runs tens of steps, not thousands
    m = Monkey(window, qtbot, tmp_path, shown, monkeypatch)
    yield m
    window.controller.pause()


def test_random_actions_keep_the_invariants(monkey, qtbot):
    actions = monkey.actions()
    weights = np.array([w for w, _, _ in actions], dtype=float)
    weights /= weights.sum()
    app = QtWidgets.QApplication.instance()
    started = time.perf_counter()
    for i in range(N_ACTIONS):
        _, name, act = actions[int(monkey.rng.choice(len(actions), p=weights))]
        where = f"action {i} ({name})"
        dialogs_before = len(monkey.shown)
        monkey.expect_dialog = False
        t0 = time.perf_counter()
        with qtbot.capture_exceptions() as escaped:
            act()
            app.processEvents()
        monkey.timing[name] = monkey.timing.get(name, 0.0) + time.perf_counter() - t0
        assert not escaped, f"{where}: {escaped[0][1]!r}"
        if monkey.expect_dialog:
            assert len(monkey.shown) > dialogs_before, f"{where}: a bad path went unreported"
            monkey.seen["bad path reported"] += 1
        monkey.counts[name] = monkey.counts.get(name, 0) + 1
        monkey.check(where)
    elapsed = time.perf_counter() - started
    print(f"\n{N_ACTIONS} actions in {elapsed:.1f} s: "
          + ", ".join(f"{k} {v}" for k, v in sorted(monkey.counts.items()))
          + "\ntime: " + ", ".join(f"{k} {v:.1f}" for k, v in sorted(monkey.timing.items()))
          + "\nchecked after actions in: "
          + ", ".join(f"{k} {v}" for k, v in monkey.seen.items()))
    assert sum(monkey.counts.values()) == N_ACTIONS
    assert all(monkey.counts.get(name, 0) > 0 for _, name, _ in actions), monkey.counts
    # The walk went everywhere worth checking. The draws are seeded, but how many steps a
    # brief Play runs depends on the clock, so the counts vary a little between runs.
    least = {"single run": N_ACTIONS // 3, "comparison": 50, "timeline view": 10,
             "diverged": 3, "bad path reported": 3, "edit rejected": 1}
    assert all(monkey.seen[k] >= n for k, n in least.items()), monkey.seen


def test_play_then_pause_from_the_timeline_shows_live(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("RELU_VIZ_SETTINGS_DIR", str(tmp_path / "settings"))
    window = MainWindow(START, plot_classes=[LossPlot], remember=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    c = window.controller
    c.run_steps(20)
    window.timeline.slider.setValue(2)
    c.play()
    c.pause()  # before the first tick
    assert c.view_step is None and window.timeline.label.text() == "live · step 20"
    x, _ = window.plots[0].train_raw.getOriginalDataset()
    assert len(x) == 20, f"the loss plot still ends at step {int(x[-1])}"
