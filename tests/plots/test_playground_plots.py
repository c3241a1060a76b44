"""Playground figures: they draw the numbers they are given, plotly accepts them, captions quote them."""

import base64
import io
import math

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from neuralab.plots import playground as figures
from neuralab.plots.format import num


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(0)


def _valid(fig):
    go.Figure(fig.to_dict())  # full plotly validation of what the fast builder produced
    return fig


def test_curves_figure_draws_both_losses_and_metrics_and_hides_non_finite_losses():
    ep = np.arange(5.0)
    loss = np.array([1.0, 0.5, np.nan, np.inf, 0.2])
    fig = _valid(figures.curves_figure(ep, loss, loss * 2, [0.5, 0.6, 0.7, 0.8, 0.9], [0.4] * 5, best_epoch=1))
    names = [t.name for t in fig.data]
    assert names == ["train loss", "test loss", "train accuracy", "test accuracy"]
    y = np.asarray(fig.data[0].y, dtype=float)
    assert np.isnan(y[2]) and np.isnan(y[3]) and y[4] == 0.2  # gaps, not a broken log axis
    assert np.allclose(np.asarray(fig.data[2].y, dtype=float), [50, 60, 70, 80, 90])  # accuracy in %
    assert len(fig.layout.shapes) == 2  # the best epoch marked on both panels


def test_curves_caption_quotes_the_last_values():
    text = figures.describe_curves([0, 1, 2], [1.0, 0.5, 0.25], [1.2, 0.6, 0.3], [0.5, 0.7, 0.9], [0.5, 0.6, 0.85])
    assert "After 2 epochs" in text and "0.25" in text and "0.3" in text and "85.0%" in text
    assert "After 1,520.25 epochs" in figures.describe_curves([1520.25], [1.0], [1.0], [0.5], [0.5])
    assert "press Play" in figures.describe_curves([], [], [], [], [])
    reg = figures.describe_curves([1], [0.1], [0.2], [0.9], [0.75], metric="R²", loss_name="MSE")
    assert "R² 0.75" in reg and "MSE" in reg


def test_regression_curves_clip_r2_at_minus_one():
    fig = _valid(figures.curves_figure([0, 1], [1, 1], [1, 1], [-5.0, 0.5], [-3.0, 0.2], metric="R²"))
    assert np.asarray(fig.data[2].y, dtype=float).min() == -1.0


@pytest.mark.parametrize("task,k", [("binary", 2), ("multiclass", 4), ("regression", 0)])
def test_boundary_figure_puts_the_grid_under_train_and_test_points(rng, task, k):
    grid = rng.random((20, 20)) if task != "multiclass" else rng.integers(0, k, (20, 20))
    X = rng.uniform(-6, 6, (30, 2))
    y = rng.integers(0, max(k, 2), 30) if task != "regression" else rng.normal(size=30)
    fig = _valid(figures.boundary_figure(grid, (-6, 6, -6, 6), X, y, X[:10], y[:10], task=task, n_classes=k))
    assert fig.data[0].type == "heatmap" and np.asarray(fig.data[0].z).shape == (20, 20)
    assert len(fig.data[1].x) == 30 and len(fig.data[2].x) == 10
    assert fig.data[0].dx == pytest.approx(12 / 19)
    if task != "regression":  # each filled point's outline stands out from its own colour (= its class's map colour)
        from neuralab.plots.theme import contrast
        tr = fig.data[1].marker
        assert min(contrast(c, o) for c, o in zip(tr.color, tr.line.color, strict=True)) > 4



def test_neuron_maps_are_tiled_one_row_per_layer_each_scaled_to_its_own_range(rng):
    maps = [rng.normal(size=(3, 8, 8)) * 100, rng.normal(size=(2, 8, 8)) * 0.01]
    fig = _valid(figures.neurons_figure(maps, ["h1", "h2"]))
    z = np.asarray(fig.data[0].z)
    assert z.shape == (2 * 9, 3 * 9) and z.dtype == np.uint8
    # every map uses the whole code range, whatever its scale: 0 (most negative) or 254 (most positive) appears
    first = z[9:17, 0:8]  # layer 1 is drawn at the top (higher rows)
    assert first.min() == 0 or first.max() == figures.GAP_CODE - 1
    assert (z[:, 8] == figures.GAP_CODE).all()  # see-through gap between neurons
    assert (z[0:8, 18:26] == figures.GAP_CODE).all()  # layer 2 (bottom row) has only 2 neurons: third slot empty
    assert list(fig.layout.yaxis.ticktext) == ["h1", "h2"]


def test_neuron_caption_counts_constant_neurons(rng):
    maps = [np.concatenate([rng.normal(size=(2, 4, 4)), np.zeros((1, 4, 4))])]
    text = figures.describe_neurons(maps)
    assert "3 hidden neurons" in text and "1 of them" in text
    assert "No hidden layer" in figures.describe_neurons([])


def test_network_figure_has_a_clickable_marker_per_edge_with_its_weight(rng):
    W = [rng.normal(size=(4, 2)), rng.normal(size=(1, 4))]
    fig = _valid(figures.network_figure(W, ["x", "y"]))
    marks = next(t for t in fig.data if t.name == "weights")
    cd = np.asarray(marks.customdata)
    assert cd.shape == (12, 4)
    # (layer, out, in) are 1-based; the 4th column is the weight itself
    row = cd[(cd[:, 0] == 1) & (cd[:, 1] == 3) & (cd[:, 2] == 2)][0]
    assert row[3] == pytest.approx(W[0][2, 1], rel=1e-3)  # rounded to 4 significant digits
    widths = [t.line.width for t in fig.data if t.mode == "lines"]
    assert len(widths) >= 2 and max(widths) > min(widths)


