"""Your own data: read a CSV, Parquet or ``.npz`` file safely, keep it in a catalogue, prepare it for the pages.

The path of a file through the lab:

1. :func:`read_preview` checks the size against the cap **before** reading more than the cap (a path is
   stat-ed, then read with ``read(cap + 1)``), sniffs what the bytes are (a PNG or a ZIP renamed ``.csv`` is
   refused; text must be UTF-8, with or without a byte-order mark), parses, and describes every column
   (kind, missing cells, distinct values) with sentences for anything odd.
2. :func:`load_table` / :meth:`Catalogue.table` turn the parsed table plus the user's :class:`Roles` into a
   :class:`Table` of float64 features and a target, refusing with one sentence what cannot be learned from
   (NaN or inf in the target, a single class, a constant target, no numeric feature...).
3. :class:`Catalogue` stores the parsed table once, as ``<sha256>.parquet`` named by the SHA-256 of the
   Parquet file, and its description in SQLite (``catalogue.sqlite``, WAL journal). Writes go to a temporary
   file that is renamed into place, so a failure leaves nothing behind.

Safety: nothing read is ever evaluated or unpickled. CSV cells are data; cells of text columns that start with
``=``, ``+``, ``-``, ``@`` (or a tab / carriage return) are shown with a leading ``'`` (:func:`escape_cell`) in
every preview, so a spreadsheet that opens an export does not run them as formulas. ``.npz`` files are opened
with ``allow_pickle=False`` after every member's ``.npy`` header is checked (object arrays and members whose
declared size exceeds the limit are refused before a byte of data is inflated). Parquet footers are read
first, then every page header (:func:`_page_bytes`, since a footer can be edited to look small): a file
declaring more rows or more decompressed bytes than the limits is refused before any row group is read (the
zip-bomb guard).

Decisions taken here (the contract left them open):

* More than :data:`MAX_COLUMNS` columns is refused (not truncated): silently keeping "the first 200" would hide
  the target or the time column in a wide file.
* CSV is parsed with ``pyarrow.csv`` (the engine behind pandas' ``engine="pyarrow"``), which keeps duplicate
  header names visible (pandas renames them to ``a.1``) and reads a 50 MB file with a fraction of the memory of
  pandas' C parser; pandas is used for number and date conversion of text columns.
* Features are the numeric columns (``number``/``integer``); text, category and datetime columns are not
  encoded as features (a note lists them). Empty and constant columns are dropped with a note, a feature with
  more than half its cells missing is dropped with a note, and rows with a missing or infinite feature value
  are left out with a note.
* A ``datetime`` time column becomes seconds since its earliest value.
* Additions to the contract: :attr:`Table.notes`, :attr:`Entry.shared_from`, :meth:`Catalogue.share` (the
  visitor's copy of a shared entry, same file), :func:`escape_cell`, :func:`upload_limit_bytes`,
  ``max_rows``/``seed`` keywords of :func:`load_table` (same defaults as :meth:`Catalogue.table`, so both give
  the same Table).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import fcntl
import functools
import hashlib
import io
import json
import math
import os
import re
import secrets
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from thrift.protocol.TBase import TBase
from thrift.protocol.TCompactProtocol import TCompactProtocolAccelerated
from thrift.Thrift import TException, TType
from thrift.transport.TTransport import TMemoryBuffer

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

    from neuralab.data.arrays import Arrays
    from neuralab.data.datasets import Dataset

__all__ = [
    "TASKS", "MAX_UPLOAD_MB", "INTERACTIVE_ROWS", "LIGHT_ROWS", "MAX_COLUMNS", "MAX_ROWS", "MIN_ROWS", "MAX_CLASSES",
    "UploadError", "Column", "Preview", "Roles", "Table", "Entry", "Catalogue", "read_preview", "load_table",
    "catalogue", "escape_cell", "is_user", "suggest_task", "data_dir", "upload_limit_bytes", "clean_filename",
    "USER_PREFIX", "OWNER_RE", "ID_RE",
]


class UploadError(ValueError):
    """A file or a role the lab refuses; ``str(err)`` is one sentence for the page, naming the problem."""


def _env_mb() -> int:
    try:
        mb = int(os.environ.get("NEURALAB_UPLOAD_MB", "50"))
    except ValueError:
        return 50
    return mb if mb > 0 else 50


TASKS = ("regression", "binary", "multiclass")
MAX_UPLOAD_MB: int = _env_mb()  # the cap when the lab started; the checks read the environment each time
INTERACTIVE_ROWS = 20_000  # pages sample to this many rows (seeded, stratified for classes) and say so
LIGHT_ROWS = 5_000  # a light section that follows a slider samples to this many (a split takes ~2 ms) and says so
MAX_COLUMNS = 200  # more columns are refused, see the module docstring
MAX_ROWS = 2_000_000  # more rows are refused (a Parquet footer is checked before any row is read)
MIN_ROWS = 20  # fewer usable rows cannot be split into train, validation and test
MAX_CLASSES = 50  # a classification target with more distinct values is refused
EXPANSION = 4  # decompressed data may be at most this many times the upload cap (Parquet, .npz)
MAX_LINE_BYTES = 100_000  # one CSV line longer than this is refused
NUMERIC = ("number", "integer")
USER_PREFIX = "user:"
OWNER_RE = r"[A-Za-z0-9_-]{16,64}"
ID_RE = r"[A-Za-z0-9_-]{16}"  # secrets.token_urlsafe(12)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def upload_limit_bytes() -> int:
    """The size cap in bytes, ``NEURALAB_UPLOAD_MB`` × 1,000,000 (read now, so a test can lower it)."""
    return _env_mb() * 1_000_000


def escape_cell(value: object) -> str:
    """``str(value)``, with a ``'`` in front when a text cell starts like a spreadsheet formula."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def is_user(value: object) -> bool:
    """True for a dataset choice ``user:<id>`` with an id of the right shape."""
    return isinstance(value, str) and value.startswith(USER_PREFIX) and bool(
        re.fullmatch(ID_RE, value[len(USER_PREFIX):]))


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "number" | "integer" | "category" | "datetime" | "text" | "empty" | "constant"
    missing: int  # count of null/NaN/empty cells
    unique: int  # distinct non-missing values


@dataclass(frozen=True)
class Roles:
    target: str
    task: str  # one of TASKS
    time: str | None = None  # enables time-ordered splits and plots
    group: str | None = None  # drive cycle / vehicle / patient: group k-fold
    rate_hz: float | None = None  # sampling rate of signal columns
    features: tuple[str, ...] = ()  # () = every other usable numeric column


@dataclass(frozen=True)
class Preview:
    filename: str
    n_rows: int
    columns: tuple[Column, ...]
    head: tuple[dict, ...]  # first 10 rows, every value a str, formula-looking text cells escaped
    notes: tuple[str, ...]  # sentences: separator, renamed or mixed columns, ...
    suggested: Roles  # a guess: last numeric column as target, a datetime column as time, ...


