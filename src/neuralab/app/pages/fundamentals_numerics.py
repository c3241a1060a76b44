"""/fundamentals, numerics: softmax overflow, float16 underflow and loss scaling, log-sigmoid, cancellation."""

from __future__ import annotations

import inspect
import math

import torch
import torch.nn.functional as F
from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.app.selfcheck import Pick, Value
from neuralab.basics import numerics
from neuralab.params import ParamSpec
from neuralab.plots import fundamentals_numerics as figures

P = prefix("neuralab.app.pages.fundamentals")
SPEC = ParamSpec.merge("fundamentals-numerics", numerics.SOFTMAX, numerics.SCALING, numerics.LOGSIG,
                       numerics.CANCEL)
SOFTMAX_TITLE = "Numerics: softmax overflow and the max shift"
SCALING_TITLE = "Float16 gradients that vanish, and loss scaling"
LOGSIG_TITLE = "log(sigmoid(x)) against logsigmoid"
CANCEL_TITLE = "Catastrophic cancellation: a variance on a DC offset"
_SCALER = inspect.signature(torch.amp.GradScaler).parameters
INIT_SCALE, GROWTH = _SCALER["init_scale"].default, _SCALER["growth_interval"].default
BACKOFF, GROW = _SCALER["backoff_factor"].default, _SCALER["growth_factor"].default
F32_DIGITS = -math.log10(torch.finfo(torch.float32).eps)  # significant decimal digits of float32
F16_MAX = torch.finfo(torch.float16).max
BCE_CLAMP = float(F.binary_cross_entropy(torch.tensor(0.0), torch.tensor(1.0)))  # torch's cap on −log p


def _bce_fade() -> float:
    """The lowest logit (step 0.5) at which sigmoid + binary_cross_entropy still passes half the true gradient."""
    x = torch.arange(-100.0, 0.5, 0.5, requires_grad=True)
    F.binary_cross_entropy(torch.sigmoid(x), torch.ones_like(x), reduction="sum").backward()
    return float(x.detach()[x.grad.abs() >= 0.5][0])  # the true gradient, σ(x) − 1, is about −1 here


BCE_FADE = _bce_fade()
SOFTMAX_COLUMNS = ("logit", "float16 naive", "float16 shifted", "float16 via logsumexp", "float32 naive",
                   "float32 shifted", "float32 via logsumexp", "float64")

SOFTMAX_CODE = f"""import torch

z = torch.tensor([{", ".join(f"{50 * b:.1f}" for b in numerics.BASE_LOGITS)}], dtype=torch.float16)
naive = z.exp() / z.exp().sum()               # exp(50) > {F16_MAX:g}: inf / inf = nan
shifted = (z - z.max()).exp()
stable = shifted / shifted.sum()              # every exponent <= 0: nothing overflows
log_p = z - torch.logsumexp(z, dim=0)         # log-softmax, what cross_entropy uses inside
print(naive, stable, torch.softmax(z, dim=0), log_p.exp())
print(torch.finfo(torch.float16))"""

SCALING_CODE = f"""scaler = torch.amp.GradScaler("cuda")        # starts at S = 2**{math.log2(INIT_SCALE):g}
for x, y in loader:
    optimizer.zero_grad()
    with torch.autocast("cuda", dtype=torch.float16):
        loss = loss_fn(model(x), y)
    scaler.scale(loss).backward()            # gradients of S * loss
    scaler.unscale_(optimizer)               # divide by S (only needed before clipping)
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(optimizer)                   # skipped if any gradient is inf or nan
    scaler.update()                          # shrink S after an overflow, grow it after a calm stretch"""

LOGSIG_CODE = """import torch, torch.nn.functional as F

x = torch.tensor([-100.0, 20.0])
print(torch.log(torch.sigmoid(x)), F.logsigmoid(x))

logits = model(features)                     # raw scores, no sigmoid in the model
loss = F.binary_cross_entropy_with_logits(logits, targets)   # or nn.BCEWithLogitsLoss()
prob = torch.sigmoid(logits)                 # only where a probability is wanted"""

