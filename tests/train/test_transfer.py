"""neuralab.train.transfer: freezing, prototypes and distances against scikit-learn and scipy, the strategies
measured on a fixed seed, and bad inputs named."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist
from sklearn.neighbors import NearestCentroid
from torch import nn

from neuralab.params import ParamError
from neuralab.train import transfer


def test_a_frozen_body_does_not_move_while_its_head_trains():
    model = transfer._net(3)
    body_before = copy.deepcopy(model[:-1].state_dict())
    head_before = copy.deepcopy(model[-1].state_dict())
    frozen = transfer.freeze_body(model, model[-1])
    assert frozen == ["1.weight", "1.bias", "3.weight", "3.bias"]
    assert transfer.trainable(model) == 256 * 5 + 5 == transfer.head_counts()[0]
    opt = torch.optim.Adam(model.parameters(), lr=0.05)  # all parameters given: frozen ones must still not move
    dm = transfer.domains()
    X, y = torch.from_numpy(dm.X_pool[:64]), torch.from_numpy(dm.y_pool[:64])
    for _ in range(20):
        opt.zero_grad()
        nn.functional.cross_entropy(model(X), y).backward()
        opt.step()
    for k, v in model[:-1].state_dict().items():
        assert torch.equal(v, body_before[k]), k
    assert not torch.equal(model[-1].weight, head_before["weight"])


def test_freezing_needs_a_head_inside_the_model():
    model = transfer._net(0)
    with pytest.raises(ParamError, match="head must be a part of model"):
        transfer.freeze_body(model, nn.Linear(3, 2))
    with pytest.raises(ParamError, match="head must hold at least one parameter"):
        transfer.freeze_body(model, nn.ReLU())


def test_prototypes_are_the_class_means_and_classify_like_sklearns_nearest_centroid():
    rng = np.random.default_rng(0)
    emb, labels = rng.normal(size=(40, 6)), rng.integers(0, 4, 40)
    classes, protos = transfer.prototypes(emb, labels)
    ref = NearestCentroid().fit(emb, labels)
    np.testing.assert_array_equal(classes, ref.classes_)
    np.testing.assert_allclose(protos, ref.centroids_, atol=1e-12)
    for c in classes:
        np.testing.assert_allclose(protos[list(classes).index(c)], emb[labels == c].mean(0))
    q = rng.normal(size=(25, 6))
    np.testing.assert_array_equal(transfer.nearest_prototype(q, classes, protos), ref.predict(q))
    np.testing.assert_allclose(transfer.distances(q, protos), cdist(q, protos, "sqeuclidean"), atol=1e-10)


def test_embed_is_the_body_output_and_keeps_the_mode():
    model = transfer._net(0)
    model.train()
    X = transfer.domains().X_test[:5]
    f = transfer.embed(model[:-1], X)
    assert f.shape == (5, 256) and model.training
    with torch.no_grad():
        np.testing.assert_allclose(model[-1](torch.from_numpy(f).float()).numpy(),
                                   model(torch.from_numpy(X)).numpy(), atol=1e-5)


def test_the_domains_split_the_lab_split_by_class():
    dm = transfer.domains()
    assert set(dm.y_source) == set(dm.y_pool) == set(dm.y_test) == {0, 1, 2, 3, 4}
    assert len(dm.X_source) + len(dm.X_pool) == 1077 + 360 and len(dm.X_test) == 180
    grey, X, y = transfer._grey()
    assert grey.min() == 0 and grey.max() == 16 and len(y) == 896
    # every standardized test digit 5–9 of the split is among the few-shot pool's pixels
    assert all(np.abs(X - row).max(1).min() < 1e-5 for row in dm.X_test[:20])


def test_labelled_draws_n_per_class_or_all():
    y = transfer.domains().y_pool
    rows = transfer.labelled(5, 0)
    assert np.bincount(y[rows]).tolist() == [5] * 5
    assert not np.array_equal(rows, transfer.labelled(5, 1))
    assert len(transfer.labelled(0, 0)) == len(y)
    with pytest.raises(ParamError, match="n must be at most"):
        transfer.labelled(500, 0)


def test_with_five_labels_a_pretrained_body_beats_training_from_scratch():
    assert transfer.pretrained(0).accuracy > 0.95  # the digits 0–4 it learned
    scratch, freeze, tune = (transfer.adapt(s, 5, 0) for s in ("scratch", "freeze", "finetune"))
    assert freeze > scratch + 0.02 and tune > scratch + 0.02
    assert transfer.adapt("freeze", 0, 0) > freeze  # every label helps


def test_adapting_leaves_the_cached_pretrained_network_alone():
    before = copy.deepcopy(transfer.pretrained(0).model.state_dict())
    transfer.adapt.__wrapped__("finetune", 5, 0, 0.5)  # uncached: it really trains
    for k, v in transfer.pretrained(0).model.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_few_shot_prototypes_beat_chance_and_more_shots_help():
    f = transfer.few_shot(50, 0)
    for m in transfer.METHODS:
        assert f.get(m, 5).mean > f.get(m, 1).mean > 0.4
        assert len(f.get(m, 1).acc) == 50
    assert f.get("proto", 5).std > 0 and f.pool == 896


def test_the_split_counts_the_page_quotes():
    dm = transfer.domains()
    assert (len(dm.y_source), len(dm.y_pool), len(dm.y_test)) == (721, 716, 180)
    assert list(np.bincount(dm.y_pool)) == [145, 145, 143, 139, 144]


def test_the_baseline_reads_the_standardized_pixels_and_the_grey_line_the_raw_ones():
    f = transfer.few_shot(50, 0)
    grey, X, y = transfer._grey()
    # replay the first 1-shot episode from the same generator calls as _few_shot
    rng = np.random.default_rng(0)
    picks = [rng.choice(np.flatnonzero(y == c), 1 + transfer.QUERIES, replace=False) for c in range(5)]
    sup, qry = np.array([p[0] for p in picks]), np.concatenate([p[1:] for p in picks])
    for m, inputs in (("pixels", X), ("grey", grey)):
        d = ((inputs[qry, None, :].astype(np.float64) - inputs[None, sup]) ** 2).sum(-1)
        assert f.get(m, 1).acc[0] == pytest.approx(np.mean(y[sup][d.argmin(1)] == y[qry]))
    paired = f.get("proto", 1).acc - f.get("pixels", 1).acc
    assert f.diff_se("proto", "pixels", 1) == pytest.approx(paired.std(ddof=1) / 50**0.5)


def test_zero_gradients_are_not_no_gradients_for_adam():
    """The trap the entry names: a frozen weight with a zero-tensor .grad keeps moving by Adam's stored moments."""
    moved = {}
    for set_to_none in (True, False):
        w = nn.Parameter(torch.ones(3))
        opt = torch.optim.Adam([w], lr=0.1)
        w.grad = torch.ones(3)
        opt.step()  # trained once: Adam now holds moments for w
        w.requires_grad_(False)
        before = w.detach().clone()
        opt.zero_grad(set_to_none=set_to_none)
        opt.step()
        moved[set_to_none] = not torch.equal(w.detach(), before)
    assert moved == {True: False, False: True}


