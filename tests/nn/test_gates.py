"""The gates recomputed from the weights rebuild exactly what torch's fused LSTM and GRU compute."""

import numpy as np
import pytest
import torch
from torch import nn

from neuralab.nn.gates import gru_gates, half_life, lstm_gates
from neuralab.train.bptt import replay


def _layer(kind, inputs=3, hidden=5, seed=0):
    torch.manual_seed(seed)
    layer = kind(inputs, hidden, batch_first=True)
    with torch.no_grad():
        for p in layer.parameters():  # larger than the default init, so gates move across their range
            p.mul_(3.0)
    return layer


def _x(T=40, F=3, seed=1):
    return torch.randn(T, F, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lstm_gates_rebuild_the_fused_layers_hidden_and_cell_states(seed):
    layer, x = _layer(nn.LSTM, seed=seed), _x(seed=seed)
    g = lstm_gates(layer, x)
    with torch.no_grad():
        out, (h_n, c_n) = layer(x[None])
        _, cs = replay(layer, x[None])
    np.testing.assert_allclose(g.h, out[0].numpy(), atol=1e-5)
    np.testing.assert_allclose(g.c[-1], c_n[0, 0].numpy(), atol=1e-5)
    np.testing.assert_allclose(g.c, torch.stack(cs)[:, 0].detach().numpy(), atol=1e-5)
    # and the state equations hold with these gates
    c_prev = np.vstack([np.zeros((1, g.c.shape[1]), np.float32), g.c[:-1]])
    np.testing.assert_allclose(g.c, g.f * c_prev + g.i * g.g, atol=1e-6)
    np.testing.assert_allclose(g.h, g.o * np.tanh(g.c), atol=1e-6)
    assert 0 < g.f.min() and g.f.max() < 1 and g.g.min() < 0 < g.g.max()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gru_gates_rebuild_the_fused_layers_hidden_states(seed):
    layer, x = _layer(nn.GRU, seed=seed), _x(seed=seed)
    g = gru_gates(layer, x)
    with torch.no_grad():
        out = layer(x[None])[0][0].numpy()
    np.testing.assert_allclose(g.h, out, atol=1e-5)
    h_prev = np.vstack([np.zeros((1, g.h.shape[1]), np.float32), g.h[:-1]])
    np.testing.assert_allclose(g.h, (1 - g.z) * g.n + g.z * h_prev, atol=1e-6)


def test_swapping_the_gru_gate_order_breaks_the_rebuild():
    """The check has teeth: read r and z the other way round and the states no longer match."""
    layer, x = _layer(nn.GRU), _x()
    H = layer.hidden_size
    swapped = _layer(nn.GRU)
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            w = getattr(layer, name)
            getattr(swapped, name).copy_(torch.cat([w[H:2 * H], w[:H], w[2 * H:]]))
    with torch.no_grad():
        out = layer(x[None])[0][0].numpy()
    assert np.abs(gru_gates(swapped, x).h - out).max() > 1e-2


def test_bad_layers_and_inputs_get_sentences():
    with pytest.raises(TypeError, match="nn.LSTM"):
        lstm_gates(nn.GRU(3, 4), _x())
    with pytest.raises(ValueError, match="single-layer"):
        gru_gates(nn.GRU(3, 4, num_layers=2), _x())
    with pytest.raises(ValueError, match=r"x must be \(steps, 3\)"):
        gru_gates(nn.GRU(3, 4), torch.zeros(2, 5, 3))


def test_half_life():
    assert half_life(np.array([0.5]))[0] == pytest.approx(1.0)
    assert half_life(np.array([0.99]))[0] == pytest.approx(68.97, abs=0.01)
    assert np.isinf(half_life(np.array([1.0]))[0])