@dataclass(frozen=True)
class Table:
    """The prepared object: what pages and the library use. Arrays are read-only."""

    id: str  # catalogue id ('' when loaded from a path)
    name: str  # the user's name for it
    X: np.ndarray  # (n, f) float64, rows ordered by time when a time column is given
    y: np.ndarray  # (n,) int64 class index (binary/multiclass) or float64 (regression)
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]  # () for regression; escaped like preview cells
    task: str
    time: np.ndarray | None  # (n,) float64 seconds (a datetime column: seconds since its first value)
    groups: np.ndarray | None  # (n,) int64 group index
    rate_hz: float | None
    n_rows_total: int  # usable rows before sampling
    sampled: bool
    notes: tuple[str, ...] = ()  # sentences: columns dropped, rows left out, sampled

    @property
    def n_rows(self) -> int:
        return len(self.y)

    @property
    def split(self) -> str:
        """How :meth:`arrays` splits: ``"groups"`` (whole groups, when a group column is given), ``"time"`` (in
        time order, when only a time column is), else ``"shuffled"`` (stratified for classes)."""
        return "groups" if self.groups is not None else "time" if self.time is not None else "shuffled"

    def arrays(self, seed: int = 0, val_frac: float = 0.2, test_frac: float = 0.2) -> Arrays:
        """Train/validation/test arrays through :func:`neuralab.data.arrays.prepare`, scaled on train.

        The split follows the table's roles (:attr:`split`): whole groups apart when it has a group column, the
        earliest rows for training when it has a time column, else shuffled and stratified. A shuffled split of
        a log would score a model on moments between ones it trained on.
        """
        from neuralab.data.arrays import prepare

        task = "regression" if self.task == "regression" else "classification"
        if task == "classification" and self.split == "shuffled":
            counts = np.bincount(self.y, minlength=len(self.class_names))
            rare = int(np.argmin(counts))
            if counts[rare] < 3:
                raise UploadError(
                    f"Class {self.class_names[rare]!r} of {self.name!r} has {counts[rare]} row(s); a stratified "
                    "split into training, validation and test needs at least 3 per class.")
        try:
            return prepare(self.X, self.y, task=task, val_frac=val_frac, test_frac=test_frac, seed=seed,
                           name=self.name, ordered=self.split == "time",
                           groups=self.groups if self.split == "groups" else None)
        except ValueError as exc:
            raise UploadError(f"{self.name!r} cannot be split this way: {exc}") from exc

    def as_dataset(self) -> Dataset:
        """The table as a :class:`~neuralab.data.datasets.Dataset` for /splits.

        Regression targets are cut into quartile classes (Q1..Q4; fewer when values repeat), and the title
        says so. Without a group column every row is its own group.
        """
        from neuralab.data.datasets import Dataset

        if self.task == "regression":
            import pandas as pd

            codes, edges = pd.qcut(self.y, 4, labels=False, retbins=True, duplicates="drop")
            y = np.asarray(codes, dtype=np.int64)
            names = tuple(f"Q{i + 1}" for i in range(len(edges) - 1))
            title = f"{self.name} (target in {len(names)} quantile classes)"
        else:
            y, names, title = self.y, self.class_names, self.name
        groups = self.groups if self.groups is not None else np.arange(len(y))
        ds = Dataset(USER_PREFIX + self.id if self.id else self.name, title, self.X, y, groups, names)
        for arr in (ds.X, ds.y, ds.groups):
            arr.setflags(write=False)
        return ds


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    filename: str
    owner: str
    created: str  # ISO 8601, UTC
    n_rows: int
    columns: tuple[str, ...]
    roles: Roles
    sha256: str  # of the stored Parquet file, which is named <sha256>.parquet
    bytes: int  # size of the file as uploaded
    shared_from: str = ""  # the id this entry was shared from ('' for the uploader's own)


# ---------------------------------------------------------------------------------------------- reading


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def _size(n: int, limit: int) -> str:
    """``n`` bytes in MB, or in bytes when one decimal would read as the limit itself."""
    return f"{n:,} bytes" if _mb(n) == _mb(limit) else _mb(n)


