"""The data sets a search runs on: train, validation and test, scaled on train only.

* ``digits``: scikit-learn's 1,797 8×8 handwritten digits, 10 classes (the default).
* ``motor``: torque of the lab's simulated motor from its current amplitude and winding
  temperature, window means (regression). The target is standardised on the training rows,
  so the loss, a mean squared error, is in units of the training target's variance.
* ``spiral``: the playground's two interleaved spiral arms, 600 points (classification).
* ``user:<id>``: a learner's own table from this machine's catalogue (:mod:`neuralab.data.user`),
  split by its roles (:meth:`~neuralab.data.user.Table.arrays`). A landscape trains res² × seeds
  networks over the training rows, and its time grows with the rows and, past the digits' 64, with
  the features (the first layer's weights are updated every batch). A user table is therefore cut
  to a seeded sample (stratified by class) of :data:`SEARCH_ROWS` rows, 60 % of which train (as many
  as the digits' training split), and of proportionally fewer above :data:`WIDE` features
  (:func:`max_rows`), so that a part's job takes about as long as on the digits
  (``benchmarks/user_pages.py search`` prints both). A worker on another machine reads the table
  from its own catalogue: share the lab's data directory (``NEURALAB_DATA_DIR``) with it.

Caches keyed by the data set's value stay correct for user tables: an id names one upload
(a new upload, or a share, gets a new id), and every entry point checks the id against the
catalogue (:func:`check`) before any cache is read, so a deleted table is refused, not served.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from neuralab.data import user
from neuralab.data.arrays import Arrays, digits, prepare
from neuralab.params import Choice, DatasetChoice, ParamError

__all__ = ["DATASET", "SEARCH_ROWS", "WIDE", "arrays", "check", "max_rows", "table"]

SPIRAL_FEATURES = ("x", "y", "sinx", "siny")  # the playground's inputs that make spirals learnable
#: Rows of a user table the searches work on (a seeded sample): 60 % of them, 1,080, train, as on the digits.
SEARCH_ROWS = 1_800
#: Features (the digits' 64 pixels) above which a user table's row cap shrinks in proportion to its width.
WIDE = 64

_TITLES = {"digits": "Digits (8×8 images, 10 classes)", "motor": "Motor torque (regression)",
           "spiral": "Two spirals (2 classes)"}
DATASET = DatasetChoice.from_choice(Choice.of(
    _TITLES, "digits", label="Data set",
    help="What the networks learn: the search space and the samplers stay the same."))


def check(name: str) -> str:
    """``name`` as a valid data set: a built-in's key, or ``user:<id>`` of a table in this machine's catalogue.

    Raises:
        ParamError: not a data set, or a user id that is unknown here (deleted, or from another machine).
    """
    try:
        name = DATASET.coerce("dataset", name)
    except ValueError as exc:
        raise ParamError([str(exc)]) from None
    if user.is_user(name):
        try:
            user.catalogue().entry(name.removeprefix(user.USER_PREFIX))
        except user.UploadError as exc:
            raise ParamError([f"dataset {name}: {exc}"]) from None
    return name


def _table(name: str, rows: int, seed: int) -> user.Table:
    try:
        return user.catalogue().table(check(name).removeprefix(user.USER_PREFIX), max_rows=rows, seed=seed)
    except user.UploadError as exc:
        raise ParamError([f"dataset {name}: {exc}"]) from None


def max_rows(name: str) -> int:
    """The rows of user table ``name`` the searches sample: :data:`SEARCH_ROWS`, times ``WIDE / features`` if wider."""
    width = _table(name, SEARCH_ROWS, 0).X.shape[1]
    return max(user.MIN_ROWS, SEARCH_ROWS * min(WIDE, width) // width)


def table(name: str, seed: int = 0) -> user.Table:
    """The user table ``name`` (``user:<id>``) as the searches use it: at most :func:`max_rows` rows, seeded."""
    return _table(name, max_rows(name), seed)


def arrays(name: str, seed: int = 0) -> Arrays:
    """The split of data set ``name`` (a key of :data:`DATASET` or ``user:<id>``); the same split for every trial.

    Raises:
        ParamError: see :func:`check`; or a user table that cannot be split by its roles.
    """
    return _arrays(check(name), seed)


@lru_cache(maxsize=8)
def _arrays(name: str, seed: int) -> Arrays:
    if user.is_user(name):
        t = table(name, seed)
        try:
            return t.arrays(seed)
        except (user.UploadError, ValueError) as exc:
            raise ParamError([f"dataset {name}: {exc}"]) from None
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
