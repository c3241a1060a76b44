"""Every page with sections exports a script and a notebook that parse; the script is the page's state as code."""

import ast
import json

import nbformat
import pytest

from neuralab.app import export
from neuralab.app.registry import built
from neuralab.export import text

PAGES = [p for p in built() if export.build(p.path) is not None]


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


def test_the_pages_with_sections_export_and_the_prose_pages_do_not():
    paths = {p.path for p in PAGES}
    # no sections: prose pages, the playground (its own exports) and /data (a form, no computation to export)
    assert {"/cheat-sheet", "/reference", "/playground", "/data"}.isdisjoint(paths)
    assert len(paths) == len(built()) - 4


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_the_default_script_and_notebook_parse(page):
    got = export.build(page.path)
    source = got.script()
    tree = ast.parse(source)
    assert ast.get_docstring(tree).startswith(f"{page.title} ({page.path})")
    for b in got.blocks:  # every section has its function, called from the table main() runs
        assert f"def section_{b.key.replace('-', '_')}(OUT):" in source
    nb = nbformat.reads(got.notebook(), as_version=4)
    nbformat.validate(nb)
    heads = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert page.path in heads[0] and len(heads) == 1 + len(got.blocks)
    for cell in nb.cells:
        if cell.cell_type == "code":
            ast.parse(cell.source)


def test_the_values_of_the_link_reach_the_script_and_nothing_else_does():
    got = export.build("/splits", "?dataset=wine&seed=7&k=3&token=s3cr3t&owner=abc", "http://lab:8050/")
    source = got.script()
    assert "s3cr3t" not in source and "abc" not in source
    assert "'seed': 7" in source and "seed=7" in source and "k=3" in source
    assert "The page's state: http://lab:8050/splits?dataset=wine" in source
    assert "s3cr3t" not in got.notebook()


def test_a_one_call_section_calls_the_library_itself_with_the_values_written_out():
    code = next(b for b in export.build("/learning-rate", "?lr=0.03").blocks if b.key == "curve").code
    assert "from neuralab.train import lr" in code
    assert "result = lr.curve(schedule='cosine', lr=0.03, epochs=100)" in code
    assert "from neuralab.plots.learning_rate import curve_figure, describe_curve" in code
    assert "neuralab.app" not in code


def test_a_page_local_section_goes_through_the_section_object():
    block = next(b for b in export.build("/fitting").blocks if b.key == "lc")
    assert not block.real
    assert "result = compute(LC_SECTION, VALUES)" in block.code
    assert "from neuralab.app.pages.fitting import LC_SECTION" in block.code
    assert "#   def _learning_curves(v: dict[str, Any], progress: Progress)" in block.code  # what the page runs, shown


def test_most_sections_call_the_library_itself():
    blocks = [b for p in PAGES for b in export.build(p.path).blocks]
    assert sum(b.real for b in blocks) >= 0.8 * len(blocks)


def test_a_user_dataset_is_named_with_where_it_is_read_from(monkeypatch):
    got = export.build("/splits")
    e = export.Export(got.page, got.name, got.url, {**got.values, "dataset": "user:abc123"}, got.blocks,
                      {"user:abc123": export.user_data("user:abc123")})
    assert "'user:abc123 is one of your uploaded datasets (the file you uploaded)" in e.script()


def test_text_reads_tables_and_lists_as_lines():
    from dash import html

    table = [html.Caption("Weights"), html.Thead(html.Tr([html.Th("w"), html.Th("Δ")])),
             html.Tbody([html.Tr([html.Td("a"), html.Td("+0.1")])])]
    assert text(table) == "Weights\nw | Δ\na | +0.1"
    assert text(html.Ul([html.Li(["one ", html.Strong("1")]), html.Li("two")])) == "one 1\ntwo"
    assert text(["x ", html.Strong("y"), " z"]) == "x y z"


def test_the_buttons_download_the_files(app):
    script, _ = export.download({"kind": "script", "path": "/splits", "search": "?seed=11"})
    assert script["filename"] == "neuralab_splits.py" and "seed=11" in script["content"]
    _, nb = export.download({"kind": "notebook", "path": "/training-loop", "search": "?seed=2&tick=3"})
    assert nb["filename"] == "neuralab_training_loop.ipynb"
    assert json.loads(nb["content"])["nbformat"] == 4
    from dash import no_update

    assert export.download({"kind": "script", "path": "/reference", "search": ""}) == (no_update, no_update)
    assert export.download({"kind": "script", "path": "/no-such-page"}) == (no_update, no_update)
    assert export.download({"path": ["/splits"]}) == (no_update, no_update)  # a crafted request
    assert export.download("x") == (no_update, no_update)


def test_the_header_of_a_page_with_sections_holds_the_buttons_and_a_prose_page_none(client):
    from neuralab.app import shell
    from tests.app import tree

    assert "export-script-button" in tree.ids(shell.render("/splits", "?seed=3"))
    assert "export-script-button" not in tree.ids(shell.render("/cheat-sheet", ""))


def test_the_playground_downloads_its_run_as_tensorboard_logs(tmp_path):
    import base64
    import io
    import zipfile

    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from neuralab.app.pages import playground, playground_parts
    from tests.app.test_playground_page import _raw

    tab = playground_parts.new_tab()
    playground.rebuild_view(tab, *_raw())
    for _ in range(2):
        playground.act_view("step", tab, None, None, *_raw(pace="1"))
    file, note = playground.download_view("tensorboard", tab, *_raw())
    assert file["filename"].endswith(".zip") and file["filename"] in note
    zipfile.ZipFile(io.BytesIO(base64.b64decode(file["content"]))).extractall(tmp_path)
    acc = EventAccumulator(str(tmp_path / "playground"))
    acc.Reload()
    curves = playground_parts.engine_for(tab, playground._net(playground._validated(_raw())[0])).curves()
    assert [e.step for e in acc.Scalars("loss/test")] == curves.epoch.tolist() == [0, 1, 2]
    assert [e.value for e in acc.Scalars("loss/test")] == pytest.approx(curves.test_loss.tolist(), rel=1e-6)
