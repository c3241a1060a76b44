"""/robustness, part 1: one digit attacked, accuracy against ε for both networks and both attacks, transfer."""

from __future__ import annotations

from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Needs, Section
from neuralab.params import ParamSpec
from neuralab.plots import robustness as figures
from neuralab.robust import digits

P = prefix("neuralab.app.pages.robustness")
SPEC = ParamSpec.merge("robustness-attack-part", digits.EXAMPLE, digits.TRANSFER, digits.CURVES)

# Both zoo networks are trained once per machine (seconds): the light sections wait for the page's jobs to do it.
NETS = Needs("nets", ParamSpec("nets"), lambda _: digits.kept(), lambda _: digits.make(),
             "The page's networks are being trained (once on this machine, a few seconds); this chart appears as "
             "soon as they are.")


def layout(values: dict) -> list[html.Section]:
    return [_example(values), _curves(), _transfer()]


def _example(values: dict) -> html.Section:
    return ui.section(
        "One digit, attacked",
        [
            ui.md(
                "The attacker may change every pixel of the 8 × 8 digit by at most ε grey levels (the image runs "
                "from 0, blank, to 16, full ink), and the result must still be an image: each pixel stays within "
                "0 to 16. This is an L∞ budget: it caps the largest change, not the total.\n\n"
                "**FGSM** (the fast gradient sign method) computes the gradient of the network's loss with "
                "respect to the input pixels, for the true label, and moves every pixel by ε in the direction of "
                "that gradient's sign: x′ = x + ε · sign(∇ₓL). To first order, no other change inside the budget "
                "raises the loss more. **PGD** (projected gradient descent) takes several steps of ε/4 instead, "
                "from a random point of the budget, and after each step puts every pixel back within ε of the "
                "original and within 0 to 16. It follows the loss around corners that one straight step misses.\n\n"
                "Pick a digit and a budget: the middle panel is the change (blue up, orange down), the right one "
                "the attacked image (the network reads it standardized). PGD here runs from one random start."
            ),
            ui.row(controls(P, SPEC, values, ["model", "attack", "eps", "steps", "digit"])),
            NETS.marker(P),
            alert(cid(P, "example-alert")),
            ui.chart(cid(P, "example"), "The digit, the change and the attacked digit, and the network's "
                                        "probabilities before and after"),
        ],
    )


def _curves() -> html.Section:
    return ui.section(
        "Accuracy against ε, on all 360 test digits",
        [
            ui.md(
                "One digit proves little; this chart attacks every test digit at every budget, each network "
                "with both attacks (PGD with the number of steps set above; a digit counts as still right only if "
                f"it survives {digits.RESTARTS} random starts). Each accuracy under attack is an upper bound on the "
                "true robust accuracy: more restarts or a stronger attack can only lower it. The dotted curves "
                "let PGD touch only the pixels whose spread in the training digits is at least one grey level.\n\n"
                "Why that matters: the networks read each pixel standardized, (x − mean) / spread, with both "
                "learned on the training digits. A pixel near the edge that is almost always blank has a spread "
                "of a few hundredths of a grey level, so a change of one grey level there arrives as dozens of "
                "standard deviations: an input the network has never seen anything like. A budget stated in the "
                "network's own unit would hide this; stated in the sensor's unit, it shows. The same holds for "
                "any sensor channel that barely moves in the training data."
            ),
            alert(cid(P, "curves-alert")),
            ui.chart(cid(P, "curves"), "Test accuracy of both networks against the budget, for each attack",
                     heavy=True),
        ],
    )


def _transfer() -> html.Section:
    return ui.section(
        "Transfer: attacking a network you cannot read",
        [
            ui.md(
                "An attacker without your weights can train a network of their own on similar data, attack it, "
                "and send you the result. The table crafts the attack chosen above (at its ε and steps) on one "
                "network and scores both on the same 360 attacked digits; the last row adds random signs of the "
                "same size, ±ε on every pixel, as a baseline. The diagonal is the white-box attack of the chart "
                f"above, from one random start instead of {digits.RESTARTS}; the off-diagonal cells are transfer. "
                "Both networks learned from the same training digits with the same scaling, the most favourable "
                "case for the attacker; one with other data and preprocessing usually transfers less."
            ),
            alert(cid(P, "transfer-alert")),
            ui.chart(cid(P, "transfer"), "Test accuracy on examples crafted on one network, scored on each"),
        ],
    )


EXAMPLE_SECTION = Section(P, "example", digits.EXAMPLE, lambda v, _: digits.example(**v),
                          [Chart("example", figures.example_figure, figures.describe_example)],
                          fix="Fix the values above to attack the digit.", needs=NETS)
CURVES_SECTION = Section(P, "curves", digits.CURVES, lambda v, progress: digits.curves(**v, progress=progress),
                         [Chart("curves", figures.curves_figure, figures.describe_curves)],
                         fix="Fix the number of steps above to attack every digit.", job=True, needs=NETS)
TRANSFER_SECTION = Section(P, "transfer", digits.TRANSFER, lambda v, _: digits.transfer(**v),
                           [Chart("transfer", figures.transfer_figure, figures.describe_transfer)],
                           fix="Fix the values above to carry the attack across.", needs=NETS)
SECTIONS = (EXAMPLE_SECTION, CURVES_SECTION, TRANSFER_SECTION)
update_example, update_curves, update_transfer = (s.register() for s in SECTIONS)
