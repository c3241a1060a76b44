"""The export of a page working on the learner's own dataset (``?dataset=user:ID``): the script and the notebook
print the numbers the page's callbacks show for that state; the script's note says how to register the file on
another machine (the command it gives, run there, prints the id that makes the script work); a script whose id
is not in the machine's catalogue stops with that note, not a traceback.

The subprocess and the kernel share the test's ``NEURALAB_DATA_DIR`` (a temporary catalogue), as a script run on
the machine that serves the lab shares its catalogue.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbclient import NotebookClient

from neuralab.app import export
from neuralab.data import user
from tests.app.test_export_run import SRC, expected, same_numbers

OWNER = "me" + "A" * 20


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


@pytest.fixture
def bench(tmp_path, monkeypatch):
    """A bench log registered in a temporary catalogue: its ``user:<id>`` value."""
    monkeypatch.setenv("NEURALAB_DATA_DIR", str(tmp_path / "user-data"))
    rng = np.random.default_rng(0)
    n = 400
    df = pd.DataFrame({"t": np.arange(n) * 0.01, "cycle": np.repeat(np.arange(8), n // 8),
                       "current": rng.normal(size=n), "speed": rng.normal(size=n)})
    df["state"] = np.where(df.current + 0.3 * df.speed + 0.5 * rng.normal(size=n) > 0, "hot", "ok")
    (tmp_path / "bench log.csv").write_text(df.to_csv(index=False))
    id_ = user.catalogue().add(tmp_path / "bench log.csv", "bench log.csv",
                               user.Roles(target="state", task="binary", time="t", group="cycle"), owner=OWNER,
                               name="Bench log")
    return user.USER_PREFIX + id_


def _run(source: str, tmp_path: Path, *args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess:
    path = tmp_path / "page.py"
    path.write_text(source)
    env = {**os.environ, "PYTHONPATH": SRC, **({"NEURALAB_DATA_DIR": str(data_dir)} if data_dir else {})}
    return subprocess.run([sys.executable, str(path), "--out", str(tmp_path / "figures"), *args], env=env,
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)


def _takes_data(section) -> bool:
    return "dataset" in section.spec.fields


@pytest.mark.parametrize("path", ["/splits", "/fitting"])
def test_the_script_prints_the_numbers_the_page_shows_for_a_user_dataset(path, bench, tmp_path):
    got = export.build(path, f"?dataset={bench}")
    assert got.values["dataset"] == bench and parse_qs(urlsplit(got.url).query)["dataset"] == [bench]
    module = __import__(got.page.module, fromlist=["SECTIONS"])
    ran = [s for s in export.sections(module) if _takes_data(s)]
    assert ran
    done = _run(got.script(), tmp_path, *[a for s in ran for a in ("--section", s.key)])
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for s in ran for line in expected(s, got.values)]
    assert "Bench log" in "\n".join(lines)  # the page worked on the user table, not a built-in
    for line in lines:
        assert same_numbers(line, done.stdout), f"{path}: the page shows\n{line}\nthe script printed\n{done.stdout}"


def test_the_notebook_prints_the_numbers_the_page_shows_for_a_user_dataset(bench, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]))
    got = export.build("/splits", f"?dataset={bench}&seed=2")
    nb = nbformat.reads(got.notebook(), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                      if o.output_type == "stream")
    module = __import__(got.page.module, fromlist=["SECTIONS"])
    lines = [line for s in export.sections(module) for line in expected(s, got.values)]
    assert "Bench log" in "\n".join(lines)
    for line in lines:
        assert same_numbers(line, printed), f"the page shows\n{line}\nthe notebook printed\n{printed}"


def test_the_note_says_how_to_run_the_script_on_another_machine(bench, tmp_path):
    got = export.build("/splits", f"?dataset={bench}")
    source = got.script()
    note = got.datasets[bench]
    command = re.search(r"`(neuralab data add [^`]*)`", note).group(1)
    assert command == ("neuralab data add 'bench log.csv' --target state --task binary --time t --group cycle "
                       "--name 'Bench log'")
    assert "it prints `added <id>: ...`" in note and f"in place of {bench} in VALUES" in note
    assert "USER_DATA = {" in source and "need(USER_DATA)" in source

    # Another machine: an empty catalogue. The script stops with the note, not a traceback.
    other = tmp_path / "other-machine"
    done = _run(source, tmp_path, "--section", "split", data_dir=other)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert " ".join(done.stderr.split()) == f"{bench} is not in this machine's catalogue ({other}). {note}"

    # The note's command, run there beside the copied file, prints the id; with it the script prints what the
    # page shows.
    words = shlex.split(command)
    cli = subprocess.run([sys.executable, "-m", "neuralab", *words[1:]], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "PYTHONPATH": SRC, "NEURALAB_DATA_DIR": str(other)})
    assert cli.returncode == 0, cli.stderr
    new = re.match(r"added ([A-Za-z0-9_-]{16}): 'Bench log'", cli.stdout).group(1)
    assert new != bench.removeprefix(user.USER_PREFIX)
    done = _run(source.replace(bench, user.USER_PREFIX + new), tmp_path, "--section", "split", data_dir=other)
    assert done.returncode == 0, done.stderr[-3000:]
    for line in expected(__import__(got.page.module, fromlist=["SIZES"]).SIZES, got.values):
        assert same_numbers(line, done.stdout), f"the page shows\n{line}\nthe script printed\n{done.stdout}"


def test_an_unknown_id_gets_a_generic_note_and_the_script_stops_with_it(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURALAB_DATA_DIR", str(tmp_path / "empty"))
    gone = user.USER_PREFIX + "x" * 16
    got = export.build("/splits", f"?dataset={gone}")
    assert "`neuralab data add FILE --target COLUMN" in got.datasets[gone]
    done = _run(got.script(), tmp_path, "--light")
    assert done.returncode != 0 and "Traceback" not in done.stderr and got.datasets[gone] in " ".join(
        done.stderr.split())
