"""/som: a self-organizing map fitted here on the motor's operating points or the digits, opened up.

Assembled from part modules (``som_<part>.py``), as /recurrent is: the map (its U-matrix and errors, its
unfolding over training, its component planes) and the map-size sweep.
"""

from __future__ import annotations

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value
from neuralab.nn import som

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.som_", ("map", "size"))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "A self-organizing map lays a grid of units over the data and fits it by competition, not by "
    "backpropagation: each sample pulls its nearest unit and that unit's grid neighbours toward itself. "
    "The result is a flat map of data with many dimensions, here the operating points of the lab's motor "
    "or the 8×8 digits, on which neighbouring units hold similar prototypes. Everything below is one real "
    "fit, measured."
)
layout = parts.layout("Self-organizing maps", INTRO, PARTS)

wire(P, SPEC)


def _two_columns_away() -> float:
    """The neighbourhood of a unit two columns from the BMU with σ = 1 grid unit."""
    g = som.grid_positions(10, 12)
    return float(som.neighbourhood(((g[2] - g[0]) ** 2).sum(), 1.0))


def _halfway_radius() -> float:
    """σ halfway through an exponential decay from 5 to 0.5 grid units."""
    T = 10_000
    return float(som.decay(5.0, 0.5, (T - 1) / 2, T))


QUESTIONS = (
    Value("neighbour-pull", "Neighbourhood radius σ = 1 grid unit. A unit two columns from the best-matching unit "
          "moves by what fraction of the winner's step?", _two_columns_away,
          "The Gaussian neighbourhood gives exp(−2² / (2 · 1²)) = e⁻² = {answer}.",
          section="The map unfolding over training", tolerance=0.01),
    Value("halfway-sigma", "σ decays exponentially from 5 to 0.5 grid units over a fit. What is it halfway "
          "through?", _halfway_radius,
          "An exponential decay passes the geometric mean halfway: √(5 · 0.5) = {answer}, well below the "
          "arithmetic mean of 2.75.", section="The map unfolding over training", tolerance=0.01),
    Pick("te-count", "A sample's best-matching unit is (3, 4) and its second best is (3, 6). Does it count toward "
         "the topographic error?",
         ("No: both units are in the same row", "Yes: they are two columns apart, so not grid neighbours",
          "Only if its quantization error is large"), 1,
         "Only the 8 units around the BMU count as neighbours; (3, 6) is two columns away, so this sample "
         "counts as a topographic error whatever its distance: the map's order is broken here.",
         section="A map of the data: the U-matrix and two errors"),
)
