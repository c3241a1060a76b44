"""/deep-networks: plain against residual MLPs at depth 5, 20 and 50 on the digits, gradients measured per layer.

Assembled from part modules (``deep_networks_<part>.py``): the networks at initialization (light), then trained
(a background job).
"""

from __future__ import annotations

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value
from neuralab.nn.deep import decades, variance_factor
from neuralab.train.deep import at_init

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.deep_networks_", ("init", "train", "ladder"))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "Stacking more layers should only add capacity, yet a plain deep network often trains worse than a "
    "shallow one, and the training loss says so, not only the validation loss. On this page two networks that "
    "differ in one term are built at 5, 20 and 50 blocks and trained on the 8 × 8 digits: a plain stack, "
    "h ← W·relu(h), and a residual one, h ← h + W·relu(h), with the same weights at the start and the same "
    "batches. First, before any training, the gradient each block's weights receive and the backward signal it "
    "passes on, the size of the signal flowing forward and how alike it is from one digit to the next; then both "
    "trained, with their loss curves, the gradient of every block epoch by epoch, and their test accuracy; last, "
    "the depth at which the plain one stops training. Normalization and the scale of the initial weights are "
    "controls: each of them rescues one network and not the other in a way the charts show."
)
layout = parts.layout("Deep networks", INTRO, PARTS)

wire(P, SPEC)

INIT_TITLE = "Before training: the gradient each block receives"
TRAIN_TITLE = "Trained: plain against residual at 5, 20 and 50 blocks"


def _ratio() -> float:
    """First block's gradient over the last's, plain, 50 blocks, batch norm, He (the lab's default network)."""
    g = at_init(50, "batch", 1.0, 0).plain.grad_norm
    return round(float(g[0] / g[-1]), -1)


def _collapse() -> float:
    """Mean cosine between two digits' streams after block 10, plain, layer norm, He (untrained)."""
    return round(float(at_init(50, "layer", 1.0, 0).plain.cosine[9]), 2)


QUESTIONS = (
    Value("deep-residual-growth", "A residual block h ← h + W·relu(h) without normalization, weights drawn with "
          "He's std √(2/fan_in): by what factor does one block multiply the variance of h at initialization?",
          lambda: variance_factor(True, 1.0),
          "The branch W·relu(h) has the variance of h (ReLU halves the power, He's 2 restores it) and is "
          "independent of h, so the variances add: 1 + 1 = {answer}. Fifty such blocks multiply it by 2⁵⁰.",
          section=INIT_TITLE),
    Value("deep-plain-decades", "A plain ReLU stack without normalization starts with weights at half He's std. "
          "By how many orders of magnitude does the signal's std fall over 20 layers?",
          lambda: round(-decades(False, 0.5, 20), 1),
          "Each layer multiplies the variance by 0.5² = 0.25, the std by 0.5: 20 × log10(2) = {answer} decades. "
          "The gradient with respect to the stream shrinks the same way on its way back; every block's weight "
          "gradient, the product of the two, sits about as many decades below its He value.", section=INIT_TITLE,
          tolerance=0.02),
    Value("deep-bn-ratio", "The page's default plain network (50 blocks, batch norm, He) before training: about "
          "how many times larger is block 1's weight gradient than block 50's? (to the nearest ten)",
          _ratio, "Measured with batch statistics over all 1,077 training digits: about {answer} times (over "
          "mini-batches of 32 it is larger still). Batch norm makes each sample's output depend on the whole "
          "batch; its Jacobian (subtract the batch mean, remove the component along the normalized activation, "
          "divide by the spread), followed by ReLU, enlarges the gradient by a fixed factor per block that no "
          "weight scale removes (Yang et al., 2019): the same ratio at 0.5 or 2 × He.", section=INIT_TITLE,
          tolerance=0.2),
    Value("deep-collapse", "The plain network with layer norm at He's scale, untrained: the mean cosine between "
          "two different digits' streams is 0.00 for the standardized pixels. What is it after block 10? (two "
          "decimals)", _collapse,
          "Measured on the training digits: {answer}. Layer norm holds every stream at a fixed size, but a deep "
          "plain ReLU stack maps all inputs onto nearly one direction, so the read-out sees almost the same stream "
          "whatever the digit. Batch norm, normalizing each unit across the batch, keeps them "
          "much further apart: choose it above and read the cosine chart.", section=INIT_TITLE, tolerance=0.05),
    Pick("deep-why-skip", "Why does the gradient reach the first block of a 50-block residual network?",
         ("Residual blocks have fewer weights", "The Jacobian of each block is I + ∂F/∂h, so the gradient at the "
          "input is the gradient at the output plus further terms, not only a product of fifty factors",
          "ReLU's derivative is 1", "Batch norm rescales the gradient"), 1,
         "h_{l+1} = h_l + F(h_l) gives ∂h_{l+1}/∂h_l = I + ∂F/∂h_l: the identity path carries the gradient down, "
         "and no product of small factors can close it. It does not fix the gradient's size: without "
         "normalization at He's scale the residual gradient grows toward the input.", section=TRAIN_TITLE),
)
