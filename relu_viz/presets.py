"""Presets: ready-made experiments, each reproducing one claim about the ReLU family.

A preset is a JSON file in ``resources/presets/`` (Qt-free, validated on load)::

    {"name": "sparsity",                 # the file's stem
     "title": "...", "description": "what to watch, shown in the app",
     "claim": "the claim, as a sentence with a number",
     "steps": 50,                        # how long to run it
     "config": {...},                    # TrainConfig.to_dict() fields
     "compare": {"activation": ["relu", "tanh"]},   # optional: 2-4 side-by-side runs
     "check": [{...}, ...]}              # the claim in machine-readable form

Every entry of ``check`` is one condition on the runs' history; :func:`verify` measures
it and compares it with its ``min`` / ``max`` bounds. The condition kinds (``what``):

``layer_ratio``
    ``metric`` at step ``at`` in layer ``num`` divided by layer ``den`` (indices into
    the weight layers, negative from the output).
``layer_metric``
    ``metric`` at ``at`` over ``layers`` (``"hidden"``, ``"all"``, an index or a list),
    reduced with ``reduce`` (``max``, ``min``, ``mean``).
``run_ratio``
    like ``layer_metric``, divided by the same quantity of run ``other``.
``loss_fall``
    fraction by which ``loss`` (default ``train_loss``) fell: 1 - mean of its last
    ``window`` finite values / mean of its first ``window`` finite values.
``scalar``
    scalar ``name`` at ``at``.
``layer_growth``
    the smallest ratio ``metric[i] / metric[i + 1]`` over neighbouring weight layers
    at ``at``: at least 1 when the metric grows layer by layer toward the input.
``diverged``
    1 when the run diverged (non-finite loss or gradient), else 0.
``diverged_at``
    the step at which the run diverged (infinity when it did not).
``prediction_min``
    the smallest network output over the training and test inputs at the end.

``at`` is ``"first"`` (the first recorded step), ``"last"``, ``"first_eval"`` /
``"last_eval"`` (first / last row where the metric is finite, for metrics measured
every ``eval_every`` steps), ``"all"`` (every row, reduced like the layers) or a step
number. ``run`` picks one run by its label; without it the condition holds for every run.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import relu_viz
from relu_viz.compare import Comparison, overrides_from_spec, run_labels
from relu_viz.core.config import TrainConfig
from relu_viz.core.metrics import LAYER_NAMES, SCALAR_NAMES
from relu_viz.core.trainer import Trainer

MAX_STEPS = 100_000
SINGLE_LABEL = "run"

_REQUIRED = ("name", "title", "description", "claim", "steps", "config", "check")
_OPTIONAL = ("compare",)
_KINDS = {
    "layer_ratio": ({"metric", "at", "num", "den"}, set()),
    "layer_metric": ({"metric", "at"}, {"layers", "reduce"}),
    "run_ratio": ({"metric", "at", "other"}, {"layers", "reduce"}),
    "loss_fall": (set(), {"loss", "window"}),
    "scalar": ({"name", "at"}, set()),
    "layer_growth": ({"metric", "at"}, set()),
    "diverged": (set(), set()),
    "diverged_at": (set(), set()),
    "prediction_min": (set(), set()),
}
_COMMON = {"what", "run", "min", "max", "note"}


def presets_dir() -> Path:
    """``resources/presets`` at the top of the project."""
    return Path(relu_viz.__file__).resolve().parent.parent / "resources" / "presets"


@dataclass(frozen=True)
class Preset:
    """A validated preset (see the module docstring for the file format)."""

    name: str
    title: str
    description: str
    claim: str
    steps: int
    config: TrainConfig
    check: tuple
    compare: dict | None = None
    path: Path | None = field(default=None, compare=False)

    def build(self, config: TrainConfig | None = None) -> dict[str, Trainer]:
        """Fresh trainers for this preset, label -> Trainer (one ``"run"`` without compare).

        ``config`` replaces the preset's base config (e.g. another seed).
        """
        base = self.config if config is None else config
        if self.compare is None:
            return {SINGLE_LABEL: Trainer(base)}
        comp = self.comparison(base)
        return dict(zip(comp.labels, comp.trainers))

    def comparison(self, config: TrainConfig | None = None) -> Comparison:
        """The preset's side-by-side runs (ValueError without ``compare``)."""
        if self.compare is None:
            raise ValueError(f"preset {self.name}: has no compare runs")
        return Comparison.from_spec(self.config if config is None else config, self.compare)


