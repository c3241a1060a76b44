"""Explainability: which inputs a trained model's answer depends on, measured, and checked.

:mod:`neuralab.explain.attributions` holds the attribution methods for any torch model (captum's saliency, gradient ×
input, integrated gradients and occlusion, with integrated gradients also written out for teaching) and the sanity
check that compares a trained model's maps with a randomly initialized one's; :mod:`neuralab.explain.digits` runs them
on the compression zoo's digits CNN; :mod:`neuralab.explain.motor` explains a regression on the motor's engineered
features (permutation importance and SHAP) against the simulator's own torque law.
"""
