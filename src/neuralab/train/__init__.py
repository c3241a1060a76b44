"""Training: torch optimizers and schedulers by name, and one small loop that records its history.

Every page that trains a network goes through :func:`neuralab.train.loop.fit`, so
divergence detection, early stopping, the L1 proximal step and progress reports
behave the same everywhere.
"""