def test_with_one_shot_nearest_neighbour_is_the_nearest_prototype():
    from sklearn.neighbors import KNeighborsClassifier

    grey, _, y = transfer._grey()
    sup = np.array([np.flatnonzero(y == c)[0] for c in range(5)])
    classes, protos = transfer.prototypes(grey[sup], y[sup])
    np.testing.assert_array_equal(protos, grey[sup])  # one example per class: it is its own mean
    pred = KNeighborsClassifier(n_neighbors=1).fit(grey[sup], y[sup]).predict(grey)
    np.testing.assert_array_equal(transfer.nearest_prototype(grey, classes, protos), pred)


@pytest.mark.parametrize(("call", "fragment"), [
    (lambda: transfer.compare(seeds=0), "tl_seeds must be between 1 and 10"),
    (lambda: transfer.compare(ratio=2.0), "tl_ratio must be between 0.01 and 1"),
    (lambda: transfer.few_shot(episodes=10), "tl_episodes must be between 50 and 1000"),
    (lambda: transfer.adapt.__wrapped__("bogus", 5, 0), "strategy must be one of scratch, freeze, finetune"),
    (lambda: transfer.adapt.__wrapped__("freeze", -1, 0), "n must be a whole number"),
    (lambda: transfer.adapt.__wrapped__("finetune", 5, 0, 0.0), "ratio must be above 0"),
    (lambda: transfer.prototypes(np.zeros((3, 2)), np.zeros(2)), "emb must be (N, F) with one label per row"),
    (lambda: transfer.distances(np.zeros((3, 2)), np.zeros((2, 3))), "emb and protos must have the same number"),
])
def test_bad_inputs_name_the_parameter(call, fragment):
    with pytest.raises(ParamError) as e:
        call()
    assert fragment in str(e.value)