def _read_bytes(source: bytes | str | Path, filename: str) -> bytes:
    """The whole file, never reading more than the cap + 1 byte."""
    limit = upload_limit_bytes()
    too_big = "The file {f} is {size}; the limit is {lim} MB (NEURALAB_UPLOAD_MB)."
    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) > limit:
            raise UploadError(too_big.format(f=filename, size=_size(len(source), limit), lim=limit // 1_000_000))
        return bytes(source)
    path = Path(source)
    try:
        st = path.stat()
    except OSError as exc:
        raise UploadError(f"There is no readable file at {str(path)[:120]!r} ({exc.strerror}).") from None
    if not path.is_file():
        raise UploadError(f"{str(path)[:120]!r} is not a regular file.")
    if st.st_size > limit:
        raise UploadError(too_big.format(f=filename, size=_size(st.st_size, limit), lim=limit // 1_000_000))
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:  # it grew after the stat
        raise UploadError(too_big.format(f=filename, size=f"more than {_mb(limit)}", lim=limit // 1_000_000))
    return data


_MAGIC = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one)"),
    (b"\x1f\x8b", "a gzip archive"), (b"PAR1", "a Parquet file"), (b"\x93NUMPY", "a NumPy .npy file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office file"), (b"\x7fELF", "a program"), (b"MZ", "a program"),
    (b"SQLite format 3", "an SQLite database"),
)


def _kind_of_bytes(data: bytes) -> str | None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    return None


def _line_of(data: bytes, pos: int) -> int:
    return data.count(b"\n", 0, pos) + 1


def _check_text(data: bytes, filename: str) -> memoryview:
    """Refuse what is not UTF-8 CSV text; return the bytes after a UTF-8 byte-order mark."""
    if not data[:4096].strip() and not data.strip():  # strip() copies: only for a blank start
        raise UploadError(f"The file {filename} is empty.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UploadError(f"The file {filename} is UTF-16 text; save it as UTF-8 (in Excel: \"CSV UTF-8\").")
    what = _kind_of_bytes(data)
    if what:
        raise UploadError(f"The file {filename} is {what}, not CSV text.")
    body = memoryview(data)[3:] if data.startswith(codecs.BOM_UTF8) else memoryview(data)
    arr = np.frombuffer(body, dtype=np.uint8)
    nul = np.flatnonzero(arr == 0)
    if nul.size:
        if nul.size * 4 > arr.size:
            raise UploadError(f"The file {filename} looks like UTF-16 text (every other byte is NUL); "
                              "save it as UTF-8.")
        raise UploadError(f"The file {filename} contains NUL bytes (the first on line "
                          f"{_line_of(data, int(nul[0]))}), so it is not a CSV text file.")
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 22
    for start in range(0, len(body), step):
        try:
            decoder.decode(body[start:start + step], final=start + step >= len(body))
        except UnicodeDecodeError as exc:
            pos = max(0, start + exc.start - len(decoder.getstate()[0]))
            raise UploadError(
                f"The file {filename} is not UTF-8 text: byte 0x{body[min(pos, len(body) - 1)]:02X} on line "
                f"{_line_of(bytes(body[:pos]), pos)} is not valid UTF-8 (Latin-1 and Windows-1252 files do this); "
                "save it as UTF-8 (in Excel: \"CSV UTF-8\").") from None
    newline = arr == 10
    if np.count_nonzero(newline) > MAX_ROWS + 1:  # before the line positions and the parse allocate per row
        raise UploadError(f"The file {filename} has more than {MAX_ROWS:,} lines; the limit is {MAX_ROWS:,} rows.")
    ends = np.flatnonzero(newline)
    del newline
    lengths = np.diff(np.concatenate(([-1], ends, [arr.size]))) - 1
    longest = int(np.argmax(lengths))
    if lengths[longest] > MAX_LINE_BYTES:
        raise UploadError(f"Line {longest + 1} of {filename} is {int(lengths[longest]):,} bytes long; the limit is "
                          f"{MAX_LINE_BYTES:,} bytes per line.")
    return body


def _header(body: memoryview) -> tuple[str, list[str]]:
    first = bytes(body[:MAX_LINE_BYTES + 2]).split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8")
    delim = max((",", ";", "\t", "|"), key=first.count)
    if first.count(delim) == 0:
        delim = ","
    return delim, next(csv.reader([first], delimiter=delim), [])


def _parse_csv(data: bytes, filename: str, notes: list[str]) -> pa.Table:
    import pyarrow as pa
    from pyarrow import csv as pacsv

    body = _check_text(data, filename)
    delim, names = _header(body)
    if len(names) > MAX_COLUMNS:
        raise UploadError(f"The file {filename} has {len(names):,} columns; the limit is {MAX_COLUMNS}.")
    _no_duplicates(names, filename)
    if delim != ",":
        notes.append(f"Columns are separated by {'a tab' if delim == chr(9) else repr(delim)}.")
    fixed = []
    for i, n in enumerate(names):
        if not n.strip():
            fixed.append(f"column_{i + 1}")
            notes.append(f"Column {i + 1} has no name in the header; it is called {fixed[-1]!r}.")
        else:
            fixed.append(n)
    _no_duplicates(fixed, filename)
    bad: list = []

    def ragged(row) -> str:
        bad.append(row)
        return "error"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),
            read_options=pacsv.ReadOptions(column_names=fixed, skip_rows=1, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=delim, invalid_row_handler=ragged),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=True),
        )
    except pa.ArrowInvalid as exc:
        if bad:
            row = bad[0]
            text = bytes(body)
            pos = text.find(row.text.encode("utf-8")) if row.text else -1
            where = f"Line {_line_of(text, pos)}" if pos >= 0 else "A line"
            raise UploadError(f"{where} of {filename} has {row.actual_columns} fields where the header has "
                              f"{row.expected_columns}.") from None
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UploadError(f"The file {filename} could not be read as CSV: {msg}.") from None
    if table.num_rows == 0:
        raise UploadError(f"The file {filename} has a header line but no data rows.")
    return table


def _no_duplicates(names: Sequence[str], filename: str) -> None:
    seen: set[str] = set()
    dups = [n for n in names if n in seen or seen.add(n)]
    if dups:
        shown = ", ".join(map(repr, dict.fromkeys(dups)))
        raise UploadError(f"The file {filename} has duplicate column names ({shown}); "
                          "rename them so each column has its own name.")


MAX_PAGES = 1_000_000  # page headers walked per file at most: more is refused as malformed


class _PageHeader(TBase):
    """The three leading fields of Parquet's ``PageHeader`` (parquet.thrift); Thrift skips every later field."""

    __slots__ = ("type", "uncompressed_page_size", "compressed_page_size")
    thrift_spec = (None, (1, TType.I32, "type", None, None), (2, TType.I32, "uncompressed_page_size", None, None),
                   (3, TType.I32, "compressed_page_size", None, None))

    def __init__(self) -> None:
        self.type = self.uncompressed_page_size = self.compressed_page_size = None


def _page_bytes(data: bytes, md) -> int:
    """Uncompressed bytes the file's page headers declare, summed over every page of every column chunk.

    The footer's sizes are the writer's word and a crafted file can lower them; each page header's
    ``uncompressed_page_size`` is what a reader allocates before decompressing that page. Each header is decoded
    by Apache Thrift's compact protocol (the ``thrift`` package's C reader) into :class:`_PageHeader`, within the
    chunk's byte range; only the headers are read, the pages between them are skipped. The protocol's limits
    bound what a crafted header can make it read: no string or list longer than the file, fewer than 64 levels of
    nesting, and a header cut short by the end of the file is an error.
    """
    trans = TMemoryBuffer(data)
    buf = trans.cstringio_buf
    proto = TCompactProtocolAccelerated(trans, string_length_limit=len(data), container_length_limit=len(data),
                                        fallback=False)
    total = pages = 0
    for i in range(md.num_row_groups):
        rg = md.row_group(i)
        for j in range(rg.num_columns):
            c = rg.column(j)
            start = c.data_page_offset if not c.dictionary_page_offset else min(c.data_page_offset,
                                                                                c.dictionary_page_offset)
            end = start + c.total_compressed_size
            if start < 4 or end > len(data) - 8:
                raise ValueError(f"column chunk {j} of row group {i} lies outside the file")
            buf.seek(start)
            while buf.tell() < end:
                header = _PageHeader()
                try:
                    header.read(proto)
                    size, stored = header.uncompressed_page_size, header.compressed_page_size
                except (TException, EOFError, OverflowError, TypeError):  # a limit, an unknown type, the end
                    size = stored = None
                if size is None or stored is None or size < 0 or stored < 0 or buf.tell() + stored > end:
                    raise ValueError(f"a page header in column chunk {j} of row group {i} is malformed")
                buf.seek(stored, 1)
                total, pages = total + size, pages + 1
                if pages > MAX_PAGES:
                    raise ValueError(f"more than {MAX_PAGES:,} pages")
    return total


def _parse_parquet(data: bytes, filename: str) -> pa.Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not (data[:4] == b"PAR1" and data[-4:] == b"PAR1"):
        what = _kind_of_bytes(data)
        raise UploadError(f"The file {filename} is not a Parquet file" + (f" but {what}." if what else "."))
    try:
        pf = pq.ParquetFile(pa.BufferReader(data))
        md = pf.metadata
        declared = sum(md.row_group(i).total_byte_size for i in range(md.num_row_groups))
        declared = max(declared, sum(md.row_group(i).column(j).total_uncompressed_size
                                     for i in range(md.num_row_groups) for j in range(md.num_columns)))
    except (pa.ArrowException, OSError) as exc:
        raise UploadError(f"The file {filename} could not be read as Parquet: {str(exc).splitlines()[0]}.") from None
    lim = EXPANSION * upload_limit_bytes()
    if md.num_columns > MAX_COLUMNS:
        raise UploadError(f"The file {filename} has {md.num_columns:,} columns; the limit is {MAX_COLUMNS}.")
    if md.num_rows > MAX_ROWS:
        raise UploadError(f"The Parquet file {filename} declares {md.num_rows:,} rows; the limit is {MAX_ROWS:,} "
                          "(checked in its footer, before reading).")
    if declared > lim:
        raise UploadError(f"The Parquet file {filename} declares {_mb(declared)} once decompressed; the limit is "
                          f"{_mb(lim)} ({EXPANSION}× the upload cap), so it was refused before reading any row.")
    try:
        paged = _page_bytes(data, md)
    except (ValueError, IndexError) as exc:
        raise UploadError(f"The file {filename} could not be read as Parquet: {exc}.") from None
    if paged > lim:
        raise UploadError(f"The Parquet file {filename} has page headers declaring {_mb(paged)} once decompressed "
                          f"(its footer says {declared:,} bytes); the limit is {_mb(lim)} ({EXPANSION}× the upload "
                          "cap), so it was refused before reading any row.")
    _no_duplicates(pf.schema_arrow.names, filename)
    try:
        table = pf.read()
    except (pa.ArrowException, OSError) as exc:
        raise UploadError(f"The file {filename} could not be read as Parquet: {str(exc).splitlines()[0]}.") from None
    if table.num_rows == 0:
        raise UploadError(f"The file {filename} has columns but no rows.")
    return table


def _parse_npz(data: bytes, filename: str) -> pa.Table:
    import pyarrow as pa

    if not data.startswith(b"PK\x03\x04"):
        what = _kind_of_bytes(data)
        raise UploadError(f"The file {filename} is not a NumPy .npz archive" + (f" but {what}." if what else "."))
    lim = EXPANSION * upload_limit_bytes()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > lim:
            raise UploadError(f"The archive {filename} declares {_mb(total)} once decompressed; the limit is "
                              f"{_mb(lim)} ({EXPANSION}× the upload cap).")
        for info in infos:
            if not info.filename.endswith(".npy"):
                raise UploadError(f"The archive {filename} holds {info.filename!r}, which is not a NumPy array.")
            with zf.open(info) as fh:
                version = np.lib.format.read_magic(fh)
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, _, dtype = read_header(fh, max_header_size=10_000)
            if dtype.hasobject:
                raise UploadError(f"Array {info.filename[:-4]!r} in {filename} holds Python objects (a pickle); "
                                  "the lab never unpickles. Save numbers or strings only.")
            if math.prod(shape) * dtype.itemsize > lim:
                raise UploadError(f"Array {info.filename[:-4]!r} in {filename} declares shape {shape}, more than "
                                  f"{_mb(lim)}.")
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except UploadError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise UploadError(f"The file {filename} could not be read as a NumPy .npz archive: {exc}.") from None
    if not arrays:
        raise UploadError(f"The archive {filename} holds no arrays.")
    cols: dict[str, np.ndarray] = {}
    if "X" in arrays:
        X = arrays.pop("X")
        if X.ndim != 2:
            raise UploadError(f"Array 'X' in {filename} has shape {X.shape}; it must be 2-D (rows, features).")
        names = arrays.pop("feature_names", None)
        names = [str(n) for n in names] if names is not None and len(names) == X.shape[1] else [
            f"x{i}" for i in range(X.shape[1])]
        if X.shape[1] > MAX_COLUMNS:
            raise UploadError(f"Array 'X' in {filename} has {X.shape[1]:,} columns; the limit is {MAX_COLUMNS}.")
        cols.update({n: X[:, i] for i, n in enumerate(names)})
    for name, arr in arrays.items():
        if arr.ndim != 1:
            raise UploadError(f"Array {name!r} in {filename} has shape {arr.shape}; besides X, arrays must be "
                              "1-D columns.")
        cols[name] = arr
    lengths = {len(a) for a in cols.values()}
    if len(lengths) != 1:
        raise UploadError(f"The arrays in {filename} have different lengths ({sorted(lengths)}); every column "
                          "must have one value per row.")
    if len(cols) > MAX_COLUMNS:
        raise UploadError(f"The archive {filename} has {len(cols):,} columns; the limit is {MAX_COLUMNS}.")
    _no_duplicates(list(cols), filename)
    try:
        return pa.table({k: pa.array(v) for k, v in cols.items()})
    except (pa.ArrowException, TypeError) as exc:
        raise UploadError(f"The archive {filename} holds an array the lab cannot use: {exc}.") from None


def clean_filename(filename: object) -> str:
    """The name a browser or a user gave, safe for sentences: the last path part, printable, at most 120 chars."""
    name = re.split(r"[\\/]", str(filename))[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return (name[:60] + "…" + name[-59:] if len(name) > 120 else name) or "the file"


def _parse(source: bytes | str | Path, filename: str) -> tuple[pa.Table, list[str], int]:
    """The file as an Arrow table of scalar columns, the notes so far, and the file's size in bytes."""
    import pyarrow as pa

    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".txt", ".tsv", ".parquet", ".pq", ".npz"):
        raise UploadError(f"The file {filename} is not .csv, .parquet or .npz; those are the formats the lab reads.")
    data = _read_bytes(source, filename)
    notes: list[str] = []
    if suffix in (".parquet", ".pq"):
        table = _parse_parquet(data, filename)
    elif suffix == ".npz":
        table = _parse_npz(data, filename)
    else:
        table = _parse_csv(data, filename, notes)
    if table.num_rows > MAX_ROWS:
        raise UploadError(f"The file {filename} has {table.num_rows:,} rows; the limit is {MAX_ROWS:,}.")
    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_dictionary(t):
            t = t.value_type
        if pa.types.is_decimal(t) or pa.types.is_float16(t):
            t = pa.float64()
        if pa.types.is_large_string(t):
            t = pa.string()
        if pa.types.is_date(t):
            t = pa.timestamp("s")
        fields.append(pa.field(f.name, t))
    try:
        table = table.cast(pa.schema(fields))
    except (pa.ArrowException, TypeError) as exc:
        raise UploadError(f"The file {filename} has a column type the lab cannot use: {exc}.") from None
    keep = []
    for f in table.schema:
        t = f.type
        if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t) or pa.types.is_string(t) \
                or pa.types.is_timestamp(t) or pa.types.is_null(t):
            keep.append(f.name)
        else:
            notes.append(f"Column {f.name!r} holds {t} values, which the lab does not use; it was left out.")
    if len(keep) != table.num_columns:
        table = table.select(keep)
    if table.num_columns == 0:
        raise UploadError(f"The file {filename} has no column the lab can use.")
    return table, notes, len(data)


# ---------------------------------------------------------------------------------------------- describing


@dataclass
class _Info:
    column: Column
    mixed: str = ""  # a sentence when a text column mixes numbers and text
    numeric_fraction: float = 0.0


def _missing(col: pa.ChunkedArray) -> int:
    import pyarrow as pa
    import pyarrow.compute as pc

    n = col.null_count
    if pa.types.is_floating(col.type):
        n += int(pc.sum(pc.is_nan(col.fill_null(0.0))).as_py() or 0)
    return n


def _describe_column(name: str, col: pa.ChunkedArray) -> _Info:
    import pyarrow as pa
    import pyarrow.compute as pc

    missing = _missing(col)
    valid = len(col) - missing
    if pa.types.is_null(col.type):
        unique = 0
    elif pa.types.is_floating(col.type):
        unique = int(pc.count_distinct(pc.if_else(pc.is_nan(col), None, col)).as_py())
    else:
        unique = int(pc.count_distinct(col).as_py())
    t = col.type
    info = _Info(Column(name, "text", missing, unique))
    if valid == 0:
        kind = "empty"
    elif unique == 1:
        kind = "constant"
    elif pa.types.is_integer(t):
        kind = "integer"
    elif pa.types.is_floating(t):
        kind = "number"
    elif pa.types.is_timestamp(t):
        kind = "datetime"
    elif pa.types.is_boolean(t):
        kind = "category"
    else:
        import pandas as pd

        values = pd.Series(col.drop_null().to_numpy(zero_copy_only=False), dtype=object)
        nums = pd.to_numeric(values, errors="coerce")
        parsed = int(nums.notna().sum())
        info.numeric_fraction = parsed / max(valid, 1)
        if 0 < parsed < valid:
            example = values[nums.isna()].iloc[0]
            info.mixed = (f"Column {name!r} mixes numbers ({parsed:,} cells) and text ({valid - parsed:,} cells, "
                          f"e.g. {escape_cell(example)!r}); it is treated as text.")
        kind = "category" if unique <= MAX_CLASSES and unique * 2 <= valid else "text"
    info.column = Column(name, kind, missing, unique)
    return info


def _describe(table: pa.Table) -> dict[str, _Info]:
    return {name: _describe_column(name, table.column(name)) for name in table.column_names}


_TIME_NAMES = {"time", "t", "timestamp", "seconds", "time_s", "datetime", "date"}
_GROUP_WORDS = {"group", "cycle", "vehicle", "patient", "subject", "session", "drive", "trip", "run", "unit", "id"}


def suggest_task(col: Column) -> str:
    """The task a column suggests: few integer or category values are classes, anything else regression."""
    if col.kind == "category" or (col.kind == "integer" and col.unique <= 20):
        return "binary" if col.unique == 2 else "multiclass"
    return "regression"


def _suggest(infos: dict[str, _Info]) -> Roles:
    """A first guess for the form: a datetime (else a time-named numeric) column as time, a group-named
    column as group, and the last remaining numeric column as target (else the last category column)."""
    cols = [i.column for i in infos.values()]
    time = next((c.name for c in cols if c.kind == "datetime"), None)
    if time is None:
        time = next((c.name for c in cols if c.kind in NUMERIC and c.name.lower() in _TIME_NAMES), None)
    group = next((c.name for c in cols if c.name != time and c.kind in ("integer", "category", "text")
                  and _GROUP_WORDS & set(re.split(r"[^a-z0-9]+", c.name.lower()))), None)
    rest = [c for c in cols if c.name not in (time, group)]
    numeric = [c for c in rest if c.kind in NUMERIC]
    cats = [c for c in rest if c.kind == "category"]
    target = numeric[-1] if numeric else (cats[-1] if cats else None)
    if target is None:
        return Roles(target="", task="regression", time=time, group=group)
    return Roles(target=target.name, task=suggest_task(target), time=time, group=group)


def _head(table: pa.Table) -> tuple[dict, ...]:
    rows = table.slice(0, 10).to_pylist()
    out = []
    for row in rows:
        cells = {}
        for k, v in row.items():
            if isinstance(v, float):
                cells[k] = "" if math.isnan(v) else repr(v)
            elif isinstance(v, datetime):
                cells[k] = v.isoformat(sep=" ")
            else:
                text = escape_cell(v)
                cells[k] = text if len(text) <= 200 else text[:199] + "…"
        out.append(cells)
    return tuple(out)


_last_parse: dict[tuple, tuple] = {}  # one slot: the page previews an upload, then adds the same bytes


def _parsed(source: bytes | str | Path, filename: str) -> tuple[pa.Table, list[str], int, dict[str, _Info]]:
    """:func:`_parse` and :func:`_describe`; the last upload given as bytes is kept so that adding it after its
    preview does not parse it twice (the key is the bytes' SHA-256, the filename and the cap)."""
    filename = clean_filename(filename)
    key = None
    if isinstance(source, bytes | bytearray | memoryview) and len(source) <= upload_limit_bytes():
        key = (hashlib.sha256(source).hexdigest(), filename, upload_limit_bytes())
        hit = _last_parse.get(key)
        if hit is not None:
            return hit
    table, notes, size = _parse(source, filename)
    out = (table, notes, size, _describe(table))
    if key is not None:
        _last_parse.clear()
        _last_parse[key] = out
    return out


def read_preview(source: bytes | str | Path, filename: str) -> Preview:
    """Check, parse and describe a file: its columns, its first rows (escaped), notes and a guess at the roles.

    ``source`` is the file's bytes (an upload) or a path (``str`` or ``Path``). Raises :class:`UploadError`.
    """
    table, notes, _, infos = _parsed(source, filename)
    return _preview(clean_filename(filename), table, infos, notes)


def _preview(filename: str, table: pa.Table, infos: dict[str, _Info], notes: list[str]) -> Preview:
    notes = list(notes) + [i.mixed for i in infos.values() if i.mixed]
    for kind, label in (("empty", "Empty"), ("constant", "Constant")):
        names = [n for n, i in infos.items() if i.column.kind == kind]
        if names:
            notes.append(f"{label} column{'s' if len(names) > 1 else ''} {', '.join(map(repr, names))} "
                         "cannot be used as features and will be left out.")
    if table.num_rows > INTERACTIVE_ROWS:
        notes.append(f"The file has {table.num_rows:,} rows; the pages use a seeded sample of "
                     f"{INTERACTIVE_ROWS:,} of them.")
    return Preview(filename, table.num_rows, tuple(i.column for i in infos.values()), _head(table), tuple(notes),
                   _suggest(infos))


# ---------------------------------------------------------------------------------------------- preparing


def _values(col: pa.ChunkedArray) -> np.ndarray:
    import pyarrow as pa

    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type) or pa.types.is_boolean(col.type):
        if col.null_count:
            return col.cast(pa.float64()).fill_null(math.nan).to_numpy()
        return col.to_numpy()
    return col.to_numpy(zero_copy_only=False)


