"""/cnn: a small convolutional network trained on the 8×8 digits, opened up filter by filter and pixel by pixel.

Assembled from part modules (``cnn_<part>.py``), each with its controls (``SPEC``), its sections and its layout.
"""

from __future__ import annotations

from torch import nn

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value
from neuralab.nn.cnn import out_size, receptive_field
from neuralab.nn.models import n_params

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.cnn_", ("filters", "geometry", "sharing", "current"))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "A convolutional network looks at an image through small filters that it slides over every position, so one "
    "set of weights serves the whole image. On this page a small CNN is really trained on the 8 × 8 handwritten "
    "digits and taken apart: the filters it learned, the maps a digit produces, one output value as the sum it is, "
    "the arithmetic of sizes and receptive fields, what sharing the weights saves against a dense network of the "
    "same accuracy, and what happens when the digit moves by a pixel. At the end the same layer runs along time, "
    "as a spike detector on a motor's phase current."
)
layout = parts.layout("Convolutional networks", INTRO, PARTS)

wire(P, SPEC)


QUESTIONS = (
    Value("conv-params", "How many parameters does torch.nn.Conv2d(8, 16, kernel_size=3) have?",
          lambda: n_params(nn.Conv2d(8, 16, 3, device="meta")),
          "Each of the 16 filters has 3 × 3 weights in each of the 8 input channels, plus one bias: "
          "16 × (8 × 9 + 1) = {answer}, whatever the size of the image.",
          section="Weight sharing: parameters against an MLP of equal accuracy"),
    Value("out-size", "A 28 × 28 input, a 5 × 5 kernel, stride 2, padding 1: how many outputs along one side?",
          lambda: out_size(28, 5, 2, 1),
          "⌊(28 + 2·1 − (5 − 1) − 1) / 2⌋ + 1 = ⌊12.5⌋ + 1 = {answer}.",
          section="Output size, stride, padding, pooling and the receptive field"),
    Value("receptive", "Three 3 × 3 convolutions at stride 1: how many input pixels wide is one output's receptive "
          "field?", lambda: receptive_field([(3, 1, 1)] * 3)[-1][0],
          "Each layer adds k − 1 = 2 pixels at stride 1: 1 + 2 + 2 + 2 = {answer}, the field of one 7 × 7 kernel "
          "with far fewer weights (27 against 49 per channel pair).",
          section="Output size, stride, padding, pooling and the receptive field"),
    Pick("invariant", "A CNN with convolutions, one max pool and a dense layer at the end: moving the input by a "
         "pixel…", ("…changes nothing: CNNs are translation invariant",
                    "…moves the feature maps by a pixel, but the dense layer may then answer differently",
                    "…changes the filters"), 1,
         "Convolutions are equivariant (the maps move with the input); the pool tolerates small moves inside its "
         "window; the dense layer has a weight per position, so the answer can change.",
         section="Move the digit a pixel: what the CNN and the MLP answer"),
)
