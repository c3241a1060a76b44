"""The exported notebook runs in a real kernel (nbclient, ``python3`` from ipykernel) and prints the page's numbers."""

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from neuralab.app import export
from tests.app.test_export_run import SRC, expected, same_numbers


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


@pytest.mark.parametrize("path", ["/splits", "/training-loop"])
def test_the_notebook_runs_and_prints_what_the_page_shows(path, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")]))
    got = export.build(path, "?seed=2")
    nb = nbformat.reads(got.notebook(), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
                      if o.output_type == "stream")
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "display_data"]
    assert shown and all("application/vnd.plotly.v1+json" in o.data or "text/html" in o.data for o in shown)
    module = __import__(export.BY_PATH[path].module, fromlist=["SECTIONS"])
    lines = [line for s in export.sections(module) for line in expected(s, got.values)]
    assert lines
    for line in lines:
        assert same_numbers(line, printed), f"{path}: the page shows\n{line}\nthe notebook printed\n{printed}"
    assert any(p.suffix == ".html" for p in Path(tmp_path, f"{got.name}-figures").iterdir())
