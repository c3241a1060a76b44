"""One way to check the arrays a user hands the library, in the spirit of scikit-learn's ``check_array``.

Every function of :mod:`neuralab` that takes data (a signal, a feature matrix, labels) checks
it here, so bad input is worded the same everywhere: a :class:`~neuralab.params.ParamError`
whose sentence names the argument, says what was expected and what came, and never echoes
the data itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuralab.params import ParamError

__all__ = ["check_array", "fail"]


def fail(message: str) -> ParamError:
    """A ParamError with one sentence (``raise fail(...)``)."""
    return ParamError([message])


def _dims(ndim: int | tuple[int, ...]) -> str:
    allowed = (ndim,) if isinstance(ndim, int) else ndim
    return " or ".join(f"{d}-D" for d in allowed)


def check_array(x: Any, name: str = "x", ndim: int | tuple[int, ...] | None = 1, min_len: int = 1,
                max_size: int | None = None, why: str = "") -> np.ndarray:
    """``x`` as a finite float64 array, or a ParamError naming ``name``.

    Args:
        x: anything ``np.asarray`` turns into numbers.
        name: the argument's name, as the caller's signature spells it.
        ndim: the allowed number of dimensions (one, a tuple of several, or None for any).
        min_len: the fewest samples along the first axis (``why`` says what needs them).
        max_size: the most values in all; a larger array is refused before any work is done.
        why: a few words on why ``min_len`` samples are needed, added to that sentence.
    """
    where = "" if ndim is None else f"{_dims(ndim)} "
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise fail(f"{name} must be a {where}array of numbers; got {type(x).__name__}.") from None
    if ndim is not None and arr.ndim not in ((ndim,) if isinstance(ndim, int) else ndim):
        raise fail(f"{name} must be a {where}array; got shape {arr.shape}.")
    if max_size is not None and arr.size > max_size:
        raise fail(f"{name} may hold at most {max_size:,} values; got {arr.size:,}.")
    bad = ~np.isfinite(arr)
    if bad.any():
        n_bad, n_nan = int(bad.sum()), int(np.isnan(arr).sum())
        first = np.unravel_index(int(np.argmax(bad)), arr.shape) if arr.ndim else ()
        at = f", first at index {first[0] if len(first) == 1 else tuple(int(i) for i in first)}" if first else ""
        raise fail(f"{name} must be finite (no NaN or inf); got {n_bad} non-finite of {arr.size} values "
                   f"({n_nan} NaN and {n_bad - n_nan} infinite{at}).")
    n = arr.shape[0] if arr.ndim else 1
    if n < min_len:
        raise fail(f"{name} has {n} samples; it needs at least {min_len}{f' ({why})' if why else ''}.")
    return arr
