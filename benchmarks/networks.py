"""Server time of the /feedforward and /training-loop callbacks, called in-process, and their library parts.

Each callback is called as a plain function (no HTTP), once cold (first call for those inputs)
and then repeatedly warm; the median warm time is what a user pays on a repeat view. The
hand-written backprop is timed beside torch autograd on the same numbers (its peer).
Prints ``name value unit`` lines; asserts nothing.

Run:  .venv/bin/python benchmarks/networks.py
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable

os.environ.setdefault("NEURALAB_CACHE_DIR", tempfile.mkdtemp(prefix="neuralab-bench-"))

import torch  # noqa: E402

from neuralab.app.pages import feedforward, training_loop  # noqa: E402
from neuralab.nn import teaching  # noqa: E402
from neuralab.nn.teaching import WORKED  # noqa: E402
from neuralab.train import stepwise  # noqa: E402

torch.set_num_threads(1)
WORKED_ARGS = list(WORKED.defaults().values())  # the worked sliders' positions (none is a log slider)


def ms(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def warm(fn: Callable[[], object], n: int = 30) -> float:
    fn()
    return statistics.median(ms(fn) for _ in range(n))


def line(name: str, value: float, unit: str = "ms") -> None:
    print(f"{name} {value:.2f} {unit}")


def main() -> None:
    # the trained network of the forward-pass view: trained once, then on disk
    line("ff.trained_net_cold_train", ms(stepwise.trained_net))
    stepwise.trained_net.cache_clear()
    line("ff.trained_net_from_disk", ms(stepwise.trained_net))
    line("ff.network_view_cold", ms(lambda: feedforward.NET_SECTION.view(dict(digit=4, sample=3))))
    line("ff.network_view_warm", warm(lambda: feedforward.NET_SECTION.view(dict(digit=4, sample=3))))

    # worked example (drag): a new slider value is a cache miss, so time distinct values
    fresh = [round(-2 + 0.1 * k, 1) for k in range(30)]
    line("ff.worked_view_new_value", statistics.median(
        ms(lambda v=v: feedforward.update_worked(v, *WORKED_ARGS[1:])) for v in fresh))
    line("ff.worked_view_warm", warm(lambda: feedforward.update_worked(*WORKED_ARGS)))
    # the backprop callback's inputs: bp_batch, bp_hidden, bp_net, seed, then the worked sliders
    line("ff.backprop_view_worked_warm", warm(lambda: feedforward.update_backprop(8, 8, "worked", 0, *WORKED_ARGS)))
    line("ff.backprop_view_digits_cold_b64_h32",
         ms(lambda: feedforward.update_backprop(64, 32, "digits", 7, *WORKED_ARGS)))
    line("ff.backprop_view_digits_warm", warm(lambda: feedforward.update_backprop(64, 32, "digits", 7, *WORKED_ARGS)))
    # threshold at log10
    line("ff.explorer_view_cold", ms(lambda: feedforward.update_explorer("gelu", 7.5, -2.5, 1201)))
    line("ff.explorer_view_warm", warm(lambda: feedforward.update_explorer("gelu", 7.5, -2.5, 1201)))

    # hand-written backprop beside its peer, torch autograd, on one digits batch (float64)
    net = teaching._digits_cached(64, 32, 7).net
    line("backprop.numpy_by_hand_b64_h32", warm(lambda: teaching.backprop(net), 200))
    line("backprop.torch_autograd_b64_h32", warm(lambda: teaching.autograd(net), 200))
    line("backprop.finite_differences_48_entries", warm(lambda: teaching.finite_differences(net, "W1", 48), 5))

    # the training loop: a new configuration, each button press, a jump to the end of the epoch
    def view(batch_size: int, optimizer: str, lr: float, tick: int) -> tuple:
        return training_loop.LOOP_SECTION.view(dict(batch_size=batch_size, optimizer=optimizer, lr=lr, seed=11,
                                                    tick=tick))

    line("loop.view_new_config_tick0", ms(lambda: view(32, "adam", 0.01, 0)))
    line("loop.view_next_step", statistics.median(ms(lambda t=t: view(32, "adam", 0.01, t)) for t in range(1, 40)))
    per = stepwise.ticks_per_epoch(32, 1077)
    line("loop.view_jump_to_epoch_end", ms(lambda: view(32, "adam", 0.01, per - 1)))
    last16 = 3 * stepwise.ticks_per_epoch(16, 1077) - 1
    line("loop.view_jump_to_last_tick_batch16", ms(lambda: view(16, "sgd", 0.1, last16)))
    line("loop.view_warm", warm(lambda: view(32, "adam", 0.01, 5)))
    print(f"load_average_1min {os.getloadavg()[0]:.2f} processes")


if __name__ == "__main__":
    main()
