"""Every page of the lab: its path, its sidebar group and, once built, its module.

The sidebar, the home page's map, the router and the browser tests all read
this one list. A page without a module renders the "not built yet" notice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    path: str  # stable URL path, e.g. "/splits"
    title: str  # sidebar and heading text
    group: str  # sidebar group
    blurb: str  # one line for the home page's map
    module: str | None = None  # "neuralab.app.pages.splits" once built; None until then


# No page carries a number: the groups already give the order, a learner may start anywhere (the playground and
# the edge deployment were unnumbered, as are the seven Architectures pages), and a number would shift for every
# page after one inserted.
GROUPS = ("Data", "Optimization", "Networks", "Architectures", "Compression", "Advanced", "Summary")

PAGES: tuple[Page, ...] = (
    Page("/data", "Your data", "Data", "Upload a table of your own and use it on the data pages.",
         "neuralab.app.pages.data"),
    Page("/splits", "Data splits & leakage", "Data", "Train, validation and test; k-fold schemes; leaks measured.",
         "neuralab.app.pages.splits"),
    Page("/preprocessing", "Signal conditioning", "Data", "Savitzky–Golay, outliers and operating regimes.",
         "neuralab.app.pages.preprocessing"),
    Page("/signal-pipeline", "Signal pipeline", "Data", "Every preprocessing stage in one sklearn Pipeline; each "
         "stage's worth measured.", "neuralab.app.pages.signal_pipeline"),
    Page("/derivatives", "Derivatives & Kalman filter", "Data", "Speed from encoder counts: differences, "
         "Savitzky–Golay, Kalman.", "neuralab.app.pages.derivatives"),
    Page("/fitting", "Under- and overfitting", "Data", "Model complexity, bias and variance, learning curves.",
         "neuralab.app.pages.fitting"),
    Page("/gradient-descent", "Gradient descent", "Optimization", "Real optimizers rolling down real surfaces.",
         "neuralab.app.pages.gradient_descent"),
    Page("/learning-rate", "Learning-rate schedules", "Optimization", "Schedules, the range test, batch scaling.",
         "neuralab.app.pages.learning_rate"),
    Page("/regularization", "Regularization", "Optimization", "L1, L2, dropout and early stopping on a real net.",
         "neuralab.app.pages.regularization"),
    Page("/hyperparameter-search", "Hyperparameter search", "Optimization", "Grid, random and Bayesian search.",
         "neuralab.app.pages.hyperparameter_search"),
    Page("/training-loop", "The training loop", "Optimization", "Forward, loss, backward, step, one at a time.",
         "neuralab.app.pages.training_loop"),
    Page("/feedforward", "Feedforward networks", "Networks", "Activations, a worked example, backprop by hand.",
         "neuralab.app.pages.feedforward"),
    Page("/playground", "Training playground", "Networks", "Train a real network live: any data, any layers.",
         "neuralab.app.pages.playground"),
    Page("/recurrent", "Recurrent networks", "Networks", "Hidden state, unrolling and vanishing gradients.",
         "neuralab.app.pages.recurrent"),
    Page("/cnn", "Convolutional networks", "Architectures", "Filters, feature maps and weight sharing, measured.",
         module="neuralab.app.pages.cnn"),
    Page("/autoencoder", "Autoencoders", "Architectures", "A 2-D code for digits, denoising, anomaly scores.",
         "neuralab.app.pages.autoencoder"),
    Page("/gan", "Generative adversarial networks", "Architectures", "Generator against discriminator, live.",
         "neuralab.app.pages.gan"),
    Page("/attention", "Attention", "Architectures", "Queries, keys and values in a small trained transformer.",
         module="neuralab.app.pages.attention"),
    Page("/rbf-network", "RBF networks", "Architectures", "Gaussian bumps placed by k-means, against an MLP.",
         module="neuralab.app.pages.rbf_network"),
    Page("/som", "Self-organizing maps", "Architectures", "A grid of units that unfolds over the data.",
         module="neuralab.app.pages.som"),
    Page("/architectures", "Architectures compared", "Architectures", "Every model, measured side by side.",
         module="neuralab.app.pages.architectures"),
    Page("/quantization", "Quantization", "Compression", "Fewer bits per weight, accuracy measured.",
         "neuralab.app.pages.quantization"),
    Page("/pruning", "Pruning", "Compression", "Remove weights, fine-tune, measure what is lost.",
         "neuralab.app.pages.pruning"),
    Page("/distillation", "Knowledge distillation", "Compression", "A small student learns from a large teacher.",
         "neuralab.app.pages.distillation"),
    Page("/deploy", "Edge deployment", "Compression", "Distil, prune, quantize, export to ONNX and int8 C.",
         "neuralab.app.pages.deploy"),
    Page("/robustness", "Adversarial examples", "Advanced", "FGSM and PGD against real networks; adversarial "
         "training measured.", module="neuralab.app.pages.robustness"),
    Page("/deep-networks", "Deep networks", "Advanced", "Why deep plain stacks fail and skips help, measured.",
         "neuralab.app.pages.deep_networks"),
    Page("/transfer-learning", "Transfer and few-shot learning", "Advanced", "Reuse a pre-trained body on new "
         "classes; few-shot prototypes.", "neuralab.app.pages.transfer_learning"),
    Page("/explainability", "Explainability", "Advanced", "Attribution maps checked against random weights; "
         "SHAP against the physics.", "neuralab.app.pages.explainability"),
    Page("/augmentation", "Data augmentation", "Advanced", "Shifts, rotations, noise: what they buy at each data "
         "size, and a wrong one.", "neuralab.app.pages.augmentation"),
    Page("/research-corner", "Research corner", "Advanced", "Capsules and neural ODEs against the plain networks.",
         "neuralab.app.pages.research_corner"),
    Page("/fundamentals", "Fundamentals", "Summary",
         "Shapes, loss pairing, initialization, normalization, numerics, metrics, debugging.",
         "neuralab.app.pages.fundamentals"),
    Page("/cheat-sheet", "Cheat sheet", "Summary", "Each concept in a few lines, linked to its page.",
         "neuralab.app.pages.cheat_sheet"),
    Page("/reference", "Reference", "Summary", "Longer notes for engineers, one per concept.",
         "neuralab.app.pages.reference"),
)

BY_PATH = {p.path: p for p in PAGES}
BY_MODULE = {p.module: p for p in PAGES if p.module}


def prefix(module: str) -> str:
    """The DOM-id prefix of the page that ``module`` builds: its URL path without the slash.

    ``prefix("neuralab.app.pages.gradient_descent")`` is ``"gradient-descent"``, so the page's slider
    ``lr`` has the id ``gradient-descent-lr``. Each page module sets ``P = prefix(__name__)``.
    """
    return BY_MODULE[module].path.lstrip("/")


def built() -> list[Page]:
    """The pages that have a module."""
    return [p for p in PAGES if p.module]
