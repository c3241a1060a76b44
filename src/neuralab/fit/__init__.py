"""Fitting: model complexity, bias and variance, learning curves, the tiny-batch check."""
