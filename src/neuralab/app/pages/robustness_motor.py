"""/robustness, part 3: the smallest sensor error that moves the motor's virtual temperature sensor; in practice."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section
from neuralab.plots import robustness as figures
from neuralab.robust import motor

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
                "estimates the motor's winding temperature from the measured current, speed and coolant "
                "temperature: a virtual sensor that thermal protection could act on. On a held-out drive cycle, "
                "at the moment the winding is hottest, this section searches for the smallest error on one "
                "sensor that lowers the estimate there by the chosen amount (an estimate that reads low lets the "
                "drive run hot). Three kinds of error, each with its smallest size ε found by bisection:\n\n"
                "* **worst case**: any error sequence up to ±ε per sample on that channel until the moment, "
                f"found by PGD ({motor.STEPS} steps) on the estimate itself: a bound from below, since a "
                "stronger search might find a smaller one;\n"
                "* **offset**: +ε or −ε at every sample, a calibration error (readings are not clipped: an offset "
                "can push a current near zero below it, as a real offset does);\n"
                f"* **random**: independent uniform errors within ±ε, averaged over {motor.DRAWS} draws.\n\n"
                "Compare the worst-case ε with the sensor's specified accuracy. If it is inside, the margin is "
                "not there, whoever or whatever causes the error. The GRU is trained once on this machine (or "
                "taken from /recurrent's cache); the search then takes seconds."
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
                "inputs the attacker (or a fault) can reach, and whether the result must stay physical. A budget "
                "in the network's standardized unit hides the channels that standardization amplifies.\n"
                "* **Report the attack with every robust accuracy**: its name, steps, step size, random starts "
                "and ε. An attack gives a lower bound on the damage, never a guarantee; a certificate needs "
                "verification methods (interval bounds, randomized smoothing) that this page does not cover.\n"
                "* **Test with a stronger attack than you trained with.** A defence evaluated only against its own "
                "training attack proves little.\n"
                "* **For a safety case**, the same calculation answers a plainer question than malice: how large "
                "a sensor error, offset or noise burst, inside its specified tolerance, can change the decision? "
                "If a worst-case change within the sensor's accuracy flips the output, the margin is not there, "
                "whoever causes the change.\n"
                "* **Random noise is not a test of robustness.** The transfer table shows random ±ε doing far less "
                "than a crafted change of the same size."
            ),
            ui.code(
                "import torch, torch.nn.functional as F\n\n"
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
