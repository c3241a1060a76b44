"""/cnn's views of the digits CNN, on untrained stand-ins (the arithmetic does not care whether weights are learned)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from neuralab.compress import zoo
from neuralab.nn.cnn import digits_cnn
from neuralab.nn.models import mlp
from neuralab.params import ParamError
from neuralab.train import cnn
from neuralab.train.loop import Config


def fake_nets() -> cnn.Nets:
    """Untrained stand-ins for the two networks, on the zoo's split."""
    return cnn.Nets(digits_cnn(seed=1).eval(), 0.9, mlp((64, 64, 32, 10), seed=1).eval(), 0.8, zoo.data(),
                    zoo.SPLIT_SEED, Config(epochs=2, lr=3e-3))


@pytest.fixture()
def nets():
    return fake_nets()


def test_the_split_has_the_test_digits_the_controls_count():
    d = zoo.data()
    assert len(d.y_test) == cnn.N_TEST == cnn.DIGIT.hi + 1 and len(d.y_train) == cnn.N_TRAIN


def test_maps_are_torchs_layer_by_layer(nets):
    m = cnn.maps(nets, 7)
    x = torch.tensor(zoo.data().X_test[7])[None]
    net = nets.cnn
    with torch.no_grad():
        assert np.allclose(m.relu1, net[:3](x)[0].numpy(), atol=1e-6)
        assert np.allclose(m.pool, net[:6](x)[0].numpy(), atol=1e-6)
        assert np.allclose(m.probs, torch.softmax(net(x), 1)[0].numpy(), atol=1e-6)
    assert m.filters.shape == (8, 3, 3) and np.array_equal(m.filters, net[1].weight.detach().numpy()[:, 0])
    assert m.label == int(zoo.data().y_test[7]) and m.params == 3818


@pytest.mark.parametrize(("layer", "ch", "r", "c"), [("1", 5, 0, 7), ("2", 15, 3, 4), ("2", 0, 7, 0)])
def test_the_hand_sum_is_the_networks_own_convolution(nets, layer, ch, r, c):
    p = cnn.pixel(nets, 11, layer, ch, r, c)
    x = torch.tensor(zoo.data().X_test[11])[None]
    net = nets.cnn
    with torch.no_grad():
        ref = float(net[:2 if layer == "1" else 4](x)[0, ch, r, c])
    assert p.torch_value == pytest.approx(ref, abs=1e-6) and p.error < 1e-5
    assert p.sum.products.shape == ((1, 3, 3) if layer == "1" else (8, 3, 3))


def test_a_layer_1_map_past_its_eight_filters_is_refused(nets):
    with pytest.raises(ParamError, match="pixel_channel must be below 8 for layer 1"):
        cnn.pixel(nets, 0, "1", 8, 0, 0)


def test_shifted_moves_the_grid_and_fills_zeros():
    x = np.arange(64, dtype=np.float32).reshape(1, 64) + 1
    img = cnn.shifted(x, 1, -2).reshape(8, 8)
    ref = np.zeros((8, 8), np.float32)
    ref[:6, 1:] = x.reshape(8, 8)[2:, :7]
    assert np.array_equal(img, ref) and np.array_equal(cnn.shifted(x, 0, 0), x)


def test_the_first_layer_is_equivariant_away_from_the_edges(nets):
    s = cnn.shift(nets, 3, 2, -1)
    assert s.equivariance < 1e-5 < s.conv1_scale
    w = nets.cnn[1]
    x = torch.tensor(zoo.data().X_test[3]).reshape(1, 1, 8, 8)
    moved = torch.tensor(cnn.shifted(x.reshape(1, 64).numpy(), 2, -1)).reshape(1, 1, 8, 8)
    with torch.no_grad():  # the same check written with torch's roll, on the rows and columns that stay inside
        a = F.conv2d(moved, w.weight, w.bias, padding=1)[0, :, 1:5, 3:7]
        b = torch.roll(F.conv2d(x, w.weight, w.bias, padding=1), (-1, 2), (2, 3))[0, :, 1:5, 3:7]
    assert torch.allclose(a, b, atol=1e-6)


def test_the_sharing_study_counts_layers_and_scores_shifts(nets, monkeypatch):
    monkeypatch.setattr(cnn, "WIDTHS", (4, 8))
    monkeypatch.setattr(cnn, "_run", lambda w, s, recipe, split: cnn.Run(w, s, 75 * w + 10, 0.85 + 0.1 * (w == 8), 1.0))
    seen = []
    sh = cnn.sharing(nets, 2, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] == 2 * 2 + 1
    assert sh.matched == 8 and sh.median(4) == pytest.approx(0.85)
    assert [row[1:] for row in sh.layer_params] == [(80, 64 * 8 * 10, 65 * 512), (1168, 64 * 16 * 73, 513 * 1024),
                                                    (2570, 2570, 2570)]
    assert sh.grid_cnn.shape == (5, 5) and 0 <= sh.grid_mlp.min() <= sh.grid_mlp.max() <= 1
    i0 = cnn.SHIFTS.index(0)
    assert sh.grid_cnn[i0, i0] == pytest.approx(zoo.accuracy(nets.cnn))
    assert sh.cnn_work.macs > 10 * sh.mlp_work.macs and sh.cnn_work.peak > sh.mlp_work.peak  # fewer weights, more work
    assert [sh.work(w).macs for w in (4, 8)] == [74 * 4, 74 * 8]  # an MLP 64-h-10: one MAC per weight


def test_one_mlp_of_the_family_is_trained_with_the_recipe_and_kept(nets):
    r = cnn._run(4, 0, nets.recipe, nets.split_seed)
    assert r.params == 64 * 4 + 4 + 4 * 10 + 10 and 0.3 < r.accuracy <= 1 and r.seconds > 0
    assert cnn._run.kept(4, 0, nets.recipe, nets.split_seed)
