"""The reversal task: targets are the inputs read backwards, and no test sequence is a training one."""

import numpy as np

from neuralab.data.tokens import reversal


def test_targets_are_the_reversed_inputs_and_test_is_disjoint_from_train():
    r = reversal(10, 8, 500, 200, seed=1)
    np.testing.assert_array_equal(r.y_train, r.x_train[:, ::-1])
    np.testing.assert_array_equal(r.y_test, r.x_test[:, ::-1])
    assert r.x_train.shape == (500, 8) and r.x_test.shape == (200, 8) and r.steps == 8
    assert not {row.tobytes() for row in r.x_test} & {row.tobytes() for row in r.x_train}
    assert len({row.tobytes() for row in r.x_test}) == 200
    assert r.x_train.min() >= 0 and r.x_train.max() <= 9 and not r.x_train.flags.writeable


def test_the_seed_fixes_the_data():
    a, b = reversal(5, 4, 50, 20, seed=2), reversal.__wrapped__(5, 4, 50, 20, seed=2)
    np.testing.assert_array_equal(a.x_test, b.x_test)