# -- loading -----------------------------------------------------------------------------
def list_presets(directory: Path | None = None) -> list[Preset]:
    """Every preset in ``directory`` (default :func:`presets_dir`), sorted by name."""
    directory = presets_dir() if directory is None else Path(directory)
    return [load_file(p) for p in sorted(directory.glob("*.json"))]


def names(directory: Path | None = None) -> list[str]:
    """Names of the available presets."""
    directory = presets_dir() if directory is None else Path(directory)
    return sorted(p.stem for p in directory.glob("*.json"))


def load(name: str, directory: Path | None = None) -> Preset:
    """The preset called ``name`` (ValueError naming the choices if there is none)."""
    directory = presets_dir() if directory is None else Path(directory)
    path = directory / f"{name}.json"
    if not name or "/" in name or "\\" in name or not path.is_file():
        raise ValueError(f"unknown preset {name!r}; available: "
                         f"{', '.join(names(directory)) or 'none'}")
    return load_file(path)


def load_file(path: str | Path) -> Preset:
    """Read and validate one preset file; every problem is a ValueError naming the file."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"preset {path.name}: cannot read it ({exc.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"preset {path.name}: not valid JSON ({exc})") from None
    try:
        return from_dict(data, path)
    except ValueError as exc:
        raise ValueError(f"preset {path.name}: {exc}") from None


def from_dict(data: Any, path: Path | None = None) -> Preset:
    """Validate a parsed preset (errors do not name the file; :func:`load_file` adds it)."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    unknown = sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ValueError(f"unknown key(s) {', '.join(unknown)}")
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise ValueError(f"missing key(s) {', '.join(missing)}")
    for key in ("name", "title", "description", "claim"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise ValueError(f"{key}: expected a non-empty text")
    if path is not None and data["name"] != path.stem:
        raise ValueError(f"name: {data['name']!r} differs from the file name {path.stem!r}")
    steps = data["steps"]
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"steps: {steps!r} is outside the allowed range [1, {MAX_STEPS}]")
    try:
        config = TrainConfig.from_dict(data["config"])
    except (TypeError, ValueError) as exc:
        raise ValueError(f"config: {exc}") from None
    compare = data.get("compare")
    labels, n_layers = [SINGLE_LABEL], len(config.hidden_layers) + 1
    if compare is not None:
        try:
            overrides = overrides_from_spec(compare)
            labels = run_labels(config, overrides)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"compare: {exc}") from None
        n_layers = min(len(config.replace(**o).hidden_layers) + 1 for o in overrides)
    check = data["check"]
    if not isinstance(check, list) or not check:
        raise ValueError("check: expected a non-empty list of conditions")
    for i, cond in enumerate(check):
        _validate_condition(cond, labels, n_layers, f"check[{i}]")
    return Preset(name=data["name"], title=data["title"], description=data["description"],
                  claim=data["claim"], steps=steps, config=config,
                  check=tuple(check), compare=compare, path=path)


