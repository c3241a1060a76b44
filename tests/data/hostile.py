"""A corpus of hostile and broken files, generated in code, for the upload checks (tests and the benchmark).

Build it under ``NEURALAB_UPLOAD_MB=1`` (:data:`CAP_MB`): the oversize and bomb cases are sized against that cap
so the corpus stays small. Every case is refused with an :class:`~neuralab.data.user.UploadError` whose
sentence contains ``phrase``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from neuralab.data.user import MAX_LINE_BYTES, MAX_ROWS, Roles

CAP_MB = 1


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    data: bytes
    roles: Roles
    phrase: str  # a piece of the expected sentence


def _csv(rows: list[str]) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def _numbers(n=40, extra="") -> list[str]:
    return ["a,b,y" + extra] + [f"{i * 0.5},{(i * 7) % 11},{i % 3}" for i in range(n)]


def _parquet(table: pa.Table, **kw) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, **kw)
    return buf.getvalue()


def _zigzag(value: int, length: int = 0) -> bytes:
    """``value`` as a Thrift compact i64 (zigzag, then a varint), padded to ``length`` bytes with empty groups."""
    z, out = (value << 1) ^ (value >> 63), []
    while True:
        out.append(z & 0x7F | (0x80 if z >> 7 else 0))
        z >>= 7
        if not z:
            break
    while len(out) < length:
        out[-1] |= 0x80
        out.append(0)
    return bytes(out)


def _paged_bomb() -> bytes:
    """A Parquet file whose pages really expand to 12 MB, with a footer edited to say 1,000 bytes.

    Zeros in zstd: 12 MB of int64 in a few kB. The footer's sizes (the row group's ``total_byte_size``, the column
    chunk's ``total_uncompressed_size``) are rewritten in place; the page headers keep the true sizes, which is
    what a reader allocates and inflates to.
    """
    data = bytearray(_parquet(pa.table({"y": np.zeros(1_500_000, dtype=np.int64)}), use_dictionary=False,
                              compression="zstd", write_statistics=False, row_group_size=1_500_000))
    size = pq.ParquetFile(io.BytesIO(bytes(data))).metadata.row_group(0).total_byte_size
    start = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
    true, lie = _zigzag(size), _zigzag(1_000, len(_zigzag(size)))
    footer = bytes(data[start:-8])
    assert footer.count(true) == 2  # the row group's and the column chunk's
    data[start:-8] = footer.replace(true, lie)
    return bytes(data)


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _lying_npy() -> bytes:
    """An .npz whose one member's header declares 8 GB of float64 but holds 16 bytes."""
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(npy, {"descr": "<f8", "fortran_order": False, "shape": (10**9,)})
    npy.write(b"\0" * 16)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("y.npy", npy.getvalue())
    return buf.getvalue()


def _zip_bomb_npz() -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, y=np.zeros(5 * CAP_MB * 1_000_000, dtype=np.uint8))
    return buf.getvalue()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("sheet.xml", "<xml/>")
    return buf.getvalue()


