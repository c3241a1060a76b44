"""The reference entries' tables of measured numbers: recomputed with the library and matched to the text, so they
cannot drift from the code silently."""

from __future__ import annotations

from importlib import resources

import pytest

from neuralab.app.pages import learning_rate
from neuralab.compress import prune_effects
from neuralab.train import lr


def entry(topic: str) -> str:
    return resources.files("neuralab.content").joinpath(f"{topic}.md").read_text(encoding="utf-8")


LABELS = {"constant": "constant", "step": "step", "exponential": "exponential", "cosine": "cosine",
          "warmup_cosine": "warm-up + cosine", "sgdr": "SGDR", "plateau": "reduce on plateau",
          "cyclical": "cyclical", "one_cycle": "one-cycle"}


def test_the_warm_up_table_is_what_the_schedule_comparison_measures():
    cmp = lr.compare(10**-0.5, 100, "momentum", 0)
    text = entry("learning-rate")
    for r in cmp.runs:
        assert not r.diverged
        row = (f"| {LABELS[r.schedule]} | {r.lr[0]:.3g} | {r.train_loss[-1]:.4f} | {r.final_loss:.2f} | "
               f"{100 * r.val_acc[-1]:.1f} % |")
        assert row in text, row
    low = [cmp.run(k).final_loss for k in ("warmup_cosine", "cyclical", "one_cycle")]
    full = [r.final_loss for r in cmp.runs if r.schedule not in ("warmup_cosine", "cyclical", "one_cycle")]
    assert max(low) < min(full) / 2.5  # "a third of the validation loss"


def test_the_batch_scaling_table_is_what_the_scaling_runs_measure():
    sc = lr.scaling(10**-1.5, 10, 0)
    text = entry("learning-rate")
    for s, f in zip(sc.scaled, sc.fixed, strict=True):
        row = (f"| {s.batch} | {s.lr:.3g} | {s.val_loss:.2f} | {100 * s.val_acc:.1f} % | {f.val_loss:.2f} | "
               f"{100 * f.val_acc:.1f} % |")
        assert row in text, row
    worst_scaled, worst_fixed = sc.scaled[-1], sc.fixed[-1]
    assert worst_scaled.val_loss > worst_fixed.val_loss and worst_scaled.val_acc > worst_fixed.val_acc


def test_the_starting_values_sentence_is_written_once_and_shown_on_both():
    assert learning_rate.STARTING_LR in entry("learning-rate").replace("\n", " ")


@pytest.mark.parametrize(("model", "sparsity", "label"), [("mlp", 50, "64-64-32-10, 50%"),
                                                          ("mlp", 90, "64-64-32-10, 90%"),
                                                          ("teacher", 50, "64-512-256-10, 50%")])
def test_the_pruning_storage_table_is_what_footprint_measures(model, sparsity, label):
    fp = prune_effects.footprint(model, sparsity, 0, repeats=2)
    dense, zeros, csr, small = (f"{int(b):,} bytes" for b in fp.bytes)
    shape = "-".join(map(str, fp.compact_shape))
    row = f"| {label} | {dense} | {csr} | {small} ({shape}) |"
    assert zeros == dense and row in entry("pruning"), row
