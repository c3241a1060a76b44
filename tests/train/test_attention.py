"""The trained transformer opened up, the saturation measurement, and the three variants (tiny budgets)."""

import itertools
import math

import numpy as np
import pytest
import torch

from neuralab.nn.attention import by_hand
from neuralab.params import ParamError
from neuralab.train import attention as lib
from neuralab.train.attention import Recipe

QUICK = Recipe(epochs=1)


@pytest.fixture(scope="module")
def full():
    """The page's own model, trained with its real recipe (a few seconds, once for this module)."""
    return lib.trained("full", 0)


def test_the_real_recipe_learns_to_reverse(full):
    assert full.accuracy > 0.95 and full.losses[-1] < full.losses[0] and lib.kept("full", 0)
    assert full.accuracy_by_position.shape == (lib.RECIPE.steps,)


def test_opened_recomputes_the_layer_by_hand_to_float_tolerance(full):
    o = lib.opened(2, 5, 2)
    assert (o.example, o.token, o.head) == (2, 4, 1) and o.d_k == lib.D_K
    assert max(o.check.values()) < 1e-5, o.check
    np.testing.assert_array_equal(o.target, o.tokens[::-1])
    # without the scale, the same queries and keys give scores √d_k times larger
    torch.testing.assert_close(o.unscaled.scores, o.scaled.scores * math.sqrt(o.d_k))
    assert o.unscaled.weights.max() >= o.scaled.weights.max()
    assert o.maps.shape == (1, lib.RECIPE.heads, 8, 8)
    np.testing.assert_allclose(o.maps[0], o.scaled.weights.numpy(), atol=1e-6)


def test_the_trained_heads_look_at_the_mirror_position(full):
    o = lib.opened(1, 1, 1)
    T = len(o.tokens)
    assert all(int(np.argmax(o.maps[0, h, t])) in (T - 2 - t, T - 1 - t, T - t)
               for h in range(o.maps.shape[1]) for t in range(1, T - 1))


@pytest.mark.parametrize(("values", "fragment"), [({"attn_token": 9}, "attn_token must be between 1 and 8"),
                                                  ({"attn_example": 0}, "attn_example must be between 1 and 40")])
def test_bad_values_are_refused_before_any_work(values, fragment):
    with pytest.raises(ParamError, match=fragment):
        lib.opened(**{**lib.INSIDE.defaults(), **values})


def test_unscaled_copy_computes_attention_without_the_scale():
    m = lib.build("full", 0, QUICK).eval()
    off = lib._unscaled(m)
    with torch.no_grad():
        h = m.run(torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8]])).inputs[0][0]
        got = off.run(torch.tensor([[1, 2, 3, 4, 5, 6, 7, 8]])).weights[0][0]
    torch.testing.assert_close(got.double(), by_hand(m.attn[0], h, scaled=False).weights, rtol=0, atol=1e-6)


def test_saturation_scores_spread_like_root_dk_without_the_scale_and_like_one_with_it():
    s = lib.saturation(64, 16)
    assert s.at(s.std, "on") == pytest.approx(1.0, rel=0.1)
    assert s.at(s.std, "off") == pytest.approx(8.0, rel=0.1)
    assert np.all(np.diff(s.top["off"]) > -0.02) and s.top["off"][-1] > 0.8  # sharpens as d_k grows
    assert np.ptp(s.top["on"]) < 0.05  # the scale keeps it where it is
    assert s.at(s.saturated, "off") > s.at(s.saturated, "on")
    np.testing.assert_allclose(s.example_weights["on"].sum(), 1.0)
    assert s.top["on"][0] == s.top["off"][0]  # d_k = 1: √1 = 1, nothing to scale


def test_the_drawn_scores_match_scores_of_real_vectors():
    """The χ² shortcut in _stats draws q·k with the distribution of real unit-variance vectors' dot products."""
    rng = np.random.default_rng(5)
    q, k = rng.standard_normal((4000, 1, 32)), rng.standard_normal((4000, 8, 32))
    real = (q * k).sum(-1)
    p = np.exp(real - real.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    assert lib._stats(32, 8, 0)["off"]["top"] == pytest.approx(p.max(1).mean(), abs=0.03)
    assert lib._stats(32, 8, 0)["off"]["std"] == pytest.approx(real.std(), rel=0.1)


def test_the_softmax_jacobian_norm_is_the_one_of_diag_p_minus_p_pt():
    st = lib._stats(4, 5, 1)["on"]
    p = st["weights"]
    J = np.diag(p) - np.outer(p, p)
    # the mean over rows includes row 0; check the formula on it directly
    sq = (p ** 2).sum()
    assert np.linalg.norm(J) == pytest.approx(math.sqrt(sq - 2 * (p ** 3).sum() + sq ** 2))


def test_order_compares_the_three_variants_on_a_tiny_budget():
    seen = []
    o = lib.order(1, recipe=QUICK, progress=lambda d, t: seen.append((d, t)))
    assert set(o.models) == set(lib.VARIANTS) and seen[-1] == (3, 3)
    causal = o.models["causal"].accuracy_by_position
    assert causal[:4].mean() < 0.3  # the first half's answers lie in the masked future
    assert o.maps["causal"].shape == (2, 8, 8) and np.all(np.triu(o.maps["causal"][0], 1) == 0)
    assert o.top["off"] >= o.top["on"] and 0 <= o.unscaled_accuracy <= 1
    assert o.ceiling["no_pe"][0] == lib.best_without_positions() and list(o.ceiling) == list(lib.VARIANTS)


@pytest.mark.parametrize(("vocab", "steps"), [(2, 2), (3, 4), (4, 6)])
def test_the_ceiling_without_positions_is_the_mean_largest_count_of_the_other_tokens(vocab, steps):
    others = np.array(list(itertools.product(range(vocab), repeat=steps - 1)))  # every equally likely draw
    largest = np.array([np.bincount(row, minlength=vocab).max() for row in others])
    assert lib.best_without_positions(vocab, steps) == pytest.approx(largest.mean() / (steps - 1), abs=1e-12)


def test_the_best_positionless_guess_on_the_test_set_scores_the_ceiling():
    data = lib.reversal(lib.RECIPE.vocab, lib.RECIPE.steps)
    right = []
    for x, y in zip(data.x_test, data.y_test, strict=True):
        for t in range(len(x)):
            counts = np.bincount(np.delete(x, t), minlength=data.vocab)  # the other tokens, positions unknown
            best = counts == counts.max()
            right.append(best[y[t]] / best.sum())  # the most frequent token, ties broken at random
    assert np.mean(right) == pytest.approx(lib.best_without_positions(), abs=0.02)
    assert lib.best_without_positions() == pytest.approx(0.317, abs=5e-4)
    c = lib.ceilings()
    assert list(c["causal"]) == [0.1] * 4 + [1.0] * 4 and np.all(c["full"] == 1)
    with pytest.raises(ValueError, match="steps must be even"):
        lib.best_without_positions(10, 7)
