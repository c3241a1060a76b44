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

__all__ = ["check_array", "check_frequency", "check_labels", "check_length", "fail"]


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


def check_length(arr: np.ndarray, name: str, n: int) -> None:
    """Refuse ``arr`` unless it has ``n`` entries, one per sample, with a sentence naming ``name``."""
    if len(arr) != n:
        raise fail(f"{name} must have one entry per sample ({n}); got {len(arr)}.")


def check_labels(x: Any, name: str, n: int, limit: int) -> np.ndarray:
    """``x`` as ``n`` int64 labels (bin or group indices) in ``[0, limit)``, or a ParamError naming ``name``."""
    arr = check_array(x, name)
    check_length(arr, name, n)
    if np.any(arr != np.round(arr)) or arr.min() < 0 or arr.max() >= limit:
        raise fail(
            f"{name} must hold whole numbers from 0 to {limit - 1}; "
            f"got values from {arr.min():g} to {arr.max():g}."
        )
    return arr.astype(np.int64)


def check_frequency(value: Any, name: str) -> float:
    """``value`` as a positive, finite frequency in Hz (a plain number, not a bool), or a ParamError naming ``name``."""
    number = isinstance(value, int | float | np.number) and not isinstance(value, bool)
    if not number or not np.isfinite(value) or value <= 0:
        raise fail(f"{name} must be a positive, finite frequency in Hz; got {value!r}.")
    return float(value)