CANCEL_CODE = """import numpy as np

def welford(samples):                         # one pass, as on a microcontroller
    n, mean, m2 = 0, np.float32(0), np.float32(0)
    for x in samples:
        n += 1
        delta = x - mean
        mean += delta / n
        m2 += delta * (x - mean)
    return m2 / n                             # variance (divide by n - 1 for the sample variance)"""


def _softmax_table(s: numerics.Softmax) -> list:
    return [table(SOFTMAX_COLUMNS, figures.softmax_rows(s))]


def _limits_table() -> html.Table:
    rows = [(f"{lim.name} ({lim.bits} bits)", f"{lim.max:.6g}", f"{lim.tiny:.4g}", f"{lim.subnormal:.4g}",
             f"{lim.eps:.4g}", f"{lim.exp_overflow:.4f}") for lim in numerics.limits()]
    return table(("format", "largest", "smallest normal (tiny)", "smallest subnormal", "eps",
                  "ln(largest)"), rows)


def layout(values: dict) -> list[html.Section]:
    return [_softmax(values), _scaling(values), _logsig(values), _cancel(values)]


def _softmax(values: dict) -> html.Section:
    f16, f32 = (next(lim for lim in numerics.limits() if lim.name == n) for n in ("float16", "float32"))
    return ui.section(SOFTMAX_TITLE, [
        ui.md(
            "A float format stores a fixed number of significant bits and a bounded exponent, so there is a "
            "largest number it can hold. The table gives the limits of the three formats used in training, "
            "read from `torch.finfo` when the page was built: eps is the spacing of numbers just above 1, "
            "tiny the smallest value with full precision, and below tiny come the subnormal values, which "
            "keep fewer and fewer bits until zero."
        ),
        html.Div(_limits_table(), className="nl-table"),
        ui.md(
            "The softmax pᵢ = exp(zᵢ) / Σⱼ exp(zⱼ) written as it reads calls exp on the raw logits. "
            f"exp(z) passes float16's largest value once z > ln(max) = {f16.exp_overflow:.2f}, and float32's "
            f"once z > {f32.exp_overflow:.2f}. The sum then becomes inf, and inf / inf is nan: one large logit "
            "turns the whole output, the loss and every gradient into nan. Logits past float16's limit are "
            "ordinary in a confident or badly scaled network.\n\n"
            "The fix is cheap (one max and one subtraction): subtract the largest logit m first. "
            "exp(zᵢ − m) / Σⱼ exp(zⱼ − m) is the same ratio (the factor exp(−m) cancels), and now every exponent "
            "is at most 0, so every term lies in \\[0, 1\\] (a very small one may underflow to 0, harmlessly) and "
            "the sum in \\[1, K\\]. The logarithm of the denominator has its own function, "
            "`torch.logsumexp`, which uses the same shift; log-softmax is z − logsumexp(z), and "
            "`F.cross_entropy` works from it. Move the slider past each threshold and compare the columns."
        ),
        ui.row(controls(P, SPEC, values, ["numerics_logit"])),
        alert(cid(P, "numerics-softmax-alert")),
        ui.chart(cid(P, "numerics-softmax"), "exp of the largest logit in float16 and float32"),
        html.Div(id=cid(P, "numerics-softmax-table"), className="nl-table"),
        ui.code(SOFTMAX_CODE),
    ])


