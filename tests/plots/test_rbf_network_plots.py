"""/rbf-network's figures: valid plotly, the numbers of the result in them and in their captions."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab.plots import rbf_network as figures
from neuralab.plots.format import num
from neuralab.train import rbf


@pytest.fixture(scope="module")
def race():
    return rbf.compare("motor", 4, "tanh", 2, epochs=3)


@pytest.mark.parametrize("rule", ["nearest", "global"])
def test_the_surface_figure_draws_a_circle_of_radius_sigma_round_each_centre(rule):
    s = rbf.surface(centres=7, rule=rule, width=1.3)
    fig = figures.surface_figure(s)
    go.Figure(fig.to_dict())
    circles = [sh for sh in fig.layout.shapes if sh.type == "circle"]
    assert len(circles) == 7
    np.testing.assert_allclose([(c.x1 - c.x0) / 2 for c in circles], s.net.widths_)
    caption = figures.describe_surface(s)
    assert num(s.r2_test) in caption and num(s.cond) in caption
    assert ("every width" in caption) == (rule == "global")


def test_the_slice_draws_one_bump_per_unit_and_their_sum():
    s = rbf.surface(centres=9, slice_y=-2.0)
    fig = figures.slice_figure(s)
    go.Figure(fig.to_dict())
    total = next(t for t in fig.data if t.name.startswith("output"))
    np.testing.assert_allclose(np.asarray(total.y), s.total)
    bumps = next(t for t in fig.data if t.name.startswith("wⱼ"))
    assert int(np.isnan(np.asarray(bumps.y, dtype=float)).sum()) == 9  # nine curves, each ended by a gap
    np.testing.assert_allclose(np.nansum(np.asarray(bumps.y, dtype=float)), s.bumps.sum())
    assert "= -2" in figures.describe_slice(s)


def test_the_motor_surface_names_its_colour_and_gives_the_scaled_axes_in_amperes_and_degrees():
    s = rbf.surface(dataset="motor")
    fig = figures.surface_figure(s)
    assert fig.data[0].colorbar.title.text.startswith("torque (scaled")
    (a_lo, a_hi), (t_lo, t_hi) = s.raw_range
    assert f"−5 = {num(a_lo)} A, 5 = {num(a_hi)} A" in fig.layout.xaxis.title.text
    assert f"{num(t_lo)} to {num(t_hi)} °C" in figures.describe_surface(s)
    assert num(s.net.bias_) in figures.describe_surface(s)


def test_the_race_figures_and_table_carry_the_measured_numbers(race):
    for fig in (figures.race_slice_figure(race), figures.race_maps_figure(race)):
        go.Figure(fig.to_dict())
    assert len(figures.race_maps_figure(race).data) == 3
    caption = figures.describe_race_slice(race)
    assert num(race.bias) in caption and num(float(race.models[2].line[-1])) in caption
    rows = figures.race_rows(race)
    assert [r["parameters"] for r in rows] == ["17"] * 3
    assert rows[2]["RMS error beyond the cut (N·m)"] == num(race.models[2].rmse_outside)
    (a_lo, a_hi), _ = race.raw_range
    assert f"({num(a_lo + (race.cut + 5) / 10 * (a_hi - a_lo))} A) (shaded)" in caption  # the cut in amperes
    assert f"5 = {num(a_hi)} A" in figures.race_slice_figure(race).layout.xaxis.title.text
    maps = figures.describe_race_maps(race)
    assert "N·m" in maps and num(float(np.median(race.widths[1]))) in maps