def _first_row(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0]) + 1


def _target(table: pa.Table, info: _Info, roles: Roles) -> tuple[np.ndarray, tuple[str, ...]]:
    name, col = roles.target, table.column(roles.target)
    c = info.column
    if c.kind == "empty":
        raise UploadError(f"The target column {name!r} is empty.")
    raw = _values(col)
    missing = (np.isnan(raw) if raw.dtype.kind == "f" else np.asarray(col.is_null().to_numpy(zero_copy_only=False)))
    if missing.any():
        raise UploadError(f"The target column {name!r} has {int(missing.sum()):,} missing (NaN or empty) value(s), "
                          f"the first on data row {_first_row(missing)}; fill or remove those rows.")
    if raw.dtype.kind == "f" and np.isinf(raw).any():
        inf = np.isinf(raw)
        raise UploadError(f"The target column {name!r} has {int(inf.sum()):,} infinite value(s), the first on data "
                          f"row {_first_row(inf)}; fill or remove those rows.")
    if c.kind == "constant":
        raise UploadError(f"The target column {name!r} is constant ({escape_cell(raw[0])} in every row): there is "
                          "nothing to predict.")
    if info.mixed and roles.task == "regression":  # as classes, every value is a label and mixing is fine
        raise UploadError(f"The target column {name!r} mixes numbers and text; clean it, or choose the task "
                          "binary or multiclass to use its values as labels.")
    if roles.task == "regression":
        if c.kind not in NUMERIC:
            raise UploadError(f"The target column {name!r} is {c.kind}, not numbers; choose the task binary or "
                              "multiclass, or another column.")
        return raw.astype(np.float64), ()
    if c.kind == "datetime":
        raise UploadError(f"The target column {name!r} holds dates; it cannot be a class label.")
    classes, y = np.unique(raw, return_inverse=True)
    if len(classes) > MAX_CLASSES:
        raise UploadError(f"The target column {name!r} has {len(classes):,} distinct values; the lab handles up to "
                          f"{MAX_CLASSES} classes. Is it a regression target?")
    if roles.task == "binary" and len(classes) != 2:
        raise UploadError(f"The target column {name!r} has {len(classes)} classes; binary needs exactly 2, "
                          "choose multiclass.")
    names = tuple(escape_cell(v.item() if hasattr(v, "item") else v) for v in classes)
    return y.astype(np.int64), names


