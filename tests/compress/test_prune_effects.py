"""The /pruning experiments: bytes and time stored four ways, the lottery ticket, and their inputs checked."""

import math

import pytest
import torch

from neuralab.compress import prune_effects
from neuralab.params import ParamError

torch.set_num_threads(1)


def test_footprint_measures_sizes_that_follow_the_storage():
    fp = prune_effects.footprint("mlp", 90, 0, repeats=5)
    dense, zeros, csr, small = fp.bytes
    assert zeros == dense  # zeros stored densely take as much room
    assert csr < dense and small < dense
    assert all(t > 0 and math.isfinite(t) for t in [*fp.latency_one, *fp.latency_batch])
    assert fp.acc[1] == pytest.approx(fp.acc[2], abs=1e-6)  # CSR runs the same network


def test_lottery_masks_come_from_the_trained_net_and_rewind_uses_its_init():
    lt = prune_effects.lottery("mlp", 0, levels=(80,))
    assert lt.rewind.shape == lt.reinit.shape == (1,)
    assert 0.5 < lt.rewind[0] <= 1 and 0.5 < lt.reinit[0] <= 1


def test_page_entry_points_validate_their_parameters():
    with pytest.raises(ParamError, match="sparsity"):
        prune_effects.snapshot("mlp", 97, "unstructured", 0)
    with pytest.raises(ParamError, match="model"):
        prune_effects.sweep("resnet", 0)
    snap = prune_effects.snapshot("mlp", 40, "unstructured", 0)
    assert snap.achieved == pytest.approx(0.4, abs=0.01) and len(snap.removed) + len(snap.kept) == sum(
        a * b for a, b in snap.layer_shapes)
