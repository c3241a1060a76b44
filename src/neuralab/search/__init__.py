"""Hyperparameter search: the task and its measured landscape, Optuna studies, their storage and workers.

Numbers only: no plotting or web code. A notebook user gets the same studies and figures
as /hyperparameter-search and ``neuralab search``.

* :mod:`~neuralab.search.tasks`: the data sets a search runs on, split once and scaled on train.
* :mod:`~neuralab.search.landscape`: many small networks trained at once, one per (learning rate,
  weight decay) cell, so a whole 2-D search space is measured and its true optimum known.
* :mod:`~neuralab.search.race`: Optuna's samplers (grid, random, Sobol, TPE, GP, CMA-ES) racing on that
  space, repeated over seeds: regret per trial, trials to 1 % and 5 %, failed trials, time per suggestion.
* :mod:`~neuralab.search.surrogate`: a Gaussian-process surrogate on the learning-rate slice, step by
  step, with expected improvement, the lower confidence bound and a Thompson draw.
* :mod:`~neuralab.search.honest`: how far a search's best validation score overstates the chosen setting
  (random searches replayed on the landscape), and nested cross-validation against the plain protocol.
* :mod:`~neuralab.search.fidelity`: a conditional architecture space searched with and without
  pruners (median, ASHA, Hyperband), by three samplers, and its parameter importances.
"""
