"""Load a user data set from a CSV file (no Qt).

File format
-----------
* UTF-8 text (a leading byte-order mark is skipped); ``\\n``, ``\\r\\n`` or
  ``\\r`` line ends. Blank lines are ignored but still counted, so line numbers
  in error messages match a text editor's.
* The separator is taken from the first non-blank line: tab if it has one,
  else ``;`` if it has one, else ``,``. Every line uses the same separator.
* That first non-blank line is a header if any of its cells is non-empty and
  not a number; a non-numeric cell anywhere else is an error.
* All other cells are finite numbers (Python ``float`` syntax, surrounding
  spaces allowed). The last column is the target, the others are features.
* At least :data:`MIN_ROWS` data rows and 2 columns; at most :data:`MAX_ROWS`
  data rows, :data:`MAX_COLUMNS` columns and :data:`MAX_FILE_BYTES` bytes.

Problems raise ``ValueError`` naming the file and, where there is one, the
1-based line and column.
"""

from __future__ import annotations

import math
import os
import stat

import numpy as np

from relu_viz.core.data.base import Dataset, _check_number, _split

__all__ = ["MAX_COLUMNS", "MAX_FILE_BYTES", "MAX_ROWS", "MIN_ROWS", "load_csv", "read_table"]

MIN_ROWS = 10
MAX_ROWS = 2_000_000
MAX_COLUMNS = 1_000
MAX_FILE_BYTES = 256 * 1024 * 1024
#: ``task="auto"`` picks classification for integer targets with at most this many values.
MAX_AUTO_CLASSES = 20
#: Upper limit on classes for an explicit ``task="multiclass"``.
MAX_CLASSES = 100
CSV_TASKS = ("auto", "binary", "multiclass", "regression")

_CHUNK_BYTES = 1 << 22  # parse in blocks of whole lines of about 4 MiB
_SEPARATOR_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma"}


def _quoted(path: str | os.PathLike) -> str:
    return f"'{os.fsdecode(path)}'"


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


