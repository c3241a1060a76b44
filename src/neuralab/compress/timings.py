"""Training wall times the pages do not record: the zoo's models and the autoencoder, timed once per seed.

A separate module so that its disk memo (keyed by this file's code) survives edits to the comparison itself: a
time measured when a model was first trained is kept, not replaced by a re-measurement.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch

from neuralab import cache
from neuralab.compress import zoo
from neuralab.nn.autoencoder import Autoencoder
from neuralab.nn.models import TRAINING_CODE
from neuralab.train import autoencoder
from neuralab.train.loop import Config, fit

__all__ = ["ae_seconds", "zoo_seconds"]


def _timed(kept: bool, load: Callable[[], object], again: Callable[[], object]) -> tuple[float, str]:
    """(seconds, how): time ``load`` when it is about to train and store the model, else ``again``, a throwaway
    retraining with the same recipe and seed."""
    t0 = time.perf_counter()
    (again if kept else load)()
    return time.perf_counter() - t0, "re-measured" if kept else "at training"


@cache.memo("train-times", depends=("neuralab.compress.zoo", *TRAINING_CODE), salt=torch.__version__)
def zoo_seconds(name: str, seed: int) -> tuple[float, str]:
    """Wall time of training the zoo's model ``name`` for ``seed``, and whether it was timed at training."""
    r = zoo.RECIPES[name]
    cfg = Config(epochs=r.epochs, lr=r.lr, batch_size=r.batch_size, optimizer=r.optimizer, seed=seed)
    return _timed(zoo.kept(name, seed), lambda: zoo.load(name, seed),
                  lambda: fit(zoo.build(name, seed), zoo.data(), cfg))


@cache.memo("train-times", depends=("neuralab.train.autoencoder", "neuralab.nn.autoencoder", *TRAINING_CODE),
            salt=torch.__version__)
def ae_seconds(seed: int) -> tuple[float, str]:
    """Wall time of training the 2-D autoencoder of ``seed`` (/autoencoder's map), and how it was timed."""
    r = autoencoder.CODE2
    cfg = Config(epochs=r.epochs, lr=r.lr, batch_size=r.batch_size, seed=seed)
    return _timed(autoencoder.kept(2, 0.0, seed), lambda: autoencoder.model(2, 0.0, seed),
                  lambda: fit(Autoencoder(64, r.hidden, r.code, seed=seed), autoencoder.digit_pixels().arrays(), cfg))
