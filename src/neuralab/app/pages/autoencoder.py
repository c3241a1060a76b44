"""/autoencoder: autoencoders trained here on the digits (a 2-D code, denoising) and on the motor log (faults).

The page is assembled from part modules, one per concept (``autoencoder_<part>.py``): each declares its
controls (``SPEC``), its sections (``SECTIONS``, registered on import) and ``layout(values)``.
"""

from __future__ import annotations

from neuralab.app import parts
from neuralab.app.controls import wire
from neuralab.app.registry import prefix

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