def _check_roles(table: pa.Table, roles: Roles, filename: str) -> None:
    cols = table.column_names
    shown = ", ".join(map(repr, cols[:8])) + (", ..." if len(cols) > 8 else "")
    if not isinstance(roles.target, str) or roles.target not in cols:
        raise UploadError(f"There is no column {roles.target!r} in {filename}; its columns are {shown}.")
    if roles.task not in TASKS:
        raise UploadError(f"The task must be one of {', '.join(TASKS)}; got {roles.task!r}.")
    for role in ("time", "group"):
        value = getattr(roles, role)
        if value is not None and value not in cols:
            raise UploadError(f"There is no column {value!r} (the {role} column) in {filename}; "
                              f"its columns are {shown}.")
        if value is not None and value == roles.target:
            raise UploadError(f"The {role} column {value!r} is also the target; pick another.")
    if roles.time is not None and roles.time == roles.group:
        raise UploadError(f"Column {roles.time!r} cannot be both the time and the group column.")
    if roles.rate_hz is not None and not (isinstance(roles.rate_hz, int | float) and math.isfinite(roles.rate_hz)
                                          and roles.rate_hz > 0):
        raise UploadError(f"The sampling rate must be a positive number of hertz; got {roles.rate_hz!r}.")
    for f in roles.features:
        if f not in cols:
            raise UploadError(f"There is no feature column {f!r} in {filename}; its columns are {shown}.")
        if f in (roles.target, roles.time, roles.group):
            role = "target" if f == roles.target else "time or group"
            raise UploadError(f"Column {f!r} cannot be a feature and the {role} column.")


