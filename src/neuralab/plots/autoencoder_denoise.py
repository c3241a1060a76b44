"""Figures for /autoencoder's denoising section: noisy digits cleaned, and the error against the test noise."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.plots.autoencoder_latent import tile
from neuralab.plots.format import vline
from neuralab.plots.theme import BLUE, GREEN, GREY, ORANGE, figure
from neuralab.train.autoencoder import Denoised

__all__ = ["curves_figure", "describe_curves", "describe_examples", "examples_figure"]

ROWS = ("clean", "noisy input", "plain autoencoder", "denoising autoencoder")


def examples_figure(d: Denoised) -> go.Figure:
    """Six test digits: clean, with noise σ, and what each network makes of the noisy one."""
    n = len(d.clean)
    images = np.concatenate([d.clean, np.clip(d.noisy, 0, 1), d.plain, d.denoising])
    return figure(
        [dict(type="heatmap", z=tile(images, 4, n), zmin=0, zmax=1, colorscale="Greys", showscale=False,
              hoverongaps=False, hovertemplate="pixel %{z:.2f}<extra></extra>")],
        height=330, margin=dict(l=150, r=8, t=8, b=8),
        xaxis=dict(visible=False, constrain="domain"),
        yaxis=dict(autorange="reversed", scaleanchor="x", constrain="domain", tickvals=[3.5 + 9 * k for k in range(4)],
                   ticktext=list(ROWS), showgrid=False, zeroline=False),
    )


def _at(d: Denoised, arr: np.ndarray) -> float:
    return float(arr[int(np.argmin(np.abs(d.test_noises - d.noise)))])


def describe_examples(d: Denoised) -> str:
    return (f"Noise σ = {d.noise:g} on pixels that run from 0 to 1 (shown clipped to that range). Over all test "
            f"digits at this noise, the mean squared error against the clean digit is {_at(d, d.err_input):.4f} for "
            f"the noisy input, {_at(d, d.err_plain):.4f} after the plain autoencoder and "
            f"{_at(d, d.err_denoising):.4f} after the denoising one.")


def _top(d: Denoised) -> float:
    """The error axis ends a little above the highest cleaned error (the raw input's may run off it)."""
    return float(max(d.err_plain.max(), d.err_pca.max(), d.err_denoising.max()) * 1.15)


def curves_figure(d: Denoised) -> go.Figure:
    """Error against the clean digit as the test noise grows, for the input and three ways of cleaning it."""
    hover = "σ %{x:.2f}: %{y:.4f}<extra>%{fullData.name}</extra>"
    lines = [("noisy input (no cleaning)", d.err_input, GREY, "dot"),
             (f"PCA, {d.pca_components} components", d.err_pca, ORANGE, "dash"),
             ("plain autoencoder", d.err_plain, BLUE, "solid"),
             (_dae_name(d), d.err_denoising, GREEN, "solid")]
    top = _top(d)
    return figure(
        [dict(type="scatter", mode="lines+markers", x=d.test_noises, y=y, name=name,
              line=dict(color=color, dash=dash), marker=dict(size=5), hovertemplate=hover)
         for name, y, color, dash in lines],
        height=340, shapes=[vline(d.noise, GREEN)],
        xaxis=dict(title=dict(text="σ of the noise on the test digits")),
        yaxis=dict(title=dict(text="MSE against the clean digit"), range=[0, top]),
    )


def _dae_name(d: Denoised) -> str:
    if d.noise == 0:
        return "denoising autoencoder (σ = 0: the plain network itself)"
    return f"denoising autoencoder (trained at σ = {d.noise:g})"


def describe_curves(d: Denoised) -> str:
    cross = d.test_noises[np.argmax(d.err_denoising < d.err_plain)] if (d.err_denoising < d.err_plain).any() else None
    where = (f"it beats the plain one from σ = {cross:g} on" if cross is not None
             else "it never beats the plain one here")
    off = d.err_input > _top(d)
    tail = (f" The noisy input's own error, close to σ², is off the chart from σ = {d.test_noises[off][0]:g} on."
            if off.any() else "")
    if d.noise == 0:
        return ("At σ = 0 the denoising network is the plain network itself (trained without noise), so the two "
                f"curves coincide and the green one hides the blue. Move σ above 0 to train a denoising network. On "
                f"clean digits it errs {d.err_plain[0]:.4f}.{tail}")
    cost = ("it has learnt to smooth, and pays for it when there is nothing to remove"
            if d.err_denoising[0] > d.err_plain[0] else "no cost for what it learnt")
    return (f"The same networks fed test digits with more or less noise (the green line marks σ = {d.noise:g}, "
            f"the level the denoising network was trained at); {where}. On clean digits (σ = 0) the plain "
            f"autoencoder errs {d.err_plain[0]:.4f}, the denoising one {d.err_denoising[0]:.4f}: {cost}."
            f"{_floor(d)}{tail}")


def _floor(d: Denoised) -> str:
    """The test σ up to which the noisy input itself is closer to the clean digit than both networks' outputs."""
    worse = (d.err_plain > d.err_input) & (d.err_denoising > d.err_input)
    if not worse[0]:
        return ""
    upto = d.test_noises[len(worse) - 1 if worse.all() else int(np.argmin(worse)) - 1]
    return (f" Up to σ = {upto:g} the noisy input itself is closer to the clean digit than either network's "
            "output (the dotted grey line runs below both): a denoiser has a floor, its own error on clean input, "
            "and below it cleaning does harm.")
