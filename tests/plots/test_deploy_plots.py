"""Deploy figures: the stage measurements, drawn and described."""

import plotly.graph_objects as go
import pytest

from neuralab.compress import deployment
from neuralab.plots import deploy as figures


@pytest.fixture(scope="module")
def s():
    return deployment.run(15, 200)


def test_stages_figure_has_size_accuracy_and_each_engine(s):
    f = figures.stages_figure(s)
    go.Figure(f.to_dict())
    size, acc, *lat = f.data
    assert list(size.y) == [st.size_bytes for st in s.stages]
    assert list(acc.x) == ["teacher", "distilled", "pruned", "int8"]
    assert {t.name for t in lat} == set(figures.ENGINES)
    torch_bar = next(t for t in lat if t.name == "torch fp32")
    assert list(torch_bar.x) == ["teacher", "distilled", "pruned"]


def test_captions_and_table_quote_the_numbers(s):
    text = figures.describe_stages(s)
    assert f"{s.stages[0].size_bytes:,}" in text and f"{s.stages[-1].accuracy:.1%}" in text
    rows = figures.stage_rows(s)
    assert len(rows) == 4 and rows[0][3] == "1.0×"
    assert "ONNX Runtime agrees" in figures.describe_checks(s)
    if not s.c_error:
        assert "matches the Python integer reference on all 3,600" in figures.describe_checks(s)


def test_c_excerpt_skips_the_tables_and_keeps_the_code():
    src = "\n".join([f"// header {i}" for i in range(12)] + ["static const int8_t W0[] = {1, 2};"] * 500
                    + ["static int8_t buf0[64];", "void nl_infer(void) {", "}"])
    out = figures.c_excerpt(src)
    assert out.startswith("// header 0") and "... (tables) ..." in out
    assert "W0" not in out and "static int8_t buf0[64];" in out and "void nl_infer" in out
