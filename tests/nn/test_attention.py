"""The hand-written attention against torch's, and the model's symmetry with and without positions."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from neuralab.nn.attention import TinyTransformer, by_hand, causal_mask, sinusoidal


def _layer(d=12, heads=3, seed=0):
    torch.manual_seed(seed)
    attn = torch.nn.MultiheadAttention(d, heads, batch_first=True)
    with torch.no_grad():  # non-zero biases, so a bias handled wrongly would show
        attn.in_proj_bias.normal_()
        attn.out_proj.bias.normal_()
    return attn.eval()


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize(("d", "heads"), [(12, 3), (8, 1), (32, 2)])
def test_by_hand_equals_multihead_attention(d, heads, causal):
    attn = _layer(d, heads)
    h = torch.randn(7, d, generator=torch.Generator().manual_seed(1))
    mask = causal_mask(7) if causal else None
    r = by_hand(attn, h, mask)
    with torch.no_grad():
        out, w = attn(h[None], h[None], h[None], attn_mask=mask, need_weights=True, average_attn_weights=False)
    torch.testing.assert_close(r.weights, w[0].double(), rtol=0, atol=1e-6)
    torch.testing.assert_close(r.out, out[0].double(), rtol=0, atol=1e-5)
    assert r.q.shape == (heads, 7, d // heads) and r.scores.shape == (heads, 7, 7)
    torch.testing.assert_close(r.weights.sum(-1), torch.ones(heads, 7, dtype=torch.float64))


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("scaled", [True, False])
def test_by_hand_equals_scaled_dot_product_attention_with_the_scale_on_and_off(scaled, causal):
    attn = _layer(16, 2)
    h = torch.randn(6, 16, generator=torch.Generator().manual_seed(2))
    r = by_hand(attn, h, causal_mask(6) if causal else None, scaled=scaled)
    q, k, v = (t[None] for t in (r.q, r.k, r.v))
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=causal, scale=None if scaled else 1.0)[0]
    torch.testing.assert_close(r.heads, ref, rtol=0, atol=1e-12)
    # the scores themselves: Q·Kᵀ, divided by √d_k only when scaled
    raw = r.q @ r.k.transpose(1, 2)
    expect = raw / math.sqrt(8) if scaled else raw
    if causal:
        expect = expect + causal_mask(6).double()
    torch.testing.assert_close(r.scores, expect)


def test_the_causal_mask_zeroes_every_later_key():
    r = by_hand(_layer(), torch.randn(5, 12), causal_mask(5))
    upper = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
    assert (r.weights[:, upper] == 0).all() and (r.weights[:, ~upper] > 0).all()


def test_sinusoidal_follows_its_formula():
    pe = sinusoidal(9, 6)
    for t in range(9):
        for i in range(3):
            assert pe[t, 2 * i] == pytest.approx(math.sin(t / 10000 ** (2 * i / 6)), abs=1e-6)
            assert pe[t, 2 * i + 1] == pytest.approx(math.cos(t / 10000 ** (2 * i / 6)), abs=1e-6)


def test_without_positions_the_model_is_permutation_equivariant_and_with_them_it_is_not():
    x = torch.tensor([[3, 1, 4, 1, 5, 9, 2, 6]])
    perm = torch.tensor([7, 2, 5, 0, 1, 3, 6, 4])
    with torch.no_grad():
        plain = TinyTransformer(10, 8, 16, 2, positions=False).eval()
        np.testing.assert_allclose(plain(x[:, perm])[0].numpy(), plain(x)[0, perm].numpy(), atol=1e-5)
        placed = TinyTransformer(10, 8, 16, 2, positions=True).eval()
        assert not np.allclose(placed(x[:, perm])[0].numpy(), placed(x)[0, perm].numpy(), atol=1e-3)


def test_run_keeps_each_layers_input_and_weights_and_the_seed_fixes_the_weights():
    m = TinyTransformer(10, 8, 16, 4, layers=2, causal=True, seed=3).eval()
    with torch.no_grad():
        inside = m.run(torch.zeros(2, 8, dtype=torch.long))
    assert inside.logits.shape == (2, 8, 10) and len(inside.inputs) == 2
    assert inside.weights[1].shape == (2, 4, 8, 8)
    same = TinyTransformer(10, 8, 16, 4, layers=2, causal=True, seed=3)
    assert all(torch.equal(a, b) for a, b in zip(m.state_dict().values(), same.state_dict().values(), strict=True))
    with pytest.raises(ValueError, match="multiple of heads"):
        TinyTransformer(10, 8, 10, 4)
