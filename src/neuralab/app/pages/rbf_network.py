"""/rbf-network: Gaussian units placed by k-means and weighted by least squares, against an MLP of the same size."""

from __future__ import annotations

import inspect

import numpy as np
from dash import html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.app.selfcheck import Pick, Value
from neuralab.nn import rbf
from neuralab.params import ParamSpec
from neuralab.plots import rbf_network as figures
from neuralab.train import rbf as race
from neuralab.train.rbf import COMPARE, FIT

P = prefix(__name__)
SPEC = ParamSpec.merge(P, FIT, COMPARE)
DRAG = ("width", "ridge", "slice_y")
INTRO = (
    "A radial-basis-function network has one hidden layer of Gaussian units. Each unit has a centre in input "
    "space and a width, and answers how close the input is to its centre: 1 on it, almost 0 a few widths away. "
    "The output is a weighted sum of these bumps plus a bias. Besides these local units, what sets it apart from an "
    "MLP is how it is usually fitted: the centres come from clustering the inputs, the widths from a rule, and only "
    "the output weights from the targets, by one linear least-squares solve. No gradient descent, and an answer in "
    "milliseconds."
)


def run_fit(values: dict, _progress) -> race.Surface:
    return race.surface(**values)


def run_race(values: dict, progress) -> race.Comparison:
    return race.compare(**values, progress=progress)


def _race_table(c: race.Comparison) -> html.Table:
    rows = figures.race_rows(c)
    return table(list(rows[0]), [list(r.values()) for r in rows])


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div([ui.page_header("RBF networks", INTRO, messages), _fit(values), _race(values)])


def _fit(values: dict) -> html.Section:
    return ui.section(
        "Gaussian units placed by k-means",
        [
            ui.md(
                "Unit j computes `φⱼ(x) = exp(−‖x − cⱼ‖² / (2σⱼ²))` and the network outputs "
                "`ŷ(x) = b + Σⱼ wⱼ φⱼ(x)`. The fit has two stages in three steps, each visible below: the centres and "
                "widths come from the inputs alone, the output weights from the targets.\n\n"
                "1. **Centres.** k-means (Lloyd's algorithm from a k-means++ start) clusters the training inputs "
                "into k groups and puts a centre at the mean of each (the crosses). It never looks at the targets, "
                "so the centres go where the data are dense, not where the function is hard.\n"
                "2. **Widths.** A rule gives each σ (the circles have radius σ): one shared width d_max/√(2k), "
                "with d_max the largest distance between two centres, or for each unit the distance to its nearest "
                "neighbouring centre. The width factor scales what the rule gives.\n"
                "3. **Output weights.** With centres and widths fixed, ŷ is linear in w and b, so the squared error "
                "is a convex quadratic in them, minimized by a single least-squares solve on the matrix Φ of every "
                "unit's response to every training point. A small ridge penalty λ‖w‖² makes the minimum unique "
                "and the solve stable.\n\n"
                "Try a width factor of 0.3: the bumps overlap little, the surface breaks into islands, between "
                "them the output drops back to the bias, and even the training R² falls, because with far fewer "
                "units than points each weight can only match the average target near its centre. At 5 every unit "
                "responds to almost every point, so the columns of Φ are nearly equal: the condition number in the "
                "caption climbs by orders of magnitude, and on the Gaussian bumps an exact solve would need huge "
                "weights of opposite signs, and a huge bias, that cancel each other. Even the default λ suppresses "
                "those directions, so both R² drop; raising λ holds the weights down further, at the price of a "
                "worse fit. The caption gives b too: it is not the targets' mean but whatever constant balanced "
                "the bumps, and it is what the network answers far from every centre. On the plane "
                "and on the motor, whose targets are smooth, the same wide units fit well: the right width depends "
                "on how fast the target changes. The lower chart cuts the surface along the dashed line and shows "
                "each unit's weighted bump and their sum.\n\n"
                f"The data: {race.N_POINTS} points per set, {race.TRAIN_PCT}% for fitting and the rest held "
                "out. The motor set is the electromagnetic torque of the lab's simulated bench (free of noise) "
                "against the measured q-axis current (with the sensors' noise, offset and glitches, averaged over "
                "10 ms windows) and the winding temperature: the noise is in an input, not in the target. Both "
                "inputs are mapped from their training range onto −5 to 5 and the torque onto −1 to 1, so that "
                "one width means the same on both axes; the axis titles give the amperes and degrees the ends "
                "stand for."
            ),
            ui.row(controls(P, SPEC, values, ["dataset", "noise", "centres", "seed"])),
            ui.row([*controls(P, SPEC, values, ["rule"]),
                    *controls(P, SPEC, values, list(DRAG), drag=True)]),
            alert(cid(P, "fit-alert")),
            ui.chart(cid(P, "surface"), "The fitted surface, the centres and their widths"),
            ui.chart(cid(P, "slice"), "One slice: every unit's weighted bump and their sum"),
            html.Details([html.Summary("The fit, in code (neuralab.nn.rbf.fit and what it calls)"),
                          ui.code("\n".join(inspect.getsource(f) for f in (rbf.widths, rbf.output_weights,
                                                                              rbf.fit)))]),
        ],
    )