def test_network_figure_survives_non_finite_weights_and_the_largest_network(rng):
    W = [np.array([[np.nan, 1.0], [np.inf, -2.0]]), np.array([[1.0, 0.5]])]
    _valid(figures.network_figure(W, ["x", "y"]))
    assert "non-finite" not in figures.describe_network(W)
    sizes = [7] + [32] * 8 + [1]
    big = [rng.normal(size=(b, a)) for a, b in zip(sizes[:-1], sizes[1:], strict=False)]
    fig = figures.network_figure(big, list("abcdefg"))
    marks = next(t for t in fig.data if t.name == "weights")
    assert len(marks.x) <= figures.MAX_EDGE_MARKERS


def test_network_caption_gives_the_shape_and_range():
    W = [np.array([[1.0, -3.0]]), np.array([[2.0]])]
    text = figures.describe_network(W, n_params=5)
    assert "2 → 1 → 1" in text and "5 parameters" in text and "-3" in text


def test_health_figure_and_caption():
    fig = _valid(figures.health_figure(["h1", "h2", "out"], [1.0, 0.1, 0.01], [0.25, 0.0, 0.0], [0.0, 0.5, 0.0]))
    assert list(fig.data[1].y) == [25.0, 0.0, 0.0]
    text = figures.describe_health(["h1", "h2", "out"], [1.0, 0.1, 0.01], [0.25, 0.0, 0.0], [0.0, 0.5, 0.0])
    assert "ratio 100" in text and "25%" in text and "50%" in text
    assert text.startswith("Latest batch: gradient norm") and "; on the whole training set: dead units" in text


def test_confusion_figure_shows_counts_and_row_shares():
    m = np.array([[40, 3], [5, 52]])
    fig = _valid(figures.confusion_figure(m, ["0", "1"]))
    z = np.asarray(fig.data[0].z)
    assert z[0, 0] == pytest.approx(40 / 43) and z[1, 0] == pytest.approx(5 / 57)
    text = figures.describe_confusion(m, ["0", "1"])
    assert "92 of 100" in text and "true 1 taken for 0 (5 times)" in text


def test_non_finite_numbers_are_spelled_out():
    assert num(math.nan) == "not a number" and num(math.inf) == "∞" and num(-math.inf) == "−∞"


def test_long_curves_are_thinned_for_drawing_but_keep_both_ends():
    n = 5001
    ep = np.arange(n, dtype=float)
    loss = np.linspace(1, 0.01, n)
    fig = figures.curves_figure(ep, loss, loss, loss, loss)
    x = np.asarray(fig.data[0].x, dtype=float)
    assert len(x) <= figures.MAX_CURVE_POINTS + 1 and x[0] == 0 and x[-1] == n - 1
    assert np.asarray(fig.data[1].y, dtype=float)[-1] == pytest.approx(0.01)


def test_the_streamed_map_is_the_heatmap_in_pixels():
    grid = np.array([[0.0, 0.5], [1.0, 0.25]])  # rows from the bottom of the plane
    rgba = figures._map_colors(grid, "binary", 2)[::-1]  # as drawn: the top row first
    assert tuple(rgba[1, 0]) == (0xE6, 0x9F, 0x00, 255)  # P(blue) = 0 at the bottom left: orange
    assert tuple(rgba[0, 0]) == (0x00, 0x72, 0xB2, 255)  # P(blue) = 1 at the top left: blue
    assert rgba[1, 1, 3] == round(0.12 * 255)  # 0.5: the see-through grey
    up = figures.boundary_update(grid, (-1.0, 1.0, -2.0, 2.0))
    image = up["images"][0]
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (-1.0, 2.0, 2.0, 4.0)
    assert image["source"].startswith("data:image/png;base64,") and up["n"] == 5 and up["hide"] == [0]
    png = Image.open(io.BytesIO(base64.b64decode(image["source"].split(",", 1)[1])))
    assert png.mode == "RGBA" and np.array_equal(np.asarray(png), rgba)  # the picture holds exactly those pixels


def test_the_streamed_curves_keep_their_axes_until_a_curve_outgrows_them():
    e = np.arange(130)
    loss = np.exp(-e / 40.0) * 0.7
    up = figures.curves_update(e, loss, loss * 1.2, 1 - loss, 1 - loss, best_epoch=100)
    assert up["layout"]["xaxis.range"] == [0.0, 200] and up["layout"]["yaxis.range"] == [-2.0, 0.0]
    loss_svg = base64.b64decode(up["images"][0]["source"].split(",")[1]).decode()
    assert loss_svg.count("<path") == 3 and "#009E73" in loss_svg  # two curves and the best epoch
    assert figures._nice_ceil(201) == 500 and figures._nice_ceil(0.3) == 1


def test_the_streamed_network_draws_every_edge_once():
    W = [np.array([[1.0, -2.0], [0.5, 0.0]]), np.array([[3.0, -0.1]])]
    svg = base64.b64decode(figures.network_update(W)["images"][0]["source"].split(",")[1]).decode()
    assert svg.count("M") == 6  # one segment per weight
    fig = figures.network_figure(W, ["x", "y"])
    assert len(fig.data) == figures.network_update(W)["n"]
