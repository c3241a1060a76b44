"""Sequence models: one interface, causal, streaming equals the whole sequence."""

import pytest
import torch

from neuralab.nn import recurrent as rec


@pytest.mark.parametrize("arch", list(rec.ARCHS))
def test_every_model_maps_b_t_f_to_b_t_o_and_is_causal(arch):
    m = rec.build(arch, 3, 8, 2, seed=0).eval()
    x = torch.randn(2, 40, 3)
    y = m(x)
    assert y.shape == (2, 40, 2)
    x2 = x.clone()
    x2[:, 25:] = torch.randn(2, 15, 3)  # change the future of step 24
    torch.testing.assert_close(m(x2)[:, :25], y[:, :25])
    assert not torch.allclose(m(x2)[:, 25:], y[:, 25:])


def test_the_same_seed_builds_the_same_weights():
    a, b = rec.build("gru", 3, 8, 1, seed=5), rec.build("gru", 3, 8, 1, seed=5)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


@pytest.mark.parametrize("kind", rec.RECURRENT)
def test_streaming_one_sample_at_a_time_equals_the_whole_sequence(kind):
    m = rec.build(kind, 3, 6, 1, seed=1).eval()
    x = torch.randn(2, 30, 3)
    state, ys = None, []
    for t in range(30):
        y, state = rec.streaming_step(m, x[:, t], state)
        ys.append(y)
    torch.testing.assert_close(torch.stack(ys, 1), m(x).detach())


def test_the_dilated_cnn_sees_exactly_its_receptive_field():
    torch.manual_seed(0)  # random weights can leave a ReLU dead for the oldest sample: fix them
    m = rec.CausalConv(1, 16, 1, layers=3, kernel=3).eval()
    assert m.receptive_field == 15
    x = torch.randn(1, 40, 1)
    x2 = x.clone()
    x2[:, 39 - 15] += 10.0  # just outside the field of the last output
    torch.testing.assert_close(m(x2)[:, -1], m(x)[:, -1])
    x2[:, 39 - 14] += 10.0  # its oldest sample
    assert not torch.allclose(m(x2)[:, -1], m(x)[:, -1])


def test_rescaling_sets_the_spectral_radius():
    m = rec.build("rnn", 2, 10, 1, seed=0)
    rec.rescale_recurrent(m, 1.7)
    assert rec.spectral_radius(m.rnn.weight_hh_l0) == pytest.approx(1.7, rel=1e-5)
    with pytest.raises(ValueError, match="radius"):
        rec.rescale_recurrent(m, -1)


def test_an_unknown_architecture_is_named():
    with pytest.raises(ValueError, match="arch must be one of"):
        rec.build("transformer-xl", 3, 8)
