"""How the figures write numbers and log axes: one home, so every chart reads the same way."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["CLASSES", "NUMERIC", "Score", "log_axis", "num", "pct", "score", "vline"]


def num(x: float | None) -> str:
    """A value to three significant digits; rounding noise of an exact zero (below 1e-12) reads 0.

    Between a thousand and a million the value is written out with thousands separators (4,260, not 4.26e+03).
    Non-finite values read "not a number", "∞" or "−∞", never "nan" or "inf".
    """
    if x is None or not math.isfinite(x):
        return "not a number" if x is None or math.isnan(x) else ("∞" if x > 0 else "−∞")
    if abs(x) < 1e-12:
        return "0"
    short = f"{x:.3g}"
    return f"{float(short):,.0f}" if 1e3 <= abs(float(short)) < 1e6 else short


def pct(share: float, signed: bool = False) -> str:
    """A share as a percentage with one decimal (0.123 → "12.3%"); ``signed`` writes the sign of a change."""
    return f"{100 * share:+.1f}%" if signed else f"{100 * share:.1f}%"


def log_axis(lo: float, hi: float, most: int = 9, **axis) -> dict:
    """A log axis over [10^lo, 10^hi] (``lo``, ``hi`` in log10 units), ticked at 1, 2, 5 × 10^k.

    Short ranges (under 1.2 decades) get 1, 1.5, 2, 3, 5, 7; more than ``most`` ticks fall back
    to decades. Every tick is labelled in full: plotly's own log ticks label the 2s and 5s with
    a bare digit, which reads as a value. ``axis`` adds other axis settings (a title, a domain).
    """
    exps = range(math.floor(lo), math.ceil(hi) + 1)
    mantissas = (1, 1.5, 2, 3, 5, 7) if hi - lo < 1.2 else (1, 2, 5)
    vals = [m * 10.0**k for k in exps for m in mantissas if lo <= math.log10(m) + k <= hi]
    if len(vals) > most:
        vals = [10.0**k for k in exps if lo <= k <= hi]
    return dict(type="log", range=[lo, hi], tickvals=vals, ticktext=[f"{v:g}" for v in vals], **axis)


def vline(x: float, color: str, dash: str = "dot", width: float = 1.5, xref: str = "x",
          yref: str = "y domain") -> dict:
    """A vertical line at ``x`` across the plot's height (a layout shape)."""
    return dict(type="line", xref=xref, yref=yref, x0=x, x1=x, y0=0, y1=1,
                line=dict(color=color, dash=dash, width=width))


@dataclass(frozen=True)
class Score:
    """How a training run's loss and score read: cross-entropy and accuracy, or MSE and R² for a numeric target."""

    loss: str  # the loss's name
    unit: str  # the loss's unit, for axis titles
    name: str  # the score's name
    scale: float  # the score as plotted: accuracy × 100 (in %), R² as it is
    axis: str  # the score's axis title
    hover: str  # the score in a hover template, of %{customdata…} (pass "customdata" or "customdata[0]")

    def said(self, value: float) -> str:
        """A final score in words: "93.1% right", or "R² 0.912"."""
        return f"{value:.1%} right" if self.scale == 100 else f"R² {value:.3f}"


CLASSES = Score("cross-entropy", "nats", "accuracy", 100.0, "accuracy (%)", "accuracy %{{{0}:.1f}}%")
NUMERIC = Score("mean squared error", "MSE", "R²", 1.0, "R²", "R² %{{{0}:.3f}}")


def score(task: str) -> Score:
    """:data:`CLASSES` for a classification run, :data:`NUMERIC` for a regression one."""
    return NUMERIC if task == "regression" else CLASSES
