"""The digits experiments on the zoo's trained networks (trained once per test session, seconds)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neuralab.compress import zoo
from neuralab.params import ParamError
from neuralab.robust import attacks, digits


def test_the_threat_model_recovers_the_raw_grey_levels():
    t = digits.threat()
    grey = t.grey(t.x)
    assert np.allclose(grey, np.round(grey), atol=1e-4)  # the raw digits are whole counts
    assert grey.min() > -1e-4 and grey.max() < 16 + 1e-4
    assert np.allclose(t.grey(t.lo[None]), 0.0, atol=1e-4) and np.allclose(t.grey(t.hi[None]), 16.0, atol=1e-4)
    assert 40 < int(t.varying.sum()) < 64  # a few pixels hardly ever carry ink


def test_an_example_stays_inside_the_budget_and_is_an_image():
    ex = digits.example("cnn", "pgd", 1.5, 10, 3)
    assert np.abs(ex.delta).max() <= 1.5 + 1e-4 and ex.adversarial.min() >= 0 and ex.adversarial.max() <= 16
    assert ex.label == int(zoo.data().y_test[3]) and np.isclose(ex.probs.sum(), 1.0)
    assert np.array_equal(digits.example("mlp", "fgsm", 0.0, 10, 3).delta, np.zeros((8, 8)))


def test_the_curves_fall_with_eps_and_pgd_is_the_stronger_attack():
    c = digits.curves(10)
    for net in digits.NAMES:
        clean = zoo.load(net).accuracy
        for kind in digits.KINDS:
            assert c.acc[(net, kind)][0] == pytest.approx(clean)
        assert c.at(net, "pgd", 1.0) <= c.at(net, "fgsm", 1.0) < clean - 0.3
        assert c.at(net, "pgd", 1.0) < c.at(net, "pgd-varying", 1.0)  # the near-blank pixels are the weak spot
    t = digits.transfer("pgd", 1.0, 10)
    # the white-box diagonal is one start (seed 0) of the curve's attack; the curve needs a digit to survive them all
    one = digits.robust_accuracy(digits._attack("pgd", 10), zoo.load("mlp").model, digits.threat(),
                                 digits.threat().budget(1.0), restarts=1)
    assert t.get("mlp", "mlp") == pytest.approx(one) and c.restarts == digits.RESTARTS >= 2
    assert c.at("mlp", "pgd", 1.0) <= one
    assert t.get("mlp", "cnn") > t.get("cnn", "cnn") and t.get("random", "cnn") > t.get("mlp", "cnn")
    assert np.allclose(t.clean, [zoo.load(n).accuracy for n in t.targets])


def test_restarts_count_a_digit_only_if_it_survives_every_start():
    t, net, att = digits.threat(), zoo.load("cnn").model, digits._attack("pgd", 3)
    b = t.budget(0.75)
    ok = []
    for seed in range(3):
        with torch.no_grad():
            ok.append((net(attacks.run(att, net, t.x, t.y, b, t.lo, t.hi, seed=seed)).argmax(1) == t.y).numpy())
    every = float(np.mean(np.all(ok, axis=0)))
    assert digits.robust_accuracy(att, net, t, b, restarts=3) == pytest.approx(every)
    assert every <= min(float(np.mean(o)) for o in ok)  # an upper bound that restarts can only lower


def test_pgd_training_buys_pgd_accuracy_and_fgsm_training_mostly_fgsm_accuracy():
    pgd = digits.training("mlp", "pgd", 2.0)
    assert pgd.robust_gained > 0.3 and pgd.clean_lost < 0.03
    fgsm = digits.training("mlp", "fgsm", 2.0)
    assert fgsm.at("robust", "fgsm", 2.0) - fgsm.at("robust", "pgd", 2.0) > 0.3  # resists FGSM, not PGD
    again = digits.training("mlp", "pgd", 2.0)
    assert not again.trained_now and np.array_equal(again.robust["pgd"], pgd.robust["pgd"])


def test_bad_values_are_named():
    with pytest.raises(ParamError, match="eps"):
        digits.example(eps=9.0)
    with pytest.raises(ParamError, match="train_model"):
        digits.training(train_model="resnet")
    with pytest.raises(ParamError, match="digit"):
        digits.example(digit=360)
    assert torch.equal(digits.threat().budget(0.0), torch.zeros(64))
