"""User data: reading, describing, preparing, and the catalogue (persistence, owners, atomic writes)."""

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from neuralab.data import user as u

OWNER, OTHER = "owner-aaaaaaaaaaaaaaaa", "owner-bbbbbbbbbbbbbbbb"


def _frame(n=300, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame({
        "when": pd.date_range("2024-01-01", periods=n, freq="s").astype(str),
        "a": a, "b": b,
        "note": ["=cmd|' /C calc'!A0", "+1", "-x", "@SUM(A1)"] + ["plain"] * (n - 4),
        "cycle": np.repeat(np.arange(10), n // 10),
        "label": (a + 0.5 * rng.normal(size=n) > 0).astype(int),
    })


def _csv(df=None) -> bytes:
    return (_frame() if df is None else df).to_csv(index=False).encode()


def test_preview_describes_columns_and_guesses_roles():
    p = u.read_preview(_csv(), "log.csv")
    kinds = {c.name: c.kind for c in p.columns}
    assert kinds == {"when": "datetime", "a": "number", "b": "number", "note": "category", "cycle": "integer",
                     "label": "integer"}
    assert p.n_rows == 300 and len(p.head) == 10
    assert p.suggested == u.Roles(target="label", task="binary", time="when", group="cycle")
    assert all(isinstance(v, str) for row in p.head for v in row.values())


def test_formula_cells_are_escaped_in_the_preview_and_never_evaluated():
    p = u.read_preview(_csv(), "log.csv")
    notes = [row["note"] for row in p.head[:4]]
    assert notes == ["'=cmd|' /C calc'!A0", "'+1", "'-x", "'@SUM(A1)"]
    assert p.head[4]["note"] == "plain"
    assert not p.head[0]["a"].startswith("'")  # numbers are not text cells, a minus sign stays
    assert u.escape_cell(-1.5) == "-1.5" and u.escape_cell("=1+1") == "'=1+1"


def test_utf8_bom_is_accepted_and_a_semicolon_separator_noted():
    data = b"\xef\xbb\xbf" + _frame().to_csv(index=False, sep=";").encode()
    p = u.read_preview(data, "log.csv")
    assert p.columns[0].name == "when"
    assert any("separated by ';'" in n for n in p.notes)


def test_mixed_types_are_reported_and_the_column_is_not_a_feature(tmp_path):
    df = _frame()
    df["a"] = df["a"].astype(object)
    df.loc[5, "a"] = "n/a?"
    p = u.read_preview(_csv(df), "log.csv")
    assert any("'a' mixes numbers (299 cells) and text (1 cells, e.g. 'n/a?')" in n for n in p.notes)
    t = u.load_table(_write(tmp_path / "m.csv", _csv(df)), target="label")
    assert t.feature_names == ("b", "cycle")


def test_load_table_equals_the_catalogue_table(tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(_csv())
    roles = u.Roles(target="label", task="binary", time="when", group="cycle")
    t1 = u.load_table(path, target="label", task="binary", time="when", group="cycle")
    cat = u.Catalogue(tmp_path / "cat")
    id_ = cat.add(path, "log.csv", roles, owner=OWNER)
    t2 = cat.table(id_)
    assert t2.id == id_ and t1.id == ""
    for a, b in ((t1.X, t2.X), (t1.y, t2.y), (t1.time, t2.time), (t1.groups, t2.groups)):
        np.testing.assert_array_equal(a, b)
    assert t1.feature_names == t2.feature_names == ("a", "b")
    assert t1.class_names == ("0", "1") and t1.task == "binary"
    assert not t1.X.flags.writeable and not t1.y.flags.writeable
    assert np.all(np.diff(t1.time) >= 0) and t1.time[0] == 0.0 and t1.time[1] == 1.0
    assert "Non-numeric column 'note' not used as features." in t1.notes


def test_module_level_load_table_is_the_same_function():
    import neuralab.data

    assert neuralab.data.load_table is u.load_table


def test_rows_are_ordered_by_a_numeric_time_column(tmp_path):
    df = _frame().drop(columns=["when"])
    df["t"] = np.arange(len(df))[::-1] * 0.01
    path = tmp_path / "rev.csv"
    path.write_bytes(_csv(df))
    t = u.load_table(path, target="label", time="t")
    assert np.all(np.diff(t.time) > 0)
    np.testing.assert_allclose(t.X[:, 0], df["a"].to_numpy()[::-1])


def test_sampling_is_seeded_stratified_and_noted(tmp_path):
    df = _frame(n=2000)
    path = tmp_path / "big.csv"
    path.write_bytes(_csv(df))
    t = u.load_table(path, target="label", max_rows=500, seed=3)
    t_again = u.load_table(path, target="label", max_rows=500, seed=3)
    full = u.load_table(path, target="label", max_rows=None)
    assert t.sampled and t.n_rows == 500 and t.n_rows_total == 2000 and not full.sampled
    np.testing.assert_array_equal(t.X, t_again.X)
    assert abs(t.y.mean() - full.y.mean()) < 0.01
    assert any("Sampled 500 of 2,000 rows (seed 3, stratified by class)" in n for n in t.notes)


def test_regression_arrays_and_quartile_dataset(tmp_path):
    df = _frame()
    df["speed"] = df["a"] * 3 + df["b"]
    path = tmp_path / "r.csv"
    path.write_bytes(_csv(df))
    t = u.load_table(path, target="speed", features=("a", "b"))
    assert t.task == "regression" and t.y.dtype == np.float64 and t.class_names == ()
    arr = t.arrays(seed=1)
    assert arr.task == "regression" and arr.n_features == 2
    assert len(arr.y_train) + len(arr.y_val) + len(arr.y_test) == 300
    ds = t.as_dataset()
    assert ds.class_names == ("Q1", "Q2", "Q3", "Q4") and "quantile classes" in ds.title
    assert np.bincount(ds.y).tolist() == [75, 75, 75, 75]


def test_dropped_columns_and_rows_are_noted(tmp_path):
    df = _frame()
    df["flat"] = 1.0
    df["hole"] = np.nan
    df.loc[[3, 7], "b"] = np.nan
    path = tmp_path / "d.csv"
    path.write_bytes(_csv(df))
    t = u.load_table(path, target="label")
    assert t.feature_names == ("a", "b", "cycle")
    assert any("'flat' (constant)" in n and "'hole' (empty)" in n for n in t.notes)
    assert "2 row(s) with a missing or infinite feature value were left out." in t.notes
    assert t.n_rows == 298


def test_parquet_and_npz_read_the_same_values(tmp_path):
    df = _frame().drop(columns=["when", "note", "cycle"])
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), buf)
    t_pq = u.load_table(_write(tmp_path / "x.parquet", buf.getvalue()), target="label")
    buf = io.BytesIO()
    np.savez(buf, X=df[["a", "b"]].to_numpy(), label=df["label"].to_numpy(),
             feature_names=np.array(["a", "b"]))
    t_npz = u.load_table(_write(tmp_path / "x.npz", buf.getvalue()), target="label")
    np.testing.assert_array_equal(t_pq.X, t_npz.X)
    np.testing.assert_array_equal(t_pq.y, t_npz.y)
    assert t_npz.feature_names == ("a", "b")


def _write(path, data):
    path.write_bytes(data)
    return path


def test_the_size_cap_is_checked_before_reading(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_UPLOAD_MB", "1")
    path = _write(tmp_path / "big.csv", b"a,b\n" + b"1,2\n" * 300_000)
    opened = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    with pytest.raises(u.UploadError, match=r"is 1\.2 MB; the limit is 1 MB \(NEURALAB_UPLOAD_MB\)"):
        u.read_preview(path, "big.csv")
    assert not opened  # refused from the stat alone


def test_catalogue_survives_a_restart_and_scopes_owners(tmp_path):
    roles = u.Roles(target="label", task="binary")
    cat = u.Catalogue(tmp_path)
    id_ = cat.add(_csv(), "log.csv", roles, owner=OWNER, name="My log")
    again = u.Catalogue(tmp_path)
    [e] = again.entries(OWNER)
    assert (e.id, e.name, e.filename, e.n_rows, e.roles) == (id_, "My log", "log.csv", 300, roles)
    assert e.columns == ("when", "a", "b", "note", "cycle", "label") and e.bytes == len(_csv())
    assert (tmp_path / f"{e.sha256}.parquet").exists()
    assert again.entries(OTHER) == []
    np.testing.assert_array_equal(again.table(id_).X, cat.table(id_).X)


def test_entries_are_newest_first_and_identical_content_is_stored_once(tmp_path):
    cat = u.Catalogue(tmp_path)
    roles = u.Roles(target="label", task="binary")
    first = cat.add(_csv(), "a.csv", roles, owner=OWNER)
    second = cat.add(_csv(), "b.csv", roles, owner=OWNER)
    assert [e.id for e in cat.entries(OWNER)] == [second, first]
    assert len(list(tmp_path.glob("*.parquet"))) == 1
    cat.delete(first, owner=OWNER)
    assert len(list(tmp_path.glob("*.parquet"))) == 1  # still used by the second entry
    cat.delete(second, owner=OWNER)
    assert list(tmp_path.glob("*.parquet")) == [] and cat.entries(OWNER) == []
    with pytest.raises(u.UploadError, match="No dataset .* deleted, or the link is wrong"):
        cat.table(second)


def test_only_the_owner_deletes_and_a_share_is_a_copy_of_the_entry(tmp_path):
    cat = u.Catalogue(tmp_path)
    id_ = cat.add(_csv(), "a.csv", u.Roles(target="label", task="binary"), owner=OWNER)
    with pytest.raises(u.UploadError, match="belongs to another browser"):
        cat.delete(id_, owner=OTHER)
    mine = cat.share(id_, owner=OTHER)
    assert mine != id_ and cat.share(id_, owner=OTHER) == mine and cat.share(id_, owner=OWNER) == id_
    assert [e.shared_from for e in cat.entries(OTHER)] == [id_]
    cat.delete(id_, owner=OWNER)
    assert len(list(tmp_path.glob("*.parquet"))) == 1  # the visitor's entry still refers to it
    assert cat.table(mine).n_rows == 300


def test_a_failure_while_storing_leaves_nothing(tmp_path, monkeypatch):
    cat = u.Catalogue(tmp_path)

    def broken(self, row):
        raise OSError("disk full")

    monkeypatch.setattr(u.Catalogue, "_insert", broken)
    with pytest.raises(OSError, match="disk full"):
        cat.add(_csv(), "a.csv", u.Roles(target="label", task="binary"), owner=OWNER)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("catalogue.sqlite")) == []


def test_a_failure_while_writing_parquet_leaves_nothing(tmp_path, monkeypatch):
    cat = u.Catalogue(tmp_path)

    def half(table, where, **kw):
        with open(where, "wb") as fh:
            fh.write(b"PAR1 half a file")
        raise OSError("killed")

    monkeypatch.setattr(pq, "write_table", half)
    with pytest.raises(OSError, match="killed"):
        cat.add(_csv(), "a.csv", u.Roles(target="label", task="binary"), owner=OWNER)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("catalogue.sqlite")) == []
    assert cat.entries(OWNER) == []


