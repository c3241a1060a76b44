"""The reference entry on data augmentation: its numbers recomputed with the library the page uses."""

from __future__ import annotations

import math
from importlib import resources

import torch

from neuralab.app.pages import augmentation as page
from neuralab.compress import zoo
from neuralab.robust import augmentation as aug
from neuralab.robust.digits import threat
from neuralab.train.augment import add_noise, rotate, shift


def flat() -> str:
    return " ".join(resources.files("neuralab.content").joinpath("augmentation.md").read_text(
        encoding="utf-8").split())


def test_the_operations_it_describes():
    text = flat()
    assert "rotating a completely inked 8 × 8 image by 45° keeps 83.8 % of its ink" in text
    assert page._ink_after_45() == 83.8
    x = torch.rand(3, 8, 8)
    assert "A rotation by 90° on the pixel grid equals `torch.rot90`" in text
    assert torch.allclose(rotate(x, 90.0), torch.rot90(x, 1, dims=(1, 2)), atol=1e-4)
    assert torch.equal(shift(shift(x, 2, 0), -2, 0)[:, :, :6], x[:, :, :6])
    assert f"each for the same {aug.UPDATES} updates" in text and f"the same {aug.UPDATES} updates, so" in text
    # a ±1-pixel shift has 3 × 3 copies of a digit, one of them the original
    assert "a shift of up to ±1 pixel has only 9 copies of each digit" in text
    copies = {tuple(shift(x[:1], a, b).flatten().tolist()) for a in (-1, 0, 1) for b in (-1, 0, 1)}
    assert len(copies) == 9 and tuple(x[0].flatten().tolist()) in copies
    # clipped noise on a blank pixel adds σ/√(2π) on average: 0.8 grey levels at σ = 2
    assert "σ/√(2π) per blank pixel, 0.8 grey levels at σ = 2" in text and f"{2 / math.sqrt(2 * math.pi):.1f}" == "0.8"
    blank = add_noise(torch.zeros(2000, 8, 8), 2.0, torch.Generator().manual_seed(0))
    assert abs(float(blank.mean()) - 2 / math.sqrt(2 * math.pi)) < 0.02
    scale = threat().scale.numpy()
    assert f"the smallest per-pixel scale is {scale.min():.2f} grey levels" in text


def test_the_small_gains_in_digits():
    c = aug.curve("shift", 0.5, 0, "four")
    assert "+0.6 at all (about two of the 360 validation digits)" in flat() and round(c.gain[-1] * 360) == 2


def test_the_curve_it_quotes():
    c = aug.curve("shift", 0.5, 0, "four")
    text = flat()
    plain, augmented = (f"{100 * v:.1f} %" for v in (c.plain.mean(0)[0], c.augmented.mean(0)[0]))
    assert f"from {plain} to {augmented} (+{100 * c.gain[0]:.1f} points; the per-seed gains" in text
    assert f"have a standard deviation of {100 * c.spread[0]:.1f} points over the three seeds" in text
    g = [f"{100 * v:+.1f}" for v in c.gain[1:]]
    assert f"{g[0]} points at 10 per class, {g[1]} at 30 and {g[2]} at all" in text
    assert "cost accuracy at every size on 8 × 8 digits (seeds 0 to 2)" in text
    assert all(aug.curve("all", 0.5, 0, "four").gain < 0)


def test_the_wrong_augmentation_it_quotes():
    w = aug.wrong(0)
    text = flat()
    nine_t, nine_p = (f"{100 * w.accuracy(k, 9).mean():.1f} %" for k in ("turned", "plain"))
    nines = int((zoo.data().y_val == 9).sum())
    right_t, right_p = (w.confusion(k)[9, 9] / 3 for k in ("turned", "plain"))
    assert f"right on {nine_t} of the {nines} validation 9s (about {right_t:.0f} per seed) against {nine_p} " \
           f"({right_p:.0f}) without" in text and right_p == round(right_p)
    as_six = w.confusion("turned")[9, 6] / 3
    assert f"reads {100 * w.confused('turned', 9, 6).mean():.1f} % of them (about {as_six:.0f} per seed) as a 6" in text
    lost_nines = w.confusion("plain")[9, 9] - w.confusion("turned")[9, 9]
    assert "and the other lost 9s as other digits" in text and lost_nines > w.confusion("turned")[9, 6] > 0
    assert w.confused("plain", 9, 6).mean() == 0 and "(without: none)" in text
    assert (w.accuracy("turned", 6) == 1).all() and "The 6s happen to survive in that run" in text
