"""The compression pages' "On your own data" section, as plain functions, on tables in a temporary catalogue."""

from __future__ import annotations

import runpy

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import torch

from neuralab.app import own_compression, userdata
from neuralab.app.pages import distillation, pruning, quantization
from neuralab.compress import own, zoo
from neuralab.data import user
from neuralab.plots.compression_own import describe_own
from tests.app import tree

torch.set_num_threads(1)
ME = "me" + "A" * 20
PAGES = (quantization, pruning, distillation)
#: each page's section values besides the dataset (the page's defaults)
VALUES = {page: page.OWN.defaults() for page in PAGES}


@pytest.fixture(scope="module", autouse=True)
def _app(app):
    return app


pytestmark = pytest.mark.usefixtures("data_dir")  # a fresh catalogue for every test (tests/conftest.py)


def _add(df: pd.DataFrame, roles: user.Roles, name: str) -> str:
    return "user:" + user.catalogue().add(df.to_csv(index=False).encode(), "t.csv", roles, owner=ME, name=name)


def _table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n)})
    df["state"] = np.where(df.a + 0.5 * df.b > 0, "hot", "ok")
    df["torque"] = 2 * df.a - df.c + 0.1 * rng.normal(size=n)
    return df


@pytest.fixture
def classes() -> str:
    return _add(_table().drop(columns="torque"), user.Roles("state", "binary"), "Bench states")


@pytest.fixture
def numeric() -> str:
    return _add(_table().drop(columns="state"), user.Roles("torque", "regression"), "Bench torque")


def _view(page, dataset: str, **extra) -> tuple:
    return page.OWN_SECTION.view(VALUES[page] | {"dataset": dataset} | extra)


def test_every_page_has_the_section_its_choice_and_lists_the_learners_tables(classes):
    for page in PAGES:
        ids = tree.ids(page.layout(page.SPEC.defaults(), []))
        for name in (f"{page.P}-dataset", f"{page.P}-own", f"{page.P}-own-summary", f"{page.P}-own-blurb",
                     f"{page.P}-own-alert", f"{page.P}-own-progress"):
            assert name in ids, name
        assert page.OWN_SECTION.job and page.SPEC.fields["dataset"] is own_compression.DATASET
        opts = page.fill_datasets(ME, "digits")
        assert opts[0]["value"] == "digits" and {"label": "Bench states (yours)", "value": classes} in opts


def test_the_built_in_option_runs_nothing_and_says_so(monkeypatch):
    monkeypatch.setattr(own, "train", lambda *a, **k: pytest.fail("trained a network for the built-in option"))
    for page in PAGES:
        fig, caption, blurb, alert = _view(page, "digits")
        assert caption == own_compression.NOT_CHOSEN and blurb == "" and alert == ""
        assert own_compression.CHART_HINT in str(fig.to_plotly_json())


def test_quantization_on_a_user_table_matches_the_library(classes):
    fig, caption, blurb, alert = _view(quantization, classes)
    assert alert == "" and isinstance(fig, go.Figure)
    data, said = userdata.arrays(classes, seed=0)
    assert blurb == said and "Your dataset Bench states" in blurb
    direct = own.quantization(data, classes.removeprefix("user:"))
    assert [t.y.tolist() for t in fig.data][0] == pytest.approx(100 * direct.scores["test"])
    assert caption == describe_own(direct)
    assert caption.startswith("On Bench states, test accuracy over 60 test rows")
    f32, dyn, sta = direct.scores["test"]
    assert 0.7 < f32 <= 1 and abs(dyn - f32) < 0.1 and abs(sta - f32) < 0.1  # 8 bits cost little
    assert direct.sizes[1] < direct.sizes[0] / 3  # one byte a weight against four
    # the scheme control of the page above changes the numbers' method: per-channel weights cost more scales
    per = own.quantization(data, classes.removeprefix("user:"), granularity="channel")
    assert per.sizes[1] > direct.sizes[1]


