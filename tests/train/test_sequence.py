"""The sequence trainer: learns, truncates BPTT, clips, and reports divergence as a sentence."""

import math

import numpy as np
import pytest
import torch

from neuralab.data.sequences import thermal_cycles, thermal_split
from neuralab.nn import recurrent as rec
from neuralab.train import sequence as seq


def _small():
    return thermal_split(thermal_cycles(cycles=8, steps=30, dt_s=10, seed=0))


def test_a_gru_learns_the_temperature_of_unseen_cycles():
    s = _small()
    m = rec.build("gru", 3, 8, 1, seed=0)
    before = seq.rmse(m, s.x_val, s.y_val)
    h = seq.fit_sequence(m, s.x_train, s.y_train, s.x_val, s.y_val, seq.SeqConfig(epochs=40, batch=4))
    assert not h.diverged and len(h.val_loss) == 41 and len(h.grad_norm) == 40  # four training cycles: one batch
    assert seq.rmse(m, s.x_val, s.y_val) < 0.5 * before


def test_truncation_at_the_whole_length_is_full_bptt():
    s = _small()
    a, b = rec.build("lstm", 3, 6, 1, seed=1), rec.build("lstm", 3, 6, 1, seed=1)
    cfg = seq.SeqConfig(epochs=3, batch=4)
    ha = seq.fit_sequence(a, s.x_train, s.y_train, s.x_val, s.y_val, cfg)
    hb = seq.fit_sequence(b, s.x_train, s.y_train, s.x_val, s.y_val, seq.SeqConfig(epochs=3, batch=4, tbptt=30))
    np.testing.assert_allclose(ha.train_loss, hb.train_loss, rtol=1e-5)
    hc = seq.fit_sequence(rec.build("lstm", 3, 6, 1, seed=1), s.x_train, s.y_train, s.x_val, s.y_val,
                          seq.SeqConfig(epochs=1, batch=4, tbptt=10))
    assert len(hc.grad_norm) == 3  # one batch, three chunks


def test_a_run_that_diverges_stops_with_a_sentence_naming_the_update():
    s = _small()
    m = rec.build("rnn", 3, 8, 1, seed=0)
    rec.rescale_recurrent(m, 3.0)
    h = seq.fit_sequence(m, s.x_train * 50, s.y_train, s.x_val, s.y_val,
                         seq.SeqConfig(epochs=30, lr=5.0, batch=4, explode=10.0))
    assert h.diverged.startswith("Training diverged at update") and h.diverged_step >= 0


def test_tbptt_needs_a_recurrent_model():
    s = _small()
    with pytest.raises(ValueError, match="tbptt"):
        seq.fit_sequence(rec.build("tcn", 3, 4, 1), s.x_train, s.y_train, s.x_val, s.y_val, seq.SeqConfig(tbptt=5))


def test_the_thermal_model_is_trained_once_and_rebuilt_from_its_state(monkeypatch):
    monkeypatch.setattr(seq, "THERMAL_CFG", seq.SeqConfig(epochs=2))
    monkeypatch.setattr(seq, "thermal_split", lambda: _small())
    t = seq._thermal_model.__wrapped__("gru", 4, 0)
    assert math.isfinite(t.test_rmse_k) and t.test_rmse_k > 0
    m = t.model()
    for k, v in m.state_dict().items():
        assert torch.equal(v, t.state[k])
