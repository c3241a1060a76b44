"""/transfer-learning: a CNN pre-trained on the digits 0–4 reused on 5–9 three ways, and few-shot prototypes.

Assembled from part modules (``transfer_learning_<part>.py``): the three strategies against labels per class (a
background job), then 5-way few-shot episodes (a background job).
"""

from __future__ import annotations

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value
from neuralab.train import transfer

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.transfer_learning_", ("strategies", "few_shot"))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "A network trained on one task has learned features that may serve another: the standard way to start when "
    "labels are few. No weights can be downloaded here, so the lab makes its own pre-training: the lab's "
    "digits CNN trained on the digits 0–4 only, then reused on the digits 5–9, which it has never seen. First "
    "the three ways to reuse it (train from scratch, freeze the body and train a new read-out, fine-tune "
    "everything with the body at a smaller learning rate) at 5, 20, 100 and all labelled digits per class, "
    "mean ± std over seeds; then few-shot learning, one or five examples per class, where a prototypical "
    "network classifies by the nearest class mean of embeddings, against nearest neighbour on the same pixels."
)
layout = parts.layout("Transfer and few-shot learning", INTRO, PARTS)

wire(P, SPEC)

STRATEGIES_TITLE = "Three ways to reuse a pre-trained body"
FEW_SHOT_TITLE = "Few-shot: class prototypes from one or five examples"
_EMB = ((1.0, 0.0), (3.0, 2.0), (0.0, 2.0), (0.0, 4.0))
_LABELS = (0, 0, 1, 1)


def _nearest() -> float:
    """The quiz's query (1.5, 2) against the prototypes of its two classes: the smaller squared distance."""
    _, protos = transfer.prototypes(_EMB, _LABELS)
    return round(float(transfer.distances((1.5, 2.0), protos).min()), 4)


QUESTIONS = (
    Value("tl-frozen-weights", "The page's CNN (3 × 3 convolutions with 8 and 16 filters, a 2 × 2 pool, 256 "
          "features) gets a new 5-way read-out and its body is frozen. How many weights does the optimizer train?",
          lambda: transfer.head_counts()[0],
          "The read-out alone: 256 × 5 weights + 5 biases = {answer}, of the network's "
          f"{transfer.head_counts()[1]:,}. The frozen body's 1,248 convolution weights and biases receive no "
          "gradient.",
          section=STRATEGIES_TITLE),
    Value("tl-prototype", "Class A's support embeddings are (1, 0) and (3, 2); class B's are (0, 2) and (0, 4). "
          "What is the squared Euclidean distance from the query (1.5, 2) to the nearer prototype?", _nearest,
          "The prototypes are the means: A = (2, 1), B = (0, 3). ‖(1.5, 2) − A‖² = 0.25 + 1 = {answer}, "
          "‖(1.5, 2) − B‖² = 2.25 + 1 = 3.25: the query is classed A.", section=FEW_SHOT_TITLE, tolerance=0.001),
    Pick("tl-why-small-rate", "When fine-tuning, why does the pre-trained body get a smaller learning rate than "
         "the new read-out?",
         ("The body has more weights, so its gradients are larger", "The new read-out starts random: the updates it "
          "drives into the body point in arbitrary directions and, at the full rate, would erase features that "
          "took the whole pre-training to learn",
          "A smaller rate makes each step cheaper", "Adam requires it"), 1,
         "The read-out has to move far from its random start; the body should only be adjusted. A small body rate "
         "(or freezing it for the first steps) keeps the pre-trained features while the read-out catches up.",
         section=STRATEGIES_TITLE),
    Pick("tl-when-freeze", "You have 20 labelled images per class and a body pre-trained on a related task. "
         "Which starting point is the safest?",
         ("Train from scratch: pre-trained features may not fit", "Freeze the body and train a new read-out, then "
          "try fine-tuning with a small body rate and compare on held-out data",
          "Fine-tune everything at the original learning rate"), 1,
         "With few labels a frozen body cannot overfit its weights (1,248 here, millions in a real backbone), "
         "and it is cheap; fine-tuning at a "
         "small rate may gain a little more, and only a held-out set can tell. Measured on this page (3 seeds), "
         "with 5 labels per class both reuses are about 4 points ahead of training from scratch.",
         section=STRATEGIES_TITLE),
)
