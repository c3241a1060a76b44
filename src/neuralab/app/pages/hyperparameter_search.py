"""/hyperparameter-search: grid, random and model-based search on a space measured cell by cell.

The page is assembled from part modules, one per concept (``search_<part>.py``): each
declares its controls (``SPEC``), its sections (``SECTIONS``, registered on import) and
``layout(values)``. This module merges their controls for the URL and lays them out in order.
"""

from __future__ import annotations

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value
from neuralab.search import fidelity, honest, race

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.search_", (
    "landscape",
    "race",
    "fidelity",
    "honest",
    "studies",
))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "Training fits the weights; something has to choose the learning rate, the weight decay, the width "
    "and the rest. That outer loop is a search, and every trial in it costs a whole training. This "
    "page runs real searches with Optuna on real networks, on a space whose every cell has been "
    "trained, so how close each method gets is measured rather than claimed."
)
layout = parts.layout("Hyperparameter search", INTRO, PARTS)

wire(P, SPEC)


QUESTIONS = (
    Value("curse", "Twenty settings have the same true score; each measured score carries independent noise σ. On "
          "average, how many σ above the truth does the best measured score sit?",
          lambda: honest.expected_max(20),
          "The expected largest of 20 standard normal draws is {answer} σ: the winner's score is too good by "
          "about that much, even though every setting is equally good.",
          section="The best score of a search is too good", tolerance=0.01),
    Value("brackets", f"Hyperband with reduction factor {fidelity.REDUCTION}, a first rung after "
          f"{fidelity.MIN_RESOURCE} epoch and trials of 9 epochs: how many brackets does Optuna run?",
          lambda: fidelity.brackets(9),
          "⌊log₃(9 / 1)⌋ + 1 = {answer}: each bracket trades more trials against earlier culling.",
          section="Stopping poor trials early: pruners"),
    Pick("startup", f"How does Optuna's TPE sampler choose its first {race.STARTUP} trials?",
         ("With a Gaussian process", "At random, before it fits any model", "On a regular grid",
          "By the median rule"), 1,
         "TPE needs scored trials before it can model good and bad regions, so it starts with random draws and "
         "only then proposes.", section="Six samplers race to the best measured cell"),
    Pick("nested", "In nested cross-validation, where is the winning setting scored?",
         ("On the same folds that chose it", "On an outer fold its inner search never saw",
          "On the training set"), 1,
         "The inner search chooses; the outer fold, untouched by that choice, scores it. Scoring on the choosing "
         "folds is what makes the plain protocol optimistic.",
         section="Nested cross-validation on a small data set"),
)
