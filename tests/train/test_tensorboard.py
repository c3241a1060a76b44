"""Run histories as TensorBoard event files, read back with TensorBoard's own EventAccumulator."""

import io
import zipfile

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from neuralab.train import stepwise, tensorboard


def _read(logdir) -> EventAccumulator:
    acc = EventAccumulator(str(logdir))
    acc.Reload()
    return acc


def test_write_keeps_every_scalar_at_its_step(tmp_path):
    path = tensorboard.write({"loss/train": [2.5, 1.25, 0.5], "loss/val": ([0, 2], [3.0, 1.0])}, tmp_path / "run")
    assert path.name.startswith("events.out.tfevents.") and path.parent == tmp_path / "run"
    acc = _read(tmp_path / "run")
    assert sorted(acc.Tags()["scalars"]) == ["loss/train", "loss/val"]
    assert [(e.step, e.value) for e in acc.Scalars("loss/train")] == [(0, 2.5), (1, 1.25), (2, 0.5)]
    assert [(e.step, e.value) for e in acc.Scalars("loss/val")] == [(0, 3.0), (2, 1.0)]


def test_steps_and_values_of_different_lengths_are_refused(tmp_path):
    with pytest.raises(ValueError, match="'loss': 2 steps but 3 values"):
        tensorboard.write({"loss": ([0, 1], [1.0, 2.0, 3.0])}, tmp_path)


def test_the_training_loops_history_reads_back_equal(tmp_path):
    st = stepwise.state(batch_size=32, optimizer="adam", lr=0.01, seed=0, tick=200)  # into the second epoch
    tensorboard.write(tensorboard.loop_scalars(st), tmp_path)
    acc = _read(tmp_path)
    assert [e.value for e in acc.Scalars("loss/batch")] == pytest.approx(st.step_losses.tolist(), rel=1e-6)
    assert [e.step for e in acc.Scalars("loss/validation")] == [0, 1]
    assert [e.value for e in acc.Scalars("accuracy/validation")] == pytest.approx(st.val_accs.tolist(), rel=1e-6)


def test_a_playground_run_zips_its_curves(tmp_path):
    from neuralab.train.playground.results import Curves

    curves = Curves(np.arange(3), np.array([1.0, 0.5, 0.25]), np.array([1.1, 0.6, 0.4]), np.array([0.5, 0.8, 0.9]),
                    np.array([0.4, 0.7, 0.85]), np.array([np.nan, 0.03, 0.03]))
    blob = tensorboard.zipped(tensorboard.curves_scalars(curves), "playground")
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        names = z.namelist()
        assert len(names) == 1 and names[0].startswith("playground/events.out.tfevents.")
        z.extractall(tmp_path)
    acc = _read(tmp_path / "playground")
    assert [e.value for e in acc.Scalars("loss/test")] == pytest.approx([1.1, 0.6, 0.4])
    assert [e.step for e in acc.Scalars("lr")] == [1, 2]  # epoch 0 had no learning rate