def _validate_condition(cond: Any, labels: list[str], n_layers: int, where: str) -> None:
    if not isinstance(cond, dict) or cond.get("what") not in _KINDS:
        raise ValueError(f"{where}: expected an object with 'what' one of {', '.join(_KINDS)}")
    required, optional = _KINDS[cond["what"]]
    unknown = sorted(set(cond) - required - optional - _COMMON)
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}")
    missing = sorted(required - set(cond))
    if missing:
        raise ValueError(f"{where}: missing key(s) {', '.join(missing)}")
    if "min" not in cond and "max" not in cond:
        raise ValueError(f"{where}: needs a 'min' or a 'max' bound")
    for bound in ("min", "max"):
        v = cond.get(bound)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise ValueError(f"{where}: {bound} {v!r} is not a number")
    for key in ("run", "other"):
        if key in cond and cond[key] not in labels:
            raise ValueError(f"{where}: {key} {cond[key]!r} is not one of {', '.join(labels)}")
    if "metric" in cond and cond["metric"] not in LAYER_NAMES:
        raise ValueError(f"{where}: metric {cond['metric']!r} is not one of "
                         f"{', '.join(LAYER_NAMES)}")
    if "name" in cond and cond["name"] not in SCALAR_NAMES:
        raise ValueError(f"{where}: name {cond['name']!r} is not one of {', '.join(SCALAR_NAMES)}")
    if cond.get("loss", "train_loss") not in ("train_loss", "test_loss"):
        raise ValueError(f"{where}: loss must be train_loss or test_loss")
    if "at" in cond and not (cond["at"] in _AT_TEXT or _is_int(cond["at"])):
        raise ValueError(f"{where}: at {cond['at']!r} is not one of {', '.join(_AT_TEXT)} "
                         f"or a step number")
    def is_layer(i) -> bool:
        return _is_int(i) and -n_layers <= i < n_layers

    for key in ("num", "den"):
        if key in cond and not is_layer(cond[key]):
            raise ValueError(f"{where}: {key} {cond[key]!r} is not a layer index "
                             f"in [{-n_layers}, {n_layers - 1}]")
    sel = cond.get("layers", "hidden")
    if not (sel in ("hidden", "all") or is_layer(sel) or (
            isinstance(sel, list) and sel and all(is_layer(i) for i in sel))):
        raise ValueError(f"{where}: layers {sel!r} is not hidden, all, a layer index in "
                         f"[{-n_layers}, {n_layers - 1}] or a list of them")
    window = cond.get("window", 10)
    if not _is_int(window) or window < 1:
        raise ValueError(f"{where}: window {window!r} is not a positive integer")
    if cond.get("reduce", "max") not in _REDUCE:
        raise ValueError(f"{where}: reduce must be one of {', '.join(_REDUCE)}")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# -- verifying ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    """One measured condition: ``value`` within [``min``, ``max``] or not."""

    run: str
    description: str
    value: float
    min: float | None
    max: float | None

    @property
    def passed(self) -> bool:
        v = self.value
        if math.isnan(v):
            return False
        return ((self.min is None or v >= self.min) and (self.max is None or v <= self.max))

    def as_dict(self) -> dict:
        return {"run": self.run, "check": self.description, "value": _json_float(self.value),
                "min": self.min, "max": self.max, "passed": self.passed}

    def __str__(self) -> str:
        bounds = " and ".join(b for b in (
            None if self.min is None else f">= {self.min:g}",
            None if self.max is None else f"<= {self.max:g}") if b)
        mark = "ok  " if self.passed else "FAIL"
        return f"{mark} [{self.run}] {self.description} = {self.value:.4g} (want {bounds})"


def run_preset(preset: Preset, steps: int | None = None, callback=None) -> dict[str, Trainer]:
    """Build and run a preset's trainers ``steps`` steps (default its own); label -> Trainer."""
    trainers = preset.build()
    n = preset.steps if steps is None else steps
    for _ in range(n):
        for t in trainers.values():
            t.step()
        if callback is not None:
            callback()
    return trainers


def verify(preset: Preset, trainers: dict[str, Trainer]) -> list[CheckResult]:
    """Measure every condition of ``preset.check`` on the runs' histories."""
    results = []
    for cond in preset.check:
        runs = [cond["run"]] if "run" in cond else list(trainers)
        for label in runs:
            value = _measure(cond, trainers[label], trainers)
            results.append(CheckResult(label, describe(cond), value,
                                       cond.get("min"), cond.get("max")))
    return results


def describe(cond: dict) -> str:
    """A condition as a short text."""
    what = cond["what"]
    at = _AT_TEXT.get(cond.get("at"), f"at step {cond.get('at')}")
    if what == "layer_ratio":
        return (f"{cond['metric']} of {_layer_text(cond['num'])} / "
                f"{_layer_text(cond['den'])} {at}")
    if what in ("layer_metric", "run_ratio"):
        sel = cond.get("layers", "hidden")
        if isinstance(sel, int):
            text = f"{cond['metric']} of {_layer_text(sel)} {at}"
        else:
            where = f"{sel} layers" if isinstance(sel, str) else f"layers {sel}"
            text = f"{cond.get('reduce', 'max')} {cond['metric']} over {where} {at}"
        return text + (f" / the same in {cond['other']}" if what == "run_ratio" else "")
    if what == "loss_fall":
        k = int(cond.get("window", 10))
        return (f"fraction by which {cond.get('loss', 'train_loss')} fell "
                f"(mean of the first {k} values vs the last {k})")
    if what == "scalar":
        return f"{cond['name']} {at}"
    if what == "layer_growth":
        return f"smallest {cond['metric']} ratio of a layer to the next {at}"
    if what == "diverged":
        return "diverged (1 yes, 0 no)"
    if what == "diverged_at":
        return "step at which training diverged"
    return "smallest prediction"


