"""The deploy pipeline: pruning shrinks the network, every stage is measured, the C is exact."""

from __future__ import annotations

import pytest
import torch

from neuralab.compress import deployment, zoo
from neuralab.params import ParamError

torch.set_num_threads(1)


def test_prune_zero_keeps_the_function():
    m = zoo.load("student").model
    same = deployment.prune_student(m, 0.0)
    x = torch.as_tensor(zoo.data().X_test[:20].copy())
    assert torch.allclose(m(x), same(x))


def test_pruning_cuts_neurons_out_for_real():
    m = zoo.load("student").model
    p = deployment.prune_student(m, 0.25)
    hidden = m[0].out_features
    assert p[0].out_features == hidden - round(0.25 * hidden) and p[2].in_features == p[0].out_features
    assert not any(b.endswith("_mask") for b, _ in p.named_buffers())


@pytest.mark.parametrize("kwargs", [dict(prune=80), dict(prune=7), dict(calib=0)])
def test_bad_input_is_a_sentence(kwargs):
    with pytest.raises(ParamError, match=next(iter(kwargs))):
        deployment.run(**kwargs)


def test_the_whole_stack():
    s = deployment.run(15, 200)
    assert s.hidden[1] < s.hidden[0]
    keys = [st.key for st in s.stages]
    assert keys == ["teacher", "distilled", "pruned", "int8"]
    sizes = [st.size_bytes for st in s.stages]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 50 * sizes[-1]
    assert s.stages[-1].accuracy > s.stages[-2].accuracy - 0.02
    assert s.onnx_max_diff < 1e-5 and s.onnx_bytes
    assert "nl_infer" in s.c_source
    if not s.c_error:
        assert s.c_exact and s.c_mismatches == 0 and s.stages[-1].latency_us["C int8"] > 0
    assert all(st.latency_us for st in s.stages[:3])
