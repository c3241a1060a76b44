"""Hyperparameter search: the task and its measured landscape, Optuna studies, their storage and workers.

Numbers only: no plotting or web code. A notebook user gets the same studies and figures
as /hyperparameter-search and ``neuralab search``.

* :mod:`~neuralab.search.tasks`: the data sets a search runs on, split once and scaled on train.
* :mod:`~neuralab.search.landscape`: many small networks trained at once, one per (learning rate,
  weight decay) cell, so a whole 2-D search space is measured and its true optimum known.
* :mod:`~neuralab.search.fidelity`: a conditional architecture space searched with and without
  pruners (median, ASHA, Hyperband), by three samplers, and its parameter importances.
"""
