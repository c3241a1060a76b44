"""The attention entry: its torch claims checked against torch, its numbers recomputed, its place in /reference."""

import inspect
from importlib import resources

import pytest
import torch
import torch.nn.functional as F

from neuralab.app.pages import reference
from tests.app import tree


def entry() -> str:
    return resources.files("neuralab.content").joinpath("attention.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("heads", [1, 2, 4, 8])
def test_the_parameter_count_does_not_depend_on_the_heads(heads):
    n = sum(p.numel() for p in torch.nn.MultiheadAttention(32, heads, device="meta").parameters())
    assert n == 4 * 32 * 32 + 4 * 32 and f"{n} parameters" in entry()


def test_boolean_masks_mean_opposite_things_in_the_two_entry_points():
    torch.manual_seed(0)
    m = torch.nn.MultiheadAttention(8, 2, batch_first=True).eval()
    x = torch.randn(1, 4, 8)
    later = torch.triu(torch.ones(4, 4, dtype=torch.bool), 1)
    with torch.no_grad():
        _, w = m(x, x, x, attn_mask=later)
    assert torch.all(w[0][later] == 0)  # MultiheadAttention: True = may not attend
    q = torch.randn(1, 1, 4, 4)
    sdpa = F.scaled_dot_product_attention(q, q, q, attn_mask=~later)  # SDPA: True = may attend
    torch.testing.assert_close(sdpa, F.scaled_dot_product_attention(q, q, q, is_causal=True))
    assert "a `True` entry means *may not attend*" in entry() and "a `True` entry means *may attend*" in entry()


def test_a_fully_masked_row_gives_what_the_entry_says():
    torch.manual_seed(1)
    m = torch.nn.MultiheadAttention(8, 2, batch_first=True).eval()
    x = torch.randn(1, 4, 8)
    mask = torch.zeros(4, 4, dtype=torch.bool)
    mask[2] = True
    with torch.no_grad():
        out, w = m(x, x, x, attn_mask=mask)
        quiet, none = m(x, x, x, attn_mask=mask, need_weights=False)
    assert torch.isnan(out[0, 2]).all() and torch.isnan(w[0, 2]).all()
    assert none is None and torch.isnan(quiet[0, 2]).all()  # not asking for the weights does not avoid it
    q = torch.randn(1, 1, 4, 4)
    got = F.scaled_dot_product_attention(q, q, q, attn_mask=~mask)
    assert torch.all(got[0, 0, 2] == 0)
    text = entry()
    assert f"torch {torch.__version__.split('+')[0].rsplit('.', 1)[0]}" in text
    assert "whether or not the weights are asked for" in text and "returns zeros" in text


def test_left_padding_under_a_causal_mask_spreads_nan_through_the_next_layer():
    torch.manual_seed(2)
    first, second = (torch.nn.MultiheadAttention(8, 2, batch_first=True).eval() for _ in range(2))
    x = torch.randn(1, 4, 8)
    causal = torch.triu(torch.ones(4, 4, dtype=torch.bool), 1)
    left, right = torch.tensor([[True, False, False, False]]), torch.tensor([[False, False, False, True]])
    with torch.no_grad():
        alone, _ = first(x, x, x, key_padding_mask=left, need_weights=False)
        h, _ = first(x, x, x, attn_mask=causal, key_padding_mask=left, need_weights=False)
        out, _ = second(h, h, h, attn_mask=causal, key_padding_mask=left, need_weights=False)
        h_r, _ = first(x, x, x, attn_mask=causal, key_padding_mask=right, need_weights=False)
        out_r, _ = second(h_r, h_r, h_r, attn_mask=causal, key_padding_mask=right, need_weights=False)
    assert not torch.isnan(alone).any()  # a padding mask alone leaves the padding query the real keys
    assert torch.isnan(h[0, 0]).all() and not torch.isnan(h[0, 1:]).any()  # one empty row in the first layer
    assert torch.isnan(out).all()  # masked as a key, it still poisons every row: 0 · NaN = NaN
    assert not torch.isnan(out_r).any()  # padding on the right: no empty row
    text = entry()
    assert "**left** padding combined with a causal mask" in text and "0 · NaN is NaN" in text
    assert "pad on the right" in text


def test_multiheadattention_returns_its_weights_unless_told_not_to():
    assert inspect.signature(torch.nn.MultiheadAttention.forward).parameters["need_weights"].default is True
    assert "`need_weights=True`" in entry() and "`need_weights=False` in production" in entry()


def test_the_unscaled_spread_is_root_dk():
    g = torch.Generator().manual_seed(0)
    q, k = torch.randn(20000, 64, generator=g), torch.randn(20000, 64, generator=g)
    assert float((q * k).sum(1).std()) == pytest.approx(8.0, rel=0.03)
    assert "head of width 64 have a standard deviation of 8" in entry()


def test_every_attribution_has_its_year():
    text = entry()
    for who in ("Vaswani et al., 2017", "Haviv et al., 2022", "Jain and Wallace, 2019", "Xiong et al., 2020"):
        assert who in text, who


def test_the_entry_sits_after_recurrent_and_renders():
    topics = list(reference.TOPICS)
    assert topics[topics.index("gan") + 1] == "attention"  # the sidebar order
    text = tree.text(reference.show("attention"))
    assert "Scaled dot-product attention" in text and "Open the live page: Attention" in text
