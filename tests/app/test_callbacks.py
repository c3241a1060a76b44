"""Page callbacks called as plain functions: right figures for good input, sentences for bad."""

import plotly.graph_objects as go
import pytest

from neuralab.app.pages import reference, splits
from neuralab.app.registry import PAGES
from neuralab.app.shell import render
from tests.app import tree


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


def test_split_callback_counts_add_up():
    sizes, sizes_text, blurb, alert = splits.update_sizes("cancer", 70, 15, 0)
    shares, shares_text = splits.update_shares("cancer", 70, 15, 0)
    assert isinstance(sizes, go.Figure) and isinstance(shares, go.Figure)
    assert "stratifying keeps it within" in shares_text
    counts = [bar.x[0] for bar in sizes.data]
    assert sum(counts) == 569 and counts[0] == 397  # sklearn rounds test and val sizes up
    assert "397 train" in sizes_text and alert == ""
    assert "569 tumours" in blurb


def test_split_callback_moves_with_the_slider():
    """One more percent to training comes out of the test set: 18 of the 1,797 digits move."""
    a = splits.update_sizes("digits", 60, 20, 0)[1]
    b = splits.update_sizes("digits", 61, 20, 0)[1]
    assert "1,077 train, 360 validate and 360 test" in a
    assert "1,095 train, 360 validate and 342 test" in b


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("cancer", 90, 15, 0), "at least 5% for the test set"),
        (("cancer", "70; DROP", 15, 0), "train_pct must be a whole number"),
        (("cancer", None, 15, 0), "train_pct must be a whole number"),
        (("imagenet", 70, 15, 0), "dataset must be one of"),
        (("cancer", 70, 15, -1), "seed must be between 0 and 9999"),
    ],
)
def test_split_callback_bad_input_is_a_sentence(args, fragment):
    out = splits.update_sizes(*args)
    assert fragment in out[-1]
    assert isinstance(out[0], go.Figure)
    shares, shares_text = splits.update_shares(*args)
    assert fragment in shares_text


def _cv(**kw):
    return splits.CV_SECTION.view(dict(dataset="cancer", scheme="group", copies=1, k=5, model="ridge", seed=0) | kw)


def _leak(**kw):
    base = dict(dataset="cancer", leak_step="select", noise=500, labels="shuffled", k=5, model="ridge", seed=0)
    return splits.LEAK_SECTION.view(base | kw)


def test_cv_callback():
    fig, summary, notes, alert = _cv()
    assert "Group k-fold with 5 folds" in summary and alert == ""
    assert len(fig.data) == 3  # class strip, fold map, score bars
    assert len(notes) >= 1  # the scheme's lesson, then any notes on the run
    fig, summary, notes, alert = _cv(k=50)
    assert "k must be between 2 and 10" in alert and notes == []


def test_leak_callback():
    fig, summary, alert = _leak()
    assert "the leak inflates the score" in summary and alert == ""
    _, _, alert = _leak(noise=10**9)
    assert "noise must be between 0 and 1000" in alert


def test_heavy_views_report_progress():
    seen = []
    splits.CV_SECTION.view(dict(dataset="wine", scheme="kfold", copies=0, k=4, model="ridge", seed=0),
                           progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4)]
    seen.clear()
    splits.LEAK_SECTION.view(dict(dataset="wine", leak_step="scale", noise=0, labels="real", k=3, model="ridge",
                                  seed=0), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 3), (1, 3), (2, 3)]


def test_string_values_from_a_request_are_coerced_before_use():
    bar = []
    fig, summary, notes, alert = splits.update_cv(bar.append, "wine", "group", "2", "3", "ridge", "0")
    assert bar == [("0", "3"), ("1", "3"), ("2", "3")]  # the progress bar, as the page's job reports it
    assert alert == "" and "Group k-fold with 3 folds" in summary


def test_reference_callback():
    assert "Data splits and leakage" in tree.text(reference.show("splits"))
    assert "topic must be one of" in tree.text(reference.show("../../etc/passwd"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.path)
def test_every_path_renders(page):
    text = tree.text(render(page.path, ""))
    assert page.title in text
    if page.module is None:
        assert "not built yet" in text


def test_home_and_unknown_paths():
    assert "neuralab" in tree.text(render("/", ""))
    assert "No such page" in tree.text(render("/nope", ""))




def test_url_state_reaches_the_controls_and_bad_values_are_reported():
    layout = render("/splits", "?train_pct=80&val_pct=10&dataset=wine")
    assert tree.find(layout, "splits-train_pct").value == 80
    assert tree.find(layout, "splits-dataset").value == "wine"
    text = tree.text(render("/splits", "?train_pct=abc"))
    assert "train_pct must be a whole number" in text and "using the default" in text


def test_a_log_slider_from_a_link_sits_on_its_grid():
    """A link carries lr to six digits; log10 of it must land back on the slider's step."""
    from neuralab.app.controls import _slider
    from neuralab.params import Float

    f = Float(1e-4, 1.0, 0.01, step=0.05, log=True, label="lr")
    assert _slider("x", f, float(f"{10 ** -1.35:.6g}"), False).value == -1.35
    assert _slider("x", f, 0.03, False).value == pytest.approx(-1.5229, abs=1e-4)  # off the grid: kept