def _scaling(values: dict) -> html.Section:
    return ui.section(SCALING_TITLE, [
        ui.md(
            "Mixed-precision training runs most of the forward and backward arithmetic in float16 to save "
            "activation memory and use fast matrix units. The trouble is at the small end: some gradients of a "
            "deep network fall below float16's smallest normal value. Below it they lose bits (subnormal), and "
            "below half the smallest subnormal they round to exactly 0, so those weights stop learning and "
            "nothing reports it.\n\n"
            "Loss scaling multiplies the loss by S before `backward()`. By the chain rule every gradient is "
            "then S times larger, which lifts it into float16's normal range. The optimizer step divides by S "
            "again, in float32, where the small value fits. A power of two changes only the exponent, so as "
            "long as S·g stays in the normal range, scaling and unscaling add no rounding of their own. Too "
            "large an S pushes the big gradients past float16's largest value instead, to inf. "
            "`torch.amp.GradScaler` handles both ends: it skips any step whose gradients hold inf or nan and "
            f"multiplies S by {BACKOFF:g}, and it multiplies S by {GROW:g} after a run of clean "
            f"steps ({GROWTH} by default). bfloat16 has float32's exponent range, so it needs no scaling, at the "
            "price of fewer significant bits (see eps in the table above)."
        ),
        ui.row(controls(P, SPEC, values, ["numerics_grad", "numerics_scale"])),
        alert(cid(P, "numerics-scaling-alert")),
        ui.chart(cid(P, "numerics-scaling"), "How much of a gradient survives float16, per loss scale"),
        html.Div(id=cid(P, "numerics-scaling-table"), className="nl-table"),
        ui.md("The usual training step with a scaler:"),
        ui.code(SCALING_CODE),
    ])


def _logsig(values: dict) -> html.Section:
    return ui.section(LOGSIG_TITLE, [
        ui.md(
            "A binary classifier's loss for target 1 is −log σ(x). Computed in two steps, σ(x) = 1 / (1 + e⁻ˣ) "
            "is first rounded to a float: for a very negative x, e⁻ˣ overflows and σ(x) becomes exactly 0, "
            "then log gives −inf. For a large positive x, σ(x) rounds to exactly 1 and log gives 0, "
            "hiding a small but real loss. Yet the true value is simple at both ends: "
            "log σ(x) = −log(1 + e⁻ˣ), which is close to x for very negative x and close to −e⁻ˣ for large x. "
            "`F.logsigmoid` computes it in that rearranged form and never forms σ(x).\n\n"
            "The same applies to the loss. `F.binary_cross_entropy` takes probabilities, so it needs the "
            f"sigmoid first; torch clamps its log at −{BCE_CLAMP:g} so the loss stays finite, but the gradient "
            f"through σ(x) fades long before that: below x = {BCE_FADE:g} it is less than half the true value, "
            "and on the clamped stretch it is 0. A confidently wrong example stops teaching the network. "
            "`F.binary_cross_entropy_with_logits` (`nn.BCEWithLogitsLoss`) takes the raw logit, keeps the "
            "exact loss and the gradient σ(x) − y, which is close to −1 there. Keep the sigmoid out of the model "
            "and apply it only where a probability is needed."
        ),
        ui.row(controls(P, SPEC, values, ["numerics_x"])),
        alert(cid(P, "numerics-logsig-alert")),
        ui.chart(cid(P, "numerics-logsig"), "log σ(x) and the binary cross-entropy, naive and fused, float32"),
        ui.code(LOGSIG_CODE),
    ])


