"""The reference entry on data augmentation: its numbers recomputed with the library the page uses."""

from __future__ import annotations

from importlib import resources

import torch

from neuralab.app.pages import augmentation as page
from neuralab.robust import augmentation as aug
from neuralab.train.augment import rotate, shift


def flat() -> str:
    return " ".join(resources.files("neuralab.content").joinpath("augmentation.md").read_text(
        encoding="utf-8").split())


def test_the_operations_it_describes():
    text = flat()
    assert "rotating a full 8 × 8 image by 45° keeps 83.8 % of its ink" in text and page._ink_after_45() == 83.8
    x = torch.rand(3, 8, 8)
    assert "A rotation by 90° on the pixel grid equals `torch.rot90`" in text
    assert torch.allclose(rotate(x, 90.0), torch.rot90(x, 1, dims=(1, 2)), atol=1e-4)
    assert torch.equal(shift(shift(x, 2, 0), -2, 0)[:, :, :6], x[:, :, :6])
    assert f"each for the same {aug.UPDATES} updates" in text


def test_the_curve_it_quotes():
    c = aug.curve("shift", 0.5, 0)
    text = flat()
    plain, augmented = (f"{100 * v:.1f} %" for v in (c.plain.mean(0)[0], c.augmented.mean(0)[0]))
    assert f"from {plain} to {augmented} (+{100 * c.gain[0]:.1f} points, ± {100 * c.spread[0]:.1f} over" in text
    g = [f"{100 * v:+.1f}" for v in c.gain[1:]]
    assert f"{g[0]} points at 10 per class, {g[1]} at 30 and {g[2]} at all" in text
    assert all(aug.curve("all", 0.5, 0).gain < 0)  # "cost accuracy at every size"


def test_the_wrong_augmentation_it_quotes():
    w = aug.wrong(0)
    text = flat()
    nine_t, nine_p = (f"{100 * w.accuracy(k, 9).mean():.1f} %" for k in ("turned", "plain"))
    assert f"right on {nine_t} of the 9s against {nine_p} without" in text
    assert f"reads {100 * w.confused('turned', 9, 6).mean():.1f} % of them as a 6" in text
    assert w.confused("plain", 9, 6).mean() == 0 and "(without: none)" in text
    assert (w.accuracy("turned", 6) == 1).all() and "The 6s happen to survive in that run" in text
