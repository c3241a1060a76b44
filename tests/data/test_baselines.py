"""The quick baseline models: every registry entry builds a fresh estimator, and a bad name is a sentence."""

import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline

from neuralab.data import baselines
from neuralab.params import ParamError


@pytest.mark.parametrize("name", list(baselines.MODELS))
def test_every_classifier_is_fresh_and_optionally_scaled(name):
    a, b = baselines.make_model(name), baselines.make_model(name)
    assert a is not b and isinstance(a, Pipeline) and not isinstance(baselines.make_model(name, scale=False), Pipeline)
    clone(a)  # a plain, unfitted scikit-learn estimator


@pytest.mark.parametrize("name", list(baselines.REGRESSORS))
def test_every_regressor_is_fresh_seeded_and_optionally_scaled(name):
    est = baselines.make_regressor(name, seed=7, scale=False)
    assert est is not baselines.make_regressor(name, seed=7, scale=False)
    if name in ("tree", "forest"):  # the randomized ones take the seed
        assert est.get_params()["random_state"] == 7
    assert isinstance(baselines.make_regressor(name), Pipeline)


def test_the_dropdowns_list_every_registry_entry_in_order():
    assert [v for v, _ in baselines.MODEL.options] == list(baselines.MODELS)
    assert [v for v, _ in baselines.REGRESSOR.options] == list(baselines.REGRESSORS)
    assert dict(baselines.REGRESSOR.options)["tree"] == "Decision tree (depth 6)"


def test_an_unknown_regressor_is_a_sentence():
    with pytest.raises(ParamError, match="model must be one of ridge, knn, tree, forest; got 'xgboost'"):
        baselines.make_regressor("xgboost")
