"""The reference entry on deep networks: its numbers recomputed with the library the page uses."""

from __future__ import annotations

import math
from importlib import resources

from neuralab.nn.deep import decades, variance_factor
from neuralab.train import deep


def flat() -> str:
    return " ".join(resources.files("neuralab.content").joinpath("deep-networks.md").read_text(
        encoding="utf-8").split())


def test_the_variance_arithmetic():
    text = flat()
    assert round(decades(False, 0.5, 20), 1) == -6.0 and "scale 0.5 over 20 blocks is −6.0 decades" in text
    assert round(decades(False, 0.2, 50)) == -35 and "scale 0.2 over 50 is −35" in text
    assert variance_factor(True, 1.0) ** 50 == 2**50 and "2 per block at He's scale, 2^50 after fifty blocks" in text


def test_the_batch_norm_explosion_it_quotes():
    g = deep.at_init(50, "batch", 1.0, 0).plain.grad_norm
    assert 3000 < g[0] / g[-1] < 8000
    assert "block 1's weight gradient is about 5,000 times block 50's before training" in flat()


def test_the_pre_norm_stream_grows_like_the_square_root_of_depth():
    r = deep.at_init(50, "layer", 1.0, 0)
    assert 0.5 * math.sqrt(50) < r.residual.act_std[-1] < 1.5 * math.sqrt(50)
    assert "its std grows like √L rather than exponentially" in flat()


def test_the_signal_propagation_numbers_it_quotes():
    text = flat()
    none, batch, layer = (deep.at_init(50, n, 1.0, 0) for n in ("none", "batch", "layer"))
    assert round(float(none.plain.cosine[9]), 2) == 0.96 and round(float(none.plain.cosine[-1]), 2) == 0.99
    assert "is 0.96 after 10 blocks here and 0.99 after 50" in text
    assert round(float(batch.plain.cosine[-1]), 2) == 0.41 and "(a cosine of 0.41 after 50 blocks)" in text
    g = layer.plain.grad_norm
    assert round(float(g[0] / g[-1]), 2) == 0.25 and "(a ratio of 0.25 here)" in text
    g = batch.plain.grad_norm
    assert round(float((g[0] / g[-1]) ** (1 / 49)), 2) == 1.19 and "about 1.19 per block" in text
    low = deep.at_init(20, "none", 0.5, 0).plain.grad_norm
    assert 0.3 < low[0] / low[-1] < 3 and "drops as a whole (six decades at scale 0.5 over 20 blocks)" in text


def test_the_residual_growth_at_a_small_start():
    text = flat()
    assert round(variance_factor(True, 0.2) ** 25, 1) == 2.7 and "2.7 times in std over 50 blocks at 0.2" in text
    assert round(variance_factor(True, 0.2) ** 100, -1) == 50 and "about 50 times over 200" in text