def _cancel(values: dict) -> html.Section:
    return ui.section(CANCEL_TITLE, [
        ui.md(
            "Anyone who has computed an RMS or a noise figure on a microcontroller has met this. A sensor "
            "reads a large constant level (an ADC offset, a bias voltage, an absolute temperature) plus a "
            "little noise, and the variance is wanted. The textbook shortcut var = E\\[x²\\] − E\\[x\\]² needs only "
            f"two running sums, but both sums are huge and nearly equal; float32 keeps about {F32_DIGITS:.0f} "
            "significant digits, so the small difference between them is mostly rounding. It can even come out "
            "negative.\n\n"
            "Subtracting the mean before squaring avoids it: the two-pass method finds the mean first, then "
            "sums the squared deviations, which are small numbers. Welford's update does the same in one pass, "
            "keeping a running mean and a running sum of squared deviations, so it suits a stream. Below, "
            f"{numerics.N_SAMPLES} samples of offset + noise (std 1) are stored as float32 and their variance "
            "is computed with sequential float32 sums, the way a loop on a device would, against float64 "
            "on the same samples. Watch the top of the range too: once the running sum of the samples is "
            "itself huge, even the two-pass mean is off. Batch norm and layer norm face the same question "
            "and compute the mean first."
        ),
        ui.row(controls(P, SPEC, values, ["numerics_offset", "numerics_seed"])),
        alert(cid(P, "numerics-cancel-alert")),
        ui.chart(cid(P, "numerics-cancel"), "Relative error of the float32 variance against the DC offset"),
        ui.code(CANCEL_CODE),
    ])


SOFTMAX_SECTION = Section(
    P, "numerics-softmax", numerics.SOFTMAX, lambda v, _: numerics.softmax(**v),
    [Chart("numerics-softmax", figures.softmax_figure, figures.describe_softmax),
     Text("numerics-softmax-table", _softmax_table, blank=[])],
    fix="Fix the value above to compute the softmax.")
SCALING_SECTION = Section(
    P, "numerics-scaling", numerics.SCALING, lambda v, _: numerics.loss_scaling(**v),
    [Chart("numerics-scaling", figures.scaling_figure, figures.describe_scaling),
     Text("numerics-scaling-table", lambda r: [table(("quantity", "value"), figures.scaling_rows(r))], blank=[])],
    fix="Fix the value above to cast the gradient.")
LOGSIG_SECTION = Section(
    P, "numerics-logsig", numerics.LOGSIG, lambda v, _: numerics.log_sigmoid(**v),
    [Chart("numerics-logsig", figures.logsig_figure, figures.describe_logsig)],
    fix="Fix the value above to compute log σ(x).")
CANCEL_SECTION = Section(
    P, "numerics-cancel", numerics.CANCEL, lambda v, _: numerics.cancellation(**v),
    [Chart("numerics-cancel", figures.cancel_figure, figures.describe_cancel)],
    fix="Fix the value above to compute the variances.")
SECTIONS = (SOFTMAX_SECTION, SCALING_SECTION, LOGSIG_SECTION, CANCEL_SECTION)
update_softmax = SOFTMAX_SECTION.register()
update_scaling = SCALING_SECTION.register()
update_logsig = LOGSIG_SECTION.register()
update_cancel = CANCEL_SECTION.register()

QUESTIONS = (
    Value("numerics-exp16", "Above which logit does exp(z) overflow to inf in float16? (Two decimals.)",
          lambda: round(numerics.overflow_logit("float16"), 2),
          "ln(65504), the log of float16's largest value: {answer}. A naive softmax turns to nan past it; the "
          "max-shifted one never does.", section=SOFTMAX_TITLE, tolerance=0.002),
    Value("numerics-fp16-zero", "A gradient of 1e-8 is cast to float16 with no loss scaling. What value comes out?",
          lambda: numerics.loss_scaling(1e-8, "1").fp16,
          "{answer}: it is below half of float16's smallest subnormal, so it rounds to zero and the weight "
          "stops learning. A loss scale of 2¹⁶ lifts it into range.", section=SCALING_TITLE),
    Pick("numerics-variance", "A float32 loop computes a sensor's variance as E[x²] − E[x]² with running sums. "
         "The readings sit near 10 000 counts with a noise of 1 count. What comes out?",
         ("A value close to 1, a little noisy", "Mostly rounding error, possibly negative",
          "Exactly 0, because the noise cancels"), 1,
         "Both sums are about 10⁸ times the noise variance and float32 keeps about 7 digits, so their difference "
         "is rounding. Subtract the mean first (two passes or Welford).", section=CANCEL_TITLE),
)
