"""Sessions: a whole run (config, weights, optimizer state, history) in one file.

The file is a NumPy ``.npz`` archive read with ``allow_pickle=False``: arrays, plus one
string array ``meta`` holding JSON (format name, version, config, counters, generator
state). Loading never unpickles, and continuing a loaded session gives the same numbers
as never having stopped. Every write is atomic (see :func:`atomic_write_bytes`).
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

# Re-exported: sessions were the first user of these, and callers import them from here.
from relu_viz.core.atomic import atomic_write_bytes, atomic_write_text
from relu_viz.core.config import TrainConfig

__all__ = ["SESSION_FORMAT", "SESSION_VERSION", "atomic_write_bytes", "atomic_write_text",
           "load_session", "restore_trainer_state", "save_session", "trainer_state"]

SESSION_FORMAT = "relu_viz-session"
SESSION_VERSION = 1

#: How a readable archive can still fail: a bad zip directory or member header, a
#: corrupted deflate stream (zlib.error), a member compressed by a method zipfile cannot
#: read (NotImplementedError) or encrypted (RuntimeError), a short or malformed .npy.
_ARCHIVE_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error,
                   NotImplementedError, RuntimeError)
#: The first bytes of a zip archive (a member's local header, or an empty archive).
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def save_session(trainer, path) -> None:
    """Save everything needed to continue ``trainer`` exactly where it is.

    Parameters
    ----------
    trainer : Trainer
    path : str or path-like
        Written atomically; an existing file is replaced only on success.
    """
    meta, arrays = trainer_state(trainer)
    meta = {"format": SESSION_FORMAT, "version": SESSION_VERSION, **meta}
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.array(json.dumps(meta)), **arrays)
    atomic_write_bytes(path, buf.getvalue())


def load_session(path):
    """Rebuild a :class:`~relu_viz.core.trainer.Trainer` from a session file.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save_session`.

    Returns
    -------
    Trainer
        At the saved step, ready to continue.

    Raises
    ------
    ValueError
        The file is missing, empty, not an archive, truncated, corrupted, not a
        session, from a newer version, or does not match its own config; the message
        names the file and never suggests unpickling it.
    """
    from relu_viz.core.trainer import Trainer

    path = Path(path)
    arrays = _read_arrays(path)
    meta = _read_meta(path, arrays.pop("meta", None))
    try:
        config = TrainConfig.from_dict(meta["config"])
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{path}: the session's config is invalid: {err}") from None
    trainer = Trainer(config)
    try:
        restore_trainer_state(trainer, meta, arrays)
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise ValueError(f"{path}: the session does not match its config "
                         f"(corrupted?): {err}") from None
    return trainer


def _read_arrays(path: Path) -> dict:
    """Every array of the archive at ``path``, read without unpickling (ValueError if not)."""
    try:
        # Our own handle, so a bad archive cannot leak an open file.
        with open(path, "rb") as handle:
            _check_zip_header(path, handle.read(len(_ZIP_MAGIC[0])))
            handle.seek(0)
            with np.load(handle, allow_pickle=False) as archive:
                return {key: _read_member(path, archive, key) for key in archive.files}
    except FileNotFoundError:
        raise ValueError(f"cannot open session {path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"cannot open session {path}: it is a folder") from None
    except _NotASession as err:
        raise ValueError(str(err)) from None
    except _ARCHIVE_ERRORS as err:
        raise ValueError(f"{path} is not a readable relu_viz session "
                         f"(truncated or corrupted?): {err}") from None


class _NotASession(Exception):
    """The file is readable but is no session; ``str()`` is the whole message."""


def _check_zip_header(path: Path, head: bytes) -> None:
    # np.load takes any file that is not a zip for a .npy array or a pickle, and for a
    # pickle its message advises allow_pickle, which is unsafe to follow: refuse first.
    if not head:
        raise _NotASession(f"{path} is not a readable relu_viz session: the file is empty")
    if head not in _ZIP_MAGIC:
        raise _NotASession(f"{path} is not a readable relu_viz session: it is not an .npz "
                           "archive, so it is not a relu_viz session")


def _read_member(path: Path, archive, key: str) -> np.ndarray:
    try:
        return archive[key]
    except ValueError as err:
        if "pickle" not in str(err):
            raise
        # NumPy's message suggests allow_pickle; say what the file holds instead.
        raise _NotASession(f"{path} is not a relu_viz session: its {key!r} holds Python "
                           "objects, which relu_viz never loads") from None


def _read_meta(path, raw) -> dict:
    if raw is None or raw.dtype.kind != "U" or raw.ndim != 0:
        raise ValueError(f"{path} is not a relu_viz session (no metadata)")
    try:
        meta = json.loads(str(raw))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: session metadata is corrupted: {err}") from None
    if not isinstance(meta, dict) or meta.get("format") != SESSION_FORMAT:
        raise ValueError(f"{path} is not a relu_viz session")
    version = meta.get("version")
    if not isinstance(version, int) or version > SESSION_VERSION:
        raise ValueError(f"{path} was saved by a newer relu_viz (session version "
                         f"{version!r}; this one reads up to {SESSION_VERSION})")
    return meta


def trainer_state(trainer) -> tuple[dict, dict]:
    """Everything needed to continue a Trainer's run: JSON-safe metadata and arrays.

    Reads the trainer's private fields on purpose: a session is its complete state.
    """
    meta = {
        "config": trainer._config.to_dict(), "step_count": trainer.step_count,
        "samples_seen": trainer.samples_seen, "cursor": trainer._cursor,
        "diverged": trainer.diverged, "divergence_message": trainer.divergence_message,
        "rng_state": trainer.rng.bit_generator.state,
        "initial_rng_state": trainer._initial_rng_state,
        "last_good_step": trainer._last_good[0], "optimizer_t": getattr(trainer.optimizer, "t", 0),
        "checkpoint_steps": list(trainer.checkpoints.steps),
    }
    arrays = {"params": trainer.model.params, "initial_params": trainer._initial_params,
              "order": trainer._order, "dead": trainer._dead, "dead_count": trainer._dead_count,
              "last_good_params": trainer._last_good[1]}
    for key, value in trainer.optimizer.state().items():
        if isinstance(value, np.ndarray):
            arrays[f"opt_{key}"] = value
    for key, value in trainer.history.state().items():
        arrays[f"history_{key}"] = value
    ckpt = trainer.checkpoints
    for i, (params, hist) in enumerate(zip(ckpt.params, ckpt.histograms)):
        arrays[f"ckpt_params_{i}"], arrays[f"ckpt_hist_{i}"] = params, hist
    return meta, arrays


def restore_trainer_state(trainer, meta: dict, arrays: dict) -> None:
    """Restore what :func:`trainer_state` returned into a Trainer built from its config."""
    def exact(name, like):
        value = np.asarray(arrays[name])
        if value.shape != like.shape:
            raise ValueError(f"{name} has shape {value.shape}, expected {like.shape}")
        return value.astype(like.dtype, copy=False)

    trainer.model.params[...] = exact("params", trainer.model.params)
    trainer._initial_params = exact("initial_params", trainer._initial_params)
    trainer._order = np.asarray(arrays["order"], dtype=np.int64)
    order = trainer._order
    if order.size and (order.min() < 0 or order.max() >= trainer.dataset.n_train):
        raise ValueError("order holds indices outside the training set")
    trainer._dead = exact("dead", trainer._dead)
    trainer._dead_count = exact("dead_count", trainer._dead_count)
    trainer._last_good = (int(meta["last_good_step"]),
                          exact("last_good_params", trainer.model.params))
    opt_state = {k[4:]: arrays[k] for k in arrays if k.startswith("opt_")}
    opt_state["t"] = int(meta["optimizer_t"])
    trainer.optimizer.load_state(opt_state)
    trainer.history.load_state({"scalars": arrays["history_scalars"],
                                "layers": arrays["history_layers"]})
    trainer.checkpoints.clear()
    for i, step in enumerate(meta["checkpoint_steps"]):
        trainer.checkpoints.add(int(step), exact(f"ckpt_params_{i}", trainer.model.params),
                                np.asarray(arrays[f"ckpt_hist_{i}"]))
    trainer.step_count = int(meta["step_count"])
    trainer.samples_seen = int(meta["samples_seen"])
    trainer._cursor = int(meta["cursor"])
    trainer.diverged = bool(meta["diverged"])
    trainer.divergence_message = str(meta["divergence_message"])
    trainer.rng.bit_generator.state = meta["rng_state"]
    trainer._initial_rng_state = meta["initial_rng_state"]
