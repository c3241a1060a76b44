"""The digits autoencoders: the split, PCA checked by hand, decoding, snapping, denoising (tiny trainings)."""

import numpy as np
import pytest
import torch

from neuralab.data.arrays import digits
from neuralab.params import ParamError
from neuralab.train import autoencoder as ae
from tests.train.tiny_autoencoder import tiny_models


@pytest.fixture
def tiny(monkeypatch):
    yield from tiny_models(monkeypatch)


def test_the_pixels_use_the_split_of_every_digits_model():
    d, ref = ae.digit_pixels(), digits(0)
    assert np.array_equal(d.y_test, ref.y_test) and np.array_equal(d.y_train, ref.y_train)
    assert d.X_train.min() >= 0 and d.X_train.max() <= 1 and d.X_train.shape == ref.X_train.shape
    # standardizing our pixels with the training statistics gives the shared arrays back
    mu, sd = d.X_train.mean(0), d.X_train.std(0)
    used = sd > 0  # a pixel blank in every training digit is left unscaled there
    assert np.allclose(((d.X_test - mu) / np.where(used, sd, 1))[:, used], ref.X_test[:, used], atol=1e-4)


def test_pca_error_is_the_variance_of_the_dropped_components(tiny):
    lat = ae.latent(0)
    X = ae.digit_pixels().X_train.astype(np.float64)
    Xc = X - X.mean(0)
    evals = np.sort(np.linalg.eigvalsh(Xc.T @ Xc / len(X)))[::-1]
    # on the training digits, the squared error per pixel left by 2 components is the sum of the others / 64
    pca = ae._pca2()
    rec = pca.inverse_transform(pca.transform(X))
    assert ((rec - X) ** 2).mean() == pytest.approx(evals[2:].sum() / 64, rel=1e-6)
    assert lat.pca_var == pytest.approx(evals[:2].sum() / evals.sum(), rel=1e-6)
    assert lat.mse_pca == pytest.approx(float(((lat.pca_codes @ pca.components_ + pca.mean_ - ae.digit_pixels().X_test)
                                               ** 2).mean()), rel=1e-5)


def test_the_latent_view_holds_every_test_digit_and_one_example_per_class(tiny):
    lat = ae.latent(0)
    n = len(ae.digit_pixels().y_test)
    assert lat.codes.shape == (n, 2) and lat.err_ae.shape == (n,)
    assert sorted(lat.labels[lat.examples]) == list(range(10))
    assert lat.far.shape == (len(lat.grid), len(lat.grid)) and lat.far.min() >= 0
    assert 0 <= lat.knn_ae <= 1 and 0 <= lat.knn_pca <= 1


def test_decoding_a_point_is_the_decoder_applied_to_it(tiny):
    ae.latent(0)
    d = ae.decode(0, 0.5, -1.25)
    net = ae.model(2, 0.0, 0)
    with torch.no_grad():
        ref = net.decoder(torch.tensor([[0.5, -1.25]]))[0].numpy()
    assert np.allclose(d.image, ref)
    dist = np.linalg.norm(d.latent.train_codes - np.array([0.5, -1.25]), axis=1)
    assert d.nearest == int(np.argmin(dist)) and d.distance == pytest.approx(dist.min(), rel=1e-5)


def test_decoding_refuses_bad_values_and_an_untrained_seed(tiny):
    with pytest.raises(ParamError, match="z1 must be between -4 and 4"):
        ae.decode(0, 9.0, 0.0)
    with pytest.raises(ParamError, match="being trained"):
        ae.decode(4, 0.0, 0.0)


@pytest.mark.parametrize(("x", "y", "want"), [(1.234, -0.01, (1.25, 0.0)), (-9, 100, (-4.0, 4.0)), (0.024, 0.026,
                                                                                                      (0.0, 0.05))])
def test_a_click_snaps_to_the_sliders_grid_inside_the_square(x, y, want):
    assert ae.snap(x, y) == pytest.approx(want)


def test_denoising_measures_both_networks_on_the_same_noisy_digits(tiny):
    d = ae.denoise(0, 0.3)
    assert d.clean.shape == d.noisy.shape == d.plain.shape == d.denoising.shape == (6, 64)
    assert d.err_input[0] == 0  # σ = 0: the input is the clean digit
    k = int(np.argmin(np.abs(d.test_noises - 0.3)))
    assert d.err_input[k] == pytest.approx(0.09, rel=0.05)  # MSE of Gaussian noise is σ²
    assert np.all(np.diff(d.err_input) > 0)


def test_zero_noise_uses_the_plain_network_for_both(tiny):
    d = ae.denoise(0, 0.0)
    assert np.allclose(d.err_plain, d.err_denoising)
