"""Figures of the rolled and unrolled RNN, built from a tiny fake result (no training)."""

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.nn import rnn_teaching as rt
from neuralab.plots import recurrent_unroll as fig
from neuralab.train.unroll import Unrolled, window


def fake_unrolled(H: int = 4, n: int = 3, T: int = 30) -> Unrolled:
    """A random RNN run over random cycles: every field of Unrolled filled, in milliseconds."""
    rng = np.random.default_rng(0)
    net = rt.random_net(3, H, 1, seed=0, scale=1.5)
    x = rng.normal(size=(n, T, 3))
    f = rt.forward(net, x)
    true = rng.normal(60, 10, size=(n, T))
    target = (true[..., None] - 20) / 100
    return Unrolled(net=net, radius=float(np.abs(np.linalg.eigvals(net.W_hh)).max()), test_rmse_k=3.0,
                    cycles=np.array([4, 9, 11][:n]), x_raw=x * [10, 500, 5] + [20, 1500, 30], x=x, h=f.h,
                    pred_c=f.y[..., 0] * 100 + 20, true_c=true,
                    check_every=rt.check(net, x, target), check_last=rt.check(net, x, target, last_only=True),
                    dt_s=10)


@pytest.fixture(scope="module")
def u():
    return fake_unrolled()


def _valid(f):
    assert isinstance(f, go.Figure)
    go.Figure(f.to_dict())  # plotly's own validation of what figure() built unvalidated


def test_rolled_shows_the_three_real_matrices_and_the_radius(u):
    f = fig.rolled_figure(u)
    _valid(f)
    heat = [t for t in f.data if t.type == "heatmap"]
    assert len(heat) == 3
    np.testing.assert_allclose(np.array(heat[1].z), u.net.W_hh)
    np.testing.assert_allclose(np.array(heat[0].z), u.net.W_xh)
    np.testing.assert_allclose(np.array(heat[2].z), u.net.W_hy.T)
    assert any(f"ρ = {u.radius:.2f}" in a.text for a in f.layout.annotations)
    assert f"{u.radius:.2f}" in fig.describe_rolled(u)


@pytest.mark.parametrize("T", [1, 5, 17, 25])
def test_unrolled_columns_are_the_window_steps(u, T):
    w = window(2, 3, T, data=u)
    f = fig.unrolled_figure(w)
    _valid(f)
    x_heat, h_heat, true, est, x_text, h_text = f.data
    assert list(h_heat.x) == list(range(3, 3 + T))
    np.testing.assert_allclose(np.array(h_heat.z), u.h[1, 3:3 + T].T)
    np.testing.assert_allclose(est.y, u.pred_c[1, 3:3 + T])
    np.testing.assert_allclose(true.y, u.true_c[1, 3:3 + T])
    assert np.array(x_heat.z).shape == (3, T)
    assert (len(h_text.text) == T * u.width) == (T <= fig.TEXT_UP_TO)  # written while the cells are wide enough
    assert (len(x_text.text) == 3 * T) == (T <= fig.TEXT_UP_TO) and x_text.yaxis == "y3"
    # the recurrence is drawn as T − 1 arrows of the one W_hh when the window is short
    arrows = [a for a in f.layout.annotations if a.text == "→"]
    assert len(arrows) == (T - 1 if T <= fig.ARROWS_UP_TO else 0)


def test_a_window_past_the_end_moves_back_and_says_so(u):
    w = window(1, 28, 10, data=u)
    assert (w.start, w.steps) == (20, 10)
    assert "moved back from step 28" in fig.describe_unrolled(w)
    assert "Steps 3–7" in fig.describe_unrolled(window(1, 3, 5, data=u))


def test_cycle_figure_shades_the_window(u):
    w = window(3, 5, 7, data=u)
    f = fig.cycle_figure(w)
    _valid(f)
    assert f.layout.shapes[0].x0 == 4.5 and f.layout.shapes[0].x1 == 11.5
    assert "test cycle 3" in fig.describe_cycle(w).lower()


def test_check_rows_cover_every_gradient_and_are_tiny(u):
    rows = fig.check_rows(u)
    assert len(rows) == 4 + len(rt.WEIGHTS)
    assert all(float(r[1]) < 1e-9 and float(r[2]) < 1e-9 for r in rows)
    assert "at most" in fig.describe_check(u) and "float32 rounding" in fig.describe_check(u)