def test_table_is_cached_per_id_rows_and_seed(tmp_path):
    cat = u.Catalogue(tmp_path)
    id_ = cat.add(_csv(), "a.csv", u.Roles(target="label", task="binary"), owner=OWNER)
    assert cat.table(id_) is cat.table(id_)
    assert cat.table(id_, seed=1) is not cat.table(id_)
    assert cat.table(id_, max_rows=None) is cat.table(id_, max_rows=None)
    assert u._sampled_table.cache_info().maxsize == 16 and u._large_table.cache_info().maxsize == 2
    assert u._large_table.cache_info().currsize >= 1


def test_owner_and_id_shapes_are_checked(tmp_path):
    cat = u.Catalogue(tmp_path)
    with pytest.raises(u.UploadError, match="owner token"):
        cat.entries("short")
    with pytest.raises(u.UploadError, match="a dataset id is 16 letters"):
        cat.entry("../../etc/passwd")
    assert u.is_user("user:" + "a" * 16) and not u.is_user("user:../../etc") and not u.is_user("cancer")


def test_default_catalogue_lives_in_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_DATA_DIR", str(tmp_path / "dd"))
    assert u.catalogue().root == tmp_path / "dd" and (tmp_path / "dd" / "catalogue.sqlite").exists()
    assert u.catalogue() is u.catalogue()


