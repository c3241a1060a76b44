"""A stand-in for ``thermal_model`` that trains a width-4 network for one epoch: the shape of the real thing, fast."""

from neuralab.data.sequences import thermal_split
from neuralab.nn.recurrent import build
from neuralab.train.sequence import SeqConfig, Trained, fit_sequence, rmse


def tiny_train(arch: str, width: int = 16, seed: int = 0, *, progress=None) -> Trained:
    split = thermal_split()
    model = build(arch, split.x_train.shape[2], 4, 1, seed)
    hist = fit_sequence(model, split.x_train, split.y_train, split.x_val, split.y_val,
                        SeqConfig(epochs=1, batch=22, seed=seed), progress=progress)
    return Trained(arch, 4, seed, model.state_dict(), hist, split.kelvin(rmse(model, split.x_test, split.y_test)),
                   split.kelvin(rmse(model, split.x_val, split.y_val)))
