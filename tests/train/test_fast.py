"""The numpy engine against torch: forward, gradients, every optimizer's update, runs of 50 updates."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from neuralab.data.playground import FEATURES, load
from neuralab.nn.models import mlp
from neuralab.params import ParamError
from neuralab.train import optimizers, playground, schedules
from neuralab.train.loop import prox_l1

torch.set_num_threads(1)

BASE = dict(playground.PLAYGROUND.defaults())


def engine(**kw) -> playground.Engine:
    return playground.build({**BASE, **kw})


def torch_loss(model: nn.Module, X: np.ndarray, y: np.ndarray, head: str, l2: float = 0.0) -> torch.Tensor:
    out = model(torch.from_numpy(np.asarray(X, dtype=np.float64)))
    if head == "binary":
        loss = F.binary_cross_entropy_with_logits(out, torch.from_numpy(np.asarray(y, np.float64)).view(-1, 1))
    elif head == "multiclass":
        loss = F.cross_entropy(out, torch.from_numpy(np.asarray(y, np.int64)))
    else:
        loss = F.mse_loss(out, torch.from_numpy(np.asarray(y, np.float64)).view(-1, 1))
    if l2:
        loss = loss + l2 * sum((p**2).sum() for p in model.parameters() if p.dim() >= 2)
    return loss


def batch(eng: playground.Engine, n: int = 10, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    idx = np.random.default_rng(seed).choice(len(eng.data.y_train), n, replace=False)
    return eng.data.X_train[idx], eng.data.y_train[idx]


CASES = [
    dict(),  # circle, 2-4-2-1 tanh, binary
    dict(activation="relu", init="he", layers=3, n3=5),
    dict(activation="sigmoid", norm="batch"),
    dict(activation="gelu", norm="layer", dataset="spiral", classes=3),
    dict(activation="elu", act2="silu", dataset="reg_gauss", f_x2="1", f_xy="1"),
    dict(activation="leaky_relu", norm="batch", dataset="gauss", classes=4, l2=0.01),
    dict(activation="tanh", layers=1, n1=6, dataset="digits", n_points=300),
]


@pytest.mark.parametrize("kw", CASES)
def test_initial_weights_are_mlps_and_to_torch_copies_them(kw):
    eng = engine(**kw)
    ref = mlp(eng.cfg.sizes, list(eng.cfg.activations), norm=eng.cfg.norm, init=eng.cfg.init, seed=eng.cfg.seed)
    got = eng.to_torch(torch.float32)
    for a, b in zip(ref.state_dict().values(), got.state_dict().values(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize("kw", CASES)
def test_forward_equals_torch_after_training(kw):
    eng = engine(**kw)
    eng.step(60)  # moves the weights and the batch-norm running statistics
    model = eng.to_torch(torch.float64)
    X = eng.data.X_test
    with torch.no_grad():
        ref = model(torch.tensor(np.asarray(X))).numpy()
    np.testing.assert_allclose(eng.predict_raw(X), ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("kw", CASES)
def test_gradients_equal_autograd(kw):
    eng = engine(**kw)
    X, y = batch(eng)
    model = eng.to_torch(torch.float64).train()
    torch_loss(model, X, y, eng.cfg.head, eng.cfg.l2).backward()
    ref = [p.grad.numpy() for p in model.parameters()]
    got = eng.gradients(X, y)
    assert len(got) == len(ref)
    for g, r in zip(got, ref, strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-9, atol=1e-12)


def test_gradient_with_dropout_equals_torch_with_the_same_masks():
    eng = engine(activation="relu", init="he", layers=2, n1=8, n2=8, dropout=0.3)
    X, y = batch(eng)
    eng._rng = np.random.default_rng(11)
    draw = np.random.default_rng(11)
    masks = [(draw.random((len(X), w)) >= 0.3) / 0.7 for w in (8, 8)]
    got = eng.gradients(X, y)
    model = mlp(eng.cfg.sizes, "relu", init="he", seed=0).double()  # same weights, no Dropout modules
    acts = [m for m in model if isinstance(m, nn.ReLU)]
    for act, mask in zip(acts, masks, strict=True):
        act.register_forward_hook(lambda _m, _i, out, mask=mask: out * torch.from_numpy(mask))
    torch_loss(model, X, y, "binary").backward()
    for g, p in zip(got, model.parameters(), strict=True):
        np.testing.assert_allclose(g, p.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
@pytest.mark.parametrize("wd", [0.0, 0.05])
def test_one_update_of_each_optimizer_equals_torch(name, wd):
    eng = engine(optimizer=name, lr=0.05, weight_decay=wd, activation="tanh", norm="layer", l2=0.001)
    model = eng.to_torch(torch.float64).train()
    opt = optimizers.make(name, model.parameters(), 0.05, wd)
    for s in range(3):  # three updates, so momentum and Adam's moments matter
        X, y = batch(eng, seed=s)
        eng.update(X, y)
        opt.zero_grad()
        torch_loss(model, X, y, eng.cfg.head, 0.001).backward()
        opt.step()
    mine = eng.to_torch(torch.float64)
    for a, b in zip(mine.parameters(), model.parameters(), strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_l1_is_the_proximal_step_of_the_shared_loop():
    eng = engine(l1=0.05, lr=0.1, activation="relu", init="he", layers=2, n1=8, n2=8)
    model = eng.to_torch(torch.float64).train()
    opt = optimizers.make("sgd", model.parameters(), 0.1)
    for s in range(5):
        X, y = batch(eng, seed=s)
        eng.update(X, y)
        opt.zero_grad()
        torch_loss(model, X, y, "binary").backward()
        opt.step()
        prox_l1(model, 0.1 * 0.05)
    for a, b in zip(eng.to_torch(torch.float64).parameters(), model.parameters(), strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-12)
    assert eng.health().zero_weights > 0  # the soft threshold makes exact zeros


@pytest.mark.parametrize("kw", [dict(optimizer="adam", lr=0.01, norm="batch", activation="relu", init="he"),
                                dict(optimizer="nesterov", lr=0.02, dataset="spiral", classes=3, layers=3, n3=6),
                                dict(optimizer="adamw", lr=0.01, weight_decay=0.01, dataset="reg_plane"),
                                dict(optimizer="rmsprop", lr=0.003, dataset="xor", f_xy="1")])
def test_fifty_updates_stay_with_torch(kw):
    eng = engine(**kw)
    model = eng.to_torch(torch.float64).train()
    opt = optimizers.make(eng.cfg.optimizer, model.parameters(), eng.cfg.lr, eng.cfg.weight_decay)
    rng = np.random.default_rng(0)
    for _ in range(50):
        idx = rng.choice(len(eng.data.y_train), 10, replace=False)
        X, y = eng.data.X_train[idx], eng.data.y_train[idx]
        eng.update(X, y)
        opt.zero_grad()
        torch_loss(model, X, y, eng.cfg.head).backward()
        opt.step()
    mine = eng.to_torch(torch.float64)
    for a, b in zip(mine.state_dict().values(), model.state_dict().values(), strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-7, atol=1e-7)  # bias before BN: gradient ~1e-17


def test_schedule_follows_lr_curve_then_keeps_its_last_rate_and_the_run_stops_where_chosen():
    eng = engine(schedule="cosine", epochs=20, lr=0.1, stop_at=30)
    eng.step(10**6)
    assert eng.epoch == 30 and eng.stopped == "Reached the chosen stop epoch (30); Play or Step trains on."
    lr = eng.curves().lr[1:]
    curve = schedules.lr_curve("cosine", 0.1, 20)
    np.testing.assert_allclose(lr[:20], curve)
    np.testing.assert_allclose(lr[20:], curve[-1])  # past the span: the schedule's last rate


def test_a_run_trains_until_told_and_goes_on_after_a_stop():
    eng = engine(stop_at=0, epochs=10)
    eng.run_epochs(25)
    assert eng.epoch == 25 and not eng.done  # no epoch cap by default
    stopping = engine(stop_at=10)
    stopping.step(10**6)
    assert stopping.epoch == 10 and stopping.done
    assert stopping.resume() and not stopping.done
    stopping.run_epochs(3)
    assert stopping.epoch == 13 and not stopping.done  # the stops rest after a resume ...
    stopping.rewind()
    stopping.step(10**6)
    assert stopping.epoch == 10 and stopping.done  # ... until Rewind


def test_default_run_learns_the_circle_and_records_history():
    eng = engine()
    eng.run_epochs(100)
    m = eng.metrics()
    c = eng.curves()
    assert m.epoch == 100 and m.updates == 100 * 25
    assert m.test_metric > 0.95 and c.test_loss[-1] < c.test_loss[0] / 3
    assert len(c.epoch) == 101 and math.isnan(c.lr[0])


def test_regression_metrics_are_rmse_and_r2():
    eng = engine(dataset="reg_plane", lr=0.03)
    eng.run_epochs(50)
    m = eng.metrics()
    pred = eng.predict(eng.data.X_test)
    rmse = np.sqrt(np.mean((pred - eng.data.y_test) ** 2))
    assert m.metric_name == "R²" and m.test_rmse == pytest.approx(rmse)
    assert m.test_metric == pytest.approx(1 - rmse**2 / np.var(eng.data.y_test)) and m.test_metric > 0.9
    motor = engine(dataset="motor", layers=0)
    motor.run_epochs(5)
    mm = motor.metrics()  # the loss is on the scaled torque, the RMSE in N·m
    assert motor.data.y_unit == "N·m" and mm.test_rmse == pytest.approx(math.sqrt(mm.test_loss) * motor.data.y_scale)


def test_bytes_round_trip_resumes_exactly():
    kw = dict(optimizer="adam", lr=0.01, norm="batch", dropout=0.1, activation="relu", init="he", schedule="plateau")
    a = engine(**kw)
    a.step(137)  # stop mid-epoch, with moments, running stats and a half-used shuffle
    b = playground.Engine.from_bytes(a.to_bytes())
    a.step(300)
    b.step(300)
    np.testing.assert_array_equal(a.theta, b.theta)
    np.testing.assert_array_equal(a.curves().test_loss, b.curves().test_loss)
    assert (a.epoch, a.updates, a.lr) == (b.epoch, b.updates, b.lr)


def test_rewind_replays_and_reset_draws_new_weights():
    eng = engine()
    first = eng.theta.copy()
    eng.step(100)
    after = eng.theta.copy()
    eng.rewind()
    np.testing.assert_array_equal(eng.theta, first)
    eng.step(100)
    np.testing.assert_array_equal(eng.theta, after)
    eng.reset(seed=7)
    assert eng.epoch == 0 and not np.array_equal(eng.theta, first) and eng.cfg.seed == 7
    eng.step(30)
    again = playground.Engine.from_bytes(eng.to_bytes())  # same data (values' seed), new weights (cfg's seed)
    np.testing.assert_array_equal(again.data.X_train, eng.data.X_train)
    np.testing.assert_array_equal(again.theta, eng.theta)


def test_divergence_is_caught_with_a_sentence():
    eng = engine(dataset="reg_gauss", f_xy="1", lr=1.0)
    eng.step(10**5)
    assert eng.done and eng.diverged
    assert "learning rate" in eng.diverged and "x·y" in eng.diverged
    assert eng.epoch < 100 and "diverged" in eng.stopped


def test_early_stopping_restores_the_best_weights():
    eng = engine(dataset="gauss", noise=50, patience=5, lr=0.03, optimizer="momentum", layers=3, n1=16, n2=16,
                 n3=16, activation="relu", init="he", n_points=200)
    eng.step(10**6)
    c = eng.curves()
    assert "Early stop" in eng.stopped
    best = int(np.argmin(c.test_loss[1:])) + 1
    assert eng.metrics().test_loss == pytest.approx(c.test_loss[best])


def test_target_loss_stops_the_run():
    eng = engine(target_loss=0.1)
    eng.step(10**6)
    assert "target" in eng.stopped and eng.curves().test_loss[-1] < 0.1


def test_health_sees_dead_relus_and_saturated_tanh():
    dead = engine(init="zeros", activation="relu")
    dead.step(5)
    assert dead.health().dead_total == 1.0  # every pre-activation is 0: ReLU's slope there is 0
    sat = engine()
    sat.set_weights([(W * 50, b) for W, b in sat.get_weights()])
    h = sat.health()
    assert h.saturated_total > 0.5 and h.dead_total == 0.0
    sat.step(1)
    assert h.grad_norm.shape == (3,) and np.all(sat.health().grad_norm >= 0)


def test_confusion_matches_accuracy_and_maps_have_every_neuron():
    eng = engine(dataset="spiral", classes=3, layers=2, n1=8, n2=8)
    eng.run_epochs(20)
    cm = eng.confusion()
    assert cm.shape == (3, 3) and cm.sum() == len(eng.data.y_test)
    assert np.trace(cm) / cm.sum() == pytest.approx(eng.metrics().test_metric)
    maps = eng.maps(res=20)
    assert [h.shape for h in maps.hidden] == [(8, 20, 20), (8, 20, 20)]
    assert maps.inputs.shape == (2, 20, 20) and maps.proba.shape == (3, 20, 20)
    np.testing.assert_allclose(maps.proba.sum(axis=0), 1.0)
    snap = eng.snapshot(res=20)
    assert snap.maps is not None and len(snap.weights) == 3


def test_editing_a_weight_changes_the_output():
    eng = engine()
    X = eng.data.X_test[:5]
    before = eng.predict_raw(X)
    eng.set_weight(0, 1, 0, 2.5)
    eng.set_bias(2, 0, -1.0)
    assert eng.get_weights()[0][0][1, 0] == 2.5 and not np.allclose(eng.predict_raw(X), before)
    with pytest.raises(ValueError, match="layer 0 has weights 4×2"):
        eng.set_weight(0, 4, 0, 1.0)
    with pytest.raises(ValueError, match="finite"):
        eng.set_bias(0, 0, float("nan"))


def test_spec_refuses_bad_combinations_with_sentences():
    with pytest.raises(ParamError, match="trainable numbers"):
        playground.PLAYGROUND.validate({**BASE, "layers": 8, **{f"n{i}": 32 for i in range(1, 9)}})
    with pytest.raises(ParamError, match="batch_size is 100 but the training set holds only 50"):
        playground.PLAYGROUND.validate({**BASE, "batch_size": 100, "n_points": 100})
    with pytest.raises(ParamError, match="Batch norm needs at least 2"):
        playground.PLAYGROUND.validate({**BASE, "norm": "batch", "batch_size": 1})
    with pytest.raises(ParamError, match="at least one input feature"):
        playground.PLAYGROUND.validate({**BASE, "f_x": "0", "f_y": "0"})
    assert playground.PLAYGROUND.validate({**BASE, "dataset": "digits", "f_x": "0", "f_y": "0"})


def test_per_layer_activation_overrides_the_global_one():
    v = playground.PLAYGROUND.validate({**BASE, "layers": 3, "act2": "relu"})
    assert playground.hidden_activations(v) == ("tanh", "relu", "tanh")
    assert playground.hidden_sizes(v) == (4, 2, 4)
    assert load(v).n_inputs == playground.config(v).sizes[0]


def test_divergence_sentence_reports_what_the_engine_measured():
    eng = engine(dataset="reg_gauss", f_xy="1", lr=1.0)
    eng.step(10**5)
    rms = np.sqrt(np.mean(eng.data.X_train**2, axis=0))
    assert eng.data.feature_names[int(np.argmax(rms))] == "xy"
    assert f"The largest input, x·y, has a root mean square of {rms.max():.3g}" in eng.diverged
    assert "with the learning rate at 1." in eng.diverged and "(to 0.1)" in eng.diverged
    assert "drop x·y" in eng.diverged and "Adam" in eng.diverged
    assert "Xavier" not in eng.diverged and "initial weights" not in eng.diverged  # no claim about He's gain here


def test_divergence_sentence_on_standardized_inputs_blames_the_learning_rate():
    eng = engine(dataset="digits", n_points=300, lr=5.0)
    text = playground.diverged_sentence(eng, math.nan)
    assert "became NaN" in text and "The inputs are on a unit scale (largest root mean square 1" in text
    assert "curvature" not in text and "(to 0.5)" in text


def test_divergence_sentence_gives_the_initial_gain_of_an_unlucky_narrow_network():
    narrow = dict(dataset="reg_gauss", layers=6, activation="relu", init="he", **{f"n{i}": 2 for i in range(1, 7)})
    gains = {s: playground.initial_gain(engine(**narrow, seed=s)) for s in range(30)}
    assert np.median(list(gains.values())) < 0.1  # most draws of 2-wide ReLU layers pass almost nothing ...
    seed = max(gains, key=gains.get)
    assert gains[seed] > playground.GAIN_LIMIT  # ... and a few multiply the inputs' scale
    text = playground.diverged_sentence(engine(**narrow, seed=seed), math.inf)
    assert f"multiplied its inputs' scale by {gains[seed]:.3g}" in text and "as narrow as 2 units" in text
    run = engine(**narrow, seed=seed, lr=0.3, stop_at=100)
    run.step(10**6)
    assert not run.diverged and run.epoch == 100  # a high gain alone did not blow the run up


def test_he_initialization_keeps_the_signal_scale_through_relu_layers():
    """content/playground.md: He does not amplify the signal of the 6×8 ReLU network; Xavier shrinks it."""
    deep = dict(layers=6, activation="relu", **{f"n{i}": 8 for i in range(1, 7)})
    ratio = {}
    for init in ("he", "xavier"):
        gain, last = [], []
        for s in range(200):
            eng = engine(**deep, init=init, seed=s)
            gain.append(playground.initial_gain(eng))
            _, _, posts = eng.forward(eng.data.X_train, collect=True)
            last.append(np.mean(posts[-1] ** 2) / np.mean(eng.data.X_train**2))
        ratio[init] = (np.median(gain), np.mean(last), np.percentile(gain, [10, 90]))
    median, mean_square, (p10, p90) = ratio["he"]
    assert mean_square == pytest.approx(0.98, abs=0.02)  # the mean square of the last hidden layer is kept
    assert median == pytest.approx(0.49, abs=0.01)  # the output's scale, median over seeds
    assert p10 == pytest.approx(0.12, abs=0.01) and p90 == pytest.approx(1.8, abs=0.05)  # narrow layers spread it
    assert ratio["xavier"][1] < 0.5 * mean_square and ratio["xavier"][0] < median


def test_squared_input_needs_a_learning_rate_far_more_than_36_times_smaller():
    """content/playground.md: the curvature grows with the square of an input's scale, not with the scale."""
    off = {f"f_{f}": "0" for f in FEATURES}
    lam = {}
    for f in ("sinx", "x2"):
        eng = engine(**{**off, f"f_{f}": "1"}, dataset="reg_gauss", layers=0)
        X = np.c_[eng.data.X_train, np.ones(len(eng.data.X_train))]
        lam[f] = float(np.linalg.eigvalsh(2 * X.T @ X / len(X)).max())  # the MSE's Hessian for one linear neuron
    assert lam["x2"] == pytest.approx(482, rel=0.01) and lam["sinx"] == pytest.approx(2.0, rel=0.01)
    assert lam["x2"] / lam["sinx"] > 200  # the page says 240 times, not 36
    slow = 0.5 / 36  # 36 times smaller than a rate sin x trains at; still above 2/λ for x²
    calm = engine(**{**off, "f_sinx": "1"}, dataset="reg_gauss", layers=0, lr=0.5, stop_at=50)
    calm.step(10**5)
    hot = engine(**{**off, "f_x2": "1"}, dataset="reg_gauss", layers=0, lr=slow, stop_at=50)
    hot.step(10**5)
    assert not calm.diverged and hot.diverged


