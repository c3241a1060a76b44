"""The comparison of sequence models: streaming equals the whole sequence, work counts, every arch measured."""

import numpy as np
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from neuralab.nn.recurrent import ARCHS, RECURRENT, build
from neuralab.train import compare
from tests.train.tiny_thermal import tiny_train


@pytest.mark.parametrize("arch", list(ARCHS))
def test_streaming_one_sample_at_a_time_equals_the_whole_sequence(arch):
    model = build(arch, 3, 8, 1, seed=1).eval()
    x = torch.randn(1, 45, 3, generator=torch.Generator().manual_seed(0))  # longer than every window
    with torch.no_grad():
        full = model(x)[0, :, 0]
    s = compare.Streamer(model)
    streamed = torch.stack([s.step(x_t) for x_t in x[0]])[:, 0]
    torch.testing.assert_close(streamed, full, atol=1e-5, rtol=1e-5)


def test_recurrent_streaming_carries_the_state_it_would_have_after_the_whole_sequence():
    model = build("lstm", 3, 5, 1, seed=2).eval()
    x = torch.randn(1, 20, 3)
    s = compare.Streamer(model)
    for x_t in x[0]:
        s.step(x_t)
    with torch.no_grad():
        _, (h, c) = model.rnn(x)
    torch.testing.assert_close(s.state[0], h)
    torch.testing.assert_close(s.state[1], c)


def test_work_per_sample_by_hand():
    # GRU, F = 3, H = 4, O = 1: three blocks of 4 × (3 + 4), then the 4 → 1 head
    assert compare.macs_per_sample(build("gru", 3, 4, 1)) == 3 * 4 * 7 + 4
    assert compare.macs_per_sample(build("rnn", 3, 4, 1)) == 4 * 7 + 4
    assert compare.macs_per_sample(build("lstm", 3, 4, 1)) == 4 * 4 * 7 + 4
    # window MLP: 4 samples × 3 features → 16 hidden → 1
    assert compare.macs_per_sample(build("mlp", 3, 16, 1)) == 12 * 16 + 16
    # attention, D = 4, W = 32: embed 3·4, q k v 3·16, scores and sum 2·32·4, out 16, ff 4·8 + 8·4, head 4
    assert compare.macs_per_sample(build("attention", 3, 4, 1)) == 12 + 48 + 256 + 16 + 64 + 4


@pytest.mark.parametrize("arch", ["tcn", "attention", "mlp"])
def test_work_count_matches_torchs_flop_counter_on_a_streaming_step(arch):
    model = build(arch, 3, 8, 1).eval()
    s = compare.Streamer(model)
    for x_t in torch.randn(40, 3):  # fill every window and cache
        s.step(x_t)
    with FlopCounterMode(display=False) as counter:
        s.step(torch.randn(3))
    assert counter.get_total_flops() == 2 * compare.macs_per_sample(model)


def test_recurrent_work_does_not_grow_with_the_window_but_attention_does():
    from neuralab.nn.recurrent import WindowAttention
    short, long = WindowAttention(3, 8, 1, window=8), WindowAttention(3, 8, 1, window=64)
    assert compare.macs_per_sample(long) - compare.macs_per_sample(short) == 2 * (64 - 8) * 8
    assert all(compare.macs_per_sample(build(a, 3, 8, 1)) < 1000 for a in RECURRENT)


def test_the_comparison_measures_every_arch_with_finite_numbers():
    seen = []
    c = compare.compare(seeds=(0, 1), train=tiny_train, progress=lambda d, t: seen.append((d, t)))
    assert c.archs == tuple(ARCHS) and c.seeds == (0, 1)
    for values in (c.test_rmse_k, c.train_s, c.latency_us):
        assert values.shape == (len(ARCHS), 2) and np.isfinite(values).all() and (values > 0).all()
    for a, arch in enumerate(c.archs):
        model = build(arch, 3, 4, 1)
        assert c.params[a] == sum(p.numel() for p in model.parameters())
        assert c.macs[a] == compare.macs_per_sample(model)
    assert c.median("test_rmse_k").shape == (len(ARCHS),)
    assert seen[-1][0] == seen[-1][1] and all(d <= t for d, t in seen)


def test_latency_needs_samples_after_the_warm_up():
    with pytest.raises(ValueError, match="leave none to time"):
        compare.measure_latency(build("gru", 3, 4, 1), np.zeros((5, 3), np.float32), warmup=5)
