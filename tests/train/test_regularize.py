"""Regularization experiments: exact zeros from the proximal step, torch's real dropout masks, AdamW's algebra."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from neuralab import cache
from neuralab.params import ParamError
from neuralab.train import optimizers, regularize
from neuralab.train.loop import Config, fit, prox_l1, weights


@pytest.fixture(scope="module", autouse=True)
def _private_store(tmp_path_factory):
    """Finished runs are stored under the neuralab cache: keep this module's in a directory of its own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEURALAB_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# ----------------------------------------------------------------------------- L1: proximal against subgradient


def test_prox_l1_matches_the_soft_threshold_formula_and_makes_exact_zeros():
    layer = nn.Linear(50, 40)
    before = layer.weight.detach().clone().numpy()
    bias = layer.bias.detach().clone()
    t = 0.05
    prox_l1(nn.Sequential(layer), t)
    after = layer.weight.detach().numpy()
    expected = np.sign(before) * np.maximum(np.abs(before) - t, 0)
    np.testing.assert_allclose(after, expected, atol=1e-7)
    np.testing.assert_allclose(regularize.soft_threshold(before, t), expected)
    small = np.abs(before) <= t
    assert small.sum() > 100 and (after[small] == 0.0).all()  # exact zeros, not merely small
    assert np.allclose(np.abs(after[~small]), np.abs(before[~small]) - t, atol=1e-7)  # the rest shrink by t
    assert torch.equal(layer.bias.detach(), bias)  # biases are not penalized


def test_a_subgradient_step_does_not_land_on_zero():
    rng = np.random.default_rng(0)
    w = rng.normal(0, 0.02, 10_000)
    lr, lam = 0.1, 0.1  # the threshold η·λ = 0.01 covers about a third of these weights
    prox = regularize.soft_threshold(w, lr * lam)
    sub = regularize.subgradient_step(w, np.zeros_like(w), lr, lam)
    assert (prox == 0).sum() > 3000
    assert (sub == 0).sum() == 0  # small weights overshoot to the other side instead
    crossed = np.abs(w) < lr * lam
    assert (np.sign(sub[crossed]) == -np.sign(w[crossed])).all()


def test_l1_paths_prox_settles_at_zero_and_subgradient_rattles():
    paths = regularize.l1_paths(0.5, lr=0.1, w0=1.0, target=0.2, n=40)
    first = int(np.argmax(paths.prox == 0))
    assert first > 0 and (paths.prox[first:] == 0).all()
    tail = paths.subgradient[first:]
    assert (tail != 0).all() and (np.sign(tail[:-1]) != np.sign(tail[1:])).any()
    assert np.abs(tail).max() <= 0.1 * (0.5 + 0.2) + 1e-12  # within one step η·(λ + c·target) of zero


def test_penalty_configs_encode_the_formulas():
    assert regularize.penalty_config("l2", 0.02).l2 == pytest.approx(0.01)  # λ·½‖w‖² as Config's l2·Σw²
    assert regularize.penalty_config("l1", 0.02).l1 == 0.02 and regularize.penalty_config("l1", 0.02).l1_mode == "prox"
    assert regularize.penalty_config("l1_sub", 0.02).l1_mode == "subgradient"
    en = regularize.penalty_config("elastic", 0.02, alpha=0.25)
    assert en.l1 == pytest.approx(0.005) and en.l2 == pytest.approx(0.0075)
    with pytest.raises(ValueError, match="kind must be one of"):
        regularize.penalty_config("l3", 0.02)


def test_training_with_prox_l1_makes_exact_zeros_and_subgradient_l1_does_not():
    prox = regularize.train_penalty("l1", 0.01, seed=0)
    sub = regularize.train_penalty("l1_sub", 0.01, seed=0)
    none = regularize.train_penalty("none", 0.01, seed=0)
    assert prox.n_weights == regularize.N_WEIGHTS
    assert prox.n_zero > 0.5 * prox.n_weights
    assert sub.n_zero < 0.001 * sub.n_weights < 0.3 * sub.n_weights < sub.n_near_zero  # parked near 0, not at it
    assert none.n_zero == 0
    assert prox.acc_gap < none.acc_gap  # the penalty narrows the train/validation gap here
    assert none.train_acc == 1.0 and none.val_acc < 0.95  # the set-up overfits


def test_l2_shrinks_weights_without_zeroing_them():
    none, l2 = regularize.train_penalty("none", 0.03, seed=0), regularize.train_penalty("l2", 0.03, seed=0)
    assert l2.mean_abs < 0.7 * none.mean_abs and l2.n_zero == 0
    assert l2.loss_gap < none.loss_gap