def test_the_model_is_trained_once_per_table_and_kept_on_disk(classes, monkeypatch):
    data, _ = userdata.arrays(classes, seed=0)
    key = classes.removeprefix("user:")
    first = own.train(data, key)
    calls = []
    monkeypatch.setattr(own, "fit", lambda *a, **k: calls.append(1))
    again = own.train(data, key)
    assert calls == [] and again.key == first.key and again.accuracy == first.accuracy
    other, _ = userdata.arrays(classes, seed=1)  # another split: another model
    assert own.train(other, key).key != first.key and calls == [1]
    assert first.model[0].in_features == 3 and first.model[-1].out_features == 2


def test_regression_reports_the_mse_of_the_standardized_target(numeric):
    fig, caption, blurb, alert = _view(quantization, numeric)
    assert alert == "" and "test MSE of the standardized target" in caption
    data, _ = userdata.arrays(numeric, seed=0)
    ref = own.train(data, numeric.removeprefix("user:"))
    assert ref.accuracy == pytest.approx(zoo.score(ref.model, data))
    out = ref.model(torch.tensor(data.X_test)).squeeze(-1).detach().numpy()
    assert ref.accuracy == pytest.approx(float(np.mean((out - data.y_test) ** 2)), rel=1e-5)
    assert ref.accuracy < 0.2 and fig.data[0].y[0] == pytest.approx(ref.accuracy)  # a near-linear target


def test_pruning_on_a_user_table_at_the_pages_levels(classes):
    fig, caption, blurb, alert = _view(pruning, classes, seed=0)
    assert alert == "" and blurb.startswith("Your dataset Bench states")
    data, _ = userdata.arrays(classes, seed=0)
    direct = own.pruning(data, classes.removeprefix("user:"), 0)
    assert direct.labels == ("dense", *(f"{lv}% sparse" for lv in pruning.SWEEP_LEVELS[1:]))
    after = direct.scores["after fine-tuning"]
    assert [t for t in fig.data if t.name == "after fine-tuning"][0].y.tolist() == pytest.approx(100 * after)
    assert direct.scores["right after pruning"][0] == pytest.approx(direct.reference)
    assert after[-1] <= direct.reference + 0.05
    assert direct.sizes[-1] < direct.sizes[0] < direct.sizes[1]  # CSR: bigger at 30%, smaller at 95%


def test_distillation_on_a_user_table_and_a_numeric_target_gets_a_sentence(classes, numeric):
    fig, caption, blurb, alert = _view(distillation, classes)
    assert alert == "" and caption.startswith("On Bench states, test accuracy")
    data, _ = userdata.arrays(classes, seed=0)
    direct = own.distillation(data, classes.removeprefix("user:"), 4.0, 0.5)
    assert fig.data[0].y.tolist() == pytest.approx(100 * direct.scores["test"])
    assert direct.sizes[0] > 100 * direct.sizes[1]
    fig, caption, blurb, alert = _view(distillation, numeric)
    assert alert.startswith("dataset Bench torque: distillation") and "numeric target" in alert and caption == alert


def test_bad_input_gets_a_sentence(classes):
    for page in PAGES:
        gone = _view(page, "user:" + "Q" * 16)[-1]
        assert "No dataset" in gone and "deleted" in gone
        bad = page.OWN_SECTION.view(VALUES[page] | {"dataset": "mnist"})[-1]
        assert bad.startswith("dataset must be one of digits or one of your datasets")
    tiny = _add(_table(n=40), user.Roles("state", "binary"), "Tiny")
    said = _view(quantization, tiny)[-1]
    assert said.startswith("dataset Tiny: ") and "too few to train a network on" in said
    with pytest.raises(ValueError, match="key must be"):
        own.train(userdata.arrays(classes)[0], "../x")


def test_the_exported_script_prints_the_pages_numbers_for_a_user_table(classes, tmp_path, capsys):
    from neuralab.app import export

    got = export.build("/pruning", f"?dataset={classes}&seed=0")
    assert got.values["dataset"] == classes and classes in got.datasets and "neuralab data add" in got.datasets[classes]
    path = tmp_path / "page.py"
    path.write_text(got.script())
    namespace = runpy.run_path(str(path), run_name="exported")
    capsys.readouterr()
    namespace["section_own"](str(tmp_path / "figures"))
    printed = capsys.readouterr().out
    fig, caption, blurb, alert = _view(pruning, classes, seed=0)
    assert alert == "" and f"[own] {caption}" in printed and f"[own-blurb] {blurb}" in printed