def _time(table: pa.Table, name: str) -> np.ndarray:
    import pandas as pd
    import pyarrow as pa

    col = table.column(name)
    if pa.types.is_timestamp(col.type):
        ts = pd.to_datetime(pd.Series(col.to_pandas()), utc=col.type.tz is not None)
    elif pa.types.is_string(col.type):
        ts = pd.to_datetime(pd.Series(col.to_numpy(zero_copy_only=False)), errors="coerce", format="ISO8601",
                            utc=True)
        bad = ts.isna() & pd.Series(col.is_valid().to_numpy(zero_copy_only=False))
        if bad.any():
            raise UploadError(f"The time column {name!r} has text that does not read as a date or time "
                              f"(data row {_first_row(bad.to_numpy())}); use ISO dates or seconds.")
    else:
        t = _values(col).astype(np.float64)
        if not np.isfinite(t).all():
            raise UploadError(f"The time column {name!r} has {int((~np.isfinite(t)).sum()):,} missing or infinite "
                              f"value(s), the first on data row {_first_row(~np.isfinite(t))}.")
        return t
    if ts.isna().any():
        raise UploadError(f"The time column {name!r} has {int(ts.isna().sum()):,} missing value(s), the first on "
                          f"data row {_first_row(ts.isna().to_numpy())}.")
    if ts.dt.tz is not None:
        ts = ts.dt.tz_convert(None)
    ns = ts.to_numpy().astype("datetime64[ns]").astype(np.int64)
    return (ns - ns.min()) / 1e9


def _groups(table: pa.Table, name: str) -> np.ndarray:
    import pandas as pd

    codes, _ = pd.factorize(table.column(name).to_pandas())
    codes = np.asarray(codes, dtype=np.int64)
    if (codes < 0).any():
        raise UploadError(f"The group column {name!r} has {int((codes < 0).sum()):,} missing value(s), the first "
                          f"on data row {_first_row(codes < 0)}.")
    return codes


def _sample(n: int, y: np.ndarray, classify: bool, max_rows: int, seed: int) -> np.ndarray:
    from sklearn.model_selection import train_test_split

    idx = np.arange(n)
    if classify:
        try:
            keep, _ = train_test_split(idx, train_size=max_rows, random_state=seed, stratify=y)
            return np.sort(keep)
        except ValueError:  # a class too small to stratify
            pass
    return np.sort(np.random.default_rng(seed).choice(n, size=max_rows, replace=False))