def test_adding_right_after_the_preview_parses_once(tmp_path, monkeypatch):
    calls = []
    real = u._parse
    monkeypatch.setattr(u, "_parse", lambda *a: calls.append(a[1]) or real(*a))
    data = _csv()
    p = u.read_preview(data, "log.csv")
    u.Catalogue(tmp_path).add(data, "log.csv", p.suggested, owner=OWNER)
    assert calls == ["log.csv"]
    u.Catalogue(tmp_path).add(data, "other.csv", p.suggested, owner=OWNER)
    assert calls == ["log.csv", "other.csv"]


def test_a_browser_filename_is_cleaned_before_it_reaches_a_sentence():
    with pytest.raises(u.UploadError) as err:
        u.read_preview(b"\x89PNG\r\n\x1a\n", "../../etc/\x1b[31mevil.csv")
    assert str(err.value) == "The file [31mevil.csv is a PNG image, not CSV text."
    assert u.clean_filename("C:\\Users\\me\\log.csv") == "log.csv"


def test_too_many_lines_are_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(u, "MAX_ROWS", 100)
    parsed = []
    monkeypatch.setattr("pyarrow.csv.read_csv", lambda *a, **k: parsed.append(1))
    with pytest.raises(u.UploadError, match="has more than 100 lines; the limit is 100 rows"):
        u.read_preview(b"a,y\n" + b"1,2\n" * 200, "many.csv")
    assert parsed == []


