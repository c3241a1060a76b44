"""The digits experiment of /augmentation: the zoo's CNN reused, the subsets, the curve's summaries, and the wrong
augmentation measured failing on a fixed seed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neuralab.compress import zoo
from neuralab.params import ParamError
from neuralab.robust import augmentation as aug
from neuralab.train.loop import Config, evaluate, fit


def test_the_full_set_without_augmentation_is_the_zoo_model():
    d = zoo.data()
    got = aug.run(0, "none", 0.0, 0)
    assert got.accuracy == pytest.approx(evaluate(zoo.load("cnn", 0).model, d.X_val, d.y_val, d.task)[1])
    assert got.confusion.sum() == 360 and np.trace(got.confusion) == round(got.accuracy * 360)


def test_a_subset_holds_that_many_digits_of_each_class():
    d = zoo.data()
    sub = aug._subset(d, 5, 3)
    assert np.bincount(sub.y_train).tolist() == [5] * 10
    rows = {tuple(r) for r in d.X_train}
    assert all(tuple(r) in rows for r in sub.X_train)  # drawn from the training digits, never validation
    assert np.array_equal(sub.X_val, d.X_val) and aug._subset(d, 0, 3) is d
    assert not np.array_equal(aug._subset(d, 5, 4).X_train, sub.X_train)  # the seed draws the subset


def test_the_curves_loop_makes_the_same_updates_as_fit():
    d = zoo.data()
    sub = aug._subset(d, 5, 1)
    r = aug.RECIPE
    for kind in ("none", "shift"):
        def net(kind=kind):
            model = zoo.build("cnn", 1)
            if kind == "none":
                return model
            t = aug.threat()
            return torch.nn.Sequential(aug.Augment(t.mean, t.scale, kind, 0.5, seed=1), model)
        ours, theirs = aug.train(net(), sub, 1, updates=40), net()
        fit(theirs, sub, Config(epochs=20, lr=r.lr, batch_size=r.batch_size, optimizer=r.optimizer, seed=1))
        for a, b in zip(ours.state_dict().values(), theirs.state_dict().values(), strict=True):
            assert torch.equal(a, b)
        assert not torch.equal(next(iter(ours.parameters())), next(iter(net().parameters())))  # it did train


def test_a_shift_helps_with_five_digits_per_class_on_seed_0():
    plain, shifted = aug.run(5, "none", 0.0, 0), aug.run(5, "shift", 0.5, 0)
    assert shifted.accuracy > plain.accuracy + 0.01  # 85.8 % against 84.2 % (3 seeds: +4.8 points on average)


def test_the_180_degree_turn_lowers_the_accuracy_on_the_9s_and_confuses_them_with_6s():
    plain, turned = aug.run(0, "none", 0.0, 0), aug.run(0, "rot180", aug.WRONG_SHARE, 0)
    w = aug.Wrong((0,), (plain,), (turned,))
    assert w.accuracy("turned", aug.NINE)[0] < w.accuracy("plain", aug.NINE)[0] - 0.05
    assert w.confused("turned", aug.NINE, aug.SIX)[0] > w.confused("plain", aug.NINE, aug.SIX)[0]
    assert (w.accuracy("turned", aug.SIX) + w.accuracy("turned", aug.NINE))[0] < \
        (w.accuracy("plain", aug.SIX) + w.accuracy("plain", aug.NINE))[0]
    nines = plain.confusion[aug.NINE].sum()
    assert w.accuracy("plain", aug.NINE)[0] == pytest.approx(plain.confusion[9, 9] / nines)


def _curve(plain, augmented):
    return aug.Curve("shift", 0.5, (0, 1), (5, 10, 30, 0), 107.7, np.array(plain), np.array(augmented))


def test_the_gain_and_where_it_vanishes():
    c = _curve([[0.80, 0.90, 0.95, 0.96], [0.82, 0.90, 0.95, 0.96]],
               [[0.86, 0.93, 0.951, 0.96], [0.86, 0.92, 0.949, 0.962]])
    assert aug.gain(c) == pytest.approx(0.05)
    assert c.spread[0] == pytest.approx(0.02 / np.sqrt(2))  # per-seed gains 0.06 and 0.04: sample SD (ddof 1)
    assert aug.vanishes(c) == 30  # 10: +0.025, SD 0.007; from 30 on the gain is within one SD
    never = _curve([[0.8] * 4, [0.8] * 4], [[0.85] * 4, [0.85] * 4])
    assert aug.vanishes(never) is None
    harm = _curve([[0.80, 0.90, 0.95, 0.96], [0.82, 0.90, 0.95, 0.96]],
                  [[0.86, 0.93, 0.92, 0.93], [0.86, 0.92, 0.925, 0.93]])
    assert aug.vanishes(harm) is None  # a loss of 2.75 and 3 points at 30 and all is not "within the spread"


def test_the_default_curve_leaves_out_10_per_class():
    assert aug.SIZE_SETS[aug.CURVE.defaults()["aug_sizes"]] == (5, 30, 0)
    assert aug.SIZE_SETS["four"] == aug.SIZES


def test_the_gallery_draws_the_chosen_digit():
    g = aug.gallery("rotate", 0.5, 7, 0)
    d = zoo.data()
    assert g.label == d.y_val[7] and g.draws.shape == (aug.DRAWS, 8, 8)
    assert np.allclose(g.turned, g.original[::-1, ::-1])
    assert not np.allclose(g.draws[0], g.original)
    assert np.allclose(g.ink_change, g.draws.sum((1, 2)) / g.original.sum() - 1, atol=1e-5)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"strength": 1.5}, "aug_strength"), ({"kind": "rot180"}, "aug_kind"), ({"digit": 360}, "aug_digit"),
])
def test_bad_settings_name_the_parameter(kwargs, name):
    with pytest.raises(ParamError, match=name):
        aug.gallery(**kwargs)
    if name != "aug_digit":
        with pytest.raises(ParamError, match=name):
            aug.curve(**kwargs)
    with pytest.raises(ParamError, match="aug_sizes"):
        aug.curve(sizes="five")
