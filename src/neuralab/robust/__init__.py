"""Robustness: adversarial examples, attacks and adversarial training, on any torch classifier.

:mod:`neuralab.robust.attacks` holds the attacks (FGSM, PGD), written out for teaching and usable on a
user's own model from a notebook; :mod:`neuralab.robust.digits` runs them against the compression zoo's
digits MLP and CNN, with the budget in grey levels of the raw image.
"""
