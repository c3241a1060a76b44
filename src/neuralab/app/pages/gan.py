"""/gan: a generator and a discriminator trained against each other on 2-D data, replayed snapshot by snapshot."""

from __future__ import annotations

import math
from typing import NamedTuple

from dash import dcc, html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Replay, Section, Text
from neuralab.app.selfcheck import Pick, Value
from neuralab.data import targets
from neuralab.params import ParamSpec
from neuralab.plots import gan as figures
from neuralab.plots.format import num
from neuralab.train import gan
from neuralab.train.gan import CURVES, GAN, Run

P = prefix(__name__)
SPEC = ParamSpec.merge(P, GAN, CURVES)
TRAIN = ["target", "loss", "lr_g", "lr_d", "d_steps", "g_steps", "rounds", "seed"]
PRESETS = (
    ("The default: all eight modes by round 2,000", {}),
    ("A discriminator learning rate ten times the generator's (0.01): the generator settles on a few modes",
     {"lr_d": 0.01}),
    ("A discriminator learning rate ten times smaller (0.0001): the generator's cloud huddles and wanders",
     {"lr_d": 0.0001}),
    ("Four generator steps per round, over 1,500 rounds", {"g_steps": 4, "rounds": 1500}),
    ("The saturating loss, as the min–max is written", {"loss": "saturating"}),
)


class AtSnap(NamedTuple):
    """The run as drawn at snapshot ``k`` of the snapshot slider."""

    run: Run
    k: int


def run_train(values: dict, progress) -> Run:
    return gan.train(*(values[name] for name in TRAIN), progress=progress)


def _link(label: str, change: dict) -> html.Li:
    return html.Li(dcc.Link(label, href=f"/gan{GAN.to_query({**GAN.defaults(), **change})}"))


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div([
        ui.page_header(
            "Generative adversarial networks",
            "Two small networks trained against each other on points in the plane: a generator that turns noise "
            "into points and a discriminator that tries to tell its points from the data. The game is trained here, "
            "in a background job that takes seconds, and replayed snapshot by snapshot; when the generator collapses "
            "onto a few modes or the game falls apart, the page says so.",
            messages),
        _game(values),
        _objective(values),
    ])


