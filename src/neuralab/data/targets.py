"""Two-dimensional distributions for a generator to learn: Gaussian mixtures with known modes, and the playground sets.

Every set lives in about ``[-2.5, 2.5]²``, the scale a small network's outputs reach without effort:

* ``ring``: eight Gaussians of standard deviation :data:`SD` on a circle of radius 2, equally weighted;
* ``grid``: twenty-five Gaussians of standard deviation :data:`SD` on the grid ``{-2, -1, 0, 1, 2}²``;
* ``spiral``, ``circle``, ``xor``, ``gauss``: the playground's sets (:mod:`neuralab.data.playground`, two classes,
  no noise), divided by 3 to come from ``[-6, 6]²`` into ``[-2, 2]²``; their labels are dropped.

The mixtures have modes whose centres and spread are known (:func:`modes`), so a generator's coverage can be
counted mode by mode; the playground sets are measured against the points themselves.
"""

from __future__ import annotations

import numpy as np

from neuralab.data import playground
from neuralab.params import Choice

__all__ = ["MIXTURES", "SCALE", "SD", "TARGET", "TARGETS", "modes", "sample"]

SD = 0.05  # standard deviation of each mixture component
SCALE = 1 / 3  # playground sets: [-6, 6]² -> [-2, 2]²

#: name -> label. ``ring`` and ``grid`` are mixtures with known modes; the rest are playground sets.
TARGETS: dict[str, str] = {
    "ring": "Ring of 8 Gaussians",
    "grid": "Grid of 25 Gaussians",
    "spiral": "Spiral (playground)",
    "circle": "Disc and ring (playground)",
    "xor": "XOR squares (playground)",
    "gauss": "Two blobs (playground)",
}
MIXTURES = ("ring", "grid")
TARGET = Choice(tuple(TARGETS.items()), "ring", label="Data",
                help="The distribution the generator has to learn to imitate.")


def modes(name: str) -> np.ndarray | None:
    """The mode centres (K, 2) of a mixture, or None for a playground set."""
    if name == "ring":
        a = 2 * np.pi * np.arange(8) / 8
        return 2.0 * np.column_stack([np.cos(a), np.sin(a)])
    if name == "grid":
        g = np.arange(-2.0, 3.0)
        return np.array([(x, y) for x in g for y in g])
    if name in TARGETS:
        return None
    raise ValueError(f"target must be one of {', '.join(TARGETS)}; got {name!r}.")


def sample(name: str, n: int, seed: int) -> np.ndarray:
    """``n`` points (n, 2) float32 of target ``name``, the same for the same seed.

    A mixture picks each point's mode uniformly, then adds Gaussian noise of standard deviation :data:`SD`.
    """
    rng = np.random.default_rng(seed)
    centres = modes(name)
    if centres is not None:
        k = rng.integers(0, len(centres), n)  # (n,) the mode of each point
        return (centres[k] + rng.normal(0.0, SD, (n, 2))).astype(np.float32)
    points, _ = playground.points(name, n, 0.0, seed)  # (n, 2) in [-6, 6]²
    return (points * SCALE).astype(np.float32)
