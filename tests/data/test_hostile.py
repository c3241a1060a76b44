"""Every hostile file is refused with its sentence, and nothing is left in the catalogue's directory or table."""

import io

import pytest

from neuralab.data import user as u
from tests.data import hostile

OWNER = "hostile-owner-0000000"


@pytest.fixture(autouse=True)
def _small_cap(monkeypatch):
    monkeypatch.setenv("NEURALAB_UPLOAD_MB", str(hostile.CAP_MB))


def test_the_corpus_is_large_enough():
    cases = hostile.cases()
    assert len(cases) >= 22 and len({c.name for c in cases}) == len(cases)


@pytest.mark.parametrize("case", hostile.cases(), ids=lambda c: c.name)
def test_refused_with_its_sentence_and_nothing_stored(case, tmp_path):
    cat = u.Catalogue(tmp_path)
    with pytest.raises(u.UploadError) as err:
        cat.add(case.data, case.filename, case.roles, owner=OWNER)
    sentence = str(err.value)
    assert case.phrase in sentence
    assert "\n" not in sentence and "Traceback" not in sentence and len(sentence) < 400
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("catalogue.sqlite")) == []
    assert cat.entries(OWNER) == [] and cat._query("SELECT count(*) FROM entries") == [(0,)]


@pytest.mark.parametrize("case", hostile.cases(), ids=lambda c: c.name)
def test_the_same_file_from_a_path(case, tmp_path):
    path = tmp_path / case.filename
    path.write_bytes(case.data)
    r = case.roles
    with pytest.raises(u.UploadError) as err:
        u.load_table(path, target=r.target, task=r.task, time=r.time, group=r.group)
    assert case.phrase in str(err.value)


def test_a_page_header_bomb_is_refused_before_a_page_is_read(monkeypatch, tmp_path):
    import pyarrow.parquet as pq

    (case,) = [c for c in hostile.cases() if c.filename == "paged.parquet"]
    md = pq.ParquetFile(io.BytesIO(case.data)).metadata
    assert md.row_group(0).column(0).total_uncompressed_size == 1_000  # the footer alone passes its check
    assert u._page_bytes(case.data, md) == 12_000_000 + 600  # the pages' own word: 1,500,000 int64 and levels

    def never(*_a, **_k):
        raise AssertionError("read before refusing")

    monkeypatch.setattr(pq.ParquetFile, "read", never)
    with pytest.raises(u.UploadError, match="page headers declaring 12.0 MB"):
        u.Catalogue(tmp_path).add(case.data, case.filename, case.roles, owner=OWNER)


def test_page_headers_of_ordinary_files_add_up_to_at_most_the_footer():
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    table = pa.table({"a": rng.normal(size=50_000), "b": rng.integers(0, 5, 50_000), "c": ["x", "yy"] * 25_000})
    for kw in ({}, {"compression": "snappy"}, {"use_dictionary": False, "data_page_size": 4_096},
               {"row_group_size": 7_000, "compression": "gzip"}):
        buf = io.BytesIO()
        pq.write_table(table, buf, **kw)
        md = pq.ParquetFile(io.BytesIO(buf.getvalue())).metadata
        footer = sum(md.row_group(i).column(j).total_uncompressed_size
                     for i in range(md.num_row_groups) for j in range(md.num_columns))
        assert 0.9 * footer < u._page_bytes(buf.getvalue(), md) <= footer, kw


@pytest.mark.parametrize("header", [
    bytes([0x15, 0x00, 0x15, 0x02, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]),  # a 2 GiB binary field in 10 bytes
    bytes([0x15, 0x00, 0x15, 0x02, 0x19, 0xF5, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]),  # a list of 2**31 - 1 i32
    bytes([0x1C]) * 200,  # structs nested 200 deep
    bytes([0x15, 0x00, 0x15, 0x02, 0x1D, 0x00]),  # a type code Thrift does not have
    bytes([0x15, 0x00, 0x14, 0x02, 0x15, 0x02, 0x00]),  # the uncompressed size as an i16, not Parquet's i32
], ids=["huge-binary", "huge-list", "deep", "unknown-type", "wrong-type"])
def test_a_crafted_page_header_is_refused_as_malformed(header, tmp_path):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table({"x": np.arange(1_000.0), "y": np.arange(1_000) % 2}), buf, compression="none")
    data = buf.getvalue()
    c = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0).column(0)
    start = min(c.data_page_offset, c.dictionary_page_offset or c.data_page_offset)
    data = data[:start] + header + data[start + len(header):]
    with pytest.raises(u.UploadError, match="a page header in column chunk 0 of row group 0 is malformed"):
        u.Catalogue(tmp_path).add(data, "crafted.parquet", u.Roles(target="y", task="binary"), owner=OWNER)
    assert not [p for p in tmp_path.iterdir() if not p.name.startswith("catalogue.sqlite")]
