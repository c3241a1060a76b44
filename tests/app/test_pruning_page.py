"""/pruning callbacks called as plain functions: figures and text for good input, sentences for bad."""

import re

import plotly.graph_objects as go
import pytest
import torch
from dash import dcc

from neuralab.app.pages import pruning
from neuralab.compress import prune, prune_effects, zoo
from neuralab.params import ParamError
from tests.app import tree

torch.set_num_threads(1)


@pytest.fixture(autouse=True, scope="module")
def _reference_trained():
    """The snapshot answers once the reference MLP (seed 0) is trained, which a background job does on the page."""
    prune_effects.reference("mlp", 0)


def _snap(model, sparsity, method, seed):
    return pruning.SNAPSHOT.view(dict(model=model, sparsity=sparsity, method=method, seed=seed))


def _schedules(model, sparsity, method, seed, progress=lambda done, total: None):
    return pruning.SCHEDULES.view(dict(model=model, sparsity=sparsity, method=method, seed=seed), progress)


def test_layout_has_every_control_and_every_output():
    ids = tree.ids(pruning.layout(pruning.SPEC.defaults(), []))
    for name in pruning.SPEC.fields:
        assert f"pruning-{name}" in ids
    for graph in ("snap", "tuned", "sweep", "sched", "lottery", "foot"):
        assert isinstance(ids[f"pruning-{graph}"], dcc.Graph) and f"pruning-{graph}-summary" in ids
    for heavy in ("tuned", "sweep", "lottery"):
        assert f"pruning-{heavy}-progress" in ids


def test_snapshot_callback_gives_a_figure_and_a_measured_sentence():
    figure, summary, alert = pruning.update_snapshot("mlp", 70, "unstructured", 0, "")
    assert isinstance(figure, go.Figure) and alert == ""
    assert "Removing 70% of single weights" in summary and "before any retraining" in summary
    assert "whole hidden neurons" in _snap("mlp", "50", "structured", "0")[1]


@pytest.mark.parametrize("method", ["structured", "unstructured"])
def test_a_level_that_empties_a_layer_gets_a_sentence_in_every_section(method):
    _, _, alert = _snap("mlp", 100, method, 0)
    assert "leaving it empty" in alert and "95%" in alert
    assert "leaving it empty" in _schedules("mlp", 100, method, 0)[-1]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("mlp", 33, "unstructured", 0), "sparsity must be 0 plus a multiple of 5"),
        (("mlp", "x", "unstructured", 0), "sparsity must be a whole number"),
        (("resnet", 50, "unstructured", 0), "model must be one of"),
        (("mlp", 50, "diagonal", 0), "method must be one of"),
    ],
)
def test_bad_values_become_sentences(args, fragment):
    figure, summary, alert = _snap(*args)
    assert fragment in alert and summary == alert


def test_heavy_views_answer_with_measured_numbers():
    seen = []
    tuned, tuned_text, sched, sched_text, alert, foot, foot_text, foot_alert = _schedules(
        "mlp", 60, "unstructured", 0, progress=lambda d, t: seen.append((d, t)))
    total = prune.FT_EPOCHS + 2 * prune.ROUNDS * prune.ROUND_EPOCHS + 4  # one bar: epochs, then 4 timed versions
    assert {t for _, t in seen} == {total} and seen[-1] == (total, total)
    assert alert == foot_alert == "" and "after 8 epochs of fine-tuning" in tuned_text and "4 rounds" in sched_text
    assert "KiB" in foot_text and isinstance(foot, go.Figure)
    assert re.search(r"dense took [\d.]+ µs for 1 sample and [\d.]+ µs for a batch of 256\. The zeros-in-dense copy "
                     r"does exactly dense's work and came out .*: a gap of that size is noise", foot_text)
    assert re.search(r"Against dense, the compacted net was .* for 1 sample and .* for the batch; CSR was", foot_text)
    assert "model must be one of" in pruning.SWEEP_SECTION.view(dict(model="cnn", seed=0))[-1]
    assert "seed must be" in pruning.LOTTERY_SECTION.view(dict(model="mlp", seed=-1))[-1]


def test_a_network_not_trained_yet_is_left_to_the_jobs_and_the_snapshot_answers_once_they_said_so(monkeypatch):
    """The first use of a network and seed trains it (seconds): the snapshot, a plain request, must not do that."""
    assert not zoo.kept("mlp", 7)
    called = []

    def snapshot(**v):
        called.append(v)
        raise ParamError(["(the snapshot ran)"])

    monkeypatch.setattr(prune_effects, "snapshot", snapshot)
    figure, summary, alert = pruning.update_snapshot("mlp", 50, "unstructured", 7, "")
    assert "being trained" in alert and summary == alert and called == [] and not zoo.kept("mlp", 7)
    # a job trained it on another machine (Celery) and said so: the snapshot goes ahead
    assert pruning.update_snapshot("mlp", 50, "unstructured", 7, "reference|mlp|7")[2] == "(the snapshot ran)"
    assert called == [dict(model="mlp", sparsity=50, method="unstructured", seed=7)]
    # another network or seed's word does not count, nor a crafted marker
    for said in ("reference|mlp|8", "reference|teacher|7", "mlp|7", None, ["reference|mlp|7"], 7):
        assert "being trained" in pruning.update_snapshot("mlp", 50, "unstructured", 7, said)[2]


@pytest.mark.parametrize("section", ["SCHEDULES", "SWEEP_SECTION", "LOTTERY_SECTION"])
def test_every_job_trains_the_reference_network_first_and_tells_the_snapshot(section, monkeypatch):
    from neuralab.app import sections

    trained, said = [], []
    monkeypatch.setattr(prune_effects, "reference", lambda model, seed: trained.append((model, seed)))
    monkeypatch.setattr(sections, "set_props", lambda ident, props: said.append((ident, props)))
    monkeypatch.setattr(prune_effects, {"SCHEDULES": "schedules_and_footprint", "SWEEP_SECTION": "sweep",
                                        "LOTTERY_SECTION": "lottery"}[section], lambda **v: pytest.skip("ran"))
    with pytest.raises(pytest.skip.Exception):
        getattr(pruning, section).view(dict(model="teacher", sparsity=50, method="unstructured", seed=3))
    assert trained == [("teacher", 3)] and said == [("pruning-reference", {"value": "reference|teacher|3"})]
    assert getattr(pruning, section).job and not pruning.SNAPSHOT.job
    assert "pruning-reference" in tree.ids(pruning.layout(pruning.SPEC.defaults(), []))