def _game(values: dict) -> html.Section:
    return ui.section("The game, trained and replayed", [
        ui.md(
            "The generator G maps a noise vector z (four independent standard normal numbers) to a point in the "
            "plane; the discriminator D maps a point to the probability that it came from the data. Both are "
            "multilayer perceptrons with two hidden layers of 64 units (`neuralab.nn.gan`). One round gives D its "
            "turn, some updates on a batch of 256 data points and 256 fresh generated ones, then G its turn, some "
            "updates that move its points to where D says data are. Each side has its own Adam optimizer "
            "(β₁ = 0.5) and its own learning rate.\n\n"
            "The ring is a common test: eight narrow Gaussians (σ = "
            f"{targets.SD}) on a circle of radius 2. Its modes are known, so the page can count how many the "
            "generator covers. The grid, the other usual test, is 25 such Gaussians on the points {−2, −1, 0, 1, 2}². "
            "The playground's sets (scaled into the same square) have no known mode centres. For them the page "
            f"measures two shares with one fixed radius of {gan.RADIUS:g}: the data points that have a generated point "
            "that close (coverage), and the generated points that lie that close to a data point (quality)."),
        ui.row(controls(P, SPEC, values, TRAIN)),
        alert(cid(P, "game-alert")),
        html.P(id=cid(P, "verdict"), className="nl-prose", role="status"),
        html.Div([
            html.Div(dcc.Slider(id=cid(P, "snap"), min=0, max=gan.SNAPSHOTS, step=1, value=gan.SNAPSHOTS,
                                marks=None, updatemode="drag", allow_direct_input=False,
                                tooltip={"placement": "top", "always_visible": False}), className="gd-step-slider"),
            html.Output(id=cid(P, "snap-readout"), className="nl-readout", htmlFor=cid(P, "snap")),
            GAME.store(),
        ], className="gd-player", **{"aria-label": "Snapshot of the run"}),
        ui.chart(cid(P, "samples"), "Data, generated points and the discriminator's surface", heavy=True),
        ui.chart(cid(P, "losses"), "Both losses, and D's mean answer on each side, round by round"),
        ui.chart(cid(P, "coverage"), "Coverage and quality at every snapshot"),
        ui.md(
            "How to read it. Drag the snapshot slider: every snapshot was kept during the one training run, and "
            "the slider only replays them. The ground colour is D's answer everywhere in the plane; G's points "
            "(red, the data green) move up the slope of D towards blue ground, and D then redraws its surface around "
            "where they went. If the game went perfectly, the points would lie on the data and D would be grey (½) "
            "on and around the data. Far from both sets D has never seen a point, and its colour there means "
            "nothing. At that equilibrium D's loss would be 2 ln 2 ≈ 1.386 and the non-saturating generator loss "
            "ln 2 ≈ 0.693 (−ln 2 for the saturating one; dotted lines). D's loss here is the sum of its mean "
            "cross-entropy on the data and on the generated points; one `BCEWithLogitsLoss` over a pooled, balanced "
            "batch is half of it, ln 2 at equilibrium. Losses near those values do not prove that the generator "
            "has learned the data: a generator stuck on three modes, facing a discriminator that lags behind it, "
            "sits near them too. That is why the coverage is measured directly.\n\n"
            "The coverage counts follow VEEGAN (Srivastava et al., 2017) and PacGAN (Lin et al., 2018): a generated "
            "point is of high quality when it lies within three standard deviations of its nearest mode, and a mode "
            "counts as covered when at "
            f"least {gan.MIN_SHARE:.1%} of {gan.N_EVAL:,} generated points ({round(gan.MIN_SHARE * gan.N_EVAL)}) "
            "are high-quality points of that mode. The verdict says complete mode collapse when one mode is "
            "covered, mode collapse when at most half are, and partial collapse when more than half but not all "
            "are. It also calls a run collapsed when its points "
            f"spread over less than {gan.SPREAD:.0%} of the data's spread (root-mean-square distance from "
            "the mean), whatever the count, and says when the cloud jumps from place to place between the last "
            "snapshots: the generator then hops from mode to mode behind a discriminator that keeps moving its "
            "boundary. Some settings to try (each link changes one or two controls from the defaults; the page "
            "measures what happens):"),
        html.Ul([_link(label, change) for label, change in PRESETS], className="nl-prose"),
    ])


def _objective(values: dict) -> html.Section:
    return ui.section("The min–max objective against the loss optimized", [
        ui.md(
            "The game is usually written as one value that D pushes up and G pushes down:\n\n"
            "`min_G max_D V(D, G) = E_x[log D(x)] + E_z[log(1 − D(G(z)))]`\n\n"
            "D's side is the binary cross-entropy of a classifier with the data labelled 1 and the generated points "
            "0, so D's loss above is the batch estimate of −V. For a fixed G the best D is p_data / (p_data + p_G), "
            "and with that D the value is 2 · JS(p_data ‖ p_G) − 2 ln 2: if D were kept at its best, G would be "
            "minimizing the Jensen–Shannon divergence, whose minimum is p_G = p_data, with D = ½ wherever either "
            "has mass.\n\n"
            "G's side, taken literally, minimizes `log(1 − D(G(z)))`, the only term it can move. That is the "
            "saturating loss. Early in training D easily tells G's points from the data, D(G(z)) is near 0, and "
            "there this loss is flat: its gradient with respect to D's logit for a point is −D(G(z)). Goodfellow "
            "et al. (2014) proposed instead that G maximize log D(G(z)), that is minimize `−log D(G(z))`: the "
            "non-saturating loss. It has the same fixed point, and its gradient, −(1 − D(G(z))), is close to −1 "
            "exactly where the literal one vanishes. The job above uses whichever is chosen, and the legend and "
            "the caption of its loss chart name it. The sentence below the chart here reads what this run's "
            "generator really met."),
        ui.row(controls(P, SPEC, values, ["d_fake"])),
        alert(cid(P, "curves-alert")),
        ui.chart(cid(P, "curves"), "The two generator losses and their gradients, against D(G(z))"),
        html.P(id=cid(P, "met"), className="nl-prose"),
        ui.md(
            "Whether the saturating loss fails in practice depends on how sure D becomes before G has moved. With "
            "the default settings here D starts unsure (its initial logits are small) and both losses cover all "
            "eight modes of the ring by round 2,000. Make D faster (a larger learning rate or more steps per "
            "round), train once with each loss, and compare the gradients the sentence above reports."),
    ])