def test_bad_max_rows_gets_a_sentence(tmp_path):
    path = _write(tmp_path / "log.csv", _csv())
    with pytest.raises(u.UploadError, match="max_rows must be None or a whole number of at least 20; got 0"):
        u.load_table(path, target="label", max_rows=0)


def test_long_text_cells_are_cut_in_the_preview():
    df = _frame()
    df.loc[0, "note"] = "x" * 5000
    assert u.read_preview(_csv(df), "log.csv").head[0]["note"] == "x" * 199 + "…"


def test_a_parquet_bomb_is_refused_from_its_footer_before_any_row_group_is_read(monkeypatch):
    monkeypatch.setenv("NEURALAB_UPLOAD_MB", "1")
    buf = io.BytesIO()
    pq.write_table(pa.table({"y": np.zeros(1_000_000)}), buf, use_dictionary=False, compression="zstd")
    reads = []
    monkeypatch.setattr(pq.ParquetFile, "read", lambda self, *a, **k: reads.append(1))
    monkeypatch.setattr(pq.ParquetFile, "read_row_group", lambda self, *a, **k: reads.append(1))
    with pytest.raises(u.UploadError, match="declares 8.0 MB once decompressed; the limit is 4.0 MB"):
        u.read_preview(buf.getvalue(), "bomb.parquet")
    assert reads == []


def test_a_time_named_column_is_suggested_as_time_not_as_target():
    buf = io.BytesIO()
    rng = np.random.default_rng(0)
    np.savez(buf, speed=rng.normal(size=50), label=np.array(["fast", "slow"])[rng.integers(0, 2, 50)],
             t=np.arange(50) * 0.01)
    p = u.read_preview(buf.getvalue(), "run.npz")
    assert p.suggested == u.Roles(target="speed", task="regression", time="t")
    assert {c.name: c.kind for c in p.columns}["label"] == "category"


