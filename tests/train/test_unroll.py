"""thermal_unrolled on an untrained width-4 RNN (no training): what it keeps is what torch computed."""

from types import SimpleNamespace

import numpy as np
import torch

from neuralab.data.sequences import thermal_cycles, thermal_split
from neuralab.nn.recurrent import build
from neuralab.train import unroll


def test_unrolled_keeps_torch_states_outputs_in_celsius_and_the_check(monkeypatch):
    model = build("rnn", 3, 4, 1, 0).eval()
    calls = []

    def fake_model(*args, **kwargs):
        calls.append((args, kwargs))
        return SimpleNamespace(model=lambda: model, test_rmse_k=1.5)

    monkeypatch.setattr(unroll, "thermal_model", fake_model)
    unroll.thermal_unrolled.cache_clear()
    try:
        u = unroll.thermal_unrolled(4)
    finally:
        unroll.thermal_unrolled.cache_clear()
    assert calls == [(("rnn", 4), {})]  # the width is positional: the disk memo keys on positional arguments only
    split = thermal_split()
    with torch.no_grad():
        out = model(torch.as_tensor(split.x_test)).numpy()[..., 0]
    assert u.h.shape == (len(split.cycles_test), split.x_test.shape[1], 4)
    np.testing.assert_allclose(u.pred_c, out * 100 + 20, rtol=1e-6)
    np.testing.assert_allclose(u.true_c, thermal_cycles().temp_c[split.cycles_test], atol=1e-3)
    np.testing.assert_allclose(u.x_raw, thermal_cycles().x[split.cycles_test])
    assert max(u.check_every.worst, u.check_last.worst) < 1e-9
    # the hand-written float64 forward agrees with the float32 torch network to float32 precision
    assert np.abs(u.check_every.bp.forward.h - u.h).max() < 1e-5
    w = unroll.window(7, 179, 50, data=u)
    assert (w.cycle, w.start, w.steps) == (6, 130, 50)
