"""/robustness, part 3: the smallest sensor error that moves the motor's virtual temperature sensor; in practice."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import robustness as figures
from neuralab.robust import digits, motor

P = prefix("neuralab.app.pages.robustness")
SPEC = motor.MARGIN


def layout(values: dict) -> list[html.Section]:
    return [_motor(values), _practice()]


def _motor(values: dict) -> html.Section:
    return ui.section(
        "A virtual sensor: the smallest sensor error that matters",
        [
            ui.md(
                "The same gradient answers a question with no attacker in it. /recurrent trains a GRU that "
                "estimates the motor's winding temperature from the i_q current amplitude, the speed and the "
                "coolant temperature, each logged as a 10-s mean: a virtual sensor that thermal protection could "
                "act on. On a held-out drive cycle, at the moment the winding is hottest, this section searches "
                "for the smallest error on one of those inputs that lowers the estimate there by the chosen "
                "amount (an estimate that reads low lets the drive run hot). Three kinds of error, each with its "
                "smallest size ε found by bisection (which assumes a larger ε does at least as much harm):\n\n"
                "* **worst case**: any error sequence up to ±ε per sample on that channel until the moment, "
                f"found by PGD ({motor.STEPS} steps) on the estimate itself, or the offset below if PGD does no "
                "better: an upper bound on the smallest harmful error, since a stronger search might find a "
                "smaller one;\n"
                "* **offset**: +ε or −ε at every sample, a bias of the logged signal;\n"
                f"* **random**: independent uniform errors within ±ε, the mean estimate over {motor.DRAWS} "
                "draws.\n\n"
                "Neither the worst case nor the offset is clipped: an offset can push a reading near zero below "
                "it, as a real bias does. The GRU is trained once on this machine (or taken from /recurrent's "
                "cache); the search then takes seconds.\n\n"
                "What the result says, and what it does not. If the ε found is inside the tolerance of the signal "
                "the network reads, the margin is missing; if it is outside, nothing is proven. The ±ε box is a "
                "stand-in, not a fault model: it allows errors no sensor makes (a sign change every 10 s) and "
                "leaves out gain errors, drift, delay, stuck-at, dropouts and errors on several channels at once. "
                "It bounds the 10-s means, so a raw sensor's specification must be converted first (an offset "
                "passes through a mean; white noise shrinks by about the square root of the samples averaged). "
                "The coolant input is constant within every training cycle, so any error that varies along the "
                "cycle is already outside the training data. The search covers one cycle at one moment, and the "
                "drop is counted from the GRU's own estimate, whose error against the truth adds to it. The "
                "random row averages zero-mean noise, which moves the mean estimate only at second order: passing "
                "it says nothing about the worst case."
            ),
            ui.row(controls(P, SPEC, values, ["motor_channel", "motor_drop", "motor_cycle"])),
            alert(cid(P, "motor-alert")),
            ui.chart(cid(P, "motor"), "The temperature estimate over the cycle, clean and with each error, above "
                                      "the sensor channel", heavy=True),
        ],
    )


def _practice() -> html.Section:
    return ui.section(
        "In practice",
        [
            ui.md(
                "* **State the threat model in the sensor's unit.** ε in grey levels, amperes or degrees, which "
                "inputs the attacker (or a fault) can reach, what the attacker knows (weights, outputs only, "
                "nothing), and whether the result must stay physical. A budget in the network's standardized unit "
                "hides the channels that standardization amplifies.\n"
                "* **Report the attack with every robust accuracy**: its name, steps, step size, random starts "
                "and ε. An accuracy under attack is an upper bound on the true robust accuracy (more restarts or a "
                "stronger attack can only lower it), never a guarantee. On this page the curves and the training "
                f"section use {digits.RESTARTS} random starts of PGD, the single digit and the transfer table one. "
                "A certificate needs verification methods (bound propagation, randomized "
                "smoothing) that this page does not cover.\n"
                "* **Test with a different and stronger attack than you trained with**: more steps and restarts, "
                "another loss, and a gradient-free or transfer attack. If a black-box attack does better than the "
                "white-box one, the gradients are masked.\n"
                "* **For a safety case**, the same calculation answers a plainer question than malice: how large "
                "an error on the signal the network reads can change the decision? If a worst-case change within "
                "that signal's tolerance flips the output, the margin is missing, whoever causes the change; if "
                "none is found, nothing is proven. Search the fault models of the FMEA as well (offset, gain, "
                "drift, delay, stuck-at, dropout, several channels together), over many cycles and operating "
                "points, and judge the estimate against the true value and the protection threshold.\n"
                "* **Random noise is not a worst-case test.** Noise and fault-injection tests are evidence of "
                "natural robustness; they do not search for the worst case. The transfer table shows random ±ε "
                "doing far less than a crafted change of the same size."
            ),
            ui.code(
                "import torch, torch.nn.functional as F\n\n"
                "# x as the model reads it; eps, lo, hi per feature in that unit:\n"
                "# eps_raw / σ, (lo_raw − μ) / σ, (hi_raw − μ) / σ\n"
                "def fgsm(model, x, y, eps, lo, hi):\n"
                "    x = x.detach().requires_grad_(True)\n"
                "    loss = F.cross_entropy(model(x), y, reduction=\"sum\")\n"
                "    (g,) = torch.autograd.grad(loss, x)      # ∇ₓL, the model's .grad untouched\n"
                "    return (x + eps * g.sign()).clamp(lo, hi).detach()\n\n"
                "# adversarial training: half of each batch's loss on attacked inputs\n"
                "# (these models have no dropout or batch norm; with them, craft x_adv in eval mode)\n"
                "for x, y in loader:\n"
                "    x_adv = fgsm(model, x, y, eps, lo, hi)\n"
                "    loss = 0.5 * F.cross_entropy(model(x), y) + 0.5 * F.cross_entropy(model(x_adv), y)\n"
                "    opt.zero_grad(); loss.backward(); opt.step()"
            ),
        ],
    )



MOTOR_SECTION = Section(P, "motor", motor.MARGIN, lambda v, progress: motor.margin(**v, progress=progress),
                        [Chart("motor", figures.motor_figure, figures.describe_motor)],
                        fix="Fix the values above to search for the error.", job=True)
SECTIONS = (MOTOR_SECTION,)
update_motor = MOTOR_SECTION.register()
