"""The autoencoder module: shapes, the code's standardization, corruption only in training."""

import pytest
import torch

from neuralab.nn.autoencoder import Autoencoder


def test_shapes_and_the_output_range():
    net = Autoencoder(64, 16, 2, seed=0)
    x = torch.rand(10, 64)
    assert net.encode(x).shape == (10, 2)
    out = net(x).detach()
    assert out.shape == (10, 64) and float(out.min()) >= 0 and float(out.max()) <= 1
    lin = Autoencoder(12, 8, 3, sigmoid=False, code_norm=False)
    assert float(lin(torch.randn(5, 12) * 100).detach().abs().max()) > 1  # a linear output is not squashed


def test_the_code_is_standardized_per_axis_in_training_mode():
    net = Autoencoder(64, 16, 2, seed=1).train()
    z = net.encode(torch.rand(200, 64) * 3 + 1)
    assert torch.allclose(z.mean(0), torch.zeros(2), atol=1e-5)
    assert torch.allclose(z.var(0, unbiased=False), torch.ones(2), atol=1e-3)


def test_the_code_norm_equals_torchs_batch_norm_with_no_affine_parameters():
    net = Autoencoder(8, 4, 2, seed=2).train()
    x = torch.randn(50, 8)
    pre = net.encoder[:3](x)  # before the normalization
    ref = torch.nn.functional.batch_norm(pre, None, None, training=True, eps=1e-5)
    assert torch.allclose(net.encode(x), ref, atol=1e-6)


def test_noise_corrupts_the_input_in_training_only():
    net = Autoencoder(16, 8, 4, noise=0.5, seed=0)
    x = torch.rand(6, 16)
    net.eval()
    assert torch.equal(net(x), net(x))  # no corruption at evaluation
    net.train()
    net.encoder[2].eval()  # freeze the batch statistics: only the noise may differ between two calls
    assert not torch.equal(net(x), net(x))


def test_the_same_seed_draws_the_same_weights():
    a, b = Autoencoder(64, 16, 2, seed=3), Autoencoder(64, 16, 2, seed=3)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


@pytest.mark.parametrize("bad", [dict(n=0, hidden=4, code=2), dict(n=4, hidden=4, code=2, noise=-0.1)])
def test_bad_shapes_are_refused_with_a_sentence(bad):
    with pytest.raises(ValueError, match="at least"):
        Autoencoder(**bad)
