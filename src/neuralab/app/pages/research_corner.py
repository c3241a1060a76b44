"""/research-corner: capsule networks and neural ODEs, measured against the networks they would replace.

Assembled from part modules (``research_corner_<part>.py``): a capsule network with routing by agreement against
the lab's small CNN, then a neural ODE fitted to a spiral, also stepped by Euler (a tied ResNet's computation)
(both background jobs).
"""

from __future__ import annotations

import torch

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value
from neuralab.nn.capsule import DigitCapsNet, route, squash
from neuralab.nn.models import n_params
from neuralab.nn.ode import Field, solve
from neuralab.train.research import N_T, T_END

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.research_corner_", ("capsules", "ode"))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "Two ideas from research papers, each built small and run on data the lab ships, then set beside the plain "
    "network it would replace: parameters, accuracy, time and function evaluations, measured. First a capsule "
    "network (Sabour et al., 2017) on the 8 × 8 digits against the lab's small CNN (the compression zoo's "
    "cnn, 8 and 16 channels) with about as many parameters; then a neural ODE (Chen et al., 2018) fitted to a "
    "spiral, with the cost of its solver against "
    "the tolerance, and the same fitted field stepped by Euler's method, which is what a residual network "
    "with tied blocks and these weights computes. Neural "
    "architecture search, the third research topic, is a search problem: it belongs with /hyperparameter-search "
    "(linked at the end of this page)."
)
layout = parts.layout("Research corner", INTRO, PARTS)

wire(P, SPEC)

CAPS_TITLE = "Capsules: routing by agreement"
ODE_TITLE = "Neural ODEs: a network as a vector field"


def _squashed() -> float:
    return round(float(squash(torch.tensor([3.0, 0.0, 0.0, 0.0])).norm()), 2)


def _uniform() -> float:
    u_hat = torch.randn(1, 64, 10, 8, generator=torch.Generator().manual_seed(0))
    return round(float(route(u_hat, 1).c[0, 0, 0]), 3)


def _rk4_nfe() -> int:
    f = Field()
    f.reset()
    with torch.no_grad():
        solve(f, torch.tensor([1.0, 0.0]), torch.linspace(0.0, T_END, N_T), "rk4")
    return f.nfe


QUESTIONS = (
    Value("rc-squash", "A capsule's raw vector s has length 3. What is the length of squash(s)? (two decimals)",
          _squashed, "squash maps a length n to n² / (1 + n²): 9 / 10 = {answer}. The direction is kept; a long "
          "vector approaches length 1, a short one goes to 0 quadratically.", section=CAPS_TITLE, tolerance=0.01),
    Value("rc-uniform", "With one routing iteration, what coupling coefficient does a primary capsule give each of "
          "the ten digit capsules?", _uniform, "The logits start at zero and the first softmax over ten "
          "parents gives {answer} to each: one iteration is no routing, every prediction counts equally.",
          section=CAPS_TITLE, tolerance=0.01),
    Value("rc-params", "How many trainable parameters has the page's capsule network (the CNN beside it has "
          "3,818)?", lambda: n_params(DigitCapsNet()), "Convolution 1 × 16 × 9 + 16 = 160, primary capsules "
          "16 × 16 × 9 + 16 = 2,320, and one 8 × 4 transform per type and class, 4 × 10 × 32 = 1,280: {answer}.",
          section=CAPS_TITLE),
    Value("rc-rk4-nfe", "rk4 integrates the field over 10 s on the 0.1-s grid. How many evaluations of f does one "
          "forward pass cost?", _rk4_nfe, "100 steps of 4 stages each: {answer}, whatever the field, which is why "
          "a fixed-step solver has a known latency and an adaptive one does not.", section=ODE_TITLE),
    Pick("rc-resnet", "A ResNet of N blocks z ← z + h·f(z), all blocks sharing one f: which solver is it?",
         ("Runge–Kutta 4 with step h", "Explicit Euler with step h on dz/dt = f(z)",
          "dopri5 at tolerance h", "None: a ResNet is not an ODE solver"), 1,
         "z_(k+1) = z_k + h·f(z_k) is Euler's update, exactly: the page's test checks the ResNet against "
         "torchdiffeq's euler to float precision. Untied blocks make f depend on the step as well.",
         section=ODE_TITLE),
)