def test_with_adam_the_same_l1_makes_far_fewer_zeros_than_with_sgd():
    data = regularize.training_set(0)
    counts = {}
    for opt, lr in (("sgd", regularize.SGD_LR), ("adam", regularize.ADAM_LR)):
        model = regularize.mlp((64, regularize.WIDTH, 10), seed=0)
        fit(model, data, Config(epochs=regularize.EPOCHS, optimizer=opt, lr=lr, l1=1e-2))
        counts[opt] = int(sum((w == 0).sum() for w in weights(model)))
    assert counts["adam"] * 10 < counts["sgd"]


def test_compare_penalties_histograms_count_every_nonzero_weight():
    cmp = regularize.compare_penalties(0.01, 0.5, 0)
    assert [r.kind for r in cmp.runs] == ["none", "l2", "l1", "elastic", "l1_sub"]
    for run, counts in zip(cmp.runs, cmp.counts, strict=True):
        assert counts.sum() + run.n_zero == run.n_weights
    assert cmp.run("l1").n_zero > cmp.run("elastic").n_zero > cmp.run("l2").n_zero == 0


def test_bad_values_are_refused_with_a_sentence():
    with pytest.raises(ParamError, match="lam must be between"):
        regularize.compare_penalties(1.0)
    with pytest.raises(ParamError, match="p must be between 0 and 0.8"):
        regularize.train_dropout(0.95)
    with pytest.raises(ParamError, match="patience must be between 1 and 30"):
        regularize.early_stopping(0)
    with pytest.raises(ValueError, match="l1_mode must be"):
        fit(regularize.mlp((64, 8, 10)), regularize.training_set(0), Config(epochs=1, l1=0.1, l1_mode="lasso"))


# ----------------------------------------------------------------------------- dropout


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_recorded_dropout_masks_are_torchs_and_drop_about_p(p):
    run = regularize.train_dropout(p, 0)
    assert run.mismatch == 0.0  # output == input · mask · scale, exactly, for every recorded update
    assert run.scale == pytest.approx(1 / (1 - p), rel=1e-6)
    n = run.seen
    assert abs(run.drop_share - p) < 4 * math.sqrt(p * (1 - p) / n)  # within four binomial standard errors
    assert run.masks.shape == (regularize.MASK_STEPS, regularize.MASK_SAMPLES, regularize.WIDTH)
    assert abs((~run.masks).mean() - p) < 0.05
    assert not (run.masks[0] == run.masks[1]).all()  # a new mask every update


def test_the_mask_recorder_leaves_training_unchanged():
    """The replay runs inside fork_rng: with or without the hooks, the same run gives the same losses."""
    data = regularize.training_set(0)
    cfg = Config(epochs=2, optimizer="sgd", lr=0.1)

    def losses(record):
        model = regularize.mlp((64, 32, 10), dropout=0.5, seed=0)
        if record:
            regularize._MaskRecorder(next(m for m in model.modules() if isinstance(m, nn.Dropout)))
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            return fit(model, data, cfg).step_loss

    assert losses(True) == losses(False)


def test_inverted_dropout_scaling_against_torch():
    torch.manual_seed(0)
    x = torch.rand(200, 300) + 0.5  # no zeros in the input, so every zero in the output is a drop
    out = F.dropout(x, 0.3, training=True)
    kept = out != 0
    torch.testing.assert_close(out[kept], x[kept] / 0.7)
    assert abs((~kept).float().mean().item() - 0.3) < 0.01
    assert torch.equal(F.dropout(x, 0.3, training=False), x)  # evaluation: nothing dropped, nothing scaled


def test_p_zero_has_no_dropout_layer_and_keeps_every_unit():
    run = regularize.train_dropout(0.0, 0)
    assert run.masks.all() and run.dropped == 0 and run.drop_share == 0.0


# ----------------------------------------------------------------------------- Adam + L2 against AdamW


def _one_torch_step(name, w0, g, lr, lam):
    w = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    opt = (torch.optim.Adam if name == "adam" else torch.optim.AdamW)([w], lr=lr, weight_decay=lam)
    w.grad = torch.tensor(g, dtype=torch.float64)
    opt.step()
    return w.detach().numpy()


