"""The one rule for text on a coloured cell: the colour of the two that contrasts most, checked against WCAG."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.plots import theme
from neuralab.plots.playground import CONFUSION_SCALE, confusion_figure


def test_contrast_matches_the_wcag_reference_values():
    assert theme.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WCAG's classic 4.5 edge
    assert theme.contrast("rgb(0, 114, 178)", "#0072B2") == pytest.approx(1.0)


@pytest.mark.parametrize("cell, text", [("#0072B2", theme.LIGHT_TEXT), ("#ffffff", theme.DARK_TEXT),
                                        ("#E69F00", theme.DARK_TEXT), ("#000000", theme.LIGHT_TEXT)])
def test_text_on_picks_the_colour_that_reads(cell, text):
    assert theme.text_on(cell) == text


def test_every_cell_of_an_opaque_scale_gets_text_of_at_least_the_minimum_contrast():
    shares = np.linspace(0, 1, 101)[None, :]
    colors = theme.cell_colors(shares, CONFUSION_SCALE, 0, 1)[0]
    assert min(theme.contrast(theme.text_on(c), c) for c in colors) >= theme.MIN_CONTRAST


def test_cell_text_writes_each_count_in_its_cells_colour():
    fig = confusion_figure(np.array([[90, 10], [0, 100]]), ["blue", "orange"])
    go.Figure(fig.to_dict())  # valid plotly
    heat, text = fig.data
    assert heat.type == "heatmap" and not heat.texttemplate  # plotly's one-colour guess is not used
    assert list(text.text) == ["90", "10", "0", "100"]
    cells = theme.cell_colors(heat.z, CONFUSION_SCALE, 0, 1)
    for (i, j), color in zip([(0, 0), (0, 1), (1, 0), (1, 1)], text.textfont.color, strict=True):
        assert color == theme.text_on(cells[i][j])
    assert text.textfont.color[0] == theme.LIGHT_TEXT and text.textfont.color[1] == theme.DARK_TEXT


def test_axes_grow_their_margins_to_fit_their_labels():
    fig = go.Figure(theme.figure([dict(type="scatter", x=[1], y=[1], xaxis="x2", yaxis="y2")], xaxis2={}, yaxis2={}))
    assert fig.layout.template.layout.xaxis.automargin and fig.layout.template.layout.yaxis.automargin
