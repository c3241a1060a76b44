"""/gan's figures: valid plotly, the modes drawn covered or not, the markers at the snapshot, captions with numbers."""

import plotly.graph_objects as go
import pytest

from neuralab.plots import gan as figures
from neuralab.train import gan
from neuralab.train.gan import GAN


@pytest.fixture(scope="module")
def run():
    return gan.train(**{**GAN.defaults(), "rounds": 200})


@pytest.fixture(scope="module")
def playground_run():
    return gan.train(**{**GAN.defaults(), "target": "spiral", "rounds": 200})


def test_every_figure_is_valid_plotly(run, playground_run):
    for r in (run, playground_run):
        for k in (0, len(r.snapshots) - 1):
            for build in (figures.samples_figure, figures.losses_figure, figures.coverage_figure):
                go.Figure(build(r, k).to_dict())
    go.Figure(figures.curves_figure(gan.curves(0.3)).to_dict())


def test_the_samples_show_the_snapshot_and_circle_each_mode(run):
    k = 3
    fig = figures.samples_figure(run, k)
    heat, data, fake = fig.data
    assert list(fake.x) == pytest.approx(run.snapshots[k].fake[:, 0], abs=0.006)
    assert len(heat.z) == gan.GRID and len(fig.layout.shapes) == 8
    solid = sum(s.line.dash == "solid" for s in fig.layout.shapes)
    assert solid == run.snapshots[k].cover.n_covered


def test_the_playground_samples_have_no_mode_circles(playground_run):
    assert len(figures.samples_figure(playground_run, 0).layout.shapes) == 0
    within = f"within {gan.RADIUS:g}"  # the radius the coverage used, said wherever the shares are shown
    assert f"of the data points have a generated point {within}" in figures.describe_samples(playground_run, 0)
    assert within in figures.describe_coverage(playground_run, 0)
    assert all(within in t.name for t in figures.coverage_figure(playground_run, 0).data)


def test_the_markers_follow_the_snapshot(run):
    k = 5
    at = run.snapshots[k].round
    assert {s.x0 for s in figures.losses_figure(run, k).layout.shapes if s.type == "line" and s.xref in ("x", "x2")} \
        == {at}
    assert figures.coverage_figure(run, k).layout.shapes[0].x0 == at
    assert figures.snapshot_note(run, k) == f"after round {at} of 200"
    assert f"In round {at}:" in figures.describe_losses(run, k)


def test_the_loss_curves_are_binned_means(run):
    fig = figures.losses_figure(run, 0)
    assert len(fig.data[0].x) == 200 and fig.data[0].y[10] == pytest.approx(run.d_loss[10], abs=1e-4)
    x, y = figures._binned(run.d_loss.repeat(7))  # 1,400 rounds into bins of 5
    assert len(x) == 280 and y[0] == pytest.approx(run.d_loss[:5].repeat(7)[:5].mean(), abs=1e-4)


def test_the_curves_caption_compares_the_two_gradients():
    text = figures.describe_curves(gan.curves(0.1))
    assert "−0.100" in text.replace("-", "−") and "9 times as strong with the non-saturating loss" in text
    assert "as strong with the saturating loss" in figures.describe_curves(gan.curves(0.9))


def test_equal_gradients_are_said_plainly_and_the_loss_caption_names_the_loss(run):
    assert "the same push from both losses" in figures.describe_curves(gan.curves(0.5))
    assert "G's non-saturating loss" in figures.describe_losses(run, 3)
    assert figures.curves_figure(gan.curves(0.5)).layout.yaxis.title.text == "generator loss (nats)"
