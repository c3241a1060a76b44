"""The optimizers by name: each entry builds the real ``torch.optim`` class.

Names are shared by dropdowns, URLs and exported scripts. ``momentum`` and
``nesterov`` are ``torch.optim.SGD`` with ``momentum=0.9`` (and ``nesterov=True``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import torch

from neuralab.params import Choice

__all__ = ["OPTIMIZER", "OPTIMIZERS", "MOMENTUM", "make"]

MOMENTUM = 0.9  # the classic heavy-ball coefficient used by "momentum" and "nesterov"

_Factory = Callable[..., torch.optim.Optimizer]

#: name -> (label, factory(params, lr, weight_decay))
OPTIMIZERS: dict[str, tuple[str, _Factory]] = {
    "sgd": ("SGD", lambda p, lr, wd, momentum=0.0: torch.optim.SGD(p, lr=lr, momentum=momentum, weight_decay=wd)),
    "momentum": ("SGD + momentum", lambda p, lr, wd: torch.optim.SGD(p, lr=lr, momentum=MOMENTUM, weight_decay=wd)),
    "nesterov": ("Nesterov", lambda p, lr, wd: torch.optim.SGD(p, lr=lr, momentum=MOMENTUM, nesterov=True,
                                                               weight_decay=wd)),
    "adagrad": ("AdaGrad", lambda p, lr, wd: torch.optim.Adagrad(p, lr=lr, weight_decay=wd)),
    "rmsprop": ("RMSProp", lambda p, lr, wd: torch.optim.RMSprop(p, lr=lr, weight_decay=wd)),
    "adam": ("Adam", lambda p, lr, wd: torch.optim.Adam(p, lr=lr, weight_decay=wd)),
    "adamw": ("AdamW", lambda p, lr, wd: torch.optim.AdamW(p, lr=lr, weight_decay=wd)),
}
OPTIMIZER = Choice(tuple((k, v[0]) for k, v in OPTIMIZERS.items()), default="adam", label="Optimizer")


def make(name: str, params: Iterable, lr: float, weight_decay: float = 0.0, momentum: float = 0.0
         ) -> torch.optim.Optimizer:
    """Build optimizer ``name`` over ``params``.

    ``momentum`` is the heavy-ball coefficient of plain ``"sgd"`` (a searched hyperparameter);
    the other entries fix their own and refuse a non-zero one.

    ``weight_decay`` is torch's own: an L2 term added to the gradient for every optimizer
    but AdamW, where it is decoupled (the weights shrink by ``lr * weight_decay`` each step).
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}.")
    if not lr > 0:
        raise ValueError(f"lr must be positive; got {lr}.")
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be zero or positive; got {weight_decay}.")
    if momentum:
        if name != "sgd":
            raise ValueError(f"momentum is set by optimizer {name!r} itself; give it only with sgd.")
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be at least 0 and below 1; got {momentum}.")
        return OPTIMIZERS[name][1](params, lr, weight_decay, momentum)
    return OPTIMIZERS[name][1](params, lr, weight_decay)