def test_the_same_number_pulls_twice_as_hard_as_l2_than_as_weight_decay():
    """content/playground.md: l2·Σw² has the gradient 2·l2·w; torch's weight_decay adds decay·w."""
    X, y = batch(engine())
    moved = {}
    for kw in (dict(), dict(l2=0.01), dict(weight_decay=0.01)):
        eng = engine(**kw)
        start = eng.theta.copy()
        eng.update(X, y)
        moved[tuple(kw)] = eng.theta - start
    w = engine()._is_w
    pull_l2 = moved[()][w] - moved[("l2",)][w]
    pull_wd = moved[()][w] - moved[("weight_decay",)][w]
    np.testing.assert_allclose(pull_l2, 2 * pull_wd, rtol=1e-9, atol=1e-15)
    assert np.abs(pull_wd).max() > 0


def test_every_activation_and_optimizer_has_one_registry_entry():
    from neuralab.nn.models import ACTIVATIONS
    from neuralab.train.playground import kernels
    from neuralab.train.playground.optimizers import RULES, step

    assert set(kernels.KERNELS) == set(ACTIVATIONS)
    assert all(kernels.KERNELS[k].torch is ACTIVATIONS[k][1] for k in ACTIVATIONS)  # the definition it follows
    assert set(RULES) == set(optimizers.OPTIMIZERS)
    with pytest.raises(ValueError, match="activation must be one of"):
        kernels.value("swish9", np.zeros(2))
    with pytest.raises(ValueError, match="optimizer must be one of"):
        step("lion", *(np.zeros(2) for _ in range(5)), 0.1, 1, 0.0)


@pytest.mark.parametrize("name", ["tanh", "relu", "sigmoid", "linear", "leaky_relu", "elu", "gelu", "silu"])
def test_each_kernel_matches_its_torch_module_value_and_slope(name):
    from neuralab.train.playground import kernels

    z = np.linspace(-4, 4, 81)
    z = z[np.abs(z) > 1e-9]  # ReLU-like kinks at 0 have no single slope
    k = kernels.KERNELS[name]
    zt = torch.tensor(z, requires_grad=True)
    at = k.torch()(zt)
    at.sum().backward()
    a = kernels.value(name, z)
    np.testing.assert_allclose(a, at.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(kernels.slope(name, z, a), zt.grad.numpy(), atol=1e-9)
    np.testing.assert_allclose(kernels.slope_into(name, z, a, np.empty_like(z)), zt.grad.numpy(), atol=1e-9)
