"""Training speed of the playground engine against a plain torch loop, on the playground's two reference tasks.

Tasks (both 250 training points of 500, batch 10, SGD, inputs x and y):

* ``circle``: circle, 2-4-2-1 tanh, lr 0.03 (the TensorFlow Playground's default);
* ``spiral``: spiral, six hidden ReLU layers of 8, He init, lr 0.03.

For each task and each trainer, prints (``name value unit`` lines, comments start with ``#``):

* ``*_updates_per_s``: weight updates per second, best of ``REPEATS`` rounds of ``ROUND`` updates
  (wall clock; ``*_cpu_updates_per_s`` is the same on process CPU time, less sensitive to a busy machine);
* ``*_epochs_per_s``: the same divided by the 25 updates of an epoch;
* ``circle_*_s_to_test_loss_0.05``: wall time from a fresh network until the test loss, measured after each
  epoch, falls below 0.05 (the engine's target-loss stop; the torch loop evaluates the same way).

The targets are ten times the TensorFlow Playground's measured rates: 14,800 updates/s on
``circle`` and 4,430 on ``spiral``. The torch peer is what one would write first: an
``nn.Sequential`` from ``mlp``, ``optimizer.zero_grad(); loss.backward(); optimizer.step()``,
one thread, float32. Timings on a shared machine are noisy; the load average is printed.

Run:  .venv/bin/python benchmarks/playground.py
"""

from __future__ import annotations

import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from neuralab.nn.models import mlp
from neuralab.train import playground

REPEATS = 5
ROUND = 5000  # updates per timed round
TARGET_LOSS = 0.05
MAX_EPOCHS = 2000  # the time-to-loss runs give up here
TASKS = {
    "circle": dict(dataset="circle", layers=2, n1=4, n2=2, activation="tanh", init="xavier"),
    "spiral": dict(dataset="spiral", layers=6, **{f"n{i}": 8 for i in range(1, 7)}, activation="relu", init="he"),
}
TARGETS = {"circle": 14_800, "spiral": 4_430}
COMMON = dict(optimizer="sgd", lr=0.03, batch_size=10, n_points=500, train_pct=50, noise=0, seed=0, epochs=5000)


def engine_rate(kw: dict) -> tuple[float, float]:
    """(best wall updates/s, best CPU updates/s) of the engine."""
    eng = playground.build({**COMMON, **kw})
    eng.step(200)  # warm-up
    wall = cpu = 0.0
    for _ in range(REPEATS):
        if eng.done:
            eng.rewind()
        t0, c0 = time.perf_counter(), time.process_time()
        n = eng.step(ROUND)
        wall = max(wall, n / (time.perf_counter() - t0))
        cpu = max(cpu, n / max(time.process_time() - c0, 1e-9))
    return wall, cpu


class TorchLoop:
    """The peer: the same network, data, shuffling and SGD, in a plain torch loop."""

    def __init__(self, kw: dict):
        eng = playground.build({**COMMON, **kw})
        self.model = mlp(eng.cfg.sizes, list(eng.cfg.activations), init=eng.cfg.init, seed=0)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=COMMON["lr"])
        d = eng.data
        self.X, self.y = torch.tensor(d.X_train, dtype=torch.float32), torch.tensor(d.y_train, dtype=torch.float32)
        self.Xt, self.yt = torch.tensor(d.X_test, dtype=torch.float32), torch.tensor(d.y_test, dtype=torch.float32)
        self.gen = torch.Generator().manual_seed(0)
        self.B = COMMON["batch_size"]

    def epoch(self, limit: int | None = None) -> int:
        n = 0
        for idx in torch.randperm(len(self.y), generator=self.gen).split(self.B):
            if len(idx) < self.B or (limit is not None and n >= limit):
                break
            loss = F.binary_cross_entropy_with_logits(self.model(self.X[idx])[:, 0], self.y[idx])
            self.opt.zero_grad()
            loss.backward()
            self.opt.step()
            n += 1
        return n

    @torch.no_grad()
    def test_loss(self) -> float:
        return float(F.binary_cross_entropy_with_logits(self.model(self.Xt)[:, 0], self.yt))


def torch_rate(kw: dict) -> tuple[float, float]:
    loop = TorchLoop(kw)
    loop.epoch()
    wall = cpu = 0.0
    for _ in range(REPEATS):
        t0, c0, n = time.perf_counter(), time.process_time(), 0
        while n < ROUND // 2:  # torch is slower: half the updates per round
            n += loop.epoch(ROUND // 2 - n)
        wall = max(wall, n / (time.perf_counter() - t0))
        cpu = max(cpu, n / max(time.process_time() - c0, 1e-9))
    return wall, cpu


def engine_time_to_loss() -> tuple[float, int]:
    eng = playground.build({**COMMON, **TASKS["circle"], "target_loss": TARGET_LOSS, "epochs": MAX_EPOCHS,
                           "stop_at": MAX_EPOCHS})
    t0 = time.perf_counter()
    eng.step(10**9)
    took = time.perf_counter() - t0
    return (took if "target" in eng.stopped else float("nan")), eng.epoch


def torch_time_to_loss() -> tuple[float, int]:
    loop = TorchLoop(TASKS["circle"])
    t0 = time.perf_counter()
    for epoch in range(1, MAX_EPOCHS + 1):
        loop.epoch()
        if loop.test_loss() < TARGET_LOSS:
            return time.perf_counter() - t0, epoch
    return float("nan"), MAX_EPOCHS


def main() -> None:
    torch.set_num_threads(1)
    print(f"# load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; best of {REPEATS} rounds")
    per_epoch = (COMMON["n_points"] * COMMON["train_pct"] // 100) // COMMON["batch_size"]
    for task, kw in TASKS.items():
        for who, fn in (("engine", engine_rate), ("torch", torch_rate)):
            wall, cpu = fn(kw)
            print(f"{task}_{who}_updates_per_s {wall:.0f} updates/s")
            print(f"{task}_{who}_cpu_updates_per_s {cpu:.0f} updates/s")
            print(f"{task}_{who}_epochs_per_s {wall / per_epoch:.0f} epochs/s")
        print(f"{task}_target_updates_per_s {TARGETS[task]} updates/s")
    for who, fn in (("engine", engine_time_to_loss), ("torch", torch_time_to_loss)):
        took, epochs = fn()
        print(f"circle_{who}_s_to_test_loss_{TARGET_LOSS:g} {took:.3f} s")
        print(f"circle_{who}_epochs_to_test_loss_{TARGET_LOSS:g} {epochs} epochs")
    print(f"# {np.__name__} {np.__version__}, torch {torch.__version__}")


if __name__ == "__main__":
    main()
