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
