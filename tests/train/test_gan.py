"""GAN training: coverage counted on known samples, the verdict's sentences, a short real run, the loss curves."""

import math

import numpy as np
import pytest

from neuralab.data import targets
from neuralab.params import ParamError
from neuralab.train import gan
from neuralab.train.gan import GAN

SETTINGS = {**GAN.defaults(), "rounds": 200}


@pytest.fixture(scope="module")
def short_run():
    return gan.train(**SETTINGS)


def _on_modes(which, n=2500, seed=0):
    """n points spread evenly over the ring's modes ``which``, each within the mode's spread."""
    rng = np.random.default_rng(seed)
    centres = targets.modes("ring")[list(which)]
    return centres[np.arange(n) % len(which)] + rng.normal(0, targets.SD, (n, 2))


def test_the_targets_are_reproducible_and_lie_in_the_square():
    for name in targets.TARGETS:
        a, b = targets.sample(name, 500, 3), targets.sample(name, 500, 3)
        assert np.array_equal(a, b) and a.shape == (500, 2) and np.abs(a).max() < 2.5
    ring = targets.sample("ring", 4000, 0)
    near = np.linalg.norm(ring[:, None] - targets.modes("ring")[None], axis=2).min(axis=1)
    assert near.std() == pytest.approx(targets.SD * math.sqrt(2 - math.pi / 2), rel=0.1)  # Rayleigh spread


def test_points_on_every_mode_cover_them_all_and_are_of_high_quality():
    c = gan.coverage("ring", _on_modes(range(8)))
    assert c.n_covered == 8 and c.covered == 1.0
    assert c.quality == pytest.approx(1 - math.exp(-4.5), abs=0.01)  # P(|N₂(0, σ²I)| < 3σ) = 1 − e^(−9/2)


def test_points_on_three_modes_cover_three():
    c = gan.coverage("ring", _on_modes((0, 3, 5)))
    assert c.n_covered == 3 and list(np.flatnonzero(c.modes)) == [0, 3, 5]


def test_a_mode_needs_its_share_of_points():
    pts = _on_modes((0,))
    few = int(gan.MIN_SHARE * len(pts)) - 1
    pts[:few] = _on_modes((4,), n=few)
    assert gan.coverage("ring", pts).n_covered == 1
    pts[:few + 2] = _on_modes((4,), n=few + 2)
    assert gan.coverage("ring", pts).n_covered == 2


def test_the_playground_coverage_is_two_sided():
    data = targets.sample("spiral", 2000, 0)
    assert gan.coverage("spiral", targets.sample("spiral", 2500, 1), data).covered > 0.95
    half = data[data[:, 0] > 0]
    c = gan.coverage("spiral", half, data)
    assert c.quality == 1.0 and c.covered < 0.7  # all on the data, but only on part of it


def test_the_rule_keeps_a_run_within_its_budget():
    with pytest.raises(ParamError, match="rounds × \\(d_steps \\+ g_steps\\) must be at most 8,000"):
        GAN.validate({**GAN.defaults(), "rounds": 4000, "d_steps": 2})
    with pytest.raises(ParamError, match="lr_d must be between"):
        gan.train(**{**SETTINGS, "lr_d": 1.0})


def test_a_short_run_records_every_round_and_every_snapshot(short_run):
    r = short_run
    assert len(r.d_loss) == 200 and np.isfinite(r.d_loss).all() and np.isfinite(r.g_grad).all()
    assert [s.round for s in r.snapshots] == [0, *(round(200 * j / gan.SNAPSHOTS) for j in range(1, 25))]
    assert r.last.surface.shape == (gan.GRID, gan.GRID) and r.last.fake.shape == (gan.N_SHOW, 2)
    assert ((r.d_real > 0) & (r.d_real < 1)).all()
    assert r.verdict.kind in ("lost", "collapsed", "partial", "covered") and r.verdict.sentence


def test_runs_are_kept_by_every_setting(short_run):
    assert gan.train(*SETTINGS.values()) is not short_run  # read back from disk, by position or by name
    assert np.array_equal(gan.train(**SETTINGS).d_loss, short_run.d_loss)
    other = gan.train(**{**SETTINGS, "seed": 1})
    assert not np.array_equal(other.d_loss, short_run.d_loss)


def test_the_same_settings_give_the_same_run(short_run):
    again = gan._kept.__wrapped__(*SETTINGS.values())
    assert np.array_equal(again.d_loss, short_run.d_loss) and np.array_equal(again.last.fake, short_run.last.fake)


