"""/autoencoder's figures: valid plotly, the numbers they draw, captions that quote them (tiny trainings)."""

import numpy as np
import plotly.graph_objects as go
import pytest

from neuralab import anomaly
from neuralab.plots import autoencoder_denoise as dn
from neuralab.plots import autoencoder_latent as lt
from neuralab.plots import autoencoder_motor as mo
from neuralab.train import autoencoder as ae
from tests.train.tiny_autoencoder import tiny_models


@pytest.fixture
def tiny(monkeypatch):
    yield from tiny_models(monkeypatch)


def _valid(fig):
    go.Figure(fig.to_dict())  # plotly's own validation of the unvalidated builder output
    return fig  # its traces still hold the arrays the builder gave


def test_tile_puts_images_in_rows_with_blank_gaps():
    t = lt.tile(np.arange(2 * 64, dtype=float).reshape(2, 64), 1, 2)
    assert t.shape == (8, 17) and np.isnan(t[:, 8]).all()
    assert t[0, 9] == 64 and t[7, 16] == 127
    g = lt.tile(np.arange(2 * 64, dtype=float).reshape(2, 64), 2, 1, row_gap=4)
    assert g.shape == (20, 8) and np.isnan(g[8:12]).all() and g[12, 0] == 64


def test_the_latent_figures(tiny):
    ae.latent(0)
    d = ae.decode(0, 0.5, 0.5)
    fig = _valid(lt.map_figure(d))
    classes = [t for t in fig.data if t.type == "scatter" and t.name in [str(c) for c in range(10)]]
    assert len(classes) == 10 and sum(len(t.x) for t in classes) == len(d.latent.labels)
    assert fig.data[-1].x == (0.5,) and fig.data[0].type == "heatmap"
    assert "(0.5, 0.5)" in lt.describe_map(d) and f"a {d.nearest_label}" in lt.describe_decoded(d)
    _valid(lt.decoded_figure(d))
    lat = d.latent
    rec = _valid(lt.recon_figure(lat))
    assert np.asarray(rec.data[0].z, dtype=float).shape == (3 * (8 + lt.RECON_GAP) - lt.RECON_GAP, 10 * 9 - 1)
    assert f"{lat.mse_ae:.4f}" in lt.describe_recon(lat) and f"{lat.mse_pca:.4f}" in lt.describe_recon(lat)
    bars = _valid(lt.errors_figure(lat))
    assert np.allclose(bars.data[0].y, [lat.err_ae[lat.labels == c].mean() for c in range(10)])
    assert f"{lat.knn_ae:.0%}" in lt.describe_pca(lat)
    _valid(lt.pca_figure(lat))


def test_the_denoising_figures(tiny):
    d = ae.denoise(0, 0.2)
    _valid(dn.examples_figure(d))
    curves = _valid(dn.curves_figure(d))
    assert np.allclose(curves.data[3].y, d.err_denoising) and np.allclose(curves.data[0].y, d.err_input)
    assert "σ = 0.2" in dn.describe_examples(d) and "σ = 0.2" in dn.describe_curves(d)
    floor = (d.err_plain > d.err_input) & (d.err_denoising > d.err_input)
    assert ("a denoiser has a floor" in dn.describe_curves(d)) == bool(floor[0])


def test_at_zero_noise_the_denoising_curve_is_named_the_plain_network(tiny):
    d = ae.denoise(0, 0.0)
    curves = _valid(dn.curves_figure(d))
    assert np.allclose(curves.data[3].y, curves.data[2].y) and "the plain network itself" in curves.data[3].name
    assert "the plain network itself" in dn.describe_curves(d)


def test_the_motor_figures(tiny):
    f = anomaly.flags(0, 20.0)
    _valid(mo.examples_figure(f.scores))
    assert "spike" in mo.describe_examples(f.scores)
    tl = _valid(mo.timeline_figure(f))
    false = [t for t in tl.data if t.name.startswith("false alarms")][0]
    assert len(false.x) == f.score.fp
    pr = _valid(mo.pr_figure(f))
    assert pr.data[1].x == (f.score.recall,) and pr.data[2].y == (f.sweep.hampel.precision,)
    assert f"precision {f.score.precision:.0%}" in mo.describe_timeline(f)
    h, said = f.sweep.hampel, mo.describe_pr(f)
    assert ("higher precision" in said) == (f.score.precision > h.precision)
    assert ("lower recall" in said) == (f.score.recall < h.recall)
    assert "robust σ" in pr.data[2].name and "not tuned" in pr.data[2].name
    assert [r[0] for r in mo.table_rows(f)] == ["spike", "dropout", "stuck run"]
