"""neuralab.data.source: a training page's dataset value (digits, a user table, Arrays) as arrays, or a sentence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neuralab.data import source, user
from neuralab.data.arrays import digits, prepare
from neuralab.params import ParamError

OWNER = "src" + "Q" * 20


pytestmark = pytest.mark.usefixtures("data_dir")  # a fresh catalogue for every test (tests/conftest.py)


def _add(task: str = "binary", n: int = 300) -> str:
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n)})
    df["y"] = np.where(df.a > 0, "on", "off") if task == "binary" else 2 * df.a - df.b
    return "user:" + user.catalogue().add(df.to_csv(index=False).encode(), "t.csv", user.Roles("y", task),
                                          owner=OWNER, name="Rig")


def test_digits_is_the_default_and_the_same_arrays_as_before():
    src = source.resolve("digits", 3)
    assert src.key == "digits" and src.data is digits(3) and src.builtin
    assert "1,077 training rows, 360 validation rows, 64 features, 10 classes" in src.sentence


def test_a_user_table_gives_its_own_split_and_a_sentence():
    value = _add()
    src = source.resolve(value, 0)
    t = user.catalogue().table(value[5:])
    expected = t.arrays(0)
    assert src.key == value and src.data.n_features == 3 and src.data.n_outputs == 2
    np.testing.assert_array_equal(src.data.X_train, expected.X_train)
    assert src.sentence.startswith("Your dataset Rig: 180 training rows, 60 validation rows, 3 features")
    assert source.resolve(value, 0) is src  # kept, while the entry exists
    reg = source.resolve(_add("regression"), 0)
    assert reg.data.task == "regression" and reg.data.n_outputs == 1 and "R²" in reg.sentence


def test_arrays_are_keyed_by_their_content():
    a = prepare(np.random.default_rng(0).normal(size=(60, 2)), np.arange(60) % 2, task="classification", seed=0)
    b = prepare(np.random.default_rng(0).normal(size=(60, 2)), np.arange(60) % 2, task="classification", seed=0)
    assert source.resolve(a).key == source.resolve(b).key != source.resolve(digits(0)).key
    assert source.lookup(source.resolve(a).key, 0) is a  # the latest resolved under that key
    with pytest.raises(LookupError, match="pass the Arrays again"):
        source.lookup("arrays:" + "0" * 24, 0)


@pytest.mark.parametrize(("value", "fragment"), [
    ("user:" + "Z" * 16, "No dataset 'ZZZZZZZZZZZZZZZZ'"),
    ("user:../../etc/passwd", "dataset must be one of digits or one of your datasets"),
    ("wine", "dataset must be one of digits"),
])
def test_an_unknown_or_crafted_value_is_a_sentence(value, fragment):
    with pytest.raises(ParamError, match="dataset") as got:
        source.resolve(value, 0)
    assert fragment in str(got.value)


def test_a_deleted_table_is_refused_even_when_it_was_resolved_before():
    value = _add()
    source.resolve(value, 0)
    user.catalogue().delete(value[5:], owner=OWNER)
    with pytest.raises(ParamError, match="No dataset"):
        source.resolve(value, 0)


def test_a_table_that_cannot_be_split_names_the_dataset_and_the_rule():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"a": rng.normal(size=60), "y": ["rare"] * 2 + ["common"] * 58})
    value = "user:" + user.catalogue().add(df.to_csv(index=False).encode(), "r.csv", user.Roles("y", "binary"),
                                           owner=OWNER, name="Rare")
    with pytest.raises(ParamError, match=f"dataset {value}: .*at least 3 per class"):
        source.resolve(value, 0)


def test_max_train_keeps_a_stratified_sample_of_the_training_rows_and_says_so():
    value = _add(n=2_000)  # 1,200 training rows
    full, capped = source.resolve(value, 0), source.resolve(value, 0, max_train=500)
    assert capped.key != full.key and len(capped.data.y_train) == 500
    np.testing.assert_array_equal(capped.data.X_val, full.data.X_val)  # validation untouched
    assert abs(capped.data.y_train.mean() - full.data.y_train.mean()) < 0.01  # stratified
    assert "These runs train on a seeded sample of 500 of its 1,200 training rows" in capped.sentence
    roomy = source.resolve(value, 0, max_train=5_000)
    assert source.lookup(capped.key, 0) is capped.data and roomy.data.y_train.shape == full.data.y_train.shape
