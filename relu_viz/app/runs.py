"""Side-by-side runs: 2 to 4 Trainers built from one base config and per-run overrides.

Qt-free. The runs share their data (every run builds it from the same dataset fields
and seed unless one of those is what is compared) and, where the networks have the
same shapes and dtype and the compared field has nothing to do with initialisation,
the very same initial weights and biases, copied from run 0. So a difference between
the curves comes from the compared field alone.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Iterable

from relu_viz.core.config import TrainConfig
from relu_viz.core.trainer import Trainer

MIN_RUNS = 2
MAX_RUNS = 4

#: Fields that decide the initial parameters: when one of them is compared, every run
#: keeps the weights its own config draws.
INIT_FIELDS = frozenset({"init", "init_scale", "bias_init", "seed"})

_FIELD_TYPES = {f.name: f.type for f in dataclasses.fields(TrainConfig)}


class Comparison:
    """Several Trainers stepped together.

    Parameters
    ----------
    base : TrainConfig
        What every run shares.
    overrides : sequence of dict
        One dict of field -> value per run (2 to 4 runs).

    Attributes
    ----------
    configs : list of TrainConfig
    trainers : list of Trainer
    labels : list of str
        One per run, naming its difference, e.g. ``"activation=sigmoid"``.
    fields : list of str
        The compared fields.
    shared_init : bool
        True when run 0's initial weights were copied into the other runs.
    """

    def __init__(self, base: TrainConfig, overrides: Iterable[dict]) -> None:
        if not isinstance(base, TrainConfig):
            raise TypeError("base: expected a TrainConfig")
        overrides = [dict(o) for o in overrides]
        if not MIN_RUNS <= len(overrides) <= MAX_RUNS:
            raise ValueError(f"compare: {len(overrides)} runs given; compare "
                             f"{MIN_RUNS} to {MAX_RUNS} runs")
        self.base = base
        self.fields = compared_fields(overrides)
        self.configs = [base.replace(**o) for o in overrides]
        self.labels = _labels(self.configs, self.fields)
        self.trainers = [Trainer(c) for c in self.configs]
        self.shared_init = self._share_initial_weights()

    # -- building ------------------------------------------------------------------------
    @classmethod
    def from_spec(cls, base: TrainConfig, spec: str | dict) -> "Comparison":
        """Build from ``"activation=relu,sigmoid"`` or ``{"activation": ["relu", "sigmoid"]}``.

        Several fields are zipped run by run: ``{"init": ["he_normal", "normal"],
        "init_scale": [1, 0.01]}`` or ``"init=he_normal,normal;init_scale=1,0.01"``.
        """
        return cls(base, overrides_from_spec(spec))

    def _share_initial_weights(self) -> bool:
        """Copy run 0's initial weights and biases into the runs whose shapes allow it."""
        if INIT_FIELDS & set(self.fields):
            return False
        src = self.trainers[0].model
        shared = True
        for t in self.trainers[1:]:
            m = t.model
            if m.layer_sizes != src.layer_sizes or m.dtype != src.dtype:
                shared = False
                continue
            for dst_w, w in zip(m.weights, src.weights):
                dst_w[...] = w
            for dst_b, b in zip(m.biases, src.biases):
                dst_b[...] = b
            t.set_initial_parameters(m.params)
        return shared

    # -- stepping ------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.trainers)

    def step_all(self) -> list:
        """One step of every run still going; the StepMetrics (or None) of each."""
        return [t.step() for t in self.trainers]

    def run(self, n_steps: int, callback=None) -> None:
        """``n_steps`` steps of every run, interleaved; ``callback(i_step)`` after each.

        A diverged run stops (its ``step()`` returns None) while the others go on.
        """
        for i in range(int(n_steps)):
            self.step_all()
            if callback is not None:
                callback(i + 1)

    def reset(self, same_init: bool = True) -> None:
        """Every run back to step 0 (with the shared weights when ``same_init``)."""
        for t in self.trainers:
            t.reset(same_init)
        if not same_init:
            self.shared_init = self._share_initial_weights()

    @property
    def step_counts(self) -> list[int]:
        return [t.step_count for t in self.trainers]

    def by_label(self, label: str) -> Trainer:
        """The trainer of the run called ``label``."""
        try:
            return self.trainers[self.labels.index(label)]
        except ValueError:
            raise KeyError(f"compare: no run {label!r}; runs are "
                           f"{', '.join(self.labels)}") from None