def _build(table: pa.Table, infos: dict[str, _Info], roles: Roles, *, filename: str, name: str, id: str,
           max_rows: int | None, seed: int) -> Table:
    _check_roles(table, roles, filename)
    if max_rows is not None and (not isinstance(max_rows, int) or max_rows < MIN_ROWS):
        raise UploadError(f"max_rows must be None or a whole number of at least {MIN_ROWS}; got {max_rows!r}.")
    if table.num_rows < MIN_ROWS:
        raise UploadError(f"{filename} has {table.num_rows} data row(s); the lab needs at least {MIN_ROWS} to split "
                          "into training, validation and test sets.")
    notes: list[str] = []
    y, class_names = _target(table, infos[roles.target], roles)
    t = _time(table, roles.time) if roles.time is not None else None
    g = _groups(table, roles.group) if roles.group is not None else None
    used = {roles.target, roles.time, roles.group}
    explicit = bool(roles.features)
    names = list(roles.features) if explicit else [c for c in table.column_names if c not in used]
    feats, cols, skipped, dropped = [], [], [], []
    for f in names:
        c = infos[f].column
        if c.kind in ("empty", "constant"):
            dropped.append(f"{f!r} ({c.kind})")
            continue
        if c.kind not in NUMERIC:
            if explicit:
                raise UploadError(f"The feature column {f!r} is {c.kind}, not numbers.")
            skipped.append(f)
            continue
        v = _values(table.column(f)).astype(np.float64)
        bad = ~np.isfinite(v)
        if bad.mean() > 0.5:
            dropped.append(f"{f!r} ({bad.mean():.0%} missing)")
            continue
        feats.append(f)
        cols.append(v)
    if dropped:
        notes.append(f"Column{'s' if len(dropped) > 1 else ''} {', '.join(dropped)} left out of the features.")
    if skipped:
        notes.append(f"Non-numeric column{'s' if len(skipped) > 1 else ''} {', '.join(map(repr, skipped))} not used "
                     "as features.")
    if not feats:
        why = f" (not numeric: {', '.join(map(repr, skipped))})" if skipped else ""
        raise UploadError(f"{filename} has no usable numeric feature column besides the target{why}.")
    X = np.column_stack(cols)
    ok = np.isfinite(X).all(axis=1)
    if not ok.all():
        notes.append(f"{int((~ok).sum()):,} row(s) with a missing or infinite feature value were left out.")
    rows = np.flatnonzero(ok)
    if t is not None:
        rows = rows[np.argsort(t[rows], kind="stable")]
    if len(rows) < MIN_ROWS:
        raise UploadError(f"{filename} has {len(rows)} usable data row(s); the lab needs at least {MIN_ROWS} to split "
                          "into training, validation and test sets.")
    classify = roles.task != "regression"
    if classify and len(np.unique(y[rows])) < 2:
        raise UploadError(f"The target column {roles.target!r} has a single class in the usable rows; a classifier "
                          "needs at least two.")
    if classify and len(np.unique(y[rows])) < len(class_names):  # rows left out took a class with them
        present, y_new = np.unique(y[rows], return_inverse=True)
        class_names = tuple(class_names[i] for i in present)
        y = np.empty_like(y)
        y[rows] = y_new
    n_total = len(rows)
    sampled = max_rows is not None and n_total > max_rows
    if sampled:
        rows = rows[_sample(n_total, y[rows], classify, int(max_rows), seed)]
        notes.append(f"Sampled {len(rows):,} of {n_total:,} rows (seed {seed}"
                     f"{', stratified by class' if classify else ''}) for the interactive pages.")
    arrays = [np.ascontiguousarray(X[rows]), np.ascontiguousarray(y[rows])]
    arrays.append(np.ascontiguousarray(t[rows]) if t is not None else None)
    arrays.append(np.ascontiguousarray(g[rows]) if g is not None else None)
    for a in arrays:
        if a is not None:
            a.setflags(write=False)
    return Table(id=id, name=name or Path(filename).stem, X=arrays[0], y=arrays[1], feature_names=tuple(feats),
                 class_names=class_names, task=roles.task, time=arrays[2], groups=arrays[3], rate_hz=roles.rate_hz,
                 n_rows_total=n_total, sampled=sampled, notes=tuple(notes))


def _roles_for(infos: dict[str, _Info], *, target, task, time, group, rate_hz, features) -> Roles:
    if task is None and target in infos:
        task = suggest_task(infos[target].column)
    return Roles(target=target, task=task or "regression", time=time, group=group,
                 rate_hz=None if rate_hz is None else float(rate_hz), features=tuple(features))


def load_table(path: str | Path, *, target: str, task: str | None = None, time: str | None = None,
               group: str | None = None, rate_hz: float | None = None, features: Sequence[str] = (), name: str = "",
               max_rows: int | None = INTERACTIVE_ROWS, seed: int = 0) -> Table:
    """Read a file and prepare it, exactly as the pages do (same checks, same sampling for the same seed).

    ``task`` defaults to the preview's guess for the target column. ``max_rows=None`` keeps every row.
    """
    path = Path(path)
    table, _, _, infos = _parsed(path, path.name)
    roles = _roles_for(infos, target=target, task=task, time=time, group=group, rate_hz=rate_hz, features=features)
    return _build(table, infos, roles, filename=path.name, name=name, id="", max_rows=max_rows, seed=seed)


# ---------------------------------------------------------------------------------------------- catalogue


_SCHEMA = """CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, filename TEXT NOT NULL, owner TEXT NOT NULL, created TEXT NOT NULL,
    n_rows INTEGER NOT NULL, columns TEXT NOT NULL, roles TEXT NOT NULL, sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL, shared_from TEXT NOT NULL DEFAULT '')"""
_FIELDS = "id, name, filename, owner, created, n_rows, columns, roles, sha256, bytes, shared_from"


def new_id() -> str:
    """A random dataset id, ``secrets.token_urlsafe(12)`` (16 characters, 96 bits), drawn again when it starts
    with ``-`` so that it never reads as an option on a command line (``neuralab data rm ID``)."""
    while (id_ := secrets.token_urlsafe(12)).startswith("-"):
        pass
    return id_


def _check_owner(owner: object) -> str:
    if not isinstance(owner, str) or not re.fullmatch(OWNER_RE, owner):
        raise UploadError("The owner token must be 16 to 64 letters, digits, '-' or '_'.")
    return owner


def _entry(row: tuple) -> Entry:
    r = json.loads(row[7])
    roles = Roles(target=r["target"], task=r["task"], time=r.get("time"), group=r.get("group"),
                  rate_hz=r.get("rate_hz"), features=tuple(r.get("features", ())))
    return Entry(id=row[0], name=row[1], filename=row[2], owner=row[3], created=row[4], n_rows=row[5],
                 columns=tuple(json.loads(row[6])), roles=roles, sha256=row[8], bytes=row[9], shared_from=row[10])


