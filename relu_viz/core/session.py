"""Sessions: a whole run (config, weights, optimizer state, history) in one file.

The file is a NumPy ``.npz`` archive read with ``allow_pickle=False``: arrays, plus one
string array ``meta`` holding JSON (format name, version, config, counters, generator
state). Loading never unpickles, and continuing a loaded session gives the same numbers
as never having stopped. Every write is atomic (see :func:`atomic_write_bytes`).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from relu_viz.core.config import TrainConfig

SESSION_FORMAT = "relu_viz-session"
SESSION_VERSION = 1


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    A failure (missing or read-only folder, full disk) raises ``OSError`` and leaves any
    existing file at ``path`` untouched and no temporary file behind.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OSError(f"cannot write {path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write_text(path, text: str) -> None:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))


def save_session(trainer, path) -> None:
    """Save everything needed to continue ``trainer`` exactly where it is.

    Parameters
    ----------
    trainer : Trainer
    path : str or path-like
        Written atomically; an existing file is replaced only on success.
    """
    meta, arrays = trainer.state()
    meta = {"format": SESSION_FORMAT, "version": SESSION_VERSION, **meta}
    buf = io.BytesIO()
    np.savez_compressed(buf, meta=np.array(json.dumps(meta)), **arrays)
    atomic_write_bytes(path, buf.getvalue())


def load_session(path):
    """Rebuild a :class:`~relu_viz.core.trainer.Trainer` from a session file.

    Raises
    ------
    ValueError
        The file is missing, truncated, corrupted, not a session, from a newer version,
        or does not match its own config; the message names the file.
    """
    from relu_viz.core.trainer import Trainer

    path = Path(path)
    try:
        # Our own handle, so a bad archive cannot leak an open file.
        with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
    except FileNotFoundError:
        raise ValueError(f"cannot open session {path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"cannot open session {path}: it is a folder") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as err:
        raise ValueError(f"{path} is not a readable relu_viz session "
                         f"(truncated or corrupted?): {err}") from None
    meta = _read_meta(path, arrays.pop("meta", None))
    try:
        config = TrainConfig.from_dict(meta["config"])
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{path}: the session's config is invalid: {err}") from None
    trainer = Trainer(config)
    try:
        trainer.load_state(meta, arrays)
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise ValueError(f"{path}: the session does not match its config "
                         f"(corrupted?): {err}") from None
    return trainer


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
