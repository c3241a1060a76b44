"""A test drive cycle through the (here: tiny, untrained) LSTM and GRU, gates and estimates in °C."""

import numpy as np
import pytest

from neuralab.nn.recurrent import build
from neuralab.train import recurrent_gates as rg
from neuralab.train.sequence import SeqHistory, Trained


@pytest.fixture()
def tiny(monkeypatch):
    def fake(arch="gru", width=16, seed=0, *, progress=None):
        m = build(arch, 3, 4, 1, seed)
        return Trained(arch, 4, seed, m.state_dict(), SeqHistory(), 1.0, 1.0)
    monkeypatch.setattr(rg, "thermal_model", fake)
    rg._on_cycle.cache_clear()
    yield
    rg._on_cycle.cache_clear()


def test_a_cycle_through_both_networks(tiny):
    seen = []
    g = rg.gates_on_cycle(3, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] > 0
    T = len(g.t_min)
    assert g.lstm.f.shape == (T, 4) and g.gru.z.shape == (T, 4) and g.temp_c.shape == (T,)
    assert g.max_rebuild_diff < 1e-5
    from neuralab.data.sequences import thermal_cycles, thermal_split
    cid = int(thermal_split().cycles_test[2])
    assert g.cycle_id == cid
    np.testing.assert_array_equal(g.current_a, thermal_cycles().x[cid, :, 0])
    assert g.lstm_rmse_k == pytest.approx(float(np.sqrt(np.mean((g.lstm_c - g.temp_c) ** 2))))
    assert set(g.long_gru) == set(np.flatnonzero(g.gru.z.mean(0) > rg.LONG))


def test_the_cycle_range_matches_the_split():
    assert rg.GATES.fields["gates_cycle"].hi == rg.test_cycles()


@pytest.mark.parametrize("cycle", [0, 8])
def test_a_cycle_out_of_range_is_a_sentence(tiny, cycle):
    with pytest.raises(ValueError, match=f"gates_cycle must be between 1 and 7; got {cycle}"):
        rg.gates_on_cycle(cycle)
