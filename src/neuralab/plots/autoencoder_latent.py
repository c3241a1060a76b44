"""Figures for /autoencoder's 2-D code: the code map, a decoded point, reconstructions against PCA.

Each ``*_figure`` builder has a ``describe_*`` twin returning the sentence shown under the chart.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.format import num
from neuralab.plots.theme import BLUE, ORANGE, figure, subplot_title
from neuralab.train.autoencoder import LIM, Decoded, Latent

__all__ = ["CLASS_COLORS", "decoded_figure", "describe_decoded", "describe_errors", "describe_map",
           "describe_pca", "describe_recon", "errors_figure", "map_figure", "pca_figure", "recon_figure", "tile"]

#: Ten distinguishable colours, one per digit class, readable on light and dark backgrounds.
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf")
FAR_MAX = 1.5  # the shading of the code map saturates at this distance from the nearest training code


def _classes(xy: np.ndarray, labels: np.ndarray, err: np.ndarray | None = None, axes: tuple = ("x", "y")
             ) -> list[dict]:
    out = []
    for c in range(10):
        m = labels == c
        hover = f"a test {c}<br>(%{{x:.2f}}, %{{y:.2f}})"
        if err is not None:
            hover += "<br>reconstruction MSE %{customdata:.4f}"
        out.append(dict(type="scatter", mode="markers", x=xy[m, 0], y=xy[m, 1],
                        name=str(c), marker=dict(color=CLASS_COLORS[c], size=6, line=dict(width=0)),
                        customdata=None if err is None else err[m], hovertemplate=hover + "<extra></extra>",
                        xaxis=axes[0], yaxis=axes[1]))
    return out


def map_figure(d: Decoded) -> go.Figure:
    """The test digits' codes coloured by class, the shading of distance to the data, the decoded point."""
    lat = d.latent
    shade = dict(type="heatmap", x=lat.grid, y=lat.grid, z=lat.far.astype(np.float32), zmin=0, zmax=FAR_MAX,
                 colorscale=[[0, "rgba(128,128,128,0)"], [1, "rgba(128,128,128,0.6)"]], showscale=False,
                 name="code space",  # colours saturate at FAR_MAX; the hover gives the distance itself
                 hovertemplate="(%{x:.2f}, %{y:.2f}): %{z:.2f} from the nearest training code"
                               "<br>click to decode<extra></extra>")
    star = dict(type="scatter", mode="markers", x=[d.z[0]], y=[d.z[1]], name="decoded point",
                marker=dict(symbol="x-thin", size=16, line=dict(width=3, color=ORANGE)),
                hovertemplate="decoded here: (%{x:.2f}, %{y:.2f})<extra></extra>")
    lim = LIM + 0.1
    return figure(
        [shade, *_classes(lat.codes, lat.labels, lat.err_ae), star], height=470,
        xaxis=dict(title=dict(text="code z₁"), range=[-lim, lim], zeroline=False, constrain="domain"),
        yaxis=dict(title=dict(text="code z₂"), range=[-lim, lim], zeroline=False, scaleanchor="x", constrain="domain"),
        legend=dict(title=dict(text="class"), orientation="v", x=1.02, y=1, yanchor="top"),
        margin=dict(l=56, r=90, t=16, b=44), clickmode="event",
    )


def describe_map(d: Decoded) -> str:
    lat = d.latent
    spread = [float(np.ptp(lat.codes[:, k])) for k in (0, 1)]
    return (f"The {len(lat.labels)} test digits, each placed at its 2-D code (seed {lat.seed}); they span "
            f"{spread[0]:.1f} by {spread[1]:.1f} code units. Grey shading grows with the distance to the nearest "
            f"training code. The cross at ({d.z[0]:g}, {d.z[1]:g}) is the point decoded on the right.")


def tile(images: np.ndarray, rows: int, cols: int, row_gap: int = 1) -> np.ndarray:
    """``rows × cols`` 8×8 images in one array, one blank (NaN) pixel between columns and ``row_gap`` between
    rows (room for a label under each image); row 0 at the top."""
    pitch = 8 + row_gap
    out = np.full((rows * pitch - row_gap, cols * 9 - 1), np.nan)
    for k, im in enumerate(images.reshape(-1, 8, 8)):
        r, c = divmod(k, cols)
        out[r * pitch:r * pitch + 8, c * 9:c * 9 + 8] = im
    return out


def _image(z: np.ndarray, axes: tuple[str, str], hover: str = "pixel %{z:.2f}") -> dict:
    return dict(type="heatmap", z=z, zmin=0, zmax=1, colorscale="Greys", showscale=False, xaxis=axes[0],
                yaxis=axes[1], hovertemplate=hover + "<extra></extra>", hoverongaps=False)


def _frame(domain: list[float], anchor: str) -> dict:
    return dict(domain=domain, visible=False, anchor=anchor, constrain="domain")


def decoded_figure(d: Decoded) -> go.Figure:
    """The image decoded at z (left) and the training digit whose code is nearest to z (right)."""
    return figure(
        [_image(d.image.reshape(8, 8), ("x", "y")), _image(d.nearest_image.reshape(8, 8), ("x2", "y2"))],
        height=260, margin=dict(l=8, r=8, t=36, b=8),
        xaxis=_frame([0, 0.45], "y"), yaxis=dict(visible=False, autorange="reversed", scaleanchor="x",
                                                 constrain="domain"),
        xaxis2=_frame([0.55, 1], "y2"), yaxis2=dict(visible=False, autorange="reversed", scaleanchor="x2",
                                                    constrain="domain", anchor="x2"),
        annotations=[subplot_title(f"decoded at ({d.z[0]:g}, {d.z[1]:g})", 0.225),
                     subplot_title(f"nearest training code: a {d.nearest_label}", 0.775)],
    )


