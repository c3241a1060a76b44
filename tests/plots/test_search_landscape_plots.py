"""The landscape figure: the measured map, the optimum star, and a caption with the measured numbers."""

import numpy as np
import plotly.graph_objects as go

from neuralab.plots import search_landscape as figures
from neuralab.search.landscape import landscape


def test_the_map_draws_every_cell_and_the_star_sits_on_the_best_one():
    ls = landscape("spiral", res=8, seeds=1)
    fig = figures.landscape_figure(ls)
    go.Figure(fig.to_dict())  # re-validated
    heat, star = fig.data
    assert np.asarray(heat.z).shape == (8, 8)
    i, j = ls.best
    assert star.x[0] == np.log10(ls.wd[j]) and star.y[0] == np.log10(ls.lr[i])
    text = figures.describe_landscape(ls)
    assert "64 cells × 1 seeds = 64 trainings" in text and f"{ls.optimum:.4g}" in text
    assert star.name == "best measured cell" and "standard error" not in text  # one seed: no standard error


def test_the_caption_counts_the_cells_within_one_standard_error_of_the_best():
    ls = landscape("spiral", res=8, seeds=2)
    i, j = ls.best
    se = np.std(ls.val_loss[:, i, j], ddof=1) / np.sqrt(2)
    close = int(np.sum(ls.score <= ls.optimum + se))
    text = figures.describe_landscape(ls)
    assert f"standard error over its 2 seeds is {se:.2g}" in text
    assert (f"{close} cells (itself included) lie" if close > 1 else "only the best cell itself lies") in text
