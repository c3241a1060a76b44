"""Sizes and receptive fields of a stack of convolutions: the formula against torch, bad stacks in words."""

import pytest

from neuralab.basics.conv_geometry import GEOMETRY, geometry, plan
from neuralab.params import ParamError


@pytest.mark.parametrize("kw", [{}, {"geo_pool": True}, {"geo_n": 64, "geo_k": 5, "geo_s": 2, "geo_p": 2},
                                {"geo_n": 64, "geo_k": 3, "geo_d": 3, "geo_p": 0, "geo_depth": 4},
                                {"geo_n": 9, "geo_k": 2, "geo_s": 3, "geo_p": 0, "geo_depth": 2}])
def test_formula_and_torch_agree_on_sizes_and_fields(kw):
    g = geometry(**kw)
    assert g.agree
    assert g.stages[-1].size_torch >= 1 and g.reach.shape == (g.n, g.n)


def test_three_same_padded_3x3_layers_see_7x7_and_keep_the_size():
    g = geometry(geo_n=28, geo_k=3, geo_s=1, geo_p=1, geo_d=1, geo_depth=3, geo_pool=False)
    assert [st.rf_formula for st in g.stages] == [3, 5, 7]
    assert [st.size_torch for st in g.stages] == [28, 28, 28]
    assert (g.reach > 0).sum() == 49 and g.reach[14, 14] == g.reach.max()


def test_a_stride_larger_than_the_kernel_leaves_holes():
    g = geometry(geo_n=27, geo_k=2, geo_s=3, geo_p=0, geo_d=1, geo_depth=2, geo_pool=False)
    last = g.stages[-1]
    assert last.rf_measured == last.rf_formula == 5 and last.touched == 4


def test_pooling_doubles_the_jump_and_halves_the_size():
    g = geometry(geo_n=28, geo_k=3, geo_s=1, geo_p=1, geo_d=1, geo_depth=2, geo_pool=True)
    assert [(st.kind, st.size_torch, st.jump) for st in g.stages] == [
        ("conv", 28, 1), ("pool", 14, 2), ("conv", 14, 2), ("pool", 7, 4)]


def test_a_stack_that_runs_out_of_pixels_is_refused_with_a_sentence():
    values = {"geo_n": 8, "geo_k": 7, "geo_s": 1, "geo_p": 0, "geo_d": 1, "geo_depth": 3, "geo_pool": False}
    assert plan(8, 7, 1, 0, 1, 3, False)[-1][2] < 1
    with pytest.raises(ParamError, match="convolution 2 gets 2 pixels and would return -4"):
        geometry(**values)
    assert GEOMETRY.check(values)[1] and "geo_depth" in GEOMETRY.check(values)[1][0]


@pytest.mark.parametrize("kw", [{}, {"geo_pool": True, "geo_n": 30}, {"geo_n": 20, "geo_k": 5, "geo_s": 2, "geo_p": 2},
                                {"geo_n": 17, "geo_k": 3, "geo_d": 2, "geo_p": 1, "geo_depth": 2}])
def test_the_reach_is_the_2d_gradient_of_the_real_2d_stack(kw):
    import torch
    from torch import nn

    g = geometry(**kw)
    layers = []
    for _ in range(GEOMETRY.defaults()["geo_depth"] if "geo_depth" not in kw else kw["geo_depth"]):
        conv = nn.Conv2d(1, 1, g.k, stride=g.s, padding=g.p, dilation=g.d, bias=False)
        nn.init.ones_(conv.weight)
        layers += [conv, nn.AvgPool2d(2)] if g.pool else [conv]
    x = torch.ones(1, 1, g.n, g.n, dtype=torch.float64, requires_grad=True)
    y = nn.Sequential(*layers).double()(x)
    y[0, 0, g.centre[0], g.centre[1]].backward()
    assert y.shape[-1] == g.stages[-1].size_torch
    assert torch.allclose(x.grad[0, 0], torch.tensor(g.reach))
