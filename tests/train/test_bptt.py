"""Gradient norms through time: the replay equals the fused layer; the norms equal direct autograd."""

import numpy as np
import pytest
import torch
from torch import nn

from neuralab.nn import recurrent as rec
from neuralab.train import bptt


@pytest.mark.parametrize("kind", rec.RECURRENT)
def test_the_replay_with_shared_cells_equals_the_fused_layer(kind):
    layer = rec.build(kind, 3, 5, 1, seed=2).rnn
    x = torch.randn(3, 12, 3)
    hs, cs = bptt.replay(layer, x)
    torch.testing.assert_close(torch.stack(hs, 1), layer(x)[0])
    assert len(cs) == (12 if kind == "lstm" else 0)
    assert bptt.cell_of(layer).weight_hh is layer.weight_hh_l0  # shared, not copied


def test_the_norms_equal_autograd_on_the_hand_unrolled_vanilla_rnn():
    torch.manual_seed(0)
    layer = nn.RNN(2, 4, batch_first=True).double()
    x = torch.randn(1, 6, 2, dtype=torch.float64)
    g = bptt.hidden_gradients(layer, x)
    W, U, b = layer.weight_ih_l0, layer.weight_hh_l0, layer.bias_ih_l0 + layer.bias_hh_l0
    hs, h = [], torch.zeros(4, dtype=torch.float64)
    for t in range(6):
        h = torch.tanh(W @ x[0, t] + U @ h + b)
        hs.append(h)
    grads = torch.autograd.grad(0.5 * (hs[-1] ** 2).sum(), hs)
    np.testing.assert_allclose(g, [float(gr.norm()) for gr in reversed(grads)], rtol=1e-10)


def test_a_small_spectral_radius_makes_the_gradient_vanish_geometrically():
    m = rec.build("rnn", 2, 16, 1, seed=0)
    rec.rescale_recurrent(m, 0.5)
    g = bptt.hidden_gradients(m.rnn, torch.randn(4, 40, 2))
    assert g[30] < g[0] * 0.5**20  # |tanh'| ≤ 1: each step back shrinks it by at most ρ·(saturation)


def test_only_torch_recurrent_layers_are_accepted():
    with pytest.raises(TypeError, match="nn.RNN"):
        bptt.cell_of(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="single-layer"):
        bptt.cell_of(nn.GRU(2, 3, num_layers=2, batch_first=True))
