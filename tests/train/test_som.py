"""Maps fitted on the lab's data: the split, the measures recomputed, the size sweep."""

import numpy as np
import pytest

from neuralab.nn import som as nn_som
from neuralab.params import ParamError
from neuralab.train import som


def test_the_motor_points_hold_out_every_fourth_cycle_and_are_standardized_on_training_only():
    d = som.dataset("motor")
    assert d.X_train.shape[1] == 4 and d.features == som.MOTOR_LABELS and d.units[2] == "A peak"
    assert set(np.unique(d.y_test)) == {3, 7, 11} and not set(d.y_train) & {3, 7, 11}
    assert np.allclose(d.X_train.mean(0), 0, atol=1e-9) and np.allclose(d.X_train.std(0), 1)
    assert d.physical(d.X_train)[:, 0].max() > 1000  # rpm again


def test_the_digits_are_pixels_scaled_to_one_and_stratified():
    d = som.dataset("digits")
    assert d.X_train.shape[1] == 64 and d.X_train.max() == 1.0 and d.X_train.min() == 0.0
    assert len(d.X_test) == 360 and set(np.unique(d.y_test)) == set(range(10))
    with pytest.raises(ValueError, match="dataset must be one of"):
        som.dataset("faces")


def test_a_fit_is_measured_as_its_definitions_say():
    m = som.train("motor", 4, 5, 2, 0.5, 2.0, 0)
    d = m.data
    assert m.qe_train == pytest.approx(nn_som.quantization_error(d.X_train, m.fit.weights))
    assert m.qe_test == pytest.approx(nn_som.quantization_error(d.X_test, m.fit.weights))
    assert m.hits.sum() == len(d.X_train) and m.hits.shape == (4, 5)
    assert m.accuracy is None and (m.label == -1).all()
    assert m.kmeans_qe < m.qe_train  # no grid to keep: k-means covers the data more closely
    assert m.snap_xy.shape == (len(m.fit.steps), 4, 5, 2)
    assert np.allclose(m.snap_xy[-1], d.physical(m.fit.weights)[..., :2])  # speed and torque in their units
    assert som.train("motor", 4, 5, 2, 0.5, 2.0, 0).qe_train == m.qe_train  # kept on disk: the same answer


def test_on_digits_the_map_labels_held_out_digits_by_its_units_majority():
    m = som.train("digits", 6, 6, 2, 0.5, 3.0, 0)
    first = nn_som.bmus(m.data.X_train, m.fit.weights)[:, 0]
    unit = int(np.argmax(m.hits.ravel()))
    assert m.label.ravel()[unit] == np.bincount(m.data.y_train[first == unit]).argmax()
    assert 0.6 < m.accuracy <= 1.0  # far above the 10 % of guessing
    assert m.plane == ("principal component 1", "principal component 2")


@pytest.mark.parametrize(("args", "fragment"), [
    (("motor", 1, 5, 2, 0.5, 2.0, 0), "som_rows must be between 2 and 20"),
    (("motor", 4, 21, 2, 0.5, 2.0, 0), "som_cols must be between 2 and 20"),
    (("faces", 4, 5, 2, 0.5, 2.0, 0), "som_data must be one of"),
    (("motor", 4, 5, 2, 0.001, 2.0, 0), "som_alpha must be between"),
])
def test_bad_settings_are_named(args, fragment):
    with pytest.raises(ParamError, match=fragment):
        som.train(*args)


def test_the_size_sweep_lowers_the_training_error_as_units_are_added(monkeypatch):
    monkeypatch.setattr(som, "SIZES", (2, 4, 6))
    seen = []
    s = som.size_sweep("motor", 0, progress=lambda done, total: seen.append((done, total)))
    assert list(s.sides) == [2, 4, 6] and seen[-1] == (3, 3)
    assert (np.diff(s.qe_train) < 0).all() and (np.diff(s.kmeans_qe) < 0).all()
    assert np.isnan(s.accuracy).all() and s.n_test == len(som.dataset("motor").X_test)


def test_the_toolbox_size_is_5_n_to_the_0_54321_with_sides_from_the_principal_axes():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1000, 3)) * [4.0, 1.0, 0.5]  # variances 16 : 1 along the first two axes
    units, rows, cols = som.toolbox_size(X)
    assert units == pytest.approx(5 * 1000 ** 0.54321) and units > 5 * 1000 ** 0.5
    assert rows > cols and rows / cols == pytest.approx(4.0, rel=0.35)  # √(16 / 1)
    assert abs(rows * cols - units) < rows + cols