def describe_decoded(d: Decoded) -> str:
    gap = float(((d.image - d.nearest_image) ** 2).mean())
    where = ("close to the training data, so the decoder has seen codes like this one"
             if d.distance < 0.3 else
             "away from every training code: the decoder was never asked to make anything here, and what it "
             "draws is an interpolation at best")
    return (f"The decoder turns the 2 numbers ({d.z[0]:g}, {d.z[1]:g}) into 64 pixels. The nearest training "
            f"code, {d.distance:.2f} away, belongs to a {d.nearest_label}; this point is {where}. Mean squared "
            f"difference between the decoded image and that digit: {num(gap)}.")


RECON_GAP = 4  # blank pixels between the rows of the reconstruction grid


def recon_figure(lat: Latent) -> go.Figure:
    """One test digit per class: the original, the autoencoder's and PCA's reconstruction, each from 2 numbers."""
    rows = np.concatenate([lat.originals, lat.recon_ae, np.clip(lat.recon_pca, 0, 1)])
    err = np.concatenate([np.zeros(10), lat.err_ae[lat.examples], lat.err_pca[lat.examples]])
    pitch = 8 + RECON_GAP  # each row's error sits in the gap under it, clear of the next row's images
    ann = [dict(x=c * 9 + 3.5, y=r * pitch + 8.2, text=f"{err[r * 10 + c]:.3f}", showarrow=False, yanchor="top",
                font=dict(size=10), xref="x", yref="y") for r in (1, 2) for c in range(10)]
    return figure(
        [_image(tile(rows, 3, 10, RECON_GAP), ("x", "y"))], height=380, margin=dict(l=120, r=8, t=8, b=8),
        xaxis=dict(visible=False, constrain="domain"),
        yaxis=dict(autorange="reversed", scaleanchor="x", constrain="domain",
                   tickvals=[3.5, pitch + 3.5, 2 * pitch + 3.5],
                   ticktext=["original", "autoencoder", "PCA, 2 comp."], showgrid=False, zeroline=False),
        annotations=ann,
    )


def describe_recon(lat: Latent) -> str:
    return (f"One test digit per class (the one of median autoencoder error within its class), rebuilt from 2 "
            f"numbers each; the number under a reconstruction is its mean squared error per pixel. Over all "
            f"{len(lat.labels)} test digits: autoencoder {lat.mse_ae:.4f}, PCA {lat.mse_pca:.4f} "
            f"({1 - lat.mse_ae / lat.mse_pca:.0%} lower for the autoencoder).")


def errors_figure(lat: Latent) -> go.Figure:
    """Mean reconstruction error per class: autoencoder against PCA."""
    classes = [str(c) for c in range(10)]
    ae = [float(lat.err_ae[lat.labels == c].mean()) for c in range(10)]
    pca = [float(lat.err_pca[lat.labels == c].mean()) for c in range(10)]
    return figure(
        [dict(type="bar", x=classes, y=ae, name=f"autoencoder, 2-D code (all: {lat.mse_ae:.4f})",
              marker=dict(color=BLUE), hovertemplate="class %{x}: %{y:.4f}<extra>autoencoder</extra>"),
         dict(type="bar", x=classes, y=pca, name=f"PCA, 2 components (all: {lat.mse_pca:.4f})",
              marker=dict(color=ORANGE), hovertemplate="class %{x}: %{y:.4f}<extra>PCA</extra>")],
        height=300, barmode="group", xaxis=dict(title=dict(text="class of the test digit"), type="category"),
        yaxis=dict(title=dict(text="MSE per pixel (pixels 0–1)"), rangemode="tozero"),
    )


def describe_errors(lat: Latent) -> str:
    ae = np.array([lat.err_ae[lat.labels == c].mean() for c in range(10)])
    pca = np.array([lat.err_pca[lat.labels == c].mean() for c in range(10)])
    better = int((ae < pca).sum())
    worst = int(np.argmax(ae))
    return (f"The autoencoder rebuilds {better} of the 10 classes with less error than PCA. Its hardest class is "
            f"{worst} ({ae[worst]:.4f}); PCA's is {int(np.argmax(pca))} ({pca.max():.4f}). Both keep only 2 numbers "
            f"per digit; PCA's two components hold {lat.pca_var:.0%} of the training pixels' variance.")


def pca_figure(lat: Latent) -> go.Figure:
    """The test digits on PCA's first two components, coloured by class."""
    return figure(
        _classes(lat.pca_codes, lat.labels, lat.err_pca), height=400,
        xaxis=dict(title=dict(text="principal component 1"), zeroline=False),
        yaxis=dict(title=dict(text="principal component 2"), zeroline=False, scaleanchor="x"),
        legend=dict(title=dict(text="class"), orientation="v", x=1.02, y=1, yanchor="top"),
        margin=dict(l=56, r=90, t=16, b=44),
    )


def describe_pca(lat: Latent) -> str:
    return (f"The same {len(lat.labels)} test digits on the plane of PCA's two components (pixel units). How well "
            "do 2 numbers keep the classes apart? A 5-nearest-neighbour vote among the training digits' 2 numbers "
            f"names the class of {lat.knn_pca:.0%} of the test digits here, and of {lat.knn_ae:.0%} in the "
            "autoencoder's code (neither was told the classes).")