def test_ids_never_start_with_a_dash(monkeypatch):
    draws = iter(["-aaaaaaaaaaaaaaa", "_bbbbbbbbbbbbbbb"])
    monkeypatch.setattr(u.secrets, "token_urlsafe", lambda n: next(draws))
    assert u.new_id() == "_bbbbbbbbbbbbbbb"


def test_the_file_and_its_row_are_stored_under_the_cross_process_lock(tmp_path, monkeypatch):
    import fcntl

    cat = u.Catalogue(tmp_path)
    held = []
    real = u.Catalogue._insert

    def insert(self, row):
        with open(tmp_path / "catalogue.sqlite.lock", "a+b") as fh:  # another open file: as another process would
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held.append(False)
                fcntl.flock(fh, fcntl.LOCK_UN)
            except BlockingIOError:
                held.append(True)
        assert (tmp_path / f"{row[8]}.parquet").exists()  # the file is in place before its row
        real(self, row)

    monkeypatch.setattr(u.Catalogue, "_insert", insert)
    cat.add(_csv(), "a.csv", u.Roles(target="label", task="binary"), owner=OWNER)
    assert held == [True]


def test_a_mixed_target_is_refused_for_regression_and_read_as_labels_for_classes(tmp_path):
    df = _frame()
    df["grade"] = np.where(df["a"] > 0, "1", "x")
    path = _write(tmp_path / "g.csv", _csv(df))
    with pytest.raises(u.UploadError, match="'grade' mixes numbers and text; clean it, or choose the task binary"):
        u.load_table(path, target="grade", task="regression")
    t = u.load_table(path, target="grade", task="binary")
    assert t.class_names == ("1", "x") and t.y.tolist() == (df["a"] <= 0).astype(int).tolist()



def test_arrays_split_a_log_in_time_order_and_groups_whole(tmp_path):
    """A time column: the earliest rows train, the latest are tested; a group column: no group in two parts."""
    from neuralab.data.arrays import _split, prepare

    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame({"t": rng.permutation(n) * 0.01, "a": rng.normal(size=n), "cycle": np.repeat(np.arange(10), 30)})
    df["y"] = df["a"] * 2 + df["t"]
    path = tmp_path / "log.csv"
    path.write_bytes(_csv(df))
    timed = u.load_table(path, target="y", time="t", features=("a",))
    assert timed.split == "time"
    arr = timed.arrays(seed=4)
    assert (len(arr.y_train), len(arr.y_val), len(arr.y_test)) == (180, 60, 60)
    mu, sd = timed.y[:180].mean(), timed.y[:180].std()  # rows are in time order: the test part is the last 60
    np.testing.assert_allclose(arr.y_test, ((timed.y[-60:] - mu) / sd).astype(np.float32), rtol=1e-5)
    assert np.all(np.diff(timed.time) >= 0)
    grouped = u.load_table(path, target="y", group="cycle", features=("a",))
    assert grouped.split == "groups" and grouped.arrays(seed=4).n_features == 1
    g = grouped.groups
    tr, va, te = _split(n, None, 0.2, 0.2, 4, False, g)
    assert not (set(g[tr]) & set(g[va]) or set(g[tr]) & set(g[te]) or set(g[va]) & set(g[te]))
    assert len(tr) + len(va) + len(te) == n
    assert u.load_table(path, target="y", features=("a",)).split == "shuffled"
    with pytest.raises(ValueError, match="ordered and groups"):
        prepare(timed.X, timed.y, task="regression", ordered=True, groups=g)
    with pytest.raises(ValueError, match="too few to split whole groups"):
        prepare(timed.X, timed.y, task="regression", groups=np.arange(n) % 2)