def _met(a: AtSnap) -> str:
    run = a.run
    n = max(1, min(50, run.rounds // 10))
    early = float(sum(run.d_fake[:n]) / n)
    grad = float(sum(run.g_grad[:n]) / n)
    late = run.g_grad[-n:]
    late_grad = float(sum(late) / n) if all(math.isfinite(v) for v in late) else float("nan")
    per_point = -early if run.loss == "saturating" else -(1 - early)
    return (f"In the run above ({run.loss} loss), D gave the generated points {early:.3f} on average over the first "
            f"{n} rounds, so each point's loss had a gradient of about {num(per_point)} with respect to its logit; the "
            f"norm of the gradient over all of G's weights averaged {grad:.3g} then and {late_grad:.3g} over the "
            f"last {n} rounds.")


# The snapshot slider replays the run in the browser: every snapshot is drawn once, in the job (sections.Replay).
GAME = Section(
    P, "game", GAN, run_train,
    [Chart("samples", lambda a: figures.samples_figure(*a), lambda a: figures.describe_samples(*a)),
     Chart("losses", lambda a: figures.losses_figure(*a), lambda a: figures.describe_losses(*a)),
     Chart("coverage", lambda a: figures.coverage_figure(*a), lambda a: figures.describe_coverage(*a)),
     Text("snap-readout", lambda a: figures.snapshot_note(*a)),
     Text("verdict", lambda a: a.run.verdict.sentence),
     Text("met", _met),
     Text("snap", lambda a: len(a.run.snapshots) - 1, prop="max", blank=gan.SNAPSHOTS),
     Text("snap", lambda a: len(a.run.snapshots) - 1, prop="value", blank=gan.SNAPSHOTS)],
    fix="Fix the value above to train the GAN.", job=True,
    replay=Replay("snap", ("samples", "losses", "coverage", "snap-readout"),
                  steps=lambda run: range(len(run.snapshots)), at=AtSnap))
CURVES_SECTION = Section(
    P, "curves", CURVES, lambda v, _progress: gan.curves(v["d_fake"]),
    [Chart("curves", figures.curves_figure, figures.describe_curves)],
    fix="Fix the value above to read the losses.", drag=("d_fake",))
SECTIONS = (GAME, CURVES_SECTION)
update_game = GAME.register()
update_curves = CURVES_SECTION.register()

wire(P, SPEC)


def _d_loss_at_equilibrium() -> float:
    import torch

    from neuralab.nn.gan import discriminator_loss
    return float(discriminator_loss(torch.zeros(4), torch.zeros(4)))


QUESTIONS = (
    Value("equilibrium", "D answers ½ for every point (its logit is 0). What is its loss −V(D, G), in nats?",
          _d_loss_at_equilibrium,
          "−log ½ for the data plus −log ½ for the generated points: 2 ln 2 = {answer} nats, the dotted line of "
          "the loss chart.", section="The game, trained and replayed", tolerance=0.005, unit="nats"),
    Value("saturating-grad", "D gives a generated point D(G(z)) = 0.02. What is the gradient of the saturating loss "
          "log(1 − D(G(z))) with respect to D's logit for that point?", lambda: gan.curves(0.02).at_grad_saturating,
          "The derivative of log(1 − σ(ℓ)) is −σ(ℓ) = {answer}; the non-saturating loss gives −(1 − 0.02) = −0.98 "
          "there, 49 times stronger.", section="The min–max objective against the loss optimized", tolerance=0.01),
    Pick("collapse-loss", "The losses sit near 2 ln 2 and ln 2. Has the generator learned the data?",
         ("Yes: those are the equilibrium values", "Not necessarily: a generator on a few modes can sit there too",
          "No: those values mean the discriminator has won"), 1,
         "Near-equilibrium losses say only that D cannot currently tell the two apart; count the modes.",
         section="The game, trained and replayed"),
)
