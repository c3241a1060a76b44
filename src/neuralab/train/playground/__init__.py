"""The playground's training engine: a small MLP trained in lean numpy, update for update like torch.

One module per concern:

* :mod:`.spec` — the controls and limits (:data:`PLAYGROUND`) and :class:`EngineConfig`;
* :mod:`.kernels` — each activation's value and slope, in a registry beside torch's module;
* :mod:`.optimizers` — torch's update rules on flat buffers, one function each;
* :mod:`.engine` — :class:`Engine`: buffers, forward and backward, epochs, stops, state;
* :mod:`.results` — what a run reports (metrics, curves, health, maps, one frame);
* :mod:`.divergence` — the sentence a diverged run gets, from what the engine measured;
* :mod:`.exports` — JSON, safetensors, state_dict, ONNX and a standalone script.
"""

from neuralab.train.playground.divergence import diverged_sentence, initial_gain
from neuralab.train.playground.engine import Engine, build
from neuralab.train.playground.results import Curves, Health, Maps, Metrics, Snapshot
from neuralab.train.playground.spec import (
    GAIN_LIMIT,
    MAX_EPOCHS,
    MAX_LAYERS,
    MAX_PARAMS,
    MAX_WIDTH,
    NETWORK,
    PACES,
    PLAYGROUND,
    TRAINING,
    UNSCALED_RMS,
    VIEW,
    EngineConfig,
    config,
    hidden_activations,
    hidden_sizes,
    n_weights,
)

__all__ = [
    "GAIN_LIMIT", "MAX_EPOCHS", "MAX_LAYERS", "MAX_PARAMS", "MAX_WIDTH", "NETWORK", "PACES", "PLAYGROUND", "TRAINING",
    "UNSCALED_RMS", "VIEW",
    "Curves", "Engine", "EngineConfig", "Health", "Maps", "Metrics", "Snapshot", "build", "config",
    "diverged_sentence", "hidden_activations", "hidden_sizes", "initial_gain", "n_weights",
]
