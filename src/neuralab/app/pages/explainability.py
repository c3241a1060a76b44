"""/explainability: attribution maps of the digits CNN and their sanity check; the motor's features explained.

Assembled from part modules (``explainability_<part>.py``), each with its controls (``SPEC``), its sections and layout.
"""

from __future__ import annotations

import torch

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value
from neuralab.data.motor import flux_linkage
from neuralab.explain.attributions import integrated_gradients

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.explainability_", ("maps", "motor"))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "An attribution method answers: which inputs did this answer depend on? On this page four of them (saliency, "
    "gradient × input, integrated gradients and occlusion, computed with captum) explain the lab's digits CNN (the "
    "one /robustness attacks, trained once on this machine), digit by digit. Then two checks that any explanation "
    "should pass before anyone acts on it: completeness (integrated gradients must add up to the change of the "
    "output, to within a shrinking error), and the same maps for the same network with random weights: a method "
    "whose map hardly changes is drawing the input, not the network. Last, a small network predicting the motor's "
    "torque from engineered features, explained by permutation importance and by SHAP, against what the simulator's "
    "torque law says truly drives it."
)
layout = parts.layout("Explainability", INTRO, PARTS)

wire(P, SPEC)

SECTION_MAPS = "Four maps of one digit"
SECTION_MOTOR = "The motor: which features drive the torque?"


def _linear_ig_sum() -> float:
    """Σ IG of f(x) = w·x + b with w = (2, −1, 0.5), x = (1, 3, 4), baseline 0, computed with the library's IG."""
    lin = torch.nn.Linear(3, 1)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor([[2.0, -1.0, 0.5]]))
        lin.bias.fill_(0.7)
    ig = integrated_gradients(lin, torch.tensor([[1.0, 3.0, 4.0]]), torch.zeros(1, 3), None, steps=4)
    return round(float(ig.attributions.sum()), 6)


QUESTIONS = (
    Value("linear-ig", "A linear model f(x) = w·x + 0.7 with w = (2, −1, 0.5) reads x = (1, 3, 4). What do its "
          "integrated gradients from the baseline 0 add up to?", _linear_ig_sum,
          "On a straight path the gradient of a linear model is w everywhere, so IGᵢ = wᵢ · xᵢ = (2, −3, 2), and the "
          "sum is f(x) − f(0) = {answer}: completeness, exact here with any number of steps. The bias never appears.",
          section="Completeness: do the attributions add up?", tolerance=0.001),
    Pick("random-weights", "A method draws nearly the same map for a trained network and for the same network with "
         "random weights. The map…",
         ("…is especially trustworthy: it does not depend on training noise", "…mostly shows the input, not what the "
          "network learned", "…proves the network is robust"), 1,
         "An explanation of a model must depend on the model. If randomizing the weights leaves the map alike, the "
         "map is a function of the input (and of the architecture). On this page that is integrated gradients "
         "from a blank baseline, which multiplies by the ink, and to a lesser degree gradient × input, which "
         "multiplies by the distance from the average digit, and occlusion.", section=SECTION_MAPS),
    Pick("shap-vs-permutation", "A feature has a clearly non-zero mean |SHAP| value, but shuffling it on held-out "
         "data does not lower the test score. Most likely…",
         ("…the model uses the feature, but the target does not depend on it (the model fitted noise)",
          "…SHAP is wrong", "…the feature is the most important one"), 0,
         "SHAP measures how far each feature moves the model's answer; permutation importance on held-out data "
         "measures how much the score needs it. The pure-noise column on this page shows the difference. For a "
         "column independent of everything, shuffling cannot lower the expected score however much the model "
         "uses it: the cost of having fitted it is already in the test score.",
         section=SECTION_MOTOR),
    Value("flux", "With i_d = 0 the motor's torque is T = 1.5 · p · ψ(ϑ) · i_q and its magnets lose 0.12 % of their "
          "flux per kelvin. By how many percent does the torque for the same current fall from 20 °C to 120 °C?",
          lambda: round(100 * (1 - float(flux_linkage(120.0)) / float(flux_linkage(20.0))), 3),
          "ψ(120) / ψ(20) = 1 − 0.0012 × 100 = 0.88, so the same current makes {answer} % less torque: the whole "
          "of the temperature's effect on the target, and why a good model still needs the temperature.",
          section=SECTION_MOTOR, tolerance=0.01, unit="%"),
)
