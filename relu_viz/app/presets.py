"""Presets: ready-made experiments, each reproducing one claim about the ReLU family.

A preset is a JSON file in ``resources/presets/`` (Qt-free, validated on load)::

    {"name": "sparsity",                 # the file's stem
     "title": "...", "description": "what to watch, shown in the app",
     "claim": "the claim, as a sentence with a number",
     "steps": 50,                        # how long to run it
     "config": {...},                    # TrainConfig.to_dict() fields
     "compare": {"activation": ["relu", "tanh"]},   # optional: 2-4 side-by-side runs
     "check": [{...}, ...]}              # the claim in machine-readable form

``check`` and the condition kinds are described in :mod:`relu_viz.app.preset_checks`, which
measures them (its :class:`CheckResult`, :func:`verify` and :func:`describe` are
importable from here too).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import relu_viz
from relu_viz.app.preset_checks import CheckResult, describe, validate_condition, verify
from relu_viz.app.runs import Comparison, overrides_from_spec, run_labels
from relu_viz.core.config import TrainConfig
from relu_viz.core.trainer import Trainer

__all__ = ["MAX_STEPS", "SINGLE_LABEL", "CheckResult", "Preset", "describe", "from_dict",
           "list_presets", "load", "load_file", "names", "presets_dir", "run_preset",
           "verify"]

MAX_STEPS = 100_000
SINGLE_LABEL = "run"

_REQUIRED = ("name", "title", "description", "claim", "steps", "config", "check")
_OPTIONAL = ("compare",)


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
        validate_condition(cond, labels, n_layers, f"check[{i}]")
    return Preset(name=data["name"], title=data["title"], description=data["description"],
                  claim=data["claim"], steps=steps, config=config,
                  check=tuple(check), compare=compare, path=path)


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
