"""What a training experiment trains on: the built-in digits, one of the learner's tables, or arrays given.

The training pages (/learning-rate, /regularization) declare one ``dataset`` field, :data:`DATASET`: ``"digits"``
(scikit-learn's 8 × 8 handwritten digits, the default) or ``"user:<id>"``, a table the learner added on the Data
page or with ``neuralab data add``. A library function called from a script may pass
:class:`~neuralab.data.arrays.Arrays` instead. :func:`resolve` turns any of the three into a :class:`Source`:
the arrays, a key that results are cached by, and one sentence on what is trained.

A user table is read from this machine's catalogue (:func:`neuralab.data.user.catalogue`), sampled to
:data:`~neuralab.data.user.INTERACTIVE_ROWS` rows (seeded) and split by its roles (:meth:`Table.arrays
<neuralab.data.user.Table.arrays>`: whole groups, time order, or shuffled and stratified), scaled on its training
rows. A catalogue entry never changes once added, so ``user:<id>`` and the seed identify the arrays. An unknown id
or a table that cannot be split raises :class:`~neuralab.params.ParamError` naming the dataset.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

from neuralab.data.arrays import Arrays, digits
from neuralab.params import DatasetChoice, ParamError

__all__ = ["DATASET", "DIGITS", "Source", "fewer_rows", "lookup", "resolve"]

DIGITS = "digits"
DATASET = DatasetChoice(((DIGITS, "Handwritten digits (8 × 8)"),), DIGITS, label="Dataset",
                        help="What every run trains on: scikit-learn's handwritten digits, or one of your own "
                        "datasets (the Data page).")
_KEPT = 32  # sources kept for lookup(): the cached training functions find their arrays by key here


@dataclass(frozen=True)
class Source:
    """A dataset value made ready to train on."""

    key: str  # "digits", "user:<id>" or "arrays:<digest>": results are cached by it (with the seed)
    data: Arrays  # train / validation / test, scaled on the training rows
    sentence: str  # what is trained on, for the page

    @property
    def builtin(self) -> bool:
        return self.key == DIGITS


_SOURCES: OrderedDict[tuple[str, int], Source] = OrderedDict()


def _digest(a: Arrays) -> str:
    h = hashlib.blake2b(digest_size=12)
    for part in (a.X_train, a.y_train, a.X_val, a.y_val, a.X_test, a.y_test):
        h.update(str(part.shape).encode() + str(part.dtype).encode())
        h.update(part.tobytes())
    h.update(f"{a.task}|{a.n_classes}".encode())
    return "arrays:" + h.hexdigest()


def _target(a: Arrays, class_names: tuple[str, ...] = ()) -> str:
    if a.task == "regression":
        return "a numeric target (loss: mean squared error in units of the target's variance; score: R²)"
    return f"{a.n_classes} classes" + (f" ({', '.join(class_names)})" if 0 < len(class_names) <= 4 else "")


def _counts(a: Arrays) -> str:
    return (f"{len(a.y_train):,} training rows, {len(a.y_val):,} validation rows, {a.n_features} "
            f"feature{'s' if a.n_features != 1 else ''}")


def fewer_rows(a: Arrays, n: int, seed: int) -> Arrays:
    """``a`` with a seeded sample of ``n`` of its training rows (all of them when it has no more); the rest untouched.

    Stratified by class when every class has at least two training rows, else a plain sample.
    """
    rows = np.arange(len(a.y_train))
    if len(rows) <= n:
        return a
    strat = None
    if a.task == "classification":
        counts = np.bincount(a.y_train)
        strat = a.y_train if counts[counts > 0].min() >= 2 else None
    try:
        keep, _ = train_test_split(rows, train_size=n, stratify=strat, random_state=seed)
    except ValueError:  # more classes than n rows can stratify: a plain sample
        keep, _ = train_test_split(rows, train_size=n, random_state=seed)
    X, y = a.X_train[np.sort(keep)], a.y_train[np.sort(keep)]
    for part in (X, y):
        part.setflags(write=False)
    return dataclasses.replace(a, X_train=X, y_train=y)


def _user(value: str, seed: int, max_train: int | None) -> Source:
    from neuralab.data import user

    ident, key = value.removeprefix(user.USER_PREFIX), value + (f"|train<={max_train}" if max_train else "")
    try:
        user.catalogue().entry(ident)  # looked up every time: a deleted dataset is never served from memory
        kept = _SOURCES.get((key, seed))
        if kept is not None:
            return kept
        t = user.catalogue().table(ident, seed=seed)
        data = t.arrays(seed)
    except (user.UploadError, KeyError, ValueError) as exc:
        raise ParamError([f"dataset {value}: {str(exc).strip() or 'no such dataset here'}"]) from None
    sampled = (f", a seeded sample of {t.n_rows:,} of its {t.n_rows_total:,} rows" if t.sampled else "")
    split = {"groups": "whole groups apart", "time": "in time order", "shuffled": "shuffled"}[t.split]
    sentence = (f"Your dataset {t.name}{sampled}: {_counts(data)} (split {split}), "
                f"{_target(data, t.class_names)}.")
    if max_train and len(data.y_train) > max_train:
        sentence += (f" These runs train on a seeded sample of {max_train:,} of its {len(data.y_train):,} training "
                     "rows, which keeps every job within a few times the digits' time.")
        data = fewer_rows(data, max_train, seed)
    return Source(key, data, sentence)


def resolve(dataset: str | Arrays, seed: int = 0, max_train: int | None = None) -> Source:
    """The arrays for ``dataset`` (``"digits"``, ``"user:<id>"`` or Arrays) with ``seed``'s split and sample.

    ``max_train``: a user table keeps a seeded sample of at most this many training rows (validation and test
    untouched), and its key and sentence say so. Raises ParamError (a ValueError) with a sentence naming the dataset
    when it is unknown or cannot be split.
    """
    if isinstance(dataset, Arrays):
        src = Source(_digest(dataset), dataset, f"{dataset.name or 'The arrays given'}: {_counts(dataset)}, "
                     f"{_target(dataset)}.")
    elif dataset == DIGITS:
        data = digits(seed)
        src = Source(DIGITS, data, f"scikit-learn's 8 × 8 handwritten digits: {_counts(data)}, 10 classes.")
    else:
        try:
            value = DATASET.coerce("dataset", dataset)  # a crafted value gets the field's sentence
        except ValueError as exc:
            raise ParamError([str(exc)]) from None
        src = _user(value, int(seed), max_train)
    _SOURCES[(src.key, int(seed))] = src
    _SOURCES.move_to_end((src.key, int(seed)))
    while len(_SOURCES) > _KEPT:
        _SOURCES.popitem(last=False)
    return src


def lookup(key: str, seed: int) -> Arrays:
    """The arrays of a source :func:`resolve` made in this process (for functions cached by the key)."""
    got = _SOURCES.get((key, int(seed)))
    if got is None:
        if key.startswith("arrays:"):
            raise LookupError(f"{key} was not resolved in this process; pass the Arrays again.")
        value, _, cap = key.partition("|train<=")
        got = resolve(value, seed, int(cap) if cap else None)
    return got.data
