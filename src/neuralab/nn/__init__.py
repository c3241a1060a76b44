"""Networks: model builders, activations and initializations, and the hand-written teaching code.

``neuralab.nn`` builds torch modules and holds numpy code written to be read; the
teaching code is always tested against torch autograd.
"""
