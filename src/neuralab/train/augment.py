"""Data augmentation: label-preserving changes to the training inputs, drawn afresh for every batch.

An augmentation trains the network on inputs it could plausibly meet (a digit drawn a pixel to the left, a sensor
with a little more noise), so it learns to ignore the change. The contract is that the label stays true of the
changed input: a digit shifted by one pixel is still the same digit, a digit turned upside down may not be (a 6
turned by 180° reads as a 9), and then the augmentation teaches the network a wrong answer.

Images (``(N, H, W)`` tensors in grey levels, the digits' 0–16 scale):

* :func:`shift`: moves the image by whole pixels (``torch.roll``), filling the uncovered border with blank;
* :func:`rotate`: turns it about its centre by an angle (``F.affine_grid`` and ``F.grid_sample``, bilinear),
  blank outside;
* :func:`add_noise`: adds Gaussian noise of a given σ in grey levels, clipped back to the 0–16 range;
* :func:`augment_images`: a random draw of one kind per image at a strength from 0 to 1 (:data:`IMAGE_KINDS`
  gives each kind's range at strength 1).

Signals (``(N, T, C)`` tensors: N sequences of T steps, C channels):

* :func:`jitter`: adds Gaussian noise of σ (in each channel's unit);
* :func:`scale`: multiplies each sequence's channel by ``1 + ε``, ``ε ~ N(0, σ²)``;
* :func:`time_warp`: resamples each sequence along a smooth, increasing map of time that keeps the first and
  the last step and the length.

:class:`Augment` is a layer that applies :func:`augment_images` to standardized digits in training mode only
(the layer is the identity in ``eval()``), so any model trains with augmentation through the lab's own loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from neuralab.checks import fail

__all__ = ["GREY_MAX", "IMAGE_KINDS", "SIGNAL_KINDS", "Augment", "Range", "add_noise", "augment_images",
           "augment_signals", "jitter", "rotate", "scale", "shift", "shift_pixels", "time_warp"]

GREY_MAX = 16.0  # the digits' pixels are counts 0..16


@dataclass(frozen=True)
class Range:
    """What strength 1 of an augmentation means, in its own unit."""

    label: str  # shown in dropdowns
    most: float  # the largest change at strength 1
    unit: str  # of ``most``
    preserves: bool  # whether the label stays true (the wrong augmentation does not)


#: kind -> its range at strength 1. "rot180" is the wrong one: it turns a fraction ``strength`` of the images.
IMAGE_KINDS: dict[str, Range] = {
    "shift": Range("Shift (whole pixels)", 2.0, "px", True),
    "rotate": Range("Rotation (small angles)", 30.0, "°", True),
    "noise": Range("Gaussian noise", 4.0, "grey levels (σ)", True),
    "all": Range("Shift, rotation and noise together", 1.0, "× each range", True),
    "rot180": Range("Turned upside down (180°, wrong)", 1.0, "of the images", False),
}
SIGNAL_KINDS: dict[str, Range] = {
    "jitter": Range("Jitter (sensor noise)", 0.3, "standard deviations (σ)", True),
    "scale": Range("Scaling (gain error)", 0.2, "relative σ", True),
    "warp": Range("Time warp", 0.3, "of the local speed", True),
}


def _images(x: torch.Tensor, name: str = "x") -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or x.dim() != 3 or not x.is_floating_point():
        got = f"a {x.dim()}-D {x.dtype} tensor" if isinstance(x, torch.Tensor) else type(x).__name__
        raise fail(f"{name} must be a float tensor of images (N, H, W); got {got}.")
    if not torch.isfinite(x).all():
        raise fail(f"{name} must be finite; it holds NaN or infinite values.")
    return x


def _signals(x: torch.Tensor, name: str = "x") -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or x.dim() != 3 or not x.is_floating_point():
        got = f"a {x.dim()}-D {x.dtype} tensor" if isinstance(x, torch.Tensor) else type(x).__name__
        raise fail(f"{name} must be a float tensor of sequences (N, T, C); got {got}.")
    if x.shape[1] < 2:
        raise fail(f"{name} must have at least 2 time steps; got {x.shape[1]}.")
    if not torch.isfinite(x).all():
        raise fail(f"{name} must be finite; it holds NaN or infinite values.")
    return x


def _nonneg(name: str, value: float, most: float = math.inf) -> float:
    if not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= most:
        bound = f" and at most {most:g}" if math.isfinite(most) else ""
        raise fail(f"{name} must be a number of at least 0{bound}; got {value!r}.")
    return float(value)


# ----------------------------------------------------------------------------- images


def shift(x: torch.Tensor, dx: torch.Tensor | int, dy: torch.Tensor | int) -> torch.Tensor:
    """Each image moved ``dx`` pixels right and ``dy`` down (whole pixels; ints or (N,) integer tensors).

    Each pixel moves as with ``torch.roll``; those that wrap around the edge are blanked (set to 0), so the image is not
    folded onto itself. Shifting back by ``-dx, -dy`` restores every pixel at least ``|dx|``, ``|dy|`` from the
    edge (the border that was blanked is lost).
    """
    x = _images(x)
    n, h, w = x.shape
    dx, dy = (torch.as_tensor(d).expand(n) if torch.as_tensor(d).dim() == 0 else torch.as_tensor(d) for d in (dx, dy))
    if dx.shape != (n,) or dy.shape != (n,) or dx.is_floating_point() or dy.is_floating_point():
        raise fail(f"dx and dy must be whole numbers of pixels, one or one per image ({n}); got {dx!r}, {dy!r}.")
    if (dx.abs() >= w).any() or (dy.abs() >= h).any():
        raise fail(f"dx and dy must be smaller than the image ({w} × {h} pixels); got up to "
                   f"{int(dx.abs().max())}, {int(dy.abs().max())}.")
    # out[i, r, c] = x[i, r - dy[i], c - dx[i]] where that pixel lies inside the image (torch.roll's move, for
    # all images at once), else blank
    src_r = torch.arange(h)[None, :] - dy[:, None]  # (N, H)
    src_c = torch.arange(w)[None, :] - dx[:, None]  # (N, W)
    inside = ((src_r >= 0) & (src_r < h))[:, :, None] & ((src_c >= 0) & (src_c < w))[:, None, :]  # (N, H, W)
    moved = x[torch.arange(n)[:, None, None], src_r.remainder(h)[:, :, None], src_c.remainder(w)[:, None, :]]
    return moved * inside


def rotate(x: torch.Tensor, degrees: torch.Tensor | float) -> torch.Tensor:
    """Each image turned counter-clockwise by ``degrees`` about its centre (a number, or one per image).

    Built from ``F.affine_grid`` (where every output pixel reads from) and ``F.grid_sample`` (bilinear
    interpolation there, 0 outside the image, ``align_corners=False``: the centre is the middle of the image).
    On an 8 × 8 digit each interpolation blurs a little, so the pixel sum is kept only approximately.
    """
    x = _images(x)
    n = x.shape[0]
    deg = torch.as_tensor(degrees, dtype=x.dtype)
    deg = deg.expand(n) if deg.dim() == 0 else deg
    if deg.shape != (n,) or not torch.isfinite(deg).all():
        raise fail(f"degrees must be a finite number, or one per image ({n}); got {degrees!r}.")
    t = torch.deg2rad(deg)
    cos, sin = torch.cos(t), torch.sin(t)
    zero = torch.zeros_like(t)
    # the grid maps output coordinates to input ones: the inverse rotation (y points down in an image)
    theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)  # (N, 2, 3)
    grid = F.affine_grid(theta, [n, 1, *x.shape[1:]], align_corners=False)  # (N, H, W, 2)
    return F.grid_sample(x[:, None], grid, mode="bilinear", padding_mode="zeros", align_corners=False)[:, 0]


def add_noise(x: torch.Tensor, sigma: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """``x`` plus Gaussian noise of ``sigma`` grey levels, clipped to the 0–16 range of the digits."""
    x = _images(x)
    sigma = _nonneg("sigma", sigma)
    noise = torch.randn(x.shape, generator=generator, dtype=x.dtype)
    return (x + sigma * noise).clamp(0.0, GREY_MAX)


def shift_pixels(strength: float) -> int:
    """The largest shift at ``strength``, in whole pixels: 2 × strength rounded half up (Python's ``round``
    rounds half to even, which would make 0.25 no shift at all), so 0.25 and 0.5 shift up to ±1 pixel, 0.75 and
    1 up to ±2, and only strength 0 shifts nothing."""
    return math.floor(IMAGE_KINDS["shift"].most * _nonneg("strength", strength, 1.0) + 0.5)


def augment_images(x: torch.Tensor, kind: str, strength: float, generator: torch.Generator | None = None
                   ) -> torch.Tensor:
    """One random draw of augmentation ``kind`` for every image, at ``strength`` (0: none, 1: the full range).

    * ``shift``: a whole number of pixels in each direction, uniform in ±:func:`shift_pixels` (strength);
    * ``rotate``: an angle uniform in ±30° × strength;
    * ``noise``: Gaussian noise of σ = 4 × strength grey levels;
    * ``all``: the three in turn (shift, rotation, noise), each at the strength;
    * ``rot180``: a fraction ``strength`` of the images turned by 180° (``torch.rot90`` twice), the rest left
      alone; it is the wrong augmentation: it turns a 6 into something that looks like a 9.
    """
    x = _images(x)
    if kind not in IMAGE_KINDS:
        raise fail(f"kind must be one of {', '.join(IMAGE_KINDS)}; got {kind!r}.")
    strength = _nonneg("strength", strength, 1.0)
    n = x.shape[0]
    if kind in ("shift", "all"):
        k = shift_pixels(strength)
        d = torch.randint(-k, k + 1, (2, n), generator=generator)
        x = shift(x, d[0], d[1])
    if kind in ("rotate", "all"):
        most = IMAGE_KINDS["rotate"].most * strength
        x = rotate(x, (torch.rand(n, generator=generator, dtype=x.dtype) * 2 - 1) * most)
    if kind in ("noise", "all"):
        x = add_noise(x, IMAGE_KINDS["noise"].most * strength, generator)
    if kind == "rot180":
        turn = torch.rand(n, generator=generator) < strength
        x = torch.where(turn[:, None, None], torch.rot90(x, 2, dims=(1, 2)), x)
    return x


class Augment(nn.Module):
    """Augments standardized, flattened digits in training mode; the identity in ``eval()`` mode.

    The inputs are the 64 pixels standardized with the training ``mean`` and ``scale`` (what the lab's digit
    models read); the layer turns them back into 8 × 8 grey-level images, applies :func:`augment_images` and
    standardizes the result again. Put it in front of a model (``nn.Sequential(Augment(...), model)``): every
    batch then sees a fresh random draw, and validation and test inputs pass unchanged.
    """

    def __init__(self, mean: torch.Tensor, scale: torch.Tensor, kind: str, strength: float, seed: int = 0,
                 side: int = 8):
        super().__init__()
        if kind not in IMAGE_KINDS:
            raise fail(f"kind must be one of {', '.join(IMAGE_KINDS)}; got {kind!r}.")
        self.kind, self.strength, self.side = kind, _nonneg("strength", strength, 1.0), side
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32).reshape(-1))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32).reshape(-1))
        if self.mean.numel() != side * side or self.scale.numel() != side * side:
            raise fail(f"mean and scale must hold {side * side} values (one per pixel); got "
                       f"{self.mean.numel()} and {self.scale.numel()}.")
        self.generator = torch.Generator().manual_seed(seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, 64) -> (N, 64)
        if not self.training or self.strength == 0:
            return x
        raw = (x * self.scale + self.mean).reshape(-1, self.side, self.side)  # (N, 8, 8) grey levels
        out = augment_images(raw, self.kind, self.strength, self.generator)
        return ((out.reshape(x.shape[0], -1) - self.mean) / self.scale).to(x.dtype)


# ----------------------------------------------------------------------------- signals


def jitter(x: torch.Tensor, sigma: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """``x`` (N, T, C) plus independent Gaussian noise of ``sigma`` at every step and channel."""
    x = _signals(x)
    return x + _nonneg("sigma", sigma) * torch.randn(x.shape, generator=generator, dtype=x.dtype)


def scale(x: torch.Tensor, sigma: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """Every sequence's channel multiplied by one factor ``1 + ε``, ``ε ~ N(0, sigma²)`` (a gain error)."""
    x = _signals(x)
    eps = _nonneg("sigma", sigma) * torch.randn((x.shape[0], 1, x.shape[2]), generator=generator, dtype=x.dtype)
    return x * (1 + eps)


