"""Exports of a playground run: the standalone script replays it, ONNX and safetensors carry the weights."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from neuralab.nn.models import mlp
from neuralab.train import playground
from neuralab.train.playground import exports

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def run() -> playground.Engine:
    eng = playground.build(dataset="spiral", classes=3, layers=2, n1=8, n2=6, activation="relu", init="he",
                     optimizer="adam", lr=0.01, norm="batch", dropout=0.1, l1=0.001, l2=0.001, weight_decay=0.01,
                     schedule="cosine", epochs=40)
    eng.step(437)  # ends mid-epoch
    return eng


def test_standalone_script_reproduces_the_final_loss(run, tmp_path):
    path = tmp_path / "run.py"
    path.write_text(exports.script(run))
    assert "neuralab" not in [ln.split()[1] for ln in path.read_text().splitlines() if ln.startswith("import ")]
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"})
    assert out.returncode == 0, out.stderr[-2000:]
    got = dict(line.split() for line in out.stdout.splitlines())
    m = run.metrics()
    assert int(got["updates"]) == run.updates
    assert float(got["final_train_loss"]) == pytest.approx(m.train_loss, rel=1e-8)
    assert float(got["final_test_loss"]) == pytest.approx(m.test_loss, rel=1e-8)


def test_onnx_matches_torch(run):
    check = exports.onnx_export(run)
    assert check.max_abs_diff < 1e-5 and check.n_checked == len(run.data.y_test)
    assert check.data[:2] and len(check.data) > 500


def test_safetensors_and_state_dict_round_trip(run):
    ref = run.to_torch(torch.float32).state_dict()
    for loaded in (exports.load_safetensors(exports.safetensors_bytes(run)),
                   torch.load(io.BytesIO(exports.state_dict_bytes(run)), weights_only=True)):
        assert sorted(loaded) == sorted(ref)  # safetensors stores keys sorted
        for k in ref:
            assert torch.equal(loaded[k], ref[k])
    model = mlp(run.cfg.sizes, list(run.cfg.activations), norm="batch", dropout=0.1).eval()
    model.load_state_dict(exports.load_safetensors(exports.safetensors_bytes(run)))
    X = run.data.X_test.astype(np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(model(torch.tensor(X)).numpy(), run.predict_raw(X), rtol=1e-4, atol=1e-5)


def test_config_json_holds_values_and_progress(run):
    doc = json.loads(exports.config_json(run))
    assert doc["values"]["dataset"] == "spiral" and doc["config"]["sizes"] == [2, 8, 6, 3]
    assert doc["progress"]["updates"] == 437
    assert playground.PLAYGROUND.validate(doc["values"]) == run.values  # the values reload as they were


def _replay(eng: playground.Engine, tmp_path) -> dict[str, str]:
    path = tmp_path / "run.py"
    path.write_text(exports.script(eng))
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"})
    assert out.returncode == 0, out.stderr[-2000:]
    return dict(line.split() for line in out.stdout.splitlines())


def test_the_script_writes_the_schedule_as_torchs_scheduler_not_a_list(run):
    text = exports.script(run)
    assert "torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=39)" in text
    assert "LRS" not in text and text.count("\n") < 400  # no list of one rate per epoch


@pytest.mark.parametrize("schedule", ["one_cycle", "exponential", "plateau"])
def test_a_run_past_the_schedules_span_is_reproduced(schedule, tmp_path):
    eng = playground.build(schedule=schedule, epochs=10, lr=0.1)
    eng.run_epochs(14)  # four epochs past the span: the rate keeps its last value (plateau reacts all along)
    assert eng.epoch == 14 and not eng.stopped
    got = _replay(eng, tmp_path)
    assert int(got["updates"]) == eng.updates
    assert float(got["final_test_loss"]) == pytest.approx(eng.metrics().test_loss, rel=1e-8)


def test_exported_values_sit_on_the_sliders_grid():
    lr = playground.TRAINING.fields["lr"]
    at_default = lr.snap(lr.from_slider(np.log10(0.03)))  # the lr slider moves in log10 units: 10**log10(0.03) drifts
    assert 10 ** np.log10(0.03) != 0.03 and at_default == 0.03
    wd = playground.TRAINING.fields["weight_decay"]
    assert wd.snap(0.001 * 9) == 0.009 and 0.001 * 9 != 0.009
    eng = playground.build(lr=at_default, weight_decay=wd.snap(0.001 * 9))
    doc = exports.config_json(eng)
    assert '"lr": 0.03,' in doc and '"weight_decay": 0.009,' in doc and "0.0299" not in doc
    text = exports.script(eng)
    assert "'lr': 0.03," in text and "'weight_decay': 0.009," in text
