"""One test cycle estimated, and the two moments only a memory tells apart."""

import numpy as np
import pytest

from neuralab.data.sequences import thermal_cycles, thermal_split
from neuralab.train import sensor
from tests.train.tiny_thermal import tiny_train


def test_twin_moments_finds_alike_windows_with_different_temperatures():
    x = np.zeros((30, 3))
    x[:, 0] = np.r_[np.full(10, 5.0), np.full(10, 50.0), np.full(10, 5.0)]  # low, high, low current
    temp = np.r_[np.linspace(20, 21, 10), np.linspace(21, 60, 10), np.linspace(60, 40, 10)]
    tw = sensor.twin_moments(x, temp, np.ones(3))
    assert tw.distance == 0 and tw.current_a == 0
    assert tw.a <= 9 and tw.b >= 23  # both in a low-current stretch, one before the heating and one after
    assert abs(temp[tw.b] - temp[tw.a]) > 15


def test_twin_moments_falls_back_to_the_most_alike_pair():
    x = np.arange(20, dtype=float)[:, None] * np.ones(3) * 10
    tw = sensor.twin_moments(x, np.arange(20.0), np.ones(3))
    assert tw.distance == pytest.approx(10.0)


def test_estimate_cycle_in_physical_units():
    e = sensor.estimate_cycle(2, "lstm", train=tiny_train)
    split, data = thermal_split(), thermal_cycles()
    assert e.cycle == split.cycles_test[1]
    np.testing.assert_allclose(e.x, data.x[e.cycle], atol=1e-3)
    np.testing.assert_allclose(e.temp_c, data.temp_c[e.cycle], atol=1e-3)
    assert e.cycle_rmse_k == pytest.approx(float(np.sqrt(np.mean(e.error_k ** 2))))
    assert not set(e.cycles_test) & (set(e.cycles_train) | set(e.cycles_val))
    assert len(e.cycles_train) + len(e.cycles_val) + len(e.cycles_test) == data.cycles


@pytest.mark.parametrize(("cycle", "arch", "fragment"), [(0, "gru", "sensor_cycle must be between 1 and"),
                                                         (1, "cnn", "sensor_arch must be one of")])
def test_bad_arguments_name_the_parameter(cycle, arch, fragment):
    with pytest.raises(ValueError, match=fragment):
        sensor.estimate_cycle(cycle, arch, train=tiny_train)
