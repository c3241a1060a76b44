"""The one array check: every bad input a sentence naming the argument, never the data."""

import numpy as np
import pytest

from neuralab.checks import check_array, check_frequency, check_labels, check_length
from neuralab.params import ParamError


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (dict(x=[[1.0, np.nan], [np.inf, 2.0]], name="X", ndim=2),
         r"X must be finite \(no NaN or inf\); got 2 non-finite of 4 values \(1 NaN and 1 infinite, first at index "
         r"\(0, 1\)\)"),
        (dict(x=np.zeros((2, 2)), name="signal"), r"signal must be a 1-D array; got shape \(2, 2\)"),
        (dict(x=np.zeros(3), name="X", ndim=(2, 3)), r"X must be a 2-D or 3-D array; got shape \(3,\)"),
        (dict(x=["a", "b"], name="y"), r"y must be a 1-D array of numbers; got list"),
        (dict(x={"a": 1}, name="y"), r"y must be a 1-D array"),
        (dict(x=np.zeros(5), name="x", min_len=9, why="one window"),
         r"x has 5 samples; it needs at least 9 \(one window\)"),
        (dict(x=np.zeros(11), name="x", max_size=10), r"x may hold at most 10 values; got 11"),
    ],
)
def test_bad_arrays_get_a_sentence_naming_the_argument(kwargs, words):
    with pytest.raises(ParamError, match=words):
        check_array(**kwargs)


def test_good_arrays_come_back_as_float64():
    out = check_array([1, 2, 3])
    assert out.dtype == np.float64 and out.tolist() == [1.0, 2.0, 3.0]
    assert check_array(2.5, "t", ndim=None, min_len=0).shape == ()


def test_labels_lengths_and_frequencies_get_sentences_too():
    np.testing.assert_array_equal(check_labels([0.0, 2.0, 1.0], "labels", 3, 10), [0, 2, 1])
    assert check_labels([1, 2], "labels", 2, 10).dtype == np.int64
    with pytest.raises(ParamError, match=r"labels must have one entry per sample \(4\); got 3"):
        check_labels([0, 1, 2], "labels", 4, 10)
    with pytest.raises(ParamError, match="labels must hold whole numbers from 0 to 9; got values from 0 to 10"):
        check_labels([0, 10], "labels", 2, 10)
    with pytest.raises(ParamError, match="labels must hold whole numbers"):
        check_labels([0, 1.5], "labels", 2, 10)
    check_length(np.zeros(3), "y", 3)
    with pytest.raises(ParamError, match=r"y must have one entry per sample \(3\); got 2"):
        check_length(np.zeros(2), "y", 3)
    assert check_frequency(np.float32(50), "fs") == 50.0 and isinstance(check_frequency(50, "fs"), float)
    for bad in (0, -1.0, np.inf, True, "50"):
        with pytest.raises(ParamError, match="fs must be a positive, finite frequency in Hz"):
            check_frequency(bad, "fs")