def test_first_steps_of_adam_l2_and_adamw_match_torch_and_differ_as_the_formulas_say():
    rng = np.random.default_rng(1)
    w = rng.normal(0, 1, 200)
    g = rng.choice([-1.0, 1.0], 200) * (1e-4 + np.abs(rng.normal(0, 1e-3, 200)))  # |g| ≫ ε
    lr, lam = 1e-3, 0.5
    adam, adamw = _one_torch_step("adam", w, g, lr, lam), _one_torch_step("adamw", w, g, lr, lam)
    np.testing.assert_allclose(adam, regularize.adam_l2_first_step(w, g, lr, lam), rtol=0, atol=1e-12)
    np.testing.assert_allclose(adamw, regularize.adamw_first_step(w, g, lr, lam), rtol=0, atol=1e-12)
    # Adam + L2: the step is ±η whatever λ is; the decay only decides its sign
    np.testing.assert_allclose(np.abs(adam - w), lr, rtol=1e-4)  # ε = 1e-8 is negligible against |g′|
    np.testing.assert_array_equal(np.sign(adam - w), -np.sign(g + lam * w))
    # AdamW: the decay shrinks each weight by η·λ·w on top of the data step ±η·sign(g)
    np.testing.assert_allclose(adamw - w, -lr * lam * w - lr * np.sign(g), rtol=0, atol=lr * 1e-3)


def test_decay_comparison_shares_init_and_batches_and_separates_the_two_rules():
    dc = regularize.compare_decay(0.1, 0)
    none, l2, w = dc.runs
    assert [r.label for r in dc.runs] == ["Adam, no decay", "Adam + L2", "AdamW (decoupled)"]
    assert none.history.val_loss[0] == l2.history.val_loss[0] == w.history.val_loss[0]  # same initial weights
    assert dc.norms[0][0] == dc.norms[1][0] == dc.norms[2][0]
    assert l2.norm < 0.6 * none.norm  # folded into Adam, λ = 0.1 crushes the weights
    assert 0.9 * none.norm < w.norm < none.norm  # decoupled, it removes only a few percent
    updates = regularize.EPOCHS * regularize.UPDATES_PER_EPOCH
    assert regularize.decoupled_shrink(0.1) == pytest.approx(1 - (1 - 1e-4) ** updates)


# ----------------------------------------------------------------------------- early stopping


def test_early_stopping_restores_the_best_checkpoint():
    st = regularize.early_stopping(5, 20, 0)
    assert st.stopped.early_stopped and st.stopped_epoch == st.best_epoch + 5
    assert st.stopped.val_loss == st.full.val_loss[: st.stopped_epoch + 1]  # a prefix of the full run
    assert st.best_epoch == int(np.argmin(st.full.val_loss[: st.stopped_epoch + 1]))
    assert st.restored_val[0] == pytest.approx(st.stopped.val_loss[st.best_epoch], abs=1e-6)
    assert st.restored_val[0] < st.final_val[0]  # with noisy labels the full run ends worse


def test_label_noise_replaces_the_stated_share_of_training_labels_only():
    clean, noisy = regularize.training_set(0, 300, 0.0), regularize.training_set(0, 300, 0.4)
    changed = (clean.y_train != noisy.y_train).mean()
    assert 0.25 < changed < 0.45  # 40% redrawn, a tenth of them by chance to the right digit
    assert np.array_equal(clean.y_val, noisy.y_val) and np.array_equal(clean.X_train, noisy.X_train)


def test_finished_runs_are_stored_on_disk_and_come_back_identical():
    first = regularize.train_penalty("l1", 0.001, seed=3)
    files = list((cache.root() / "regularize").rglob("*.pkl"))
    assert files
    regularize._train_penalty.cache_clear()  # forget the in-memory copy: the next call reads the disk
    again = regularize.train_penalty("l1", 0.001, seed=3)
    assert again is not first and np.array_equal(again.weights, first.weights)
    assert again.history.val_loss == first.history.val_loss
    assert regularize.train_penalty("l2", 0.001, alpha=0.9, seed=3) is regularize.train_penalty(
        "l2", 0.001, alpha=0.1, seed=3)


@pytest.mark.parametrize("lr", [1e-3, 2e-3])
def test_adamw_decay_per_step_is_lr_times_lambda(lr):
    """content/regularization.md: AdamW's decay is decoupled from the gradient's scale, not from the learning rate."""
    w = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
    opt = optimizers.make("adamw", [w], lr, weight_decay=0.1)
    w.grad = torch.zeros_like(w)  # no data gradient: only the decay moves the weights
    opt.step()
    torch.testing.assert_close(w.detach(), torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64) * (1 - lr * 0.1))