_AT_TEXT = {"first": "at the first step", "last": "at the last step",
            "first_eval": "at the first evaluation", "last_eval": "at the last evaluation",
            "all": "over all steps"}


def _layer_text(i: int) -> str:
    if i == -1:
        return "the output layer"
    return f"layer {i + 1}" if i >= 0 else f"layer {i} from the end"


_REDUCE = {"max": max, "min": min, "mean": lambda v: sum(v) / len(v)}


def _measure(cond: dict, trainer: Trainer, trainers: dict[str, Trainer]) -> float:
    what = cond["what"]
    if what == "layer_ratio":
        rows = _rows(trainer, cond["metric"], cond["at"])
        values = [_ratio(r[cond["num"]], r[cond["den"]]) for r in rows]
        return _reduce(values, "max")
    if what == "layer_metric":
        return _layer_value(trainer, cond)
    if what == "run_ratio":
        return _ratio(_layer_value(trainer, cond), _layer_value(trainers[cond["other"]], cond))
    if what == "loss_fall":
        col = trainer.history.scalar(cond.get("loss", "train_loss"))
        col = col[np.isfinite(col)]
        k = int(cond.get("window", 10))
        if col.size < 2 * k:
            return float("nan")
        return float(1.0 - col[-k:].mean() / col[:k].mean())
    if what == "scalar":
        return _reduce([float(r) for r in _scalar_rows(trainer, cond["name"], cond["at"])],
                       "max")
    if what == "layer_growth":
        rows = _rows(trainer, cond["metric"], cond["at"])
        return _reduce([_ratio(r[i], r[i + 1]) for r in rows for i in range(len(r) - 1)],
                       "min")
    if what == "diverged":
        return 1.0 if trainer.diverged else 0.0
    if what == "diverged_at":
        return float(trainer.step_count + 1) if trainer.diverged else float("inf")
    X = np.concatenate([trainer.X_train, trainer.X_test])
    with np.errstate(all="ignore"):
        return float(np.min(trainer.predict(X)))


def _layer_value(trainer: Trainer, cond: dict) -> float:
    rows = _rows(trainer, cond["metric"], cond["at"])
    n = trainer.n_layers
    sel = cond.get("layers", "hidden")
    if sel == "hidden":
        idx = list(range(n - 1))
    elif sel == "all":
        idx = list(range(n))
    else:
        idx = [sel] if isinstance(sel, int) else list(sel)
    values = [float(r[i]) for r in rows for i in idx]
    return _reduce(values, cond.get("reduce", "max"))


def _ratio(a, b) -> float:
    a, b = float(a), float(b)
    if b == 0.0:
        return float("nan") if a == 0.0 else math.copysign(float("inf"), a)
    return a / b


def _reduce(values: list[float], how: str) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return float(_REDUCE[how](finite)) if finite else float("nan")


def _rows(trainer: Trainer, metric: str, at) -> list[np.ndarray]:
    block = trainer.history.layer(metric)
    return _select(block, trainer, at, lambda r: bool(np.isfinite(r).any()))


def _scalar_rows(trainer: Trainer, name: str, at) -> list:
    col = trainer.history.scalar(name)
    return _select(col, trainer, at, lambda v: bool(np.isfinite(v)))


def _select(block, trainer: Trainer, at, finite) -> list:
    if len(block) == 0:
        return []
    if at == "first":
        return [block[0]]
    if at == "last":
        return [block[-1]]
    if at == "all":
        return list(block)
    if at in ("first_eval", "last_eval"):
        good = [r for r in block if finite(r)]
        return [] if not good else [good[0] if at == "first_eval" else good[-1]]
    steps = trainer.history.steps
    hits = np.flatnonzero(steps == at)
    return [block[hits[0]]] if hits.size else []


def _json_float(v: float):
    return v if math.isfinite(v) else (None if math.isnan(v) else ("inf" if v > 0 else "-inf"))
