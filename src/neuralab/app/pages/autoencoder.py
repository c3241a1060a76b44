"""/autoencoder: autoencoders trained here on the digits (a 2-D code, denoising) and on the motor log (faults).

The page is assembled from part modules, one per concept (``autoencoder_<part>.py``): each declares its
controls (``SPEC``), its sections (``SECTIONS``, registered on import) and ``layout(values)``.
"""

from __future__ import annotations

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix
from neuralab.app.selfcheck import Pick, Value
from neuralab.nn.autoencoder import Autoencoder
from neuralab.train import autoencoder as ae

P = prefix(__name__)
PARTS = parts.load("neuralab.app.pages.autoencoder_", (
    "latent",
    "denoise",
    "motor",
))
SPEC, SECTIONS = parts.spec(P, PARTS), parts.sections(PARTS)
INTRO = (
    "An autoencoder learns to copy its input through a narrow middle layer, the code. To copy well through so "
    "few numbers it has to find what the inputs have in common, so the code becomes a compact description of "
    "the data, learnt without labels. The networks on this page are small torch models trained here on the "
    "8 × 8 handwritten digits and on the motor bench log, each once per seed and then kept on disk."
)
layout = parts.layout("Autoencoders", INTRO, PARTS)

wire(P, SPEC)


def _params() -> int:
    """Trainable numbers of the 2-D autoencoder (its code normalization learns none)."""
    r = ae.CODE2
    return sum(p.numel() for p in Autoencoder(64, r.hidden, r.code).parameters())


def _linear_floor() -> float:
    return round(ae.linear_floor(), 4)


QUESTIONS = (
    Value("params", f"The 2-D autoencoder is 64 → {ae.CODE2.hidden} → 2 → {ae.CODE2.hidden} → 64 with a bias on "
          "every layer. How many numbers does training adjust?", _params,
          "Four layers of weights and biases: 64·64 + 64, 64·2 + 2, 2·64 + 64 and 64·64 + 64, {answer} in all; the "
          "standardization of the code learns nothing.", section="A code of two numbers, decoded where you click"),
    Value("linear-floor", "Any autoencoder whose encoder and decoder are linear, with a code of 2 numbers: what is "
          "the lowest mean squared error per pixel it can reach on the training digits (pixels 0–1)?", _linear_floor,
          "The best linear code spans PCA's first two components, so the floor is PCA's error, {answer}: the "
          "variance of the 62 dropped components, divided by 64 pixels.", section="Against PCA with two components",
          tolerance=0.02),
    Pick("denoise-clean", "Trained at σ = 0.3, the denoising autoencoder errs more than the plain one on clean "
         "digits. Why?",
         ("It saw fewer clean digits in training", "It learnt to pull every input towards typical digits, and "
          "smooths away some true detail when there is no noise to remove", "Its code is narrower"), 1,
         "Both networks have the same shape and data; only the corruption differs, and it teaches the network to "
         "distrust fine detail.", section="Denoising: corrupt the input, keep the clean target"),
    Pick("stuck", "Why does reconstruction error catch few samples of a frame stuck at its last good value?",
         ("The network was trained on stuck frames", "A stuck frame is close to a current that barely moved, "
          "which the decoder draws easily", "The threshold ignores repeated values"), 1,
         "The score measures distance from what the decoder can draw; a flat piece of a slow sinusoid is such a "
         "thing.", section="Finding the motor log's glitches by reconstruction error"),
)
