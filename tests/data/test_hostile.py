"""Every hostile file is refused with its sentence, and nothing is left in the catalogue's directory or table."""

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
