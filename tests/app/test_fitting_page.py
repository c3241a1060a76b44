"""/fitting callbacks called as plain functions: figures and text for good input, sentences for bad."""

import plotly.graph_objects as go
import pytest
from dash import dcc

from neuralab.app.pages import fitting
from tests.app import tree


def test_layout_has_every_control_and_every_output():
    ids = tree.ids(fitting.layout(fitting.SPEC.defaults(), []))
    for name in fitting.SPEC.fields:  # the URL sync reads each of these
        assert f"fitting-{name}" in ids
    for graph in ("fit", "sweep", "bv", "lc", "memorize"):
        assert isinstance(ids[f"fitting-{graph}"], dcc.Graph) and f"fitting-{graph}-summary" in ids
    for heavy in ("bv", "lc", "memorize"):
        assert f"fitting-{heavy}-progress" in ids
    assert "fitting-diagnosis" in ids and "fitting-resample" in ids
    # sliders report on release; the fit callback follows drag_value instead
    assert ids["fitting-degree"].updatemode == "mouseup"


def _fit(degree, n_train, noise, seed):
    return fitting.FIT_SECTION.view(dict(degree=degree, n_train=n_train, noise=noise, seed=seed))


def test_fit_callback_gives_figures_text_and_a_diagnosis():
    fit, fit_text, sweep, sweep_text, diagnosis, alert = _fit(15, 30, 0.3, 0)
    assert isinstance(fit, go.Figure) and isinstance(sweep, go.Figure) and alert == ""
    assert "A degree-15 polynomial fitted to 30 points" in fit_text
    assert "validation MSE is lowest at degree" in sweep_text
    assert "Overfit (high variance)" in tree.text(diagnosis) and "noise floor σ² 0.09" in tree.text(diagnosis)
    assert "Underfit" in tree.text(_fit(1, 30, 0.3, 0)[4])


def test_fit_callback_follows_the_drag_and_falls_back_to_the_value():
    dragged = fitting.update_fit(7, 3, None, 30, None, 0.3, 0)[1]
    settled = fitting.update_fit(None, 3, None, 30, None, 0.3, 0)[1]
    assert "degree-7" in dragged and "degree-3" in settled
    assert "to 45 points" in fitting.update_fit(None, 3, 45, 30, 0.31, 0.3, 0)[1]


def test_string_values_from_a_request_are_coerced():
    assert _fit("4", "30", "0.3", "0")[-1] == ""
    assert fitting.update_fit(None, "4", None, "30", None, "0.3", "0")[-1] == ""


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((3, "30; DROP", 0.3, 0), "n_train must be a whole number"),
        ((3, None, 0.3, 0), "n_train must be a whole number"),
        ((16, 30, 0.3, 0), "degree must be between 1 and 15"),
        ((3, 30, 0, 0), "noise must be between 0.05 and 1"),
        ((3, 30, "NaN", 0), "noise must be a finite number"),
        ((3, 30, 0.3, -1), "seed must be between 0 and 9999"),
    ],
)
def test_fit_callback_bad_input_is_a_sentence(args, fragment):
    out = _fit(*args)
    assert fragment in out[-1] and fragment in out[1]
    assert isinstance(out[0], go.Figure) and isinstance(out[2], go.Figure)
    assert out[4] == []  # no verdict without a fit


def test_new_sample_moves_the_seed_on_and_wraps():
    assert fitting.new_sample(1, 41) == 42
    assert fitting.new_sample(3, "7") == 8
    assert fitting.new_sample(1, 9999) == 0
    assert fitting.new_sample(1, None) == 1  # an emptied box restarts from the default


def test_bias_variance_view():
    seen = []
    bv = fitting.BV_SECTION
    figure, summary, alert = bv.view(dict(n_train=30, noise=0.3, n_sets=100, seed=0),
                                     progress=lambda d, t: seen.append((d, t)))
    assert isinstance(figure, go.Figure) and alert == ""
    assert "Over 100 training sets the measured test MSE is lowest at degree" in summary
    assert seen[0] == (0, 15) and seen[-1] == (14, 15)
    assert "n_sets must be between 20 and 1000" in bv.view(dict(n_train=30, noise=0.3, n_sets=10**7, seed=0))[2]


def test_learning_view():
    seen = []
    lc = fitting.LC_SECTION
    figure, summary, alert = lc.view(dict(degree=3, noise=0.3, seed=0, n_train=30),
                                     progress=lambda d, t: seen.append((d, t)))
    assert isinstance(figure, go.Figure) and alert == "" and "For degree 3" in summary
    assert len(seen) == len(fitting.poly.SIZES)
    assert "n_train must be between 10 and 200" in lc.view(dict(degree=3, noise=0.3, seed=0, n_train=5000))[2]
    assert "degree must be a whole number" in lc.view(dict(degree="x", noise=0.3, seed=0, n_train=30))[2]


def test_memorize_view():
    seen = []
    m = fitting.MEMORIZE_SECTION
    figure, summary, alert = m.view(dict(batch=8, steps=100, bug="softmax", seed=0),
                                    progress=lambda d, t: seen.append((d, t)))
    assert isinstance(figure, go.Figure) and alert == ""
    assert "the healthy network memorizes them" in summary
    assert seen[-1] == (150, 200)
    assert "bug must be one of" in m.view(dict(batch=8, steps=100, bug="<script>", seed=0))[2]
    assert "steps must be between 100 and 1000" in m.view(dict(batch=8, steps=10**9, bug="lr", seed=0))[2]
    bar = []
    assert fitting.update_memorize(bar.append, 8, 100, "softmax", 0)[1] == summary and bar[-1] == ("150", "200")
