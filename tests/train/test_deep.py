"""/deep-networks' runs: what the page claims, measured on small versions (a few seconds)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neuralab.params import ParamError
from neuralab.train import deep


def test_batch_norm_holds_the_plain_forward_pass_but_its_gradient_explodes_toward_the_input():
    r = deep.at_init(50, "batch", 1.0, 0)
    plain, res = r.plain.grad_norm, r.residual.grad_norm
    assert plain[0] / plain[-1] > 100  # orders of magnitude between block 1 and block 50
    assert res[0] / res[-1] < 30
    assert 0.5 < r.plain.act_std[-1] < 2  # the forward signal stays at the weight scale (1 here)
    assert r.plain.signal_grad[0] / r.plain.signal_grad[-1] > 100  # the backward signal explodes as well
    assert r.plain.loss == pytest.approx(math.log(10), abs=0.2) and r.residual.loss == pytest.approx(math.log(10),
                                                                                                      abs=0.2)


def test_without_normalization_the_residual_stream_doubles_its_variance_per_block():
    r = deep.at_init(20, "none", 1.0, 0)
    growth = math.log10(r.residual.act_std[-1] / r.residual.input_std)
    assert growth == pytest.approx(20 * math.log10(2) / 2, abs=0.6)  # 2^20 in variance: 3 decades in std
    assert r.residual.loss > 50 > r.plain.loss


def test_a_small_start_trains_the_residual_network_and_starves_the_plain_one():
    plain = deep.run(20, False, "none", 0.2, "momentum", 5, 0)
    res = deep.run(20, True, "none", 0.2, "momentum", 5, 0)
    assert plain.test_acc < 0.2 and not plain.trains  # 0.2 per block over 20: 14 decades, nothing arrives
    assert res.test_acc > deep.TRAINS and res.trains
    assert np.nanmax(plain.grad_norm[:, 0]) < 1e-8 < np.nanmin(res.grad_norm[:, 0])
    init = deep.at_init(20, "none", 0.2, 0)  # the run's epoch 0 is the light section's probe: same weights
    assert np.allclose(res.grad_norm[0], init.residual.grad_norm) and res.train_loss[0] == pytest.approx(
        init.residual.loss)
    assert res.train_loss[-1] < res.train_loss[0] / 5
    assert deep.run.kept(20, True, "none", 0.2, "momentum", 5, 0)  # kept on disk by its settings and seed
    assert np.array_equal(deep.run(20, True, "none", 0.2, "momentum", 5, 0).grad_norm, res.grad_norm)


def test_a_residual_network_without_normalization_at_he_scale_diverges_with_a_sentence():
    r = deep.run(20, True, "none", 1.0, "momentum", 5, 0)
    assert r.diverged and math.isnan(r.test_acc) and not r.trains
    assert "learning rate" in r.diverged


def test_deepest_reads_the_runs():
    def fake(acc):
        return deep.Run(5, False, np.zeros(2), np.zeros(2), np.zeros((2, 5)), acc, "")

    runs = {(5, False): fake(0.9), (20, False): fake(0.85), (50, False): fake(0.2), (5, True): fake(0.5)}
    assert deep.deepest(runs, False) == 20 and deep.deepest(runs, True) is None
    ladder = deep.Ladder("batch", 1.0, "momentum", 5, (5, 20, 50), runs)
    assert deep.deepest(ladder, False) == 20


@pytest.mark.parametrize(("call", "words"), [
    (lambda: deep.at_init(51), "deep_depth must be between 2 and 50 blocks; got 51."),
    (lambda: deep.at_init(norm="group"), "deep_norm must be one of none, batch, layer; got 'group'."),
    (lambda: deep.compare(scale=0.0), "deep_scale must be between 0.1 and 2"),
    (lambda: deep.compare(epochs=7), "deep_epochs must be 5 plus a multiple of 5"),
    (lambda: deep.compare(opt="lbfgs"), "deep_opt must be one of momentum, adam"),
    (lambda: deep.run(5, False, "none", 1.0, "lbfgs", 5, 0), "opt must be one of momentum, adam"),
    (lambda: deep.sweep(depths=(5, 0)), "depths must be whole numbers of blocks between 1 and 200"),
])
def test_bad_values_are_named(call, words):
    with pytest.raises(ParamError, match=words.replace("(", r"\(").replace(".", r"\.")):
        call()


def test_without_normalization_the_weight_gradient_stays_level_while_the_backward_signal_vanishes():
    """The page's claim: ∂L/∂W is the backward signal times the forward one, which drift in opposite directions."""
    r = deep.at_init(20, "none", 0.5, 0)
    w, s = r.plain.grad_norm, r.plain.signal_grad
    assert 0.3 < w[0] / w[-1] < 3  # level: no slope toward block 1
    assert np.all(w < 1e-5)  # but every block's weight gradient is decades below its He value
    he = deep.at_init(20, "none", 1.0, 0).plain.grad_norm
    assert -7 < math.log10(np.median(w) / np.median(he)) < -5  # about 0.5^20: six decades
    assert -6.5 < math.log10(s[0] / s[-1]) < -4.5  # the backward signal: 0.5^19 toward the input


def test_a_deep_plain_stack_collapses_the_digits_onto_one_direction_unless_batch_norm_holds_them_apart():
    none, layer, batch = (deep.at_init(50, n, 1.0, 0) for n in ("none", "layer", "batch"))
    assert abs(none.plain.input_cosine) < 0.01  # standardized pixels: unrelated on average
    for r in (none, layer):
        assert round(float(r.plain.cosine[9]), 2) == 0.96 and round(float(r.plain.cosine[-1]), 2) == 0.99
    assert round(float(batch.plain.cosine[-1]), 2) == 0.41 and round(float(batch.plain.cosine[9]), 1) == 0.3
    assert round(float(layer.residual.cosine[-1]), 2) == 0.49


def test_batch_norms_explosion_does_not_depend_on_the_weight_scale_and_layer_norm_has_none():
    ratios = [deep.at_init(50, "batch", s, 0).plain.grad_norm for s in (0.5, 1.0, 2.0)]
    ratios = [g[0] / g[-1] for g in ratios]
    assert all(4000 < x < 7000 for x in ratios) and max(ratios) / min(ratios) < 1.05
    assert (ratios[1] ** (1 / 49)) == pytest.approx(1.19, abs=0.005)  # per block
    g = deep.at_init(50, "layer", 1.0, 0).plain.grad_norm
    assert round(float(g[0] / g[-1]), 2) == 0.25


def test_over_mini_batches_of_32_the_batch_norm_ratio_is_tens_of_thousands():
    from neuralab.data.arrays import digits
    from neuralab.nn.deep import DeepMLP, probe

    data, rng = digits(deep.SPLIT_SEED), np.random.default_rng(0)
    model = DeepMLP(50, False, "batch", 1.0, width=deep.WIDTH, seed=0)
    ratios = []
    for _ in range(10):
        i = rng.choice(len(data.X_train), deep.BATCH, replace=False)
        g = probe(model, data.X_train[i], data.y_train[i]).grad_norm
        ratios.append(g[0] / g[-1])
    assert 25_000 < min(ratios) and max(ratios) < 65_000  # "30,000 to 60,000"
