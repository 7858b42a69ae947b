"""Atomic file writes: a temporary file in the target's folder, then one rename.

``os.replace`` within one folder is atomic, so a reader sees either the old file or the
whole new one, and a failed write (read-only folder, full disk, a locked target) leaves
the old file as it was and no temporary file behind. Qt-free: writers that need a file
name (Qt's image writer) go through :func:`atomic_write_with`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_write_with"]


def _folder_of(path: Path) -> Path:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OSError(f"cannot write {path}: folder {folder} does not exist")
    return folder


def _new_file_mode() -> int:
    """The mode ``open()`` gives a new file: 0o666 less the umask.

    ``mkstemp`` creates 0o600 files; without this, every atomic write would hide the
    result from other users where a plain write would not.
    """
    try:  # Linux reports the umask without changing it (os.umask must set one to read it)
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def _discard(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    Parameters
    ----------
    path : str or path-like
    data : bytes

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    OSError
        The folder is missing or not writable, the disk is full, or the rename failed;
        any existing file at ``path`` is untouched and no temporary file is left.
    """
    def write(name: str) -> None:
        with open(name, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())  # the bytes are on disk before the name points at them

    return atomic_write_with(path, write, suffix=".tmp")


def atomic_write_text(path, text: str) -> Path:
    """:func:`atomic_write_bytes` for UTF-8 ``text`` (newlines written as given)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_with(path, write: Callable[[str], None], suffix: str | None = None) -> Path:
    """Let ``write(name)`` create the file under a temporary name, then rename it to ``path``.

    For writers that only take a file name. The temporary name is in ``path``'s folder
    and ends in ``suffix`` (default: ``path``'s own suffix), so writers that pick the
    format from the name still see ``.png`` and the like.

    Raises
    ------
    OSError
        As :func:`atomic_write_bytes`; whatever ``write`` raises is raised too, after the
        temporary file is removed.
    """
    path = Path(path)
    folder = _folder_of(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.",
                               suffix=path.suffix if suffix is None else suffix, dir=folder)
    os.close(fd)  # the writer opens the name itself
    try:
        write(tmp)
        os.chmod(tmp, _new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        _discard(tmp)
        raise
    return path