class Catalogue:
    """Users' datasets under ``root``: ``catalogue.sqlite`` and one ``<sha256>.parquet`` per distinct table."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.db = self.root / "catalogue.sqlite"
        con = self._connect()
        try:
            con.execute("PRAGMA journal_mode=WAL")
            with con:
                con.execute(_SCHEMA)
                con.execute("CREATE INDEX IF NOT EXISTS by_owner ON entries(owner, created)")
        finally:
            con.close()

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """An exclusive lock across processes (``catalogue.sqlite.lock``) around storing and removing files."""
        with open(self.root / "catalogue.sqlite.lock", "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.db, timeout=30)

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        con = self._connect()
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def add(self, source: bytes | str | Path, filename: str, roles: Roles, *, owner: str, name: str = "") -> str:
        """Check, prepare and store a file with its roles for ``owner``; returns the new entry's id.

        Nothing is stored unless everything succeeds: the Parquet file is written beside its place and renamed,
        and removed again if the catalogue row cannot be written.
        """
        import pyarrow.parquet as pq

        _check_owner(owner)
        filename = clean_filename(filename)
        table, _, size, infos = _parsed(source, filename)
        _last_parse.clear()  # its one use is done; do not hold a large table until the next upload
        name = (name or "").strip()[:80] or Path(filename).stem[:80]
        _build(table, infos, roles, filename=filename, name=name, id="", max_rows=INTERACTIVE_ROWS, seed=0)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-", suffix=".parquet")
        os.close(fd)
        final: Path | None = None
        try:
            pq.write_table(table, tmp, compression="zstd")
            digest = hashlib.sha256()
            with open(tmp, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            sha = digest.hexdigest()
            target = self.root / f"{sha}.parquet"
            id_ = new_id()
            row = (id_, name, filename[:200], owner, datetime.now(UTC).isoformat(timespec="seconds"), table.num_rows,
                   json.dumps(table.column_names), json.dumps(roles.__dict__ | {"features": list(roles.features)}),
                   sha, size, "")
            with self._lock():  # a delete in another process must not remove the file between rename and row
                if target.exists():
                    os.unlink(tmp)
                else:
                    os.replace(tmp, target)
                    final = target
                self._insert(row)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            if final is not None and not self._query("SELECT 1 FROM entries WHERE sha256 = ?", (final.stem,)):
                final.unlink(missing_ok=True)
            raise
        return id_

    def _insert(self, row: tuple) -> None:
        con = self._connect()
        try:
            with con:
                con.execute(f"INSERT INTO entries ({_FIELDS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)
        finally:
            con.close()

    def entries(self, owner: str) -> list[Entry]:
        """The owner's datasets, newest first."""
        _check_owner(owner)
        rows = self._query(f"SELECT {_FIELDS} FROM entries WHERE owner = ? ORDER BY created DESC, rowid DESC",
                           (owner,))
        return [_entry(r) for r in rows]

    def entry(self, id: str) -> Entry:
        """One entry by id; an unknown or malformed id raises :class:`UploadError`."""
        if not isinstance(id, str) or not re.fullmatch(ID_RE, id):
            raise UploadError(f"No dataset {str(id)[:40]!r}: a dataset id is 16 letters, digits, '-' or '_'.")
        rows = self._query(f"SELECT {_FIELDS} FROM entries WHERE id = ?", (id,))
        if not rows:
            raise UploadError(f"No dataset {id!r} in this lab: it was deleted, or the link is wrong.")
        return _entry(rows[0])

    def table(self, id: str, *, max_rows: int | None = INTERACTIVE_ROWS, seed: int = 0) -> Table:
        """The prepared table of entry ``id``; the entry is looked up every time (a deleted id raises at once).

        Cached per (id, max_rows, seed): 16 tables of at most :data:`INTERACTIVE_ROWS` rows, and only the last 2
        larger ones (``max_rows=None`` keeps every row, up to :data:`MAX_ROWS`), so the cache stays bounded.
        """
        e = self.entry(id)
        load = _sampled_table if max_rows is not None and max_rows <= INTERACTIVE_ROWS else _large_table
        return load(str(self.root / f"{e.sha256}.parquet"), e.id, e.name, e.filename, e.roles, max_rows, seed)

    def delete(self, id: str, *, owner: str) -> None:
        """Remove the owner's entry, and its file when no other entry refers to it."""
        _check_owner(owner)
        e = self.entry(id)
        if e.owner != owner:
            raise UploadError(f"Dataset {e.name!r} belongs to another browser; only its owner can delete it.")
        with self._lock():
            con = self._connect()
            try:
                with con:
                    con.execute("DELETE FROM entries WHERE id = ?", (id,))
                    left = con.execute("SELECT 1 FROM entries WHERE sha256 = ?", (e.sha256,)).fetchone()
            finally:
                con.close()
            if not left:
                (self.root / f"{e.sha256}.parquet").unlink(missing_ok=True)

    def share(self, id: str, *, owner: str) -> str:
        """Add a shared dataset to ``owner``'s list (a new entry on the same file); returns that entry's id.

        The owner's own entry, or an entry they already hold from this share, is returned as it is.
        """
        _check_owner(owner)
        e = self.entry(id)
        if e.owner == owner:
            return e.id
        held = self._query("SELECT id FROM entries WHERE owner = ? AND shared_from = ?", (owner, e.id))
        if held:
            return held[0][0]
        id_ = new_id()
        r = e.roles
        self._insert((id_, e.name, e.filename, owner, datetime.now(UTC).isoformat(timespec="seconds"), e.n_rows,
                      json.dumps(list(e.columns)), json.dumps(r.__dict__ | {"features": list(r.features)}),
                      e.sha256, e.bytes, e.id))
        return id_


def _stored_table(path: str, id: str, name: str, filename: str, roles: Roles, max_rows: int | None,
                  seed: int) -> Table:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise UploadError(f"The stored file of dataset {name!r} cannot be read ({type(exc).__name__}); add it "
                          "again.") from None
    return _build(table, _describe(table), roles, filename=filename, name=name, id=id, max_rows=max_rows, seed=seed)


_sampled_table = functools.lru_cache(maxsize=16)(_stored_table)
_large_table = functools.lru_cache(maxsize=2)(_stored_table)


@functools.lru_cache(maxsize=4)
def _catalogue_at(root: str) -> Catalogue:
    return Catalogue(root)


def data_dir() -> Path:
    """``$NEURALAB_DATA_DIR``, else ``<cache dir>/user-data``."""
    from neuralab import cache

    return Path(os.environ.get("NEURALAB_DATA_DIR") or cache.root() / "user-data")


def catalogue() -> Catalogue:
    """The lab's catalogue under :func:`data_dir` (one instance per directory)."""
    return _catalogue_at(str(data_dir()))

