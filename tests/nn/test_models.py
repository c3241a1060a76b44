import pytest
import torch

from neuralab.nn.models import ACTIVATIONS, mlp, n_params


@pytest.mark.parametrize("act", list(ACTIVATIONS))
def test_mlp_shapes_for_every_activation(act):
    m = mlp((5, 7, 3, 2), act, seed=1)
    assert m(torch.zeros(4, 5)).shape == (4, 2)
    assert n_params(m) == 5 * 7 + 7 + 7 * 3 + 3 + 3 * 2 + 2


def test_mlp_is_fixed_by_its_seed_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a, b = mlp((4, 8, 2), seed=7), mlp((4, 8, 2), seed=7)
    assert torch.equal(torch.rand(1), before)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    c = mlp((4, 8, 2), seed=8)
    assert not torch.equal(a[0].weight, c[0].weight)


def test_zero_init_makes_every_hidden_unit_identical():
    m = mlp((4, 8, 2), "tanh", init="zeros")
    assert torch.count_nonzero(m[0].weight) == 0


def test_options_add_their_layers():
    m = mlp((4, 8, 8, 2), ["relu", "tanh"], dropout=0.5, norm="batch")
    kinds = [type(x).__name__ for x in m]
    assert kinds == ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear"]


@pytest.mark.parametrize("kwargs, match", [
    ({"sizes": (4,)}, "sizes"), ({"sizes": (4, 0, 2)}, "sizes"), ({"sizes": (4, 8, 2), "activation": "swoosh"},
                                                                  "activation"),
    ({"sizes": (4, 8, 2), "dropout": 1.0}, "dropout"), ({"sizes": (4, 8, 2), "norm": "group"}, "norm"),
    ({"sizes": (4, 8, 2), "init": "orthogonal"}, "init"), ({"sizes": (4, 8, 8, 2), "activation": ["relu"]},
                                                            "activation"),
])
def test_bad_arguments_name_themselves(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mlp(**kwargs)


def _sigmoid_backward_ratios(scale: float) -> list[float]:
    """‖∂L/∂a‖ of each sigmoid layer over that of the next one, in an 8-layer 32-wide sigmoid mlp (Xavier × scale)."""
    torch.set_num_threads(1)
    model = mlp([32] * 9 + [1], ["sigmoid"] * 8, init="xavier", seed=0).double()
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, torch.nn.Linear):
                layer.weight.mul_(scale)
    h = torch.randn(256, 32, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    acts = []
    for layer in model:
        h = layer(h)
        if isinstance(layer, torch.nn.Sigmoid):
            h.retain_grad()
            acts.append(h)
    h.pow(2).mean().backward()
    norms = [float(a.grad.norm()) for a in acts]
    return [a / b for a, b in zip(norms[:-1], norms[1:], strict=True)]


def test_a_sigmoid_layers_gradient_loss_depends_on_the_weights_too():
    """content/feedforward.md: about fourfold per layer with Xavier weights, but not 'at least fourfold'."""
    xavier, large = _sigmoid_backward_ratios(1.0), _sigmoid_backward_ratios(8.0)
    assert sorted(xavier)[len(xavier) // 2] == pytest.approx(0.24, abs=0.02)
    assert sorted(large)[len(large) // 2] == pytest.approx(0.94, abs=0.03) and max(large) > 1.0


def test_the_mse_gradient_on_a_linear_output_is_twice_the_cross_entropy_form():
    """content/feedforward.md: ∂L/∂ŷ = 2(ŷ − y)/B for F.mse_loss with one output; cross-entropy gives (ŷ − y)/B."""
    gen = torch.Generator().manual_seed(0)
    out = torch.randn(8, 1, generator=gen, dtype=torch.float64, requires_grad=True)
    y = torch.randn(8, 1, generator=gen, dtype=torch.float64)
    torch.nn.functional.mse_loss(out, y).backward()
    torch.testing.assert_close(out.grad, 2 * (out.detach() - y) / 8)