def time_warp(x: torch.Tensor, strength: float, generator: torch.Generator | None = None,
              knots: int = 4) -> torch.Tensor:
    """Each sequence resampled along a smooth, increasing map of time with the same first and last step.

    The local speed of time is ``1 + strength · s(t)``, with ``s`` a random curve through ``knots`` values
    uniform in ±1 (linearly interpolated), so ``strength < 1`` keeps it positive; integrated and rescaled, it
    maps step 0 to step 0 and step T − 1 to step T − 1. The output has the input's length; every value is a
    linear interpolation between two neighbouring input steps, so it stays within the input's range.
    """
    x = _signals(x)
    strength = _nonneg("strength", strength, 0.9)
    if not isinstance(knots, int) or knots < 2:
        raise fail(f"knots must be a whole number of at least 2; got {knots!r}.")
    n, t, _ = x.shape
    vals = torch.rand((n, 1, knots), generator=generator, dtype=x.dtype) * 2 - 1  # (N, 1, knots)
    speed = 1 + strength * F.interpolate(vals, size=t - 1, mode="linear", align_corners=True)[:, 0]  # (N, T-1)
    pos = torch.cat([torch.zeros(n, 1, dtype=x.dtype), speed.cumsum(1)], 1)  # (N, T), increasing from 0
    pos = pos / pos[:, -1:] * (t - 1)  # first step 0, last step T - 1
    lo = pos.floor().long().clamp(0, t - 2)  # (N, T)
    w = (pos - lo).unsqueeze(-1)  # (N, T, 1)
    idx = lo.unsqueeze(-1).expand(-1, -1, x.shape[2])
    return torch.gather(x, 1, idx) * (1 - w) + torch.gather(x, 1, idx + 1) * w


def augment_signals(x: torch.Tensor, kind: str, strength: float, generator: torch.Generator | None = None
                    ) -> torch.Tensor:
    """One random draw of signal augmentation ``kind`` at ``strength`` (0 to 1 of :data:`SIGNAL_KINDS`'s range)."""
    if kind not in SIGNAL_KINDS:
        raise fail(f"kind must be one of {', '.join(SIGNAL_KINDS)}; got {kind!r}.")
    most = SIGNAL_KINDS[kind].most * _nonneg("strength", strength, 1.0)
    fn = {"jitter": jitter, "scale": scale, "warp": time_warp}[kind]
    return fn(x, most, generator)
