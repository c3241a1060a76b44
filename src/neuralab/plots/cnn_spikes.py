"""Figures for /cnn's 1-D section: the learned FIR filters of a spike detector and its answers on a test cycle."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from neuralab.nn.spike_cnn import response
from neuralab.plots.theme import BLUE, COLORWAY, GREY, ORANGE, VERMILLION, figure, subplot_title
from neuralab.signal.spikes import FUNDAMENTAL_HZ, Window

__all__ = ["SCORE_HEADER", "describe_filters", "describe_window", "filters_figure", "score_rows", "window_figure"]

SCORE_HEADER = ("detector", "precision", "recall", "spikes found", "false alarms", "missed")


def filters_figure(w: Window) -> go.Figure:
    """Each first-layer filter's taps, and the magnitude of its frequency response up to fs/2."""
    d = w.det
    k = d.w1.shape[1]
    taps = list(range(-(k // 2), k // 2 + 1))
    f, mag = response(d.w1, d.fs)
    data = []
    for c in range(len(d.w1)):
        color = COLORWAY[c % len(COLORWAY)]
        name = f"filter {c} (read-out weight {d.w2[c]:+.2f})"
        data.append(dict(type="scatter", x=taps, y=np.round(d.w1[c], 4).tolist(), mode="lines+markers", name=name,
                         legendgroup=str(c), line=dict(color=color), xaxis="x", yaxis="y",
                         hovertemplate=f"filter {c}, tap %{{x}}: %{{y:.3f}}<extra></extra>"))
        data.append(dict(type="scatter", x=np.round(f, 2).tolist(), y=np.round(mag[c], 4).tolist(), mode="lines",
                         name=name, legendgroup=str(c), showlegend=False, line=dict(color=color), xaxis="x2",
                         yaxis="y2", hovertemplate=f"filter {c}, %{{x:.0f}} Hz: |H| = %{{y:.2f}}<extra></extra>"))
    return figure(data, height=380, margin=dict(l=56, r=16, t=70, b=64),
                  xaxis=dict(domain=[0, 0.42], dtick=1,
                             title=dict(text="tap u (weight on sample t + u;<br>the FIR impulse response is this "
                                             "reversed)")),
                  yaxis=dict(title=dict(text="weight")),
                  xaxis2=dict(domain=[0.55, 1], anchor="y2", title=dict(text="frequency (Hz)")),
                  yaxis2=dict(anchor="x2", title=dict(text="|H(f)|"), rangemode="tozero"),
                  legend=dict(y=1.12), annotations=[subplot_title("the taps", 0.21),
                                                    subplot_title("their frequency response", 0.775)])


def describe_filters(w: Window) -> str:
    d = w.det
    f, mag = response(d.w1, d.fs)
    strong = int(np.argmax(np.abs(d.w2)))
    lo, hi = float(mag[strong, 0]), float(mag[strong, -1])
    peak = float(f[int(np.argmax(mag[strong]))])
    shape = (f"it suppresses the slow current (a fundamental of at most {FUNDAMENTAL_HZ:.0f} Hz at rated speed, plus "
             "small harmonics) and passes the fast change of a spike (one sample far from its neighbours)"
             if hi > lo else "it passes slow changes more than fast ones, unlike a spike detector designed by hand")
    return (f"The detector has {d.params} parameters: {len(d.w1)} filters of {d.w1.shape[1]} taps, their biases, "
            f"and a read-out weight per filter. Filter {strong}, whose read-out weight is the largest in size, passes "
            f"{hi:.2f} at {d.fs / 2:.0f} Hz against {lo:.2f} at 0 Hz, with its peak at {peak:.0f} Hz: {shape}. A "
            "filter with a small read-out weight hardly counts, whatever its shape. It was trained in "
            f"{d.seconds:.1f} s on this machine.")


def window_figure(w: Window) -> go.Figure:
    """The simulated sensor's current with the true spikes and both detectors' flags, the spike probability below."""
    t = np.round(w.t_ms, 3)
    cnn = w.prob > w.threshold

    def marks(mask: np.ndarray, name: str, symbol: str, color: str, size: int) -> dict:
        return dict(type="scatter", x=t[mask].tolist(), y=np.round(w.current[mask], 3).tolist(), mode="markers",
                    name=name, marker=dict(symbol=symbol, color=color, size=size, line=dict(width=2, color=color)),
                    hovertemplate=f"{name}: %{{x:.1f}} ms, %{{y:.2f}} A<extra></extra>")

    data = [
        dict(type="scatter", x=t.tolist(), y=np.round(w.current, 3).tolist(), mode="lines",
             name="current as sensed (simulated)",
             line=dict(color=GREY, width=1.2), hovertemplate="%{x:.1f} ms: %{y:.2f} A<extra></extra>"),
        marks(w.spike, "true spike", "circle-open", VERMILLION, 13),
        marks(cnn, "flagged by the CNN", "x-thin", BLUE, 9),
        marks(w.hampel, "flagged by Hampel", "square-open", ORANGE, 7),
        dict(type="scatter", x=t.tolist(), y=np.round(w.prob, 4).tolist(), mode="lines", name="CNN spike probability",
             line=dict(color=BLUE, width=1.5), xaxis="x", yaxis="y2",
             hovertemplate="%{x:.1f} ms: P(spike) = %{y:.3f}<extra></extra>"),
    ]
    return figure(data, height=420, margin=dict(l=60, r=16, t=40, b=44),
                  xaxis=dict(title=dict(text=f"time in test cycle {w.cycle} (ms)"), anchor="y2"),
                  yaxis=dict(domain=[0.38, 1], title=dict(text="phase a (A)")),
                  yaxis2=dict(domain=[0, 0.28], title=dict(text="P(spike)"), range=[-0.05, 1.05]),
                  shapes=[dict(type="line", xref="paper", x0=0, x1=1, yref="y2", y0=w.threshold, y1=w.threshold,
                               line=dict(color=BLUE, dash="dot", width=1))])


def describe_window(w: Window) -> str:
    cnn = w.prob > w.threshold
    p, r, tp, fp, fn = w.cnn_scores
    cp, cr, ctp, cfp, cfn = w.chosen_scores
    hp, hr, _, hfp, _ = w.hampel_scores
    chosen = w.det.threshold
    return (f"Samples {w.start}–{w.start + len(w.t_ms) - 1} of test cycle {w.cycle}: {int(w.spike.sum())} true "
            f"spike(s), {int(cnn.sum())} flagged by the CNN at threshold {w.threshold:.2f}, {int(w.hampel.sum())} "
            f"by the Hampel filter. Over all four test cycles the CNN finds {tp} of {tp + fn} spikes with {fp} false "
            f"alarms (precision {p:.0%}, recall {r:.0%}). At {chosen:.2f}, the threshold with the best F1 score on "
            f"the training cycles, it finds {ctp} of {ctp + cfn} with {cfp} false alarms (precision {cp:.0%}, recall "
            f"{cr:.0%}): the honest test score, since moving the slider while watching these numbers tunes the "
            f"threshold on the test cycles. The Hampel filter has precision {hp:.0%} and recall {hr:.0%} ({hfp} false "
            f"alarms, {w.hampel_other} of them on dropouts or stuck runs: real glitches, but not spikes). On pure "
            f"Gaussian noise it flags {w.det.hampel_noise:.1%} of the samples, far more than the 0.27 % beyond "
            "3 σ of a Gaussian, because the median and spread of 15 samples are themselves noisy.")


def score_rows(w: Window) -> list[list[str]]:
    rows = []
    for name, (p, r, tp, fp, fn) in ((f"1-D CNN, threshold {w.threshold:.2f} (the slider)", w.cnn_scores),
                                     (f"1-D CNN, threshold {w.det.threshold:.2f} (chosen on the training cycles)",
                                      w.chosen_scores),
                                     ("Hampel filter (15 samples, 3 σ)", w.hampel_scores)):
        rows.append([name, f"{p:.1%}", f"{r:.1%}", str(tp), str(fp), str(fn)])
    return rows