# -- specs and labels --------------------------------------------------------------------
def overrides_from_spec(spec: str | dict) -> list[dict]:
    """Per-run override dicts from a text or dict spec (values parsed per field type)."""
    if isinstance(spec, str):
        spec = _parse_text_spec(spec)
    if not isinstance(spec, dict) or not spec:
        raise ValueError("compare: expected field=value1,value2 or {field: [values]}")
    lengths = set()
    for name, values in spec.items():
        if name not in _FIELD_TYPES:
            raise ValueError(f"compare: unknown field {name!r}")
        if not isinstance(values, (list, tuple)):
            raise ValueError(f"compare: {name} needs a list of values, got {values!r}")
        lengths.add(len(values))
    if len(lengths) != 1:
        raise ValueError("compare: every compared field needs the same number of values")
    n = lengths.pop()
    if not MIN_RUNS <= n <= MAX_RUNS:
        raise ValueError(f"compare: {n} values given; compare {MIN_RUNS} to {MAX_RUNS} runs")
    return [{name: _coerce(name, values[i]) for name, values in spec.items()}
            for i in range(n)]


def compared_fields(overrides: list[dict]) -> list[str]:
    """The fields the overrides set, in TrainConfig order."""
    return sorted({k for o in overrides for k in o}, key=list(_FIELD_TYPES).index)


def run_labels(base: TrainConfig, overrides: list[dict]) -> list[str]:
    """The labels :class:`Comparison` gives its runs (validates the configs)."""
    return _labels([base.replace(**o) for o in overrides], compared_fields(overrides))


def _parse_text_spec(text: str) -> dict:
    out: dict[str, list] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        name, sep, values = part.partition("=")
        name = name.strip()
        if not sep or not name or not values.strip():
            raise ValueError(f"compare: {part!r} is not field=value1,value2")
        if name in out:
            raise ValueError(f"compare: {name} given twice")
        out[name] = [v.strip() for v in values.split(",")]
    return out


def _coerce(name: str, value: Any) -> Any:
    """A text value in the type of field ``name`` (non-text values pass through)."""
    if not isinstance(value, str):
        return tuple(value) if isinstance(value, list) else value
    kind = str(_FIELD_TYPES[name])
    text = value.strip()
    if name == "hidden_layers":
        try:
            return tuple(int(w) for w in re.split(r"[x\s]+", text) if w) if text else ()
        except ValueError:
            raise ValueError(f"compare: hidden_layers value {text!r} is not like 16x16") from None
    if kind == "bool":
        if text.lower() in ("true", "1", "yes"):
            return True
        if text.lower() in ("false", "0", "no"):
            return False
        raise ValueError(f"compare: {name} value {text!r} is not true or false")
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"compare: {name} value {text!r} is not an integer") from None
    if kind.startswith("float"):
        if text.lower() == "none" and "None" in kind:
            return None
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"compare: {name} value {text!r} is not a number") from None
    return text


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "x".join(str(v) for v in value) or "none"
    return str(value)


def _labels(configs: list[TrainConfig], fields: list[str]) -> list[str]:
    """``field=value`` of each run for the fields whose value differs between runs."""
    differing = [f for f in fields
                 if len({repr(getattr(c, f)) for c in configs}) > 1] or fields
    # A field left at None (e.g. alpha: the activation's default) is not named.
    labels = [" ".join(f"{f}={_format(getattr(c, f))}" for f in differing
                       if getattr(c, f) is not None) or "default" for c in configs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"compare: two runs are the same ({', '.join(labels)})")
    return labels


def safe_name(label: str) -> str:
    """A label as a file-name part: ``activation=sigmoid`` -> ``activation-sigmoid``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-") or "run"

