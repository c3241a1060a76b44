"""Tiny trainings of /autoencoder's networks for tests: the same code paths, seconds less."""

import dataclasses

from neuralab import anomaly
from neuralab.train import autoencoder as ae
from neuralab.train import motor_anomaly as ma


def tiny_models(monkeypatch):
    """A fixture's body (``yield from tiny_models(monkeypatch)``).

    Every autoencoder of the page is trained for 1–2 epochs (stored under their own keys); caches emptied.
    """
    monkeypatch.setattr(ae, "CODE2", dataclasses.replace(ae.CODE2, epochs=2))
    monkeypatch.setattr(ae, "WIDE", dataclasses.replace(ae.WIDE, epochs=2))
    monkeypatch.setattr(ma, "CFG", {**ma.CFG, "epochs": 1})
    monkeypatch.setattr(ae, "_MODELS", {})
    monkeypatch.setattr(ma, "_SCORES", {})
    ae._latent.cache_clear()
    ae._denoise.cache_clear()
    anomaly._sweep.cache_clear()
    yield
    anomaly._sweep.cache_clear()
    ae._latent.cache_clear()
    ae._denoise.cache_clear()
