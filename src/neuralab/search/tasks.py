"""The data sets a search runs on: train, validation and test, scaled on train only.

* ``digits``: scikit-learn's 1,797 8×8 handwritten digits, 10 classes (the default).
* ``motor``: torque of the lab's simulated motor from its current amplitude and winding
  temperature, window means (regression). The target is standardised on the training rows,
  so the loss, a mean squared error, is in units of the training target's variance.
* ``spiral``: the playground's two interleaved spiral arms, 600 points (classification).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from neuralab.data.arrays import Arrays, digits, prepare
from neuralab.params import Choice

__all__ = ["DATASET", "arrays"]

SPIRAL_FEATURES = ("x", "y", "sinx", "siny")  # the playground's inputs that make spirals learnable

_TITLES = {"digits": "Digits (8×8 images, 10 classes)", "motor": "Motor torque (regression)",
           "spiral": "Two spirals (2 classes)"}
DATASET = Choice.of(_TITLES, "digits", label="Data set",
                 help="What the networks learn: the search space and the samplers stay the same.")


@lru_cache(maxsize=8)
def arrays(name: str, seed: int = 0) -> Arrays:
    """The split of data set ``name`` (a key of :data:`DATASET`); the same split for every trial."""
    DATASET.coerce("dataset", name)
    if name == "digits":
        return digits(seed)
    if name == "motor":
        from neuralab.data.motor import motor_log, motor_windows

        w = motor_windows(motor_log(seed=0), window_s=0.01)
        X = np.column_stack([w.i_amp, w.temp_c])
        return prepare(X, np.asarray(w.torque_nm, dtype=np.float64), task="regression", seed=seed, name="motor")
    from neuralab.data.playground import features, points

    P, y = points("spiral", 600, 0.1, seed, 2)
    X = features(P, SPIRAL_FEATURES)
    return prepare(X, y, task="classification", seed=seed, name="spiral")
