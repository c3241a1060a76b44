"""/pruning callbacks called as plain functions: figures and text for good input, sentences for bad."""

import plotly.graph_objects as go
import pytest
import torch
from dash import dcc

from neuralab.app.pages import pruning
from neuralab.compress import prune
from tests.app import tree

torch.set_num_threads(1)


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
    figure, summary, alert = pruning.update_snapshot("mlp", 70, "unstructured", 0)
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
    assert "KiB" in foot_text and "µs" in foot_text and isinstance(foot, go.Figure)
    assert "model must be one of" in pruning.SWEEP_SECTION.view(dict(model="cnn", seed=0))[-1]
    assert "seed must be" in pruning.LOTTERY_SECTION.view(dict(model="mlp", seed=-1))[-1]
