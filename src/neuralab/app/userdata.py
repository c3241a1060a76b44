"""The learner's own datasets in the app: the browser's owner token and every page's dataset choice.

One home for the shared part of issue 18's pages:

* :func:`owner_store`: ``dcc.Store("nl-owner")`` in the shell, kept in localStorage and filled once, in the
  browser, with an unguessable token (``crypto.getRandomValues``). The catalogue lists a dataset to the token
  that added it; nothing else identifies the learner.
* :func:`wire_choice`: the callback that fills a page's dataset control with the built-in options plus the
  owner's datasets (under their own name, marked as yours), and keeps a ``user:<id>`` from a link selectable in
  another browser (knowing the id is the share link).
* :func:`table`: ``user:<id>`` to the prepared :class:`~neuralab.data.user.Table`, an unknown or deleted id
  becoming a :class:`~neuralab.params.ParamError` whose sentence names the dataset (sections show it).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from dash import Input, Output, State, callback, clientside_callback, dcc

from neuralab.app.controls import cid
from neuralab.data import user
from neuralab.data.arrays import Arrays
from neuralab.data.datasets import Dataset
from neuralab.params import Choice, ParamError

__all__ = ["OWNER", "arrays", "dataset", "describe", "owner_ok", "owner_store", "options", "table", "title",
           "wire_choice"]

OWNER = "nl-owner"
#: Bytes drawn by the browser for the token: 18 bytes are 24 url-safe characters.
TOKEN_BYTES = 18


def owner_store() -> dcc.Store:
    """The browser's owner token (localStorage: it survives reloads and restarts, per browser profile)."""
    return dcc.Store(id=OWNER, storage_type="local")


# Filled once: a token already there (valid shape) is kept. base64url of random bytes, no padding.
clientside_callback(
    f"""function(_ts, token) {{
        if (typeof token === "string" && /^{user.OWNER_RE}$/.test(token)) return window.dash_clientside.no_update;
        const bytes = new Uint8Array({TOKEN_BYTES});
        window.crypto.getRandomValues(bytes);
        let s = "";
        bytes.forEach(b => {{ s += String.fromCharCode(b); }});
        return btoa(s).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
    }}""",
    Output(OWNER, "data"),
    Input(OWNER, "modified_timestamp"),
    State(OWNER, "data"),
)


def owner_ok(owner: Any) -> str | None:
    """The owner token if it has the right shape, else None (a crafted or missing token owns nothing)."""
    return owner if isinstance(owner, str) and re.fullmatch(user.OWNER_RE, owner) else None


def title(value: str) -> str:
    """The name a dataset choice's value shows: a built-in's title is its option label; a user dataset's, its name."""
    try:
        return user.catalogue().entry(value.removeprefix(user.USER_PREFIX)).name
    except (user.UploadError, KeyError):
        return value


def table(value: str, *, max_rows: int | None = user.INTERACTIVE_ROWS, seed: int = 0) -> user.Table:
    """The user dataset ``value`` (``user:<id>``), sampled to ``max_rows`` (seeded); a sentence if it cannot be."""
    try:
        return user.catalogue().table(value.removeprefix(user.USER_PREFIX), max_rows=max_rows, seed=seed)
    except user.UploadError as exc:
        raise ParamError([f"dataset {value}: {exc}"]) from None
    except KeyError:
        raise ParamError([f"dataset {value}: no such dataset here; it was deleted, or the link is wrong."]) from None


def options(builtin: Choice, owner: Any, current: Any) -> list[dict[str, str]]:
    """The dataset control's options: the built-ins, the owner's datasets, and a shared one the link names."""
    out = [{"label": label, "value": value} for value, label in builtin.options]
    token = owner_ok(owner)
    mine = user.catalogue().entries(token) if token else []
    out += [{"label": f"{e.name} (yours)", "value": user.USER_PREFIX + e.id} for e in mine]
    if isinstance(current, str) and user.is_user(current) and all(o["value"] != current for o in out):
        try:
            name = user.catalogue().entry(current.removeprefix(user.USER_PREFIX)).name
            out.append({"label": f"{name} (shared with you)", "value": current})
        except (user.UploadError, KeyError, ValueError):
            out.append({"label": "Unknown dataset (see the note below)", "value": current})
    return out


