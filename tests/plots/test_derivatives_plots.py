"""The /derivatives figures are valid plotly for both models, and their captions quote the library."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from neuralab.plots import derivatives as figures
from neuralab.signal import derivative


@pytest.mark.parametrize(("model", "sigma_w"), [("cv", 1e3), ("ca", 1e4), ("cv", 1.0)])
def test_every_figure_is_valid_plotly(model, sigma_w):
    c = derivative.compare(bits=8, window=21, process_noise=sigma_w, model=model)
    tr = derivative.tradeoff(8, model)
    for fig in (figures.speed_figure(c), figures.gain_figure(c), figures.tradeoff_figure(tr, c)):
        go.Figure(fig.to_dict())  # raises ValueError on any invalid property
    for text in (figures.describe_speed(c), figures.describe_gain(c), figures.describe_tradeoff(tr, c)):
        assert "nan" not in text and "inf" not in text
    assert len(figures.metric_rows(c)) == 3


def test_a_gain_that_never_settles_says_so():
    c = derivative.compare(process_noise=1.0, model="ca")
    assert c.settled == c.profile.t.size
    assert "is still changing after all 2,000 samples" in figures.describe_gain(c)
