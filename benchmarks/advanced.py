"""The figures of the Advanced pages, one function per page: first (uncached) wall time and the headline numbers.

Prints one ``name value unit`` line per figure (comment lines start with ``#``). Every page's work runs on an empty
cache (a temporary directory, never the user's), on one torch thread as the server runs it, so the wall times are
those of a first visit on a fresh machine. The load average is printed with them: timings on a shared machine are
noisy. Asserts nothing.

* ``robustness()``: /robustness. ``robustness_first_run`` (s) is the page at its defaults on an empty cache, its
  sections one after the other (the browser runs two jobs at once, so a visit takes less): ``_digits``, the zoo's
  MLP and CNN trained, the example, the ε curves, the transfer table and the default adversarial training (MLP,
  PGD examples, ε = 2); ``_motor``, /recurrent's GRU trained and the sensor-error search at its defaults. Then
  accuracy against ε (grey levels) for FGSM and PGD-10 on each network, trained plainly and with PGD examples at
  ε = 2 (the CNN's adversarial training timed on its own), the transfer accuracies at ε = 1, and for each sensor
  the smallest worst-case, offset and random error that lowers the winding-temperature estimate by 5 K.
* :func:`deep_networks` (/deep-networks): the page's job on an empty cache (the six networks of its default
  setting: plain and residual at 5, 20 and 50 blocks, batch norm, He, SGD + momentum, 15 epochs) and its wall
  time, each network's test accuracy; then the depth ladder 5–50 for that recipe and for no normalization at
  0.2 × He, and the deepest plain and residual network that still trains (test accuracy ≥ 80 %) in each.

* :func:`research_corner` (/research-corner): both jobs at their defaults on an empty cache and their wall time
  (the capsule network trained with 3 routing iterations, the zoo's CNN trained, the neural ODE fitted); the
  capsule network against the CNN (test accuracy, parameters, seconds per epoch, whole training); dopri5's
  function evaluations and error against the tolerance, rk4's and Euler's; the tied ResNet's largest difference
  from torchdiffeq's euler.

Run:  PYTHONPATH=src:. .venv/bin/python benchmarks/advanced.py [--page robustness] [--page deep-networks]
      [--page research-corner]
      (several minutes on 2 cores)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ["NEURALAB_CACHE_DIR"] = tempfile.mkdtemp(prefix="nl-advanced-bench-")  # train here, never the user's cache

import torch  # noqa: E402


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def robustness() -> None:
    from neuralab.robust import digits

    print(f"# /robustness on an empty cache; load average {load()}, {os.cpu_count()} logical CPUs", flush=True)
    t0 = time.perf_counter()
    digits.make()
    print(f"robustness_zoo_train {time.perf_counter() - t0:.1f} s")
    digits.example()
    c = digits.curves()
    tr = digits.transfer()
    mlp = digits.training()
    digits_s = time.perf_counter() - t0
    print(f"robustness_first_run_digits {digits_s:.1f} s")
    t = time.perf_counter()
    cnn = digits.training("cnn", "pgd", 2.0)
    print(f"robustness_cnn_pgd_training {time.perf_counter() - t:.1f} s")
    print(f"# accuracy on the {c.n_test} test digits against ε (grey levels); load average {load()}")
    for run in (mlp, cnn):
        for which in ("plain", "robust"):
            for kind in ("fgsm", "pgd"):
                for e in (0.0, 0.5, 1.0, 2.0, 3.0):
                    label = "plain" if which == "plain" else f"{run.attack}_trained_eps{run.eps_train:g}"
                    print(f"robustness_{run.model}_{label}_{kind}_eps{e:g} {run.at(which, kind, e):.4f} fraction")
    for net in digits.NAMES:
        print(f"robustness_{net}_pgd_varying_pixels_eps1 {c.at(net, 'pgd-varying', 1.0):.4f} fraction")
    for s in tr.sources:
        for g in tr.targets:
            print(f"robustness_transfer_{s}_to_{g}_eps1 {tr.get(s, g):.4f} fraction")
    from neuralab.robust import motor

    print(f"# the motor's virtual temperature sensor (GRU), 5 K lower at the hottest moment; load average {load()}")
    t = time.perf_counter()
    for ch, (_, unit) in motor.CHANNELS.items():
        m = motor.margin(ch, 5.0, 1)
        if ch == "current_a":
            motor_s = time.perf_counter() - t
            print(f"robustness_first_run_motor {motor_s:.1f} s")
            print(f"robustness_first_run {digits_s + motor_s:.1f} s")
        for kind, e in m.eps.items():
            print(f"robustness_motor_{ch}_{kind}_eps {'none' if e is None else f'{e:.4g}'} {unit}")


def deep_networks() -> None:
    from neuralab.train import deep

    print(f"# /deep-networks: load average {load()}, {os.cpu_count()} logical CPUs", flush=True)
    t = time.perf_counter()
    c = deep.compare()  # the page's default job, uncached
    print(f"deep_networks_first_run {time.perf_counter() - t:.1f} s")
    for (depth, res), r in c.runs.items():
        kind = "residual" if res else "plain"
        print(f"deep_{kind}_{depth}_test_accuracy {r.test_acc:.4f} fraction")
    for label, kw in (("batch_he", {"norm": "batch", "scale": 1.0}), ("none_0.2he", {"norm": "none", "scale": 0.2}),
                      ("layer_he", {"norm": "layer", "scale": 1.0})):
        t = time.perf_counter()
        runs = deep.sweep(**kw)
        print(f"# ladder {label}: {time.perf_counter() - t:.1f} s; load average {load()}", flush=True)
        for (depth, res), r in runs.runs.items():
            print(f"deep_{label}_{'residual' if res else 'plain'}_{depth}_test_accuracy {r.test_acc:.4f} fraction")
        for res in (False, True):
            print(f"deep_{label}_deepest_{'residual' if res else 'plain'}_that_trains "
                  f"{deep.deepest(runs, res) or 0} blocks")


def research_corner() -> None:
    from neuralab.compress import zoo
    from neuralab.train import research

    print(f"# /research-corner on an empty cache; load average {load()}, {os.cpu_count()} logical CPUs",
          flush=True)
    t = time.perf_counter()
    c = research.capsules(zoo.load("cnn", 0).model)  # the page's job: the zoo's CNN trained, then the capsules
    caps_s = time.perf_counter() - t
    print(f"research_corner_first_run_capsules {caps_s:.1f} s")
    t = time.perf_counter()
    o = research.ode()
    ode_s = time.perf_counter() - t
    print(f"research_corner_first_run_ode {ode_s:.1f} s")
    print(f"research_corner_first_run {caps_s + ode_s:.1f} s")
    for key, n in (("capsules", c.caps), ("cnn", c.cnn)):
        print(f"research_{key}_test_accuracy {n.accuracy:.4f} fraction")
        print(f"research_{key}_params {n.params} parameters")
        print(f"research_{key}_epoch {n.epoch_s:.3f} s")
    print(f"research_capsules_training {c.caps.train_s:.1f} s")
    for k, a in enumerate(c.by_iterations, 1):
        print(f"research_capsules_test_accuracy_routed_{k} {a:.4f} fraction")
    print(f"# the neural ODE ({o.params} parameters, fitted in {o.fit.train_s:.1f} s), 0-10 s; load average {load()}")
    for s in o.sweep:
        name = s.method if s.method != "dopri5" else f"dopri5_tol{s.tol:.0e}"
        print(f"research_ode_{name}_nfe {s.nfe} evaluations")
        print(f"research_ode_{name}_error {'stopped' if s.stopped else f'{s.error:.4g}'} distance")
    print(f"research_resnet_euler_max_difference {o.resnet_gap:.3g} distance")


PAGES = {"robustness": robustness, "deep-networks": deep_networks, "research-corner": research_corner}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", choices=sorted(PAGES), action="append", help="only these pages (default: every one)")
    args = ap.parse_args()
    torch.set_num_threads(1)  # as the server runs its jobs
    for name in args.page or list(PAGES):
        PAGES[name]()


if __name__ == "__main__":
    main()