def wire_choice(page: str, builtin: Choice, field: str = "dataset") -> Any:
    """Register the callback that fills ``page``'s dataset control; returns it (a plain function for tests)."""
    def fill_options(owner: Any, current: Any) -> list[dict[str, str]]:
        return options(builtin, owner, current)

    fill_options.__name__ = fill_options.__qualname__ = f"fill_{page.replace('-', '_')}_{field}_options"
    return callback(Output(cid(page, field), "options"), Input(OWNER, "data"), State(cid(page, field), "value"))(
        fill_options)


_DATASETS: dict[int, tuple[user.Table, Dataset]] = {}


def dataset(t: user.Table) -> Dataset:
    """``t.as_dataset()``, made once per prepared table (the catalogue caches the tables themselves)."""
    got = _DATASETS.get(id(t))
    if got is None or got[0] is not t:
        if len(_DATASETS) > 32:
            _DATASETS.clear()
        got = _DATASETS[id(t)] = (t, t.as_dataset())
    return got[1]


def describe(t: user.Table, binned: bool = False, limit: int = user.INTERACTIVE_ROWS) -> str:
    """One sentence on a user table as the page uses it: its name, rows (sampled or not), features, target.

    ``binned``: the page cuts a numeric target into quartile classes (``Table.as_dataset``), and says so.
    ``limit``: the rows the page samples the table to (``max_rows``), which the sentence names.
    """
    if not t.sampled:
        rows = f"{len(t.y):,} rows"
    elif limit != user.INTERACTIVE_ROWS or len(t.y) >= user.INTERACTIVE_ROWS:
        rows = (f"a seeded sample of {len(t.y):,} of its {t.n_rows_total:,} rows (this page works on at most "
                f"{limit:,})")
    else:
        rows = (f"a seeded sample of {len(t.y):,} of its {t.n_rows_total:,} rows, so that this chart keeps up "
                f"with the slider (cross-validation below uses up to {user.INTERACTIVE_ROWS:,})")
    target = (("a numeric target, cut into its quartiles as classes here" if binned else "a numeric target")
              if t.task == "regression" else f"{len(t.class_names)} classes")
    extra = (["ordered by its time column"] if t.time is not None else []) + (
        [f"{len(np.unique(t.groups)):,} groups"] if t.groups is not None else [])
    return (f"Your dataset {t.name}: {rows}, {len(t.feature_names)} feature"
            f"{'s' if len(t.feature_names) != 1 else ''}, {target}" + "".join(f", {e}" for e in extra) + ".")


def xy(value: str, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray, bool, str, str]:
    """A dataset choice's ``(X, y, classify, name, sentence)``: a built-in dataset, or a user table (sampled)."""
    if user.is_user(value):
        t = table(value, seed=seed)
        return t.X, t.y, t.task != "regression", t.name, describe(t)
    from neuralab.data.datasets import DATASETS, load

    ds = load(value)
    return ds.X, ds.y, True, ds.title, DATASETS[value].blurb


SPLITS = {"groups": "whole groups kept apart (training, validation and test share no group)",
          "time": "in time order (training the earliest 60 % of the rows, validation the next 20 %, test the last)",
          "shuffled": "shuffled, stratified by class (60 % training, 20 % validation, 20 % test)",
          "shuffled-numeric": "shuffled (60 % training, 20 % validation, 20 % test)"}


def arrays(value: str, *, seed: int = 0, max_rows: int | None = user.INTERACTIVE_ROWS) -> tuple[Arrays, str]:
    """A user dataset's train/validation/test arrays (scaled on its training rows) and the sentence the page shows.

    The split follows the table's roles (``Table.split``); a table that cannot be split so becomes a ParamError
    naming the dataset.
    """
    t = table(value, max_rows=max_rows, seed=seed)
    try:
        got = t.arrays(seed)
    except (user.UploadError, ValueError) as exc:
        raise ParamError([f"dataset {value}: {exc}"]) from None
    split = "shuffled-numeric" if t.split == "shuffled" and t.task == "regression" else t.split
    return got, f"{describe(t, limit=max_rows or user.INTERACTIVE_ROWS)} Split {SPLITS[split]}."
