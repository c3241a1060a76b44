"""The convolution written out (one output pixel, sizes, receptive fields) against torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from neuralab.compress import zoo
from neuralab.nn.cnn import conv_pixel, digits_cnn, out_size, receptive_field, stages, work
from neuralab.nn.models import mlp
from neuralab.params import ParamError


@pytest.mark.parametrize(("c_in", "k", "stride", "padding"), [(1, 3, 1, 1), (8, 3, 1, 1), (3, 5, 2, 2), (2, 3, 3, 0)])
def test_one_output_pixel_by_hand_is_torchs_conv2d(c_in, k, stride, padding):
    rng = np.random.default_rng(c_in + k)
    x, w, b = rng.normal(size=(c_in, 9, 9)), rng.normal(size=(4, c_in, k, k)), rng.normal(size=4)
    ref = F.conv2d(torch.tensor(x)[None], torch.tensor(w), torch.tensor(b), stride=stride, padding=padding)[0]
    for ch, r, c in [(0, 0, 0), (3, ref.shape[1] - 1, ref.shape[2] - 1), (2, ref.shape[1] // 2, 1)]:
        s = conv_pixel(x, w, b, ch, r, c, stride, padding)
        assert s.value == pytest.approx(float(ref[ch, r, c]), abs=1e-12)
        assert s.products.shape == (c_in, k, k) and s.per_channel.sum() + s.bias == pytest.approx(s.value)
        assert s.rows == (r * stride - padding, r * stride - padding + k - 1)


def test_the_window_at_the_border_reads_the_zero_padding():
    x, w = np.ones((1, 4, 4)), np.ones((1, 1, 3, 3))
    s = conv_pixel(x, w, np.zeros(1), 0, 0, 0, 1, 1)
    assert s.value == 4 and s.patch[0, 0].tolist() == [0, 0, 0] and s.rows == (-1, 1)


def test_a_pixel_outside_the_output_is_refused_with_a_sentence():
    with pytest.raises(ParamError, match="must lie in"):
        conv_pixel(np.ones((1, 4, 4)), np.ones((2, 1, 3, 3)), np.zeros(2), 0, 2, 0, 1, 0)
    with pytest.raises(ParamError, match="x must have shape"):
        conv_pixel(np.ones((2, 4, 4)), np.ones((2, 1, 3, 3)), np.zeros(2), 0, 0, 0)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 4), p=st.integers(0, 3), d=st.integers(1, 3))
def test_the_output_size_formula_is_torchs(n, k, s, p, d):
    want = out_size(n, k, s, p, d)
    conv = nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d)
    if want < 1:
        with pytest.raises(RuntimeError):
            conv(torch.zeros(1, 1, n))
    else:
        assert conv(torch.zeros(1, 1, n)).shape[-1] == want
        if 2 * p <= k:  # torch's pooling allows padding up to half its window
            assert nn.MaxPool1d(k, s, p, d)(torch.zeros(1, 1, n)).shape[-1] == want


@settings(max_examples=40, deadline=None, derandomize=True)
@given(layers=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3)), min_size=1, max_size=4))
def test_the_receptive_field_recurrence_is_what_autograd_reaches(layers):
    r, _ = receptive_field(layers)[-1]
    net = nn.Sequential(*(nn.Conv1d(1, 1, k, stride=s, dilation=d, bias=False) for k, s, d in layers))
    for m in net:
        nn.init.ones_(m.weight)
    x = torch.ones(1, 1, r + 10, requires_grad=True)
    net(x)[0, 0, 0].backward()
    nz = np.flatnonzero(x.grad[0, 0].numpy())
    assert nz[0] == 0 and nz[-1] + 1 == r


def test_the_zoo_builds_its_cnn_from_here_with_the_same_weights():
    a, b = zoo.build("cnn", 3), digits_cnn(8, 16, 3)
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values(), strict=True))
    assert sum(p.numel() for p in b.parameters()) == 3818


def test_stages_name_every_module_and_end_with_the_logits():
    net = digits_cnn()
    x = np.linspace(-1, 1, 64)
    st_ = stages(net, x)
    assert [n for n, _ in st_] == ["Unflatten", "Conv2d", "ReLU", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear"]
    assert [a.shape for _, a in st_][:6] == [(1, 8, 8), (8, 8, 8), (8, 8, 8), (16, 8, 8), (16, 8, 8), (16, 4, 4)]
    with torch.no_grad():
        assert np.allclose(st_[-1][1], net(torch.tensor(x, dtype=torch.float32)[None])[0].numpy(), atol=1e-6)


def test_work_counts_macs_by_the_formula_and_the_largest_pair_of_maps():
    w = work(digits_cnn())
    conv = [64 * c_out * c_in * 9 for c_in, c_out in ((1, 8), (8, 16))]  # C_out · C_in · k² · H_out · W_out
    assert w.params == 3818 and w.macs == sum(conv) + 256 * 10
    assert w.peak == 8 * 64 + 16 * 64  # the second convolution reads 8 maps and writes 16, all 8 × 8
    m = work(mlp((64, 64, 32, 10), "relu"))
    assert m.macs == 64 * 64 + 64 * 32 + 32 * 10 and m.peak == 64 + 64 and m.params == m.macs + 64 + 32 + 10
    one_d = work(nn.Sequential(nn.Unflatten(1, (1, 100)), nn.Conv1d(1, 4, 9, padding=4)), inputs=100)
    assert one_d.macs == 4 * 9 * 100 and one_d.peak == 100 + 400
