"""/robustness: adversarial examples against the digits MLP and CNN, their transfer, and adversarial training.

Assembled from part modules (``robustness_<part>.py``), each with its controls (``SPEC``), its sections and layout.
"""

from __future__ import annotations

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value
from neuralab.robust import attacks, digits

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.robustness_", ("attack", "training", "motor"))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "A trained network can be made to change its answer by a change to its input that is small compared with the "
    "data's natural variation, if the change is chosen against the network's own gradient. On this page the "
    "lab's digits MLP and CNN (the compression pages' networks, trained once on this machine) are attacked with "
    "FGSM and PGD under a budget stated in grey levels of the image: one digit first, then all 360 test digits "
    "at every budget, then examples carried from one network to the other, the networks retrained with "
    "adversarial examples in the loop, with what that costs and what it buys, and finally the same search "
    "turned on a motor's virtual temperature sensor: how large a sensor error moves its estimate by a chosen "
    "amount."
)
layout = parts.layout("Adversarial examples", INTRO, PARTS)

wire(P, SPEC)

SECTION_ONE = "One digit, attacked"
SECTION_TRAIN = "Adversarial training: what it costs, what it buys"

QUESTIONS = (
    Value("margin", "A linear two-class model whose class weights differ by w = (0.5, −1, 2). FGSM with ε = 0.1 on "
          "each of the three inputs: by how much does the margin between the two classes shrink?",
          lambda: attacks.margin_drop((0.5, -1.0, 2.0), 0.1),
          "Each input moves 0.1 against the sign of its weight, so the margin loses ε · ‖w‖₁ = 0.1 × 3.5 = {answer}: "
          "the most any change of at most 0.1 per input can take. With 64 inputs instead of 3 the same ε adds up "
          "over far more terms.", section=SECTION_ONE, tolerance=0.001),
    Value("budget", "The networks read each pixel standardized by its training spread. How many standard deviations "
          "can a budget of 1 grey level move the least-varying pixel that is not constant in training (answer to "
          "the nearest whole number)?", lambda: digits.most_standardized(1.0),
          "That pixel's spread is a few hundredths of a grey level, so 1 grey level becomes about {answer} standard "
          "deviations in what the network reads: far outside anything it was trained on.",
          section="Accuracy against ε, on all 360 test digits", tolerance=0.03),
    Pick("pgd-one-step", "PGD with one step of size ε and no random start is…",
         ("…FGSM", "…a random perturbation of size ε", "…no attack at all"), 0,
         "One full step along the sign of the input gradient, clipped to the valid range: exactly FGSM. PGD's "
         "strength comes from several smaller steps, each projected back into the ε-ball.", section=SECTION_ONE),
    Pick("fgsm-trained", "A network trained on FGSM examples keeps most of its accuracy under FGSM. Before calling "
         "it robust, you should…",
         ("…ship it: FGSM is the standard attack", "…attack it with a multi-step attack such as PGD, with random "
          "starts", "…retrain it with a larger ε"), 1,
         "A one-step defence can learn to blunt the one-step gradient without becoming robust; measured on this page, "
         "PGD then takes most of what FGSM could not. An attack only ever gives a lower bound on the damage.",
         section=SECTION_TRAIN),
    Pick("transfer", "The attacker cannot read your network's weights. Are adversarial examples still a concern?",
         ("No: they need the gradient of your network", "Yes: examples crafted on a similar network of their own "
          "often fool yours too", "Only for convolutional networks"), 1,
         "Different networks trained on the same data learn similar directions of weakness, so many examples "
         "transfer; here those crafted on the MLP fool the CNN far more than random noise of the same size. (Here "
         "both learned from the same digits with the same scaling, the attacker's most favourable case.)",
         section="Transfer: attacking a network you cannot read"),
)
