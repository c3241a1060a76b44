"""The GRU exported to ONNX: stepped one sample per call in onnxruntime it equals torch's whole-sequence output."""

import numpy as np
import pytest
import torch

from neuralab.compress import recurrent_export as edge
from neuralab.nn.recurrent import Recurrent, build
from neuralab.train import sequence
from neuralab.train.sequence import SeqHistory, Trained


def _tiny(kind="gru", hidden=4, seed=0):
    torch.manual_seed(seed)
    m = Recurrent(kind, 3, hidden, 1)
    with torch.no_grad():
        for p in m.parameters():
            p.mul_(2.0)
    return m.eval()


def _x(T=60, seed=0):
    return np.random.default_rng(seed).normal(size=(T, 3)).astype(np.float32)


@pytest.mark.parametrize("kind", ["gru", "lstm"])
def test_stepped_onnx_equals_torch_full_sequence(kind):
    ex = edge.export_gru(_tiny(kind), _x(), rounds=1)
    assert ex.step_diff <= 1e-5 and ex.sequence_diff <= 1e-5
    assert np.abs(ex.torch_y).max() > 0.1  # a model that says something, so the agreement means something
    assert ex.state_floats == (8 if kind == "lstm" else 4) and ex.state_bytes == 4 * ex.state_floats
    assert ex.parameters == sum(p.numel() for p in _tiny(kind).parameters())
    assert ex.step_us > 0 and ex.steps_timed == 50
    assert len(ex.step_onnx) > 4 * ex.parameters  # the weights are in the file


def test_a_step_loop_that_drops_the_state_does_not_match():
    """The state is the whole memory: stepping with h reset to zero each call gives another answer."""
    model, x = _tiny(), _x()
    ex = edge.export_gru(model, x, rounds=1)
    sess = edge.session(ex.step_onnx)
    amnesic = np.array([sess.run(None, {"x_t": x[t:t + 1], "h_prev": np.zeros((1, 4), np.float32)})[0][0, 0]
                        for t in range(len(x))])
    assert np.abs(amnesic - ex.torch_y).max() > 1e-2


def test_a_bidirectional_model_cannot_be_stepped():
    with pytest.raises(TypeError, match="bidirectional"):
        edge.StepModel(Recurrent("gru", 3, 4, 1, bidirectional=True))


@pytest.fixture()
def tiny_thermal(monkeypatch):
    """thermal_model answers with an untrained GRU of 4 units: no training in tests."""
    def fake(arch="gru", width=16, seed=0, *, progress=None):
        m = build(arch, 3, 4, 1, seed)
        return Trained(arch, 4, seed, m.state_dict(), SeqHistory(), 9.9, 9.9)
    monkeypatch.setattr(sequence, "thermal_model", fake)
    return fake


def test_the_thermal_edge_run_and_its_snippet_agree(tiny_thermal, tmp_path, monkeypatch):
    e = edge.thermal_edge(2, rounds=1)
    assert e.cycle == 2 and e.exported.step_diff <= 1e-5 and e.test_rmse_k == 9.9
    assert len(e.t_min) == len(e.temp_c) == len(e.step_c)
    # the take-away snippet, run as written against the downloaded file, gives the page's stepped estimate
    from neuralab.data.sequences import thermal_cycles, thermal_split

    (tmp_path / e.filename).write_bytes(e.exported.step_onnx)
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(e.snippet, scope)
    split = thermal_split()
    raw = thermal_cycles().x[int(split.cycles_test[1])]
    got = np.array([scope["on_sample"](*row) for row in raw])
    np.testing.assert_allclose(got, e.step_c, atol=1e-3)


@pytest.mark.parametrize("cycle", [0, 8])
def test_a_cycle_out_of_range_is_a_sentence(tiny_thermal, cycle):
    with pytest.raises(ValueError, match=f"gates_export_cycle must be between 1 and 7; got {cycle}"):
        edge.thermal_edge(cycle)


def test_the_progress_reaches_the_end(tiny_thermal):
    seen = []
    edge.thermal_edge(1, rounds=1, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] and all(d <= t for d, t in seen)