class _Parser:
    """Accumulates numeric rows from successive blocks of whole lines."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sep: str | None = None
        self.n_cols = 0
        self.first_line = 0
        self.header = False
        self.n_rows = 0
        self.blocks: list[np.ndarray] = []

    def error(self, message: str) -> ValueError:
        return ValueError(f"{self.name}: {message}")

    def _start(self, line: str, line_no: int) -> bool:
        """Take separator, width and header from the first non-blank line."""
        self.sep = next((s for s in _SEPARATOR_NAMES if s in line), ",")
        cells = [c.strip() for c in line.split(self.sep)]
        self.n_cols, self.first_line = len(cells), line_no
        self.header = any(c and not _is_number(c) for c in cells)
        if self.n_cols < 2:
            raise self.error(f"line {line_no} has 1 column; at least 2 are needed (features, "
                             "then the target last), separated by commas, semicolons or tabs")
        if self.n_cols > MAX_COLUMNS:
            raise self.error(f"line {line_no} has {self.n_cols:,} columns; at most "
                             f"{MAX_COLUMNS:,} are supported")
        return self.header

    def feed(self, text: str, line0: int) -> None:
        """Parse ``text`` (whole lines, no trailing newline) starting at line ``line0``."""
        lines = text.split("\n")
        keep = [i for i, s in enumerate(lines) if s and not s.isspace()]
        if len(keep) != len(lines):
            lines = [lines[i] for i in keep]
        else:
            keep = None
        if self.sep is None and lines:
            if self._start(lines[0], line0 + (keep[0] if keep else 0)):
                lines = lines[1:]
                keep = keep[1:] if keep else list(range(1, len(lines) + 1))
        if not lines:
            return
        if self.n_rows + len(lines) > MAX_ROWS:
            raise self.error(f"file too large: more than {MAX_ROWS:,} data rows; at most "
                             f"{MAX_ROWS:,} can be loaded")
        sep, width = self.sep, self.n_cols
        values = None
        if [s.count(sep) for s in lines].count(width - 1) == len(lines):
            cells = sep.join(lines).split(sep)
            try:
                values = np.fromiter(map(float, cells), dtype=np.float64, count=len(cells))
            except ValueError:
                values = None
            if values is not None and not np.isfinite(values).all():
                values = None
        if values is None:  # something is wrong: find the first bad line, slowly
            numbers = keep if keep is not None else range(len(lines))
            for i, line in zip(numbers, lines):
                self._check_line(line, line0 + i)
            raise self.error(f"cannot parse the block of lines starting at line {line0}")
        self.blocks.append(values.reshape(len(lines), width))
        self.n_rows += len(lines)

    def _check_line(self, line: str, line_no: int) -> None:
        cells = line.split(self.sep)
        if len(cells) != self.n_cols:
            raise self.error(f"line {line_no} has {len(cells)} column"
                             f"{'s' * (len(cells) != 1)}, expected {self.n_cols} (as on line "
                             f"{self.first_line}; separator: {_SEPARATOR_NAMES[self.sep]})")
        for col, cell in enumerate(cells, start=1):
            where = f"line {line_no}, column {col}"
            cell = cell.strip()
            if not cell:
                raise self.error(f"{where}: empty cell")
            shown = cell if len(cell) <= 40 else cell[:37] + "..."
            try:
                value = float(cell)
            except ValueError:
                hint = " (decimal commas are not supported)" if "," in cell else ""
                raise self.error(f"{where}: {shown!r} is not a number{hint}") from None
            if not math.isfinite(value):
                raise self.error(f"{where}: {shown!r} is not a finite number "
                                 "(NaN and infinity are not allowed)")


def _read_bytes(path: str | os.PathLike, name: str) -> bytes:
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise ValueError(f"cannot read {name}: it is a directory")
        if info.st_size > MAX_FILE_BYTES:
            raise ValueError(f"{name}: file too large: {info.st_size / 2**20:,.1f} MiB; at "
                             f"most {MAX_FILE_BYTES / 2**20:,.0f} MiB can be loaded")
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise ValueError(f"cannot read {name}: {exc.strerror or exc}") from None


def read_table(path: str | os.PathLike) -> np.ndarray:
    """Numeric cells of a CSV file (header dropped), shape (n_rows, n_columns), float64.

    Raises
    ------
    ValueError
        Any problem listed in the module docstring, naming the file and line.
    """
    name = _quoted(path)
    data = _read_bytes(path, name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise ValueError(f"{name} is not UTF-8 text (it has NUL bytes or a UTF-16 "
                         "byte-order mark); save it as UTF-8 CSV")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n") if b"\n" in data else data.replace(b"\r", b"\n")
    parser = _Parser(name)
    pos, line0 = 0, 1
    while pos < len(data):
        end = data.find(b"\n", pos + _CHUNK_BYTES)
        end = len(data) if end < 0 else end
        chunk = data[pos:end]
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = line0 + chunk.count(b"\n", 0, exc.start)
            raise ValueError(f"{name} is not UTF-8 text: invalid byte "
                             f"0x{chunk[exc.start]:02x} on line {line}") from None
        parser.feed(text, line0)
        line0 += chunk.count(b"\n") + 1
        pos = end + 1
    if parser.sep is None:
        raise ValueError(f"{name} is empty")
    if parser.n_rows == 0:
        raise ValueError(f"{name} has a header (line {parser.first_line}) but no data rows")
    if parser.n_rows < MIN_ROWS:
        raise ValueError(f"{name} has {parser.n_rows} data row{'s' * (parser.n_rows != 1)}; "
                         f"at least {MIN_ROWS} are needed")
    return np.concatenate(parser.blocks)


def _resolve_targets(t: np.ndarray, task: str, name: str) -> tuple[str, np.ndarray, tuple]:
    """Task, encoded targets and class values for the raw target column ``t``, shape (n,)."""
    values, codes = np.unique(t, return_inverse=True)
    integral = bool(np.all(values == np.round(values)))
    if task == "auto":
        if integral and len(values) == 1:
            raise ValueError(f"{name}: the target (last column) has the single value "
                             f"{values[0]:g}; pass task='regression' to load it anyway")
        if integral and len(values) <= MAX_AUTO_CLASSES:
            task = "binary" if len(values) == 2 else "multiclass"
        else:
            task = "regression"
    if task == "regression":
        return task, t[:, None].copy(), ()
    lo, hi = (2, 2) if task == "binary" else (2, MAX_CLASSES)
    if not lo <= len(values) <= hi:
        need = "exactly 2" if task == "binary" else f"2 to {MAX_CLASSES}"
        raise ValueError(f"{name}: task={task!r} needs {need} distinct target values "
                         f"(last column); found {len(values):,}")
    labels = tuple(int(v) if integral else float(v) for v in values)
    codes = codes.reshape(-1)
    if task == "binary":
        return task, codes.astype(np.float64)[:, None], labels
    return task, codes.astype(np.int64), labels


def load_csv(path: str | os.PathLike, train_ratio: float = 0.8, seed: int = 0,
             task: str = "auto") -> Dataset:
    """Load a CSV file (format in the module docstring) as a :class:`Dataset`.

    Features are standardised with the training rows' mean and (population)
    standard deviation; a column constant on the training rows is only centred.
    The target is not rescaled.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file.
    train_ratio : float
        Fraction of rows in the training set, in ``[0.05, 0.95]``.
    seed : int
        Seed of the shuffled train/test split.
    task : {"auto", "binary", "multiclass", "regression"}
        ``"auto"``: integer targets with 2 to 20 distinct values are classes
        (binary for 2, multiclass otherwise), anything else is regression.
        Classes are numbered in sorted order of their target values, which are
        kept in ``Dataset.class_values``.

    Returns
    -------
    Dataset
        Named after the file's stem; ``feature_mean`` and ``feature_std`` of
        shape (n_features,) hold the standardisation (``feature_std`` is 1 for
        constant columns).

    Raises
    ------
    ValueError
        Unreadable, malformed, too small or too large file, bad arguments, or
        targets that do not fit ``task``.
    """
    if task not in CSV_TASKS:
        raise ValueError(f"task must be one of {CSV_TASKS}, got {task!r}")
    _check_number(train_ratio, "train_ratio", 0.05, 0.95, False)
    _check_number(seed, "seed", 0, 2 ** 63 - 1, True)
    name = _quoted(path)
    table = read_table(path)
    task, y, class_values = _resolve_targets(table[:, -1], task, name)
    X = table[:, :-1]
    train, test = _split(len(X), train_ratio, np.random.default_rng(seed),
                         f"{len(X)} data rows")
    X_train = X[train]
    constant = X_train.min(axis=0) == X_train.max(axis=0)
    with np.errstate(all="ignore"):
        mean = np.where(constant, X_train[0], X_train.mean(axis=0))
        std = np.where(constant, 1.0, X_train.std(axis=0))
        X_train, X_test = (X_train - mean) / std, (X[test] - mean) / std
    if not (np.isfinite(std).all() and std.all() and np.isfinite(X_test).all()
            and np.isfinite(X_train).all()):
        raise ValueError(f"{name}: feature values are too large or too small to standardise")
    stem = os.path.splitext(os.path.basename(os.fsdecode(path)))[0]
    return Dataset(name=stem, task=task, X_train=X_train, y_train=y[train],
                   X_test=X_test, y_test=y[test],
                   n_classes=len(class_values), class_values=class_values,
                   feature_mean=mean, feature_std=std)
