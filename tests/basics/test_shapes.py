"""basics.shapes: the tracer against torch itself, its explanations, its refusals, and the two traps."""

import pytest
import torch
from torch import nn

from neuralab.basics import shapes
from neuralab.params import ParamError


def _torch_reference(modules, shape):
    torch.manual_seed(0)
    x = torch.randn(shape)
    out = []
    with torch.no_grad():
        for m in modules:
            m.eval()
            try:
                x = m(x)
            except RuntimeError:
                break
            if isinstance(x, tuple):
                x = x[0]
            out.append((tuple(x.shape), sum(p.numel() for p in m.parameters())))
    return out


@pytest.mark.parametrize("key", list(shapes.PRESETS))
def test_every_preset_traces_as_torch_runs_it(key):
    _, text, shape = shapes.PRESETS[key]
    t = shapes.trace(text, shape)
    modules = [layer.build() for layer in shapes.parse_layers(text)]
    ref = _torch_reference(modules, shapes.parse_shape(shape))
    ran = [(r.shape, r.params) for r in t.rows]
    assert ran == ref[: len(ran)]
    assert t.total_params == sum(p for _, p in ref[: len(ran)])
    assert all(r.bytes == 4 * torch.Size(r.shape).numel() for r in t.rows)
    assert (t.failed is not None) == (key == "broken")


def test_hand_checked_cnn_shapes_and_counts():
    t = shapes.trace("Conv1d(3, 16, 5); ReLU(); MaxPool1d(2); Flatten(); Linear(768, 10)", "32, 3, 100")
    assert [r.shape for r in t.rows] == [(32, 16, 96), (32, 16, 96), (32, 16, 48), (32, 768), (32, 10)]
    assert [r.params for r in t.rows] == [16 * 3 * 5 + 16, 0, 0, 0, 768 * 10 + 10]
    assert t.failed is None and t.output_shape == (32, 10)


def test_lstm_keeps_the_output_of_the_tuple_and_says_so():
    t = shapes.trace("LSTM(8, 32, batch_first=True); Linear(32, 1)", "4, 10, 8")
    assert t.rows[0].shape == (4, 10, 32) and "tuple" in t.rows[0].note
    assert t.rows[0].params == sum(p.numel() for p in nn.LSTM(8, 32).parameters()) == 4 * 32 * (8 + 32 + 2)
    assert t.output_shape == (4, 10, 1)


def test_a_wrong_linear_gives_torchs_message_and_the_number_that_fits():
    text = "Conv1d(3, 16, 5); MaxPool1d(2); Conv1d(16, 32, 5); MaxPool1d(2); Flatten(); Linear(768, 10)"
    t = shapes.trace(text, "32, 3, 100")
    with pytest.raises(RuntimeError) as exc:
        nn.Linear(768, 10)(torch.zeros(32, 32 * 22))
    assert t.failed == 5 and t.error == str(exc.value)
    assert t.explain == ("Linear(768, 10) expects the last dimension to be 768 but it is 704: "
                         "set in_features to 704 or change the layers before.")
    assert len(t.rows) == 5


@pytest.mark.parametrize(("layers", "shape", "fragment"), [
    ("Conv1d(3, 16, 5)", "32, 100, 3", "set in_channels to 100"),
    ("LSTM(8, 32)", "4, 10, 9", "set input_size to 9"),
    ("LayerNorm(3)", "4, 5", "set normalized_shape to 5"),
    ("BatchNorm1d(16)", "4, 8, 5", "set num_features to 8"),
    ("Conv1d(3, 16, 50)", "2, 3, 10", "too short"),
])
def test_other_refusals_are_explained_with_the_fitting_number(layers, shape, fragment):
    t = shapes.trace(layers, shape)
    assert t.failed == 0 and t.error and fragment in t.explain


@pytest.mark.parametrize(("layers", "shape", "fragment"), [
    ('__import__("os")', "4, 3", "__import__ is not a layer known here"),
    ("Linear(3, 4).__class__", "4, 3", "not a layer call"),
    ("os.system('ls')", "4, 3", "must call a layer by name"),
    ("Linear(10**9, 1)", "4, 3", "plain number"),
    ("Linear(3, x)", "4, 3", "plain number"),
    ("Linear(100000, 100000)", "4, 3", "more than 5,000,000 parameters"),
    ("Linear(3, 99999999999999)", "4, 3", "between 1 and 100000"),
    ("; ".join(["ReLU()"] * 1000), "4, 3", "at most 600 characters"),
    ("; ".join(["ReLU()"] * 21), "4, 3", "at most 20 layers"),
    ("Foo(3)", "4, 3", "Foo is not a layer known here"),
    ("Linear(3)", "4, 3", "needs 2 sizes"),
    ("Linear(3, 4, device='cuda')", "4, 3", "does not take the keyword device"),
    ("Conv1d(3, 16, 5, stride=0)", "4, 3, 10", "stride must be between 1"),
    ("", "4, 3", "at least one layer"),
    ("Linear(3, 4)", "4, 3; import os", "whole numbers"),
    ("Linear(3, 4)", "100000, 100000", "at most 4,000,000"),
    ("Linear(3, 5000)", "1000, 3", "would output 5,000,000 numbers"),
    ("Conv2d(3, 4, 31)", "4, 3, 500, 500", "multiply-adds on this batch"),
    ("LSTM(256, 256, num_layers=2)", "64, 100, 256", "multiply-adds on this batch"),
])
def test_crafted_input_is_refused_with_a_sentence_naming_the_field(layers, shape, fragment, monkeypatch):
    ran, call = [], nn.Module.__call__

    def spy(self, *args, **kwargs):
        if any(isinstance(a, torch.Tensor) and not a.is_meta for a in args):
            ran.append(self)
        return call(self, *args, **kwargs)

    monkeypatch.setattr(nn.Module, "__call__", spy)
    with pytest.raises(ParamError) as exc:
        shapes.trace(layers, shape)
    message = str(exc.value)
    assert fragment in message and ("shapes_layers" in message or "shapes_input" in message), message
    assert ran == []  # no layer ran on real data (a size is checked on the meta device, allocating nothing)


def test_the_text_fields_check_on_parse_only():
    with pytest.raises(ParamError, match="shapes_layers"):
        shapes.SHAPES.validate(shapes_layers="exec('1')", shapes_input="4, 3")
    assert shapes.SHAPES.validate()["shapes_input"] == "32, 3, 100"


def test_traps_against_torch():
    t = shapes.traps(batch=4, n=8, seed=0)
    assert t.right_shape == t.wrong_shape == (4, 10, 5)  # same shape: nothing complains
    assert t.max_diff > 1e-3 and t.right_steps != t.wrong_steps
    assert t.broadcast_shape == (8, 8)
    gen = torch.Generator().manual_seed(0)
    torch.randn(4, 10, 3, generator=gen)
    pred, target = torch.randn(8, 1, generator=gen), torch.randn(8, generator=gen)
    assert t.mse_right == pytest.approx(float(nn.functional.mse_loss(pred.squeeze(1), target)))
    assert t.mse_wrong == pytest.approx(float(((pred - target) ** 2).mean()))
    assert t.mse_right != pytest.approx(t.mse_wrong)
    with pytest.raises(ParamError, match="shapes_batch"):
        shapes.traps(batch=99)
