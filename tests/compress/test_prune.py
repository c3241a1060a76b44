"""Pruning itself: masks, exact sparsity, structured rows, fine-tuning with masks kept, compacting, CSR."""

import pytest
import torch

from neuralab.compress import prune, zoo
from neuralab.params import ParamError

torch.set_num_threads(1)


def trained():
    return zoo.load("mlp", 0).model


@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.5, 0.9, 0.95])
def test_unstructured_masks_hit_the_exact_sparsity_in_every_layer(sparsity):
    model, masks = prune.magnitude(trained(), sparsity)
    for name, m in prune.prunable(model):
        mask = masks[f"{name}.weight"]
        assert int((mask == 0).sum()) == round(sparsity * mask.numel())
        assert torch.equal(m.weight == 0, mask == 0)  # the zeros are where the mask says
    n = sum(m.weight.numel() for _, m in prune.prunable(model))
    assert abs(prune.sparsity_of(model) - sparsity) <= len(masks) / n


def test_magnitude_removes_the_smallest_weights_and_leaves_the_original_alone():
    dense = trained()
    before = [p.clone() for p in dense.parameters()]
    model, masks = prune.magnitude(dense, 0.5)
    w = dict(dense.named_parameters())["0.weight"].abs()
    mask = masks["0.weight"]
    assert w[mask == 0].max() <= w[mask == 1].min()
    assert all(torch.equal(p, q) for p, q in zip(before, dense.parameters(), strict=True))


def test_structured_pruning_removes_whole_rows_and_their_biases_but_never_the_outputs():
    model, masks = prune.magnitude(trained(), 0.5, structured=True)
    layers = prune.prunable(model)
    for name, m in layers[:-1]:
        mask = masks[f"{name}.weight"]
        rows = mask.all(1)
        assert torch.equal(rows, mask.any(1))  # every row is all kept or all removed
        assert int((~rows).sum()) == round(0.5 * mask.shape[0])
        assert torch.equal(masks[f"{name}.bias"] == 0, ~rows)
        assert torch.all(m.weight[~rows] == 0) and torch.all(m.bias[~rows] == 0)
    assert f"{layers[-1][0]}.weight" not in masks


def test_structured_rows_are_chosen_by_their_l2_norm():
    dense = trained()
    _, masks = prune.magnitude(dense, 0.25, structured=True)
    norms = dense[0].weight.detach().norm(dim=1)
    kept = masks["0.weight"].all(1)
    assert norms[~kept].max() <= norms[kept].min()


@pytest.mark.parametrize("structured", [True, False])
def test_a_level_that_would_empty_a_layer_is_refused_with_a_sentence(structured):
    student = zoo.build("student", 0)  # 8 hidden neurons
    with pytest.raises(ParamError, match=r"would remove all .* leaving it empty") as err:
        prune.magnitude(student, 1.0 if not structured else 0.97, structured)
    assert "layer 0" in str(err.value)
    with pytest.raises(ParamError, match="between 0 and 1"):
        prune.magnitude(student, 1.5)
    prune.magnitude(student, 0.9, structured)  # 7 of 8 neurons removed, one left: allowed


def test_fine_tuning_keeps_the_masks():
    model, masks = prune.magnitude(trained(), 0.8)
    prune.fine_tune(model, epochs=2)
    assert prune.masks_of(model).keys() == masks.keys()
    for name, m in prune.prunable(model):
        assert torch.all(m.weight[masks[f"{name}.weight"] == 0] == 0)
    assert prune.sparsity_of(prune.finalize(model)) == pytest.approx(0.8, abs=0.01)


def test_iterative_pruning_ends_at_the_requested_sparsity_and_keeps_earlier_holes():
    model, accs, _ = prune.iterative(trained(), 0.75, rounds=3, epochs_per_round=1)
    assert len(accs) == 3
    for name, m in prune.prunable(model):
        assert int((m.weight == 0).sum()) == round(0.75 * m.weight.numel()), name


def test_compacting_a_structured_prune_changes_shapes_not_outputs():
    pruned, _ = prune.magnitude(trained(), 0.5, structured=True)
    small = prune.compact(pruned)
    assert [m.out_features for m in small if isinstance(m, torch.nn.Linear)] == [32, 16, 10]
    x = torch.tensor(zoo.data().X_test[:50])
    with torch.no_grad():
        torch.testing.assert_close(small(x), pruned(x), rtol=1e-5, atol=1e-5)
    assert prune.state_bytes(small) < prune.state_bytes(trained())


def test_the_csr_model_computes_the_same_outputs():
    pruned = prune.finalize(prune.magnitude(trained(), 0.9)[0])
    x = torch.tensor(zoo.data().X_test[:20])
    with torch.no_grad():
        torch.testing.assert_close(prune.SparseMLP(pruned)(x), pruned(x), rtol=1e-4, atol=1e-5)


def test_csr_break_even_is_where_the_measured_csr_bytes_cross_the_dense_ones():
    value, index = prune.csr_entry_bytes()
    assert (value, index) == (4, 8)  # float32 values, int64 column indices
    s = prune.csr_break_even()
    layer = torch.nn.Linear(300, 300)
    dense = 300 * 300 * 4 + 300 * 4
    below, above = prune.magnitude(layer, s - 0.02)[0], prune.magnitude(layer, s + 0.02)[0]
    assert prune.csr_bytes(below)[0] > dense > prune.csr_bytes(above)[0]