def cases() -> list[Case]:
    reg = Roles(target="y", task="regression")
    cls = Roles(target="y", task="multiclass")
    lines = _numbers()
    c = [
        Case("oversize CSV", "big.csv", b"a,y\n" + b"1.5,2\n" * (CAP_MB * 1_000_000 // 5), reg,
             f"is 1.2 MB; the limit is {CAP_MB} MB (NEURALAB_UPLOAD_MB)"),
        Case("one byte over the cap", "edge.csv", b"a,y\n" + b"1" * (CAP_MB * 1_000_000 - 3), reg,
             f"is {CAP_MB * 1_000_000 + 1:,} bytes; the limit is {CAP_MB} MB"),
        Case("PNG renamed .csv", "photo.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, reg,
             "is a PNG image, not CSV text"),
        Case("ZIP renamed .csv", "book.csv", _zip(), reg, "is a ZIP archive (an .xlsx workbook is one), not CSV"),
        Case("Latin-1 text", "latin1.csv", "a,b,y\n1,2,3\nMünchen,2,3\n".encode("latin-1"), reg,
             "is not UTF-8 text: byte 0xFC on line 3"),
        Case("UTF-16 with BOM", "utf16.csv", "\n".join(lines).encode("utf-16"), reg, "is UTF-16 text"),
        Case("UTF-16 without BOM", "utf16le.csv", "\n".join(lines).encode("utf-16-le"), reg,
             "looks like UTF-16 text"),
        Case("empty file", "empty.csv", b"", reg, "is empty"),
        Case("header only", "header.csv", b"a,b,y\n", reg, "has a header line but no data rows"),
        Case("one row", "one.csv", _csv(lines[:2]), reg, "has 1 data row(s); the lab needs at least 20"),
        Case("duplicate column names", "dup.csv", _csv(["a,a,y"] + [f"{i},{i},{i}" for i in range(30)]), reg,
             "duplicate column names ('a')"),
        Case("formula cells as the only feature", "formula.csv",
             _csv(["cmd,y"] + [f"=cmd|' /C calc'!A{i},{i}" for i in range(30)]), reg,
             "no usable numeric feature column besides the target (not numeric: 'cmd')"),
        Case("NaN target", "nan.csv", _csv(lines[:5] + ["1,2,NaN"] + lines[5:] + ["3,4,"]), reg,
             "has 2 missing (NaN or empty) value(s), the first on data row 5"),
        Case("inf target", "inf.csv", _csv(lines + ["1,2,inf"]), reg,
             "has 1 infinite value(s), the first on data row 41"),
        Case("single class", "single.csv", _csv(["a,y"] + [f"{i},ok" for i in range(30)]), cls,
             "is constant (ok in every row): there is nothing to predict"),
        Case("single class left after missing features", "single2.csv",
             _csv(["a,y"] + [f"{i},ok" for i in range(30)] + [",bad"]), cls, "has a single class in the usable rows"),
        Case("constant target", "const.csv", _csv(["a,y"] + [f"{i},4.5" for i in range(30)]), reg,
             "is constant (4.5 in every row)"),
        Case("empty target", "emptyy.csv", _csv(["a,y"] + [f"{i}," for i in range(30)]), reg,
             "The target column 'y' is empty"),
        Case("all-text columns", "text.csv", _csv(["colour,shape,y"] + [f"c{i % 4},s{i % 3},k{i % 2}"
                                                                          for i in range(30)]), cls,
             "no usable numeric feature column"),
        Case("mixed-type target", "mixed.csv", _csv(lines + ["1,2,n/a?"]), reg, "'y' mixes numbers and text"),
        Case("10,000 columns", "wide.csv", _csv([",".join(f"c{i}" for i in range(10_000))] * 3), reg,
             "has 10,000 columns; the limit is 200"),
        Case("Parquet bomb (highly compressible column)", "bomb.parquet",
             _parquet(pa.table({"a": np.arange(1_000_000, dtype=np.int64) % 2, "y": np.zeros(1_000_000)}),
                      use_dictionary=False, compression="zstd"), reg,
             "once decompressed; the limit is 4.0 MB (4× the upload cap), so it was refused before reading"),
        Case("Parquet bomb in the page headers (footer edited to look small)", "paged.parquet", _paged_bomb(), reg,
             "has page headers declaring 12.0 MB once decompressed (its footer says 1,000 bytes); the limit is 4.0 MB"),
        Case("Parquet footer declaring too many rows", "rows.parquet",
             _parquet(pa.table({"y": np.zeros(MAX_ROWS + 1, dtype=np.int8)})), reg,
             f"declares {MAX_ROWS + 1:,} rows; the limit is {MAX_ROWS:,}"),
        Case("text renamed .parquet", "fake.parquet", _csv(lines), reg, "is not a Parquet file"),
        Case(".npz with an object array (pickle)", "pickle.npz",
             _npz(X=np.ones((30, 2)), y=np.array([{"p": i} for i in range(30)], dtype=object)), reg,
             "holds Python objects (a pickle); the lab never unpickles"),
        Case(".npz zip bomb member", "bomb.npz", _zip_bomb_npz(), reg, "once decompressed; the limit is 4.0 MB"),
        Case(".npz member with a lying header", "lying.npz", _lying_npy(), reg, "declares shape (1000000000,)"),
        Case("truncated .npz", "cut.npz", _npz(X=np.ones((30, 2)), y=np.arange(30.0))[:200], reg,
             "could not be read as a NumPy .npz archive"),
        Case("CSV with NUL bytes", "nul.csv", _csv(lines[:10]) + b"1,2\x00,3\n" + _csv(lines[10:]), reg,
             "contains NUL bytes (the first on line 11)"),
        Case("extremely long line", "long.csv", _csv(lines[:5] + ["1,2," + "9" * (MAX_LINE_BYTES + 10)]), reg,
             f"is {MAX_LINE_BYTES + 14:,} bytes long; the limit is {MAX_LINE_BYTES:,} bytes per line"),
        Case("ragged rows", "ragged.csv", _csv(lines[:8] + ["1,2,3,4"] + lines[8:]), reg,
             "Line 9 of ragged.csv has 4 fields where the header has 3"),
        Case("target column that does not exist", "notarget.csv", _csv(lines), Roles("price", "regression"),
             "There is no column 'price' in notarget.csv; its columns are 'a', 'b', 'y'"),
        Case("binary task with 3 classes", "three.csv", _csv(lines), Roles("y", "binary"),
             "has 3 classes; binary needs exactly 2"),
        Case("a continuous target as classes", "many.csv", _csv(["a,y"] + [f"{i},{i * 1.7}" for i in range(80)]),
             cls, "has 80 distinct values; the lab handles up to 50 classes"),
        Case("an .xlsx workbook", "book.xlsx", _zip(), reg, "is not .csv, .parquet or .npz"),
        Case("time column that is not time", "when.csv",
             _csv(["when,a,y"] + [f"{'soon' if i == 3 else f'2024-01-01 00:00:{i:02d}'},{i},{i % 5}"
                                  for i in range(30)]), Roles("y", "regression", time="when"),
             "The time column 'when' has text that does not read as a date or time (data row 4)"),
        Case("group column with a hole", "group.csv", _csv(["g,a,y"] + [f"{'' if i == 6 else i % 4},{i},{i % 5}"
                                                                         for i in range(30)]),
             Roles("y", "regression", group="g"),
             "The group column 'g' has 1 missing value(s), the first on data row 7"),
    ]
    return c