def _run(**change):
    """A run as the verdict reads it, with the given parts replaced."""
    fake = _on_modes(range(8), n=gan.N_SHOW)
    snap = gan.Snapshot(100, fake, np.zeros((2, 2)), gan.coverage("ring", _on_modes(range(8))))
    run = dict(rounds=100, loss="non-saturating", d_loss=np.ones(100), g_loss=np.ones(100), d_real=np.full(100, .5),
               d_fake=np.full(100, .5), snapshots=(snap,) * 6, real=_on_modes(range(8), n=gan.N_SHOW))
    return {**run, **change}


def test_the_verdict_names_what_happened():
    assert gan.verdict(_run()).kind == "covered"
    nan = np.ones(100)
    nan[40:] = np.nan
    v = gan.verdict(_run(d_loss=nan))
    assert v.kind == "diverged" and "round 41" in v.sentence
    one = _on_modes((2,), n=gan.N_SHOW)
    snap = gan.Snapshot(100, one, np.zeros((2, 2)), gan.coverage("ring", _on_modes((2,))))
    v = gan.verdict(_run(snapshots=(snap,) * 6))
    assert v.kind == "collapsed" and "covering 1 of the 8 modes" in v.sentence
    three = gan.Snapshot(100, _on_modes((0, 1, 2), n=gan.N_SHOW), np.zeros((2, 2)),
                         gan.coverage("ring", _on_modes((0, 1, 2))))
    v = gan.verdict(_run(snapshots=(three,) * 6))
    assert v.kind == "collapsed" and v.sentence.startswith("Mode collapse: the generator covers 3 of the 8 modes")
    hop = [gan.Snapshot(100, _on_modes((k,), n=gan.N_SHOW), np.zeros((2, 2)), gan.coverage("ring", _on_modes((k,))))
           for k in range(6)]
    assert "hops from place to place" in gan.verdict(_run(snapshots=tuple(hop))).sentence
    far = gan.Snapshot(100, _on_modes(range(8), n=gan.N_SHOW) * 20, np.zeros((2, 2)), snap.cover)
    v = gan.verdict(_run(snapshots=(far,) * 6))
    reach = np.linalg.norm(_run()["real"], axis=1).max()
    assert v.kind == "diverged" and f"where the data lie within {reach:.1f} of it" in v.sentence


def test_the_verdict_blames_the_saturating_loss_when_d_rejects_everything():
    spread = np.random.default_rng(0).uniform(-2, 2, (gan.N_SHOW, 2))  # wide, but nowhere near a mode
    snap = gan.Snapshot(100, spread, np.zeros((2, 2)), gan.coverage("ring", spread))
    v = gan.verdict(_run(snapshots=(snap,) * 6, loss="saturating", d_fake=np.full(100, 0.01)))
    assert v.kind == "lost" and "switch to the non-saturating loss" in v.sentence


def test_the_curves_are_the_analytic_losses_and_gradients():
    c = gan.curves(0.2)
    assert np.allclose(c.saturating, np.log(1 - c.p)) and np.allclose(c.non_saturating, -np.log(c.p))
    assert np.allclose(c.grad_saturating, -c.p) and np.allclose(c.grad_non_saturating, -(1 - c.p))
    assert c.at_grad_saturating == pytest.approx(-0.2) and c.at_grad_non_saturating == pytest.approx(-0.8)
    with pytest.raises(ParamError, match="d_fake must be between 0.01 and 0.99"):
        gan.curves(1.5)


def test_a_fast_discriminator_makes_the_generator_collapse():
    """The page's preset 'a discriminator learning rate ten times the generator's': the collapse, reproduced."""
    r = gan.train(**{**GAN.defaults(), "lr_d": 0.01})
    assert r.verdict.kind == "collapsed" and 1 < r.last.cover.n_covered < 8
    assert r.verdict.sentence.startswith("Mode collapse")


@pytest.mark.parametrize("change", [{}, {"loss": "saturating"}])
def test_the_default_covers_every_mode_with_either_loss(change):
    """The page's first preset, and its claim that both losses train on the ring with the defaults."""
    r = gan.train(**{**GAN.defaults(), **change})
    assert r.verdict.kind == "covered" and r.last.cover.n_covered == 8


def test_a_slow_discriminator_leaves_a_wandering_cloud():
    """The page's preset 'a discriminator learning rate ten times smaller': a small cloud, off the modes, moving."""
    r = gan.train(**{**GAN.defaults(), "lr_d": 0.0001})
    assert r.verdict.kind == "collapsed" and r.last.cover.n_covered == 0
    assert "hops from place to place" in r.verdict.sentence
