"""Small user tables for the /learning-rate and /regularization page tests (a catalogue under a tmp directory)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from neuralab.data import user

OWNER = "lr" + "K" * 20


def add(task: str = "binary", n: int = 300, name: str = "Rig log") -> str:
    """A table of 4 signals and a target that depends on two of them; returns its ``user:<id>``."""
    rng = np.random.default_rng(7)
    df = pd.DataFrame({f"s{i}": rng.normal(size=n) for i in range(4)})
    if task == "regression":
        df["y"] = 2 * df.s0 - df.s1 + rng.normal(scale=0.3, size=n)
    else:
        df["y"] = np.where(df.s0 + 0.5 * df.s1 > 0, "trip", "ok")
    return "user:" + user.catalogue().add(df.to_csv(index=False).encode(), "rig.csv", user.Roles("y", task),
                                          owner=OWNER, name=name)


def add_rare() -> str:
    """A binary table whose rare class has 2 rows: a shuffled, stratified split cannot be made."""
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60), "y": ["rare"] * 2 + ["common"] * 58})
    return "user:" + user.catalogue().add(df.to_csv(index=False).encode(), "r.csv", user.Roles("y", "binary"),
                                          owner=OWNER, name="Rare")


@pytest.fixture(name="tables")
def tables_fixture(tmp_path, monkeypatch, app):
    """This module, with the catalogue in a directory of the test's own."""
    monkeypatch.setenv("NEURALAB_DATA_DIR", str(tmp_path / "user-data"))
    return sys.modules[__name__]


def refuses_bad_tables(section) -> None:
    """An unknown id, a crafted value and a table that cannot be split each give the section a sentence."""
    gone = section.view(section.spec.defaults() | dict(dataset="user:" + "Q" * 16))
    assert "dataset user:QQQQQQQQQQQQQQQQ: No dataset" in gone[-1]
    crafted = section.view(section.spec.defaults() | dict(dataset="user:../x"))
    assert "dataset must be one of digits or one of your datasets" in crafted[-1]
    assert "at least 3 per class" in section.view(section.spec.defaults() | dict(dataset=add_rare()))[-1]
