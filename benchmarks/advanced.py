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
* :func:`transfer_learning` (/transfer-learning): the page's two jobs at their defaults on an empty cache (three
  bodies pre-trained on the digits 0-4, every strategy at 5, 20, 100 and all labels per class for each seed; 300
  few-shot episodes of each setting) and their wall time, each strategy's test accuracy on the digits 5-9 (mean ±
  std over the seeds), the winner at 5 per class, and 1- and 5-shot prototypes against 1-NN on the standardized
  pixels and on the grey levels.
* :func:`explainability` (/explainability): the page at its defaults on an empty cache (the zoo's CNN trained, the
  maps and completeness of test digit 0, the sanity check on 120 digits, the motor MLP fitted and explained) and its
  wall time; integrated gradients' completeness error against the steps; the median rank correlation between the
  trained and the random CNN's maps per method; the motor's features ranked by the law, permutation importance, SHAP.
* :func:`augmentation` (/augmentation): the page's defaults on an empty cache (the gallery, the curve's 18 CNNs
  at 5, 30 and all per class and the wrong augmentation's 3, the zoo's CNNs for seeds 0-2 included), the curve
  job's wall time and the whole; validation accuracy with and without a ±1-pixel shift at 5, 30 and all digits
  per class (mean and sample std over seeds 0-2), the gain and where it falls within one sample SD of the per-seed
  gain; the accuracy on the 6s and 9s and their confusion with every training image turned by 180° with
  probability ½.
* :func:`research_corner` (/research-corner): both jobs at their defaults on an empty cache and their wall time
  (the capsule network trained with 3 routing iterations, the zoo's CNN trained, the neural ODE fitted); the
  capsule network against the CNN (test accuracy, parameters, seconds per epoch, whole training); dopri5's
  function evaluations and error against the tolerance, rk4's and Euler's; the tied ResNet's largest difference
  from torchdiffeq's euler.

Run:  PYTHONPATH=src:. .venv/bin/python benchmarks/advanced.py [--page robustness] [--page deep-networks]
      [--page transfer-learning] [--page explainability] [--page augmentation] [--page research-corner]
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


def transfer_learning() -> None:
    from neuralab.train import transfer

    print(f"# /transfer-learning: load average {load()}, {os.cpu_count()} logical CPUs", flush=True)
    t = time.perf_counter()
    c = transfer.compare()  # the page's two default jobs, uncached: 3 pre-trainings, 36 adaptations
    strategies_s = time.perf_counter() - t
    t = time.perf_counter()
    f = transfer.few_shot()
    few_s = time.perf_counter() - t
    print(f"transfer_first_run_strategies {strategies_s:.1f} s")
    print(f"transfer_first_run_few_shot {few_s:.1f} s")
    print(f"transfer_first_run {strategies_s + few_s:.1f} s")
    print(f"transfer_source_accuracy_digits_0_4 {c.source_acc.mean():.4f} fraction (mean of {len(c.seeds)} seeds)")
    print(f"# test accuracy on the {c.n_test} test digits 5-9, mean and std over seeds {c.seeds}")
    for i, n in enumerate(c.sizes):
        for s in transfer.STRATEGIES:
            label = "all" if n == 0 else str(n)
            print(f"transfer_{s}_{label}_per_class {c.mean(s)[i]:.4f} ± {c.std(s)[i]:.4f} fraction")
    best, second, margin = c.winner(0)
    print(f"transfer_winner_at_5_per_class {best} by {margin:.4f} over {second}")
    print(f"# 5-way episodes on the digits 5-9, {f.episodes} each, mean and std over episodes")
    for k in transfer.SHOTS:
        for m in transfer.METHODS:
            e = f.get(m, k)
            print(f"few_shot_{k}shot_{m} {e.mean:.4f} ± {e.std:.4f} fraction")


def explainability() -> None:
    from neuralab.explain import digits, motor

    print(f"# /explainability on an empty cache; load average {load()}, {os.cpu_count()} logical CPUs", flush=True)
    t0 = time.perf_counter()
    digits.make()
    print(f"explainability_zoo_cnn_train {time.perf_counter() - t0:.1f} s")
    m = digits.maps()
    c = digits.completeness()
    s = digits.sanity()
    r = motor.importance()
    print(f"explainability_first_run {time.perf_counter() - t0:.1f} s")
    for k, steps in enumerate(c.steps):
        print(f"explainability_ig_delta_digit{c.digit}_steps{steps} {c.own[k]:.3g} logit (midpoint; "
              f"Gauss-Legendre {c.gauss[k]:.3g}; f(x) - f(blank) {c.gap:.3f})")
    for k in m.rho:
        print(f"explainability_rank_corr_trained_vs_random_{k} {s.median(k):.3f} median over {s.n} digits "
              f"(digit {m.digit}: {m.rho[k]:.3f})")
    for which in ("truth", "perm", "shap"):
        print(f"explainability_motor_top_features_{which} {' > '.join(r.ranking(which))}")
    for i, n in enumerate(r.names):
        print(f"explainability_motor_{n} law {r.truth[i]:.4f} perm {r.perm[i]:.4f}±{r.perm_std[i]:.4f} R2-fall, "
              f"shap {r.shap[i]:.4f} N·m")
    print(f"explainability_motor_test_r2 {r.test_r2:.4f} (law {r.truth_r2:.4f})")


def augmentation() -> None:
    from neuralab.robust import augmentation as aug

    print(f"# /augmentation: load average {load()}, {os.cpu_count()} logical CPUs", flush=True)
    t = time.perf_counter()
    aug.gallery()
    tc = time.perf_counter()
    c = aug.curve()  # the page's default job (shift, strength 0.5, seeds 0-2), uncached: the zoo's CNNs included
    print(f"augmentation_curve_first_run {time.perf_counter() - tc:.1f} s (load average {load()})", flush=True)
    w = aug.wrong()
    print(f"augmentation_first_run {time.perf_counter() - t:.1f} s")
    for i, n in enumerate(c.sizes):
        size = n or "all"
        for name, acc in (("without", c.plain), ("with_shift", c.augmented)):
            print(f"augmentation_{name}_{size}_per_class_val_accuracy {acc[:, i].mean():.4f} fraction "
                  f"(sample std {acc[:, i].std(ddof=1):.4f})")
        print(f"augmentation_gain_{size}_per_class {c.gain[i]:.4f} fraction "
              f"(sample std of the per-seed gain {c.spread[i]:.4f})")
    print(f"augmentation_gain_within_spread_from {aug.vanishes(c)} per class (None: at no size; 0: all)")
    for which in ("plain", "turned"):
        print(f"augmentation_rot180_{which}_accuracy {w.accuracy(which).mean():.4f} fraction")
        for digit in (aug.SIX, aug.NINE):
            print(f"augmentation_rot180_{which}_accuracy_on_{digit}s {w.accuracy(which, digit).mean():.4f} fraction")
        print(f"augmentation_rot180_{which}_6_read_as_9 {w.confused(which, aug.SIX, aug.NINE).mean():.4f} fraction")
        print(f"augmentation_rot180_{which}_9_read_as_6 {w.confused(which, aug.NINE, aug.SIX).mean():.4f} fraction")


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


PAGES = {"robustness": robustness, "deep-networks": deep_networks, "transfer-learning": transfer_learning,
         "explainability": explainability, "augmentation": augmentation, "research-corner": research_corner}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", choices=sorted(PAGES), action="append", help="only these pages (default: every one)")
    args = ap.parse_args()
    torch.set_num_threads(1)  # as the server runs its jobs
    for name in args.page or list(PAGES):
        PAGES[name]()


if __name__ == "__main__":
    main()
