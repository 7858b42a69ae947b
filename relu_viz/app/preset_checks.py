"""Preset checks: a preset's claim in machine-readable form, validated and measured.

Every entry of a preset's ``check`` is one condition on the runs' history; :func:`verify`
measures it and compares it with its ``min`` / ``max`` bounds. The condition kinds (``what``):

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

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from relu_viz.core.metrics import LAYER_NAMES, SCALAR_NAMES
from relu_viz.core.trainer import Trainer

__all__ = ["CheckResult", "describe", "validate_condition", "verify"]

#: what -> (required keys, optional keys), besides the keys every condition may have.
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


# -- validating ------------------------------------------------------------------------
def validate_condition(cond: Any, labels: list[str], n_layers: int, where: str) -> None:
    """Check one ``check`` entry against the kinds above; ValueError starting with ``where``.

    ``labels`` are the preset's run labels, ``n_layers`` the fewest weight layers of its
    runs (layer indices must exist in every run).
    """
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


# -- verifying -------------------------------------------------------------------------
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
