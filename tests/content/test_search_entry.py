"""The hyperparameter-search entry: its numbers recomputed, its code valid, its place in the reference."""

from __future__ import annotations

import inspect
from importlib import resources

import optuna
import pytest
from scipy import integrate, stats

from neuralab.app.pages import reference
from tests.app import tree


def entry() -> str:
    return resources.files("neuralab.content").joinpath("hyperparameter-search.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("n", "words"), [(100, "about 2.5 σ below"), (10, "about 1.5 σ")])
def test_the_winners_curse_numbers_are_the_expected_maximum_of_normals(n, words):
    mean_max = integrate.quad(lambda x: x * n * stats.norm.pdf(x) * stats.norm.cdf(x) ** (n - 1), -12, 12)[0]
    assert f"{mean_max:.1f} σ" in words and words in entry()


def test_the_grid_and_successive_halving_arithmetic():
    text = entry()
    assert round(16 ** (1 / 2)) == 4 and round(16 ** (1 / 4)) == 2
    assert "16 trials over 2 parameters try 4 values of each, over 4 parameters only 2" in text
    rungs = [(81 // 3**k, 3**k) for k in range(5)]  # (settings alive, epochs each)
    assert all(n * e == 81 for n, e in rungs)
    total, full = sum(n * e for n, e in rungs), 81 * 81
    assert f"{total} in all, against {full:,} for training all 81" in text and f"{full // total} times less" in text
    resumed = [n * (e - prev) for (n, e), prev in zip(rungs, [0] + [e for _, e in rungs], strict=False)]
    assert resumed[1:] == [54] * 4  # a promoted setting trains only the epochs it has not had yet
    assert f"costs 54 epochs, {sum(resumed)} in all ({round(full / sum(resumed))} times less)" in text


def test_the_optuna_claims_are_in_the_installed_source():
    gp = inspect.getsource(optuna.samplers.GPSampler)
    assert "acqf_module.qLogEI(" in gp and "acqf_module.LogEI(" in gp and "running trials" in entry()
    cma = inspect.getsource(optuna.samplers.CmaEsSampler)
    assert "mean = lower_bounds + (upper_bounds - lower_bounds) / 2" in cma and "centre of the box" in entry()
    assert "neuralab search worker --study NAME --storage URL" in entry()


def test_optunas_defaults_are_the_ones_the_entry_names():
    assert inspect.signature(optuna.samplers.TPESampler).parameters["n_startup_trials"].default == 10
    assert "`n_startup_trials` (10 by default in Optuna 5)" in entry() and optuna.__version__.startswith("5.")
    evaluator = inspect.getsource(optuna.importance.get_param_importances)
    assert "evaluator = PedAnovaImportanceEvaluator()" in evaluator and "PED-ANOVA (the default in Optuna 5" in entry()


def test_every_code_block_is_python():
    blocks = entry().split("```python\n")[1:]
    assert len(blocks) == 2
    for block in blocks:
        compile(block.split("```")[0], "entry", "exec")


def test_the_entry_sits_after_regularization_and_renders():
    topics = list(reference.TOPICS)
    assert topics[topics.index("regularization") + 1] == "hyperparameter-search"
    text = tree.text(reference.show("hyperparameter-search"))
    assert "Hyperparameter search" in text and "winner's curse" in text
