"""/augmentation: data augmentation on the digits measured: what it buys at each training-set size, and the wrong one.

Assembled from part modules (``augmentation_<part>.py``): one digit augmented (light), accuracy against
training-set size with and without (a background job), and an augmentation that changes the label (a job).
"""

from __future__ import annotations

import torch

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value
from neuralab.train.augment import GREY_MAX, rotate, shift

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.augmentation_", ("gallery", "curve", "wrong"))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "Augmentation trains a network on changed copies of its training inputs, changes that keep the label true, "
    "drawn afresh for every batch: it is the cheapest way to add variety the data lack, when collecting more "
    "is the expensive part, provided the variety is one the real inputs have. This page measures it on the "
    "8 × 8 digits with the lab's small CNN: first one digit under a shift, a small rotation or noise at the "
    "chosen strength; then the validation accuracy against the number of training digits per class, with and "
    "without, over three seeds, to see where it pays and where the gain shrinks; "
    "last, an augmentation that changes the label (a 6 turned upside down is a 9), and what it does to the 6s "
    "and 9s."
)
layout = parts.layout("Data augmentation", INTRO, PARTS)

wire(P, SPEC)

GALLERY_TITLE = "One digit, augmented"
CURVE_TITLE = "When augmentation pays: accuracy against training-set size"
WRONG_TITLE = "The wrong augmentation: turning a 6 into a 9"


def _lost_by_shift() -> int:
    """Pixels of a full 8 × 8 image that a shift by 1 pixel right and back no longer restores."""
    full = torch.full((1, 8, 8), GREY_MAX)
    return int((shift(shift(full, 1, 0), -1, 0) != full).sum())


def _ink_after_45() -> float:
    """Share of a full 8 × 8 image's ink left after a 45° rotation, blank outside (percent, one decimal)."""
    full = torch.full((1, 8, 8), GREY_MAX)
    return round(float(100 * rotate(full, 45.0).sum() / full.sum()), 1)


QUESTIONS = (
    Value("aug-shift-lost", "An 8 × 8 image is shifted 1 pixel to the right (the uncovered column blank) and then "
          "1 pixel back. How many of its 64 pixels can differ from the original?", _lost_by_shift,
          "The column that fell off the right edge is gone and the way back blanks the rightmost column: {answer} "
          "pixels. Every pixel at least one column from that edge is restored exactly (the tests check this).",
          section=GALLERY_TITLE),
    Value("aug-rotate-ink", "Every pixel of an 8 × 8 image is 16 (full ink). It is rotated by 45° about its centre, "
          "bilinear, blank outside. What percentage of its ink is left? (one decimal)", _ink_after_45,
          "{answer} %: the corners turn out of the frame and the new corners read blank. A rotation is "
          "label-preserving for small angles, but at angles other than multiples of 90° it is never lossless on a "
          "small image.", section=GALLERY_TITLE,
          tolerance=0.01),
    Pick("aug-where-pays", "Where does augmentation gain the most validation accuracy?",
         ("With the fewest training examples per class", "With the full training set",
          "Equally at every size", "Only when the network is too small"), 0,
         "With few examples the network has seen little of the variety it will meet; the augmentation supplies "
         "some of it. With many, the data already hold most of that variety and the gain shrinks (the chart "
         "measures by how much, against the spread over the seeds).", section=CURVE_TITLE),
    Pick("aug-wrong", "Which of these is a wrong augmentation for handwritten digits?",
         ("A shift by one pixel", "A rotation by up to 15°", "A turn by 180°", "Gaussian noise of 2 grey levels"),
         2, "A 6 turned by 180° is drawn like a 9 but keeps the label 6: the augmentation teaches the network that "
         "the two shapes can be either digit, and accuracy on the 9s falls (the chart measures it).",
         section=WRONG_TITLE),
)
