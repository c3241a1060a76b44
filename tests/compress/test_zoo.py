import torch

from neuralab.compress import zoo


def test_every_reference_model_maps_64_pixels_to_10_logits():
    for name in zoo.RECIPES:
        assert zoo.build(name, 0)(torch.zeros(3, 64)).shape == (3, 10)


def test_a_reference_model_is_trained_once_then_loaded_from_disk():
    assert not zoo.kept("student", 1) and not zoo.kept("resnet", 1)
    first = zoo.load("student", 1)
    assert zoo.kept("student", 1) and not zoo.kept("student", 3)
    assert first.accuracy > 0.9
    zoo.load.cache_clear()
    again = zoo.load("student", 1)
    assert again.key == first.key and again.accuracy == first.accuracy
    assert all(torch.equal(p, q) for p, q in zip(first.model.parameters(), again.model.parameters(), strict=True))
    assert zoo.load("student", 2).key != first.key


def test_unknown_model_names_itself():
    import pytest

    with pytest.raises(ValueError, match="model must be one of"):
        zoo.build("resnet", 0)
