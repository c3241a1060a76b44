"""The augmentations on tensors: exact against torch where torch has the operation, properties where it has not,
and bad input refused with a sentence naming the parameter."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from neuralab.params import ParamError
from neuralab.robust.digits import threat
from neuralab.train.augment import (
    GREY_MAX,
    IMAGE_KINDS,
    Augment,
    add_noise,
    augment_images,
    augment_signals,
    jitter,
    rotate,
    scale,
    shift,
    time_warp,
)


def _digits(n: int = 40) -> torch.Tensor:
    t = threat()
    return (t.x[:n] * t.scale + t.mean).reshape(n, 8, 8)  # (n, 8, 8) grey levels 0..16


@pytest.mark.parametrize(("dx", "dy"), [(1, 0), (0, 1), (-2, 1), (2, -2), (3, 3)])
def test_a_shift_and_its_inverse_restore_the_interior(dx, dy):
    x = _digits()
    back = shift(shift(x, dx, dy), -dx, -dy)
    h = w = 8
    rows = slice(max(0, -dy) if dy < 0 else 0, h - dy if dy > 0 else h)
    cols = slice(0 if dx > 0 else -dx, w - dx if dx > 0 else w)
    assert torch.equal(back[:, rows, cols], x[:, rows, cols])
    # what is lost is the band of |dx| columns and |dy| rows at the edge the image moved towards: now blank
    lost = torch.ones(h, w, dtype=torch.bool)
    lost[rows, cols] = False
    assert (back[:, lost] == 0).all()


def test_a_shift_is_torch_roll_with_the_wrapped_pixels_blanked():
    x = _digits()
    out = shift(x, 1, -1)
    rolled = torch.roll(x, shifts=(-1, 1), dims=(1, 2))
    assert torch.equal(out[:, :7, 1:], rolled[:, :7, 1:])
    assert (out[:, 7, :] == 0).all() and (out[:, :, 0] == 0).all()
    per_image = shift(x[:2], torch.tensor([1, 0]), torch.tensor([0, 2]))
    assert torch.equal(per_image[0], shift(x[:1], 1, 0)[0]) and torch.equal(per_image[1], shift(x[1:2], 0, 2)[0])


def test_rotations_by_right_angles_are_torch_rot90_and_zero_is_the_identity():
    x = _digits()
    assert torch.allclose(rotate(x, 90.0), torch.rot90(x, 1, dims=(1, 2)), atol=1e-4)  # counter-clockwise
    assert torch.allclose(rotate(x, 180.0), torch.rot90(x, 2, dims=(1, 2)), atol=1e-4)
    assert torch.allclose(rotate(x, 0.0), x, atol=1e-5)
    corner = torch.zeros(1, 8, 8)
    corner[0, 0, 7] = 1.0  # top right
    assert rotate(corner, 90.0)[0, 0, 0] == pytest.approx(1.0, abs=1e-5)  # to top left: counter-clockwise


def test_label_preserving_augmentations_keep_the_ink_within_bounds():
    x = _digits(200)
    ink = x.sum((1, 2))
    gen = torch.Generator().manual_seed(0)
    # a shift of at most one pixel each way keeps all the ink but the outer ring's, and adds none
    outer = ink - x[:, 1:7, 1:7].sum((1, 2))
    shifted = augment_images(x, "shift", 0.5, gen).sum((1, 2))
    assert (shifted <= ink + 1e-4).all() and (shifted >= ink - outer - 1e-4).all()
    # rotations of up to ±15° move the digits' ink by less than a quarter (interpolation and the corners)
    turned = augment_images(x, "rotate", 0.5, gen).sum((1, 2))
    assert ((turned / ink - 1).abs() < 0.25).all()
    # noise of σ = 2 on 64 pixels changes the sum by a few σ·8 at most, plus what clipping at 0 adds on the blank
    noisy = augment_images(x, "noise", 0.5, gen)
    assert (noisy >= 0).all() and (noisy <= GREY_MAX).all()
    assert ((noisy.sum((1, 2)) - ink).abs() < 64 * 2.0).all()


def test_noise_has_the_requested_spread_before_clipping():
    mid = torch.full((500, 8, 8), 8.0)
    noisy = add_noise(mid, 1.0, torch.Generator().manual_seed(1))
    assert float((noisy - mid).std()) == pytest.approx(1.0, rel=0.03)
    assert torch.equal(add_noise(mid, 0.0), mid)


def test_the_wrong_augmentation_turns_the_requested_share():
    x = _digits(360)
    out = augment_images(x, "rot180", 0.5, torch.Generator().manual_seed(0))
    turned = torch.isclose(out, torch.rot90(x, 2, dims=(1, 2))).all(2).all(1) & ~torch.isclose(out, x).all(2).all(1)
    assert 0.4 < float(turned.float().mean()) < 0.6
    assert not IMAGE_KINDS["rot180"].preserves


def test_the_layer_augments_in_training_only_and_round_trips_the_standardization():
    t = threat()
    layer = Augment(t.mean, t.scale, "shift", 0.0, seed=0)
    assert torch.allclose(layer(t.x[:10]), t.x[:10])  # strength 0: unchanged
    layer = Augment(t.mean, t.scale, "noise", 0.5, seed=0)
    assert not torch.allclose(layer(t.x[:10]), t.x[:10])
    layer.eval()
    assert torch.equal(layer(t.x[:10]), t.x[:10])
    layer = Augment(t.mean, t.scale, "rotate", 0.0001, seed=0)  # a near-zero turn: the same digits back
    grey = layer(t.x[:10]) * t.scale + t.mean  # compared in grey levels: standardizing divides by small spreads
    assert torch.allclose(grey, t.x[:10] * t.scale + t.mean, atol=1e-2)


def _ramps(n: int = 5, t: int = 180) -> torch.Tensor:
    base = torch.linspace(0, 1, t)[None, :, None]
    return torch.cat([base.expand(n, t, 1), torch.sin(6 * base).expand(n, t, 1)], 2)  # (n, t, 2)


def test_a_time_warp_keeps_the_endpoints_the_length_and_the_order():
    x = _ramps()
    out = time_warp(x, 0.3, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    assert torch.allclose(out[:, 0], x[:, 0], atol=1e-6) and torch.allclose(out[:, -1], x[:, -1], atol=1e-5)
    assert (out[:, 1:, 0] - out[:, :-1, 0] > 0).all()  # an increasing input stays increasing: time runs forward
    assert not torch.allclose(out, x, atol=1e-3)  # and it did move the samples in between
    assert (out[..., 1] <= x[..., 1].max() + 1e-6).all() and (out[..., 1] >= x[..., 1].min() - 1e-6).all()
    assert torch.allclose(time_warp(x, 0.0), x, atol=1e-5)


def test_jitter_and_scaling():
    x = _ramps(200) + 1.0
    j = jitter(x, 0.1, torch.Generator().manual_seed(0))
    assert float((j - x).std()) == pytest.approx(0.1, rel=0.05)
    s = scale(x, 0.2, torch.Generator().manual_seed(0))
    ratio = s / x  # one gain per sequence and channel, the same at every step
    assert torch.allclose(ratio, ratio[:, :1].expand_as(ratio), atol=1e-5)
    assert float(ratio[:, 0].std()) == pytest.approx(0.2, rel=0.2)
    assert augment_signals(x, "warp", 1.0, torch.Generator().manual_seed(0)).shape == x.shape


@pytest.mark.parametrize(("call", "name"), [
    (lambda: augment_images(_digits(2), "flip", 0.5), "kind"),
    (lambda: augment_images(_digits(2), "shift", 1.5), "strength"),
    (lambda: augment_images(_digits(2), "shift", float("nan")), "strength"),
    (lambda: augment_images(torch.zeros(2, 64), "shift", 0.5), "x"),
    (lambda: rotate(torch.zeros(2, 8, 8), torch.tensor([1.0, 2.0, 3.0])), "degrees"),
    (lambda: shift(torch.zeros(2, 8, 8), 0.5, 0), "dx"),
    (lambda: shift(torch.zeros(2, 8, 8), 8, 0), "dx"),
    (lambda: add_noise(torch.zeros(2, 8, 8), -1.0), "sigma"),
    (lambda: add_noise(torch.full((2, 8, 8), float("nan")), 1.0), "x"),
    (lambda: time_warp(torch.zeros(2, 1, 3), 0.3), "x"),
    (lambda: time_warp(torch.zeros(2, 10, 3), 0.95), "strength"),
    (lambda: time_warp(torch.zeros(2, 10, 3), 0.3, knots=1), "knots"),
    (lambda: jitter(torch.zeros(2, 10), 0.1), "x"),
    (lambda: augment_signals(torch.zeros(2, 10, 3), "flip", 0.5), "kind"),
    (lambda: Augment(torch.zeros(10), torch.ones(10), "shift", 0.5), "mean"),
])
def test_bad_input_is_refused_with_its_name(call, name):
    with pytest.raises(ParamError, match=rf"^{name}( and \w+)? must"):
        call()


def test_the_digits_it_reads_are_the_raw_images():
    x = _digits(50).numpy()
    assert x.min() > -1e-4 and x.max() < GREY_MAX + 1e-4 and np.allclose(x, np.round(x), atol=1e-3)


def test_every_strength_on_the_slider_shifts():
    from neuralab.robust.augmentation import STRENGTH
    from neuralab.train.augment import shift_pixels

    steps = [STRENGTH.lo + i * STRENGTH.step for i in range(round((STRENGTH.hi - STRENGTH.lo) / STRENGTH.step) + 1)]
    assert [shift_pixels(s) for s in steps] == [1, 1, 2, 2] and shift_pixels(0.0) == 0
    x = _digits(64)
    moved = augment_images(x, "shift", steps[0], torch.Generator().manual_seed(0))
    assert not torch.equal(moved, x)  # 0.25 moves digits (Python's round(0.5) = 0 would not)