def _race(values: dict) -> html.Section:
    return ui.section(
        "Against an MLP with the same number of parameters",
        [
            ui.md(
                "Three models with the same parameter count: a two-stage RBF network like the one above, fitted "
                f"again here (k-means centres, nearest-centre widths at factor {race.RACE_FACTOR:g}, "
                f"λ = {race.RACE_RIDGE:.0e}".replace("e-0", "e-") + "; the sliders above do not reach it), the "
                "same network after Adam has "
                "trained all of its parameters (centres and widths included) starting from that fit, and an MLP "
                "with k hidden units. The counts agree "
                "because each hidden unit holds three numbers in both: two coordinates and a width for a "
                "Gaussian unit, two input weights and a bias for an MLP unit; add k output weights and one bias. "
                "Equal counts are not equal freedom, though: the two-stage RBF fits only its k + 1 output numbers "
                "to the targets, the other two models all 4k + 1. "
                f"Both trained models ran {race.CFG.epochs} epochs of Adam (learning rate {race.CFG.lr}, batches "
                f"of {race.CFG.batch_size}) on one thread; the MLP sees its inputs standardized.\n\n"
                "Every model trains only on points whose first input lies below the "
                f"{race.CUT_Q}th percentile of that input over the whole set (the cut). "
                "The error inside is measured on held-out points below that cut; the error beyond the cut on "
                "every point above it. No model was trained on those points, and none of the scaling comes from "
                "them: on the motor the maps of both inputs onto −5 to 5 and of the torque onto −1 to 1 are "
                "computed again from the training points below the cut (so here 5 is the highest current trained "
                "on). On the motor this is the question an "
                "engineer actually asks: the bench logged currents up to some value, so what does the model say "
                "at a higher one? At a given temperature the torque is proportional to the q-axis current. An MLP "
                "can carry some of a trend past the last point it saw (tanh units only until they saturate, ReLU "
                "units linearly), while a sum of Gaussian bumps falls back towards its bias beyond its outermost "
                "centres, and that bias is whatever constant balanced the bumps (the caption of the chart below "
                "gives it). Neither is told the physics, and the table measures how far each one's guess is off, and "
                "with it whether the MLP does carry the trend for these settings.\n\n"
                "Training time is the wall time of each fit the first time these settings ran, on this shared "
                "machine; the fully trained RBF's includes the two-stage fit it starts from. The results are kept "
                "on disk by their settings, so later visits read them, and another MLP activation retrains only "
                "the MLP."
            ),
            ui.row(controls(P, SPEC, values, ["race_dataset", "race_centres", "race_activation"])),
            alert(cid(P, "race-alert")),
            ui.chart(cid(P, "race-slice"), "Three models along one line, into the region none was trained on",
                     heavy=True),
            ui.chart(cid(P, "race-maps"), "The three outputs over a plane wider than the data"),
            html.Div(id=cid(P, "race-table"), className="nl-prose"),
        ],
    )


FIT_SECTION = Section(
    P, "fit", FIT, run_fit,
    [Chart("surface", figures.surface_figure, figures.describe_surface),
     Chart("slice", figures.slice_figure, figures.describe_slice)],
    fix="Fix the value above to see the fitted network.", drag=DRAG)
RACE_SECTION = Section(
    P, "race", COMPARE, run_race,
    [Chart("race-slice", figures.race_slice_figure, figures.describe_race_slice),
     Chart("race-maps", figures.race_maps_figure, figures.describe_race_maps),
     Text("race-table", _race_table)],
    fix="Fix the value above to run the comparison.", job=True)
SECTIONS = (FIT_SECTION, RACE_SECTION)
update_fit = FIT_SECTION.register()
update_race = RACE_SECTION.register()

wire(P, SPEC)


def _params_12() -> int:
    """Parameters of an RBF network with 12 centres, per-centre widths, 2 inputs and 1 output."""
    return rbf.param_count(12, 2, "nearest")


def _one_width() -> float:
    """A Gaussian unit's response one width from its centre."""
    return float(rbf.basis(np.array([[1.5, 0.0]]), np.zeros((1, 2)), np.array([1.5]))[0, 0])


QUESTIONS = (
    Value("params", "An RBF network on 2 inputs with 12 Gaussian units, one width per unit and one output: how many "
          "parameters does it have?", _params_12,
          "12 centres × 2 coordinates, 12 widths, 12 output weights and a bias: {answer}, the same as an MLP "
          "2 → 12 → 1.", section="Against an MLP with the same number of parameters"),
    Value("one-width", "What does a Gaussian unit output for an input exactly one width σ from its centre?",
          _one_width, "exp(−σ²/(2σ²)) = exp(−1/2) = {answer}, whatever σ is.",
          section="Gaussian units placed by k-means", tolerance=0.005),
    Pick("far", "What does a two-stage RBF network answer for an input far from every centre?",
         ("The output of its nearest centre", "Its bias b", "Zero, always"), 1,
         "Every φⱼ is then nearly 0, so only b is left: an RBF network does not carry a trend beyond its data, "
         "and b is not the targets' mean but the constant that balanced the bumps. (A normalized RBF network, "
         "φⱼ / Σ φ, would answer its nearest centre's output instead, like a lookup table.)",
         section="Against an MLP with the same number of parameters"),
    Pick("targets", "Which step of the two-stage fit uses the targets?",
         ("Placing the centres by k-means", "Setting the widths", "Solving for the output weights"), 2,
         "k-means and the width rules see only the inputs; the targets enter only the least-squares solve.",
         section="Gaussian units placed by k-means"),
)
