"""/gradient-descent: real torch optimizers racing on 2-D surfaces, batch-size noise, a network's loss slice."""

from __future__ import annotations

import torch
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls, wire
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Section, Text, table
from neuralab.app.selfcheck import Pick, Value
from neuralab.params import ParamSpec
from neuralab.plots import descent as figures
from neuralab.train import descent, landscape
from neuralab.train.descent import BATCH, RACE, SURFACES
from neuralab.train.landscape import LANDSCAPE

P = prefix(__name__)
SPEC = ParamSpec.merge(P, RACE, BATCH, LANDSCAPE)
TICK_MS = 50  # replay frame interval
REPLAY_MS = 6000  # a whole replay, start to last step


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div(
        [
            ui.page_header(
                "Gradient descent",
                "Training a network means walking downhill on its loss. Here the walkers are PyTorch's own "
                "optimizers, the hill is a surface you can see, and every path is computed by torch.optim from "
                "autograd's gradients.",
                messages,
            ),
            _race(values),
            _batch(values),
            _landscape(values),
            _cheatsheet(),
        ]
    )


def _opts_control(value: str) -> html.Div:
    f = RACE.fields["opts"]
    return html.Div(
        [
            html.Label(f.label, id=cid(P, "opts-label"), htmlFor=cid(P, "opts"), className="nl-label"),
            dcc.Checklist(id=cid(P, "opts"), options=[{"label": lab, "value": v} for v, lab in f.options],
                          value=value.split(","), inline=True, className="nl-radio", inputClassName="nl-radio-input"),
        ],
        className="nl-control", role="group", **{"aria-labelledby": cid(P, "opts-label"), "data-label": f.label},
    )


def _race(values: dict) -> html.Section:
    return ui.section(
        "Drop a ball on a surface and let the optimizers roll",
        [
            ui.md(
                "Every optimizer refines one rule, **w ← w − η·∇L(w)**: step against the gradient, with a step "
                "size set by the learning rate η. Here the weights are just two numbers, x and y, so the loss "
                "L(x, y) is a landscape you can see: dark is low. **Click the contour plot** to drop the start "
                "point, then compare the optimizers from the same spot with the same η. Press ▶ to replay "
                "the runs step by step, or drag the step slider."
            ),
            ui.row([*controls(P, SPEC, values, ["surface"])]),
            html.Div(id=cid(P, "surface-card"), className="nl-card", role="status", **{"aria-live": "polite"}),
            ui.row([*controls(P, SPEC, values, ["lr", "steps", "x0", "y0"])]),
            _opts_control(values["opts"]),
            alert(cid(P, "race-alert")),
            html.Div(
                [
                    html.Button("▶ Play", id=cid(P, "play"), n_clicks=0, className="nl-button",
                                **{"aria-label": "Play or pause the step-by-step replay"}),
                    html.Div(dcc.Slider(id=cid(P, "step"), min=0, max=values["steps"], step=1,
                                        value=values["steps"], marks=None, updatemode="drag", allow_direct_input=False,
                                        tooltip={"placement": "top", "always_visible": False}),
                             className="gd-step-slider"),
                    html.Output(id=cid(P, "step-readout"), className="nl-readout", htmlFor=cid(P, "step")),
                    dcc.Interval(id=cid(P, "tick"), interval=TICK_MS, disabled=True),
                    dcc.Store(id=cid(P, "paths")),
                ],
                className="gd-player",
            ),
            ui.chart(cid(P, "race"), "Optimizer paths on the loss surface; click to choose the start", heavy=True),
            html.Div(id=cid(P, "table"), className="nl-prose gd-table"),
            ui.md(
                f"**Converged** means the point came within {descent.CONVERGE_TOL:g} (in x, y units) of a "
                "local minimum and stayed there until the last step; the step counted is the first of that final "
                "stay. **Diverged** means the loss stopped being a finite number, or the point flew more than "
                f"{descent.ESCAPE_WIDTHS:g} window widths past the edge; the run is stopped there.\n\n"
                "A diverged run is a lesson, not a crash. On a quadratic with curvature λ, a plain gradient "
                "step multiplies the distance to the minimum by (1 − ηλ): once η exceeds 2/λ that factor is "
                "below −1 and every step overshoots further than the last. Rosenbrock's and Beale's walls are "
                "curved hundreds to thousands of times more steeply than the bowl's, so an η that suits the bowl "
                "throws plain SGD off them in a couple of steps, while Adam and RMSProp, which divide by the "
                "gradient's recent size, take steps of about η whatever the slope."
            ),
            ui.chart(cid(P, "loss"), "Loss above the lowest minimum against the step, per optimizer"),
            ui.md(
                "Things to try:\n\n"
                "* **Narrow ravine**, η = 0.04: SGD crawls along the floor, momentum and Nesterov build up speed "
                "along it. Raise η towards 0.1 (2/λ for the steep wall, λ = 20) and SGD starts to zig-zag, then "
                "diverges past it. Each method has its own limit on that wall: Nesterov leaves the ravine just "
                "above η = 0.068 (2(1 + μ)/((1 + 2μ)λ)), while heavy-ball momentum still converges up to 0.19 "
                "(2(1 + μ)/λ). Try η = 0.07 with all three.\n"
                "* **Saddle**, start at y = 0.02: the loss curves show a long flat stretch while the runs "
                "pass near the flat origin, then a drop as they roll off to a minimum. Start at exactly y = 0 "
                "and no gradient ever points sideways: SGD settles on the saddle, which is no minimum.\n"
                "* **Multiple minima**: move the start a little and watch runs fall into different basins; "
                "momentum can coast over a ridge that plain SGD stops behind.\n"
                "* **AdaGrad** divides η by the root of the *sum* of all squared gradients so far, so its steps "
                "only shrink: with a small η it stalls long before the minimum.\n"
                "* **AdamW** differs from Adam only in how weight decay is applied. No decay is used here, so "
                "its dashed path lies exactly on Adam's: a check that they share everything else."
            ),
        ],
    )


def _batch(values: dict) -> html.Section:
    return ui.section(
        "Batch size: how noisy is each step?",
        [
            ui.md(
                "A real regression, small enough to draw: predict diabetes progression one year on from body-mass "
                "index (scikit-learn's diabetes data, both standardized on the training rows), with a line "
                "ŷ = w·x + b. Its mean squared error over the training set is an exact bowl in (w, b), drawn "
                "below with the least-squares answer as a star. Plain SGD starts from the same point three ways: "
                "the **full batch** averages every training row's gradient per update (the true gradient), a "
                "**mini-batch** averages a few, a **single sample** uses one patient. Fewer samples make each "
                "update cheaper and noisier: the path jitters, and at a fixed η it never settles exactly but "
                "keeps rattling around the minimum. The right panel counts the real cost, per-sample gradients "
                "computed, on a log axis."
            ),
            ui.row(controls(P, SPEC, values, ["bs_lr", "bs_size", "bs_steps", "seed"])),
            alert(cid(P, "batch-alert")),
            ui.chart(cid(P, "batch"), "SGD paths with three batch sizes on the regression's loss contours",
                     heavy=True),
            ui.md(
                "Read the right panel along a vertical line: for the same number of gradients computed, the "
                "small batches are far further down. That is why mini-batches are the default: the noise is the "
                "price of many cheap steps. To end closer to the minimum, shrink η as training goes on (see the "
                "learning-rate page) or grow the batch."
            ),
        ],
    )


def _landscape(values: dict) -> html.Section:
    return ui.section(
        "A real network's loss landscape",
        [
            ui.md(
                f"A 64 → {landscape.HIDDEN} → 10 ReLU network trains on scikit-learn's 8 × 8 digits with Adam, "
                "saving its weights after every epoch. Around the trained weights θ* we cut a plane through "
                "weight space along two directions d₁, d₂ and compute the real training loss at each of "
                f"{landscape.GRID} × {landscape.GRID} points θ* + α·d₁ + β·d₂.\n\n"
                "* **Filter-normalized random** (Li et al., 2018): each neuron's row of a random direction is "
                "scaled to the norm of that neuron's weights, so α = 1 is a change as large as the weights "
                "themselves everywhere in the network. The training path barely shows: in a few thousand "
                "dimensions two random directions are almost orthogonal to it, and hovering a snapshot says how "
                "much of its distance to θ* lies off the plane.\n"
                "* **PCA of the training path**: the two directions in which the weights moved most. This plane "
                "contains most of the path, which now curves into the valley."
            ),
            ui.row(controls(P, SPEC, values, ["ls_dirs", "ls_epochs"])),
            alert(cid(P, "landscape-alert")),
            ui.chart(cid(P, "landscape"), "Training loss on a 2-D slice through the network's weights", heavy=True),
            ui.md(
                "A slice is one plane out of thousands of dimensions: a valley in it can be a ridge in another. "
                "What slices reliably show is *width*: a wide basin around θ* means small weight changes "
                "(quantization, a new batch) change the loss little."
            ),
        ],
    )


def _cheatsheet() -> html.Section:
    return ui.section(
        "The optimizers in one table",
        [
            ui.md(
                "g is the gradient at step t, η the learning rate; the defaults are torch's.\n\n"
                "| optimizer | update | what it fixes | watch out for |\n"
                "| --- | --- | --- | --- |\n"
                "| SGD | w ← w − η·g | nothing: the baseline | one η for every direction |\n"
                "| momentum | v ← μ·v + g; w ← w − η·v (μ = 0.9) | zig-zag in ravines; flat stretches | "
                "overshoot: the ball rolls past |\n"
                "| Nesterov | the momentum step, with the gradient taken at the look-ahead point | some overshoot |"
                " a lower η limit than momentum: ηλ < 2(1 + μ)/(1 + 2μ) ≈ 1.36, against 3.8 for momentum and 2 "
                "for SGD |\n"
                "| AdaGrad | G ← G + g²; w ← w − η·g/(√G + ε) | badly scaled directions | steps only ever "
                "shrink |\n"
                "| RMSProp | s ← α·s + (1 − α)·g² (α = 0.99); w ← w − η·g/(√s + ε) | AdaGrad's stall | "
                "jitters near the minimum at a fixed η |\n"
                "| Adam | momentum on g (β₁ = 0.9) and RMSProp on g² (β₂ = 0.999), both bias-corrected | a good "
                "default | weight decay through the gradient is rescaled: use AdamW |\n"
                "| AdamW | Adam, plus w ← w − η·λ·w applied directly | honest weight decay | — |"
            ),
            ui.code(
                "import torch\n\n"
                "w = torch.tensor([-1.5, 2.0], requires_grad=True)  # the two weights\n"
                "opt = torch.optim.Adam([w], lr=0.04)\n"
                "for step in range(200):\n"
                "    loss = (1 - w[0])**2 + 100 * (w[1] - w[0]**2)**2  # Rosenbrock\n"
                "    opt.zero_grad()\n"
                "    loss.backward()  # autograd fills w.grad\n"
                "    opt.step()\n"
                "print(w.detach(), loss.item())"
            ),
        ],
    )


# ----------------------------------------------------------------------------- the race


def surface_card(surface: str) -> list | str:
    """The chosen surface's formula, its local minima and its lesson (empty for an unknown surface).

    Args:
        surface: a key of :data:`~neuralab.train.descent.SURFACES`, as the radio items send it.
    """
    if not isinstance(surface, str) or surface not in SURFACES:  # a crafted request may send a list
        return ""
    s = SURFACES[surface]
    mins = "; ".join(f"({x:.3f}, {y:.3f}) with f = {f:.4g}" for x, y, f in descent.minima(surface))
    word = "minimum" if len(s.points) == 1 else "minima"
    return [html.Strong(s.formula), html.Span(f"Local {word}: {mins}.", className="nl-badge"),
            html.Span(s.lesson, className="nl-card-blurb")]


def _race_table(race: descent.Race) -> html.Table:
    rows = figures.race_rows(race)
    return table(list(rows[0]), [list(r.values()) for r in rows])


# The race (up to 300 steps of several torch optimizers) and the batch paths (three runs of up to 300 updates)
# take a few hundred milliseconds on a busy machine: jobs with a progress bar, so no request waits for them.
RACE_SECTION = Section(
    P, "race", RACE, lambda v, progress: descent.race(**v, progress=progress),
    [Chart("race", lambda r: figures.race_figure(r, descent.grid(r.surface)), figures.describe_race),
     Chart("loss", figures.loss_figure, figures.describe_race),
     Text("table", _race_table),
     Text("paths", figures.path_data, prop="data", blank=None),  # what the step slider cuts, in the browser
     Text("step", lambda r: r.steps, prop="max", blank=1),
     Text("step", lambda r: r.steps, prop="value", blank=1)],
    fix="Fix the value above to run the optimizers.", job=True)
BATCH_SECTION = Section(P, "batch", BATCH, lambda v, progress: descent.batch_paths(**v, progress=progress),
                        [Chart("batch", figures.batch_figure, figures.describe_batch)],
                        fix="Fix the value above to run SGD.", job=True)
LANDSCAPE_SECTION = Section(P, "landscape", LANDSCAPE, lambda v, progress: landscape.landscape(**v, progress=progress),
                            [Chart("landscape", figures.landscape_figure, figures.describe_landscape)],
                            fix="Fix the value above to train the network.", job=True)
SECTIONS = (RACE_SECTION, BATCH_SECTION, LANDSCAPE_SECTION)

update_race, update_batch, update_landscape = (s.register() for s in SECTIONS)


# The card stays while another value of the race is bad, and has no sentence of its own: not a Section.
@callback(Output(cid(P, "surface-card"), "children"), Input(cid(P, "surface"), "value"))
def update_surface_card(surface: str) -> list | str:
    """The surface card follows the surface picker."""
    return surface_card(surface)


def start_from(trigger: str | None, click: dict | None, surface: str, x0: float, y0: float) -> tuple:
    """The new start ``(x0, y0)``: the clicked point on the sliders' grid, or a new surface's default start.

    Args:
        trigger: the id of the component that fired (the chart, or the surface picker).
        click: the chart's ``clickData``.
        surface: the surface picked.
        x0, y0: the current start (left as it is when nothing usable was clicked).

    Returns:
        ``(x0, y0)``, or ``(no_update, no_update)``.
    """
    if trigger == cid(P, "surface"):
        if surface not in SURFACES:
            return no_update, no_update
        return SURFACES[surface].start
    try:
        pt = click["points"][0]
        x, y = float(pt["x"]), float(pt["y"])
    except (TypeError, KeyError, IndexError, ValueError):
        return no_update, no_update
    return descent.snap_start(x, y)


@callback(
    Output(cid(P, "x0"), "value"),
    Output(cid(P, "y0"), "value"),
    Input(cid(P, "race"), "clickData"),
    Input(cid(P, "surface"), "value"),
    State(cid(P, "x0"), "value"),
    State(cid(P, "y0"), "value"),
    prevent_initial_call=True,
)
def set_start(click: dict | None, surface: str, x0: float, y0: float) -> tuple:
    """Click-to-set-start on the race chart, and a new surface's own start."""
    return start_from(ctx.triggered_id, click, surface, x0, y0)


# The step slider cuts the precomputed paths in the browser: no server round trip while it moves. It restyles
# the path traces only (Plotly.restyle), which skips the diff of the whole figure that a new `figure` prop costs;
# plotly's cheaper animate() is not usable here, as it drops the contour layer. The figure props are left alone,
# and the next figure from the server replaces the plot as usual.
clientside_callback(
    """function(step, data) {
        if (!data || step === null || step === undefined) return '';
        const k = Math.min(step, data.steps);
        const cut = (id, ys, useIndex) => {
            const gd = document.querySelector('#' + id + ' .js-plotly-plot');
            // a figure still on its way from the server is drawn whole: leave it alone
            if (!gd || !gd.data || !gd.layout || gd.layout.meta !== data.token) return;
            const idx = [], xs = [], yv = [], sizes = [];
            gd.data.forEach((t, j) => {
                if (!t.meta || t.meta.path === undefined) return;
                const i = t.meta.path, y = ys[i].slice(0, k + 1), n = y.length;
                const size = new Array(n).fill(3);  // the ball: a large marker on the current step
                if (n) size[n - 1] = 11;
                idx.push(j); yv.push(y); sizes.push(size);
                xs.push(useIndex ? Array.from({length: n}, (_, m) => m) : data.x[i].slice(0, k + 1));
            });
            const update = useIndex ? {x: xs, y: yv} : {x: xs, y: yv, 'marker.size': sizes};
            if (idx.length) window.Plotly.restyle(gd, update, idx);
        };
        if (window.Plotly) {  // plotly.js loads lazily: before it has, the figures still show every step
            cut('RACE_ID', data.y, false);
            cut('LOSS_ID', data.gap, true);
        }
        return 'step ' + k + ' of ' + data.steps;
    }""".replace("RACE_ID", cid(P, "race")).replace("LOSS_ID", cid(P, "loss")),
    Output(cid(P, "step-readout"), "children"),
    Input(cid(P, "step"), "value"),
    State(cid(P, "paths"), "data"),
    prevent_initial_call=True,
)

# ▶ starts (from 0 when at the end) or pauses. Pause is marked ❚❚ (U+275A, in Debian's DejaVu fonts);
# ⏸ (U+23F8) is in none of the fonts chromium draws with here and showed as a missing-character box.
# Each tick sets the step from the time elapsed, so the replay takes REPLAY_MS however slowly the browser draws
# (a slow machine skips frames rather than crawls).
clientside_callback(
    """function(clicks, ticks, step, max, off) {
        const replayMs = REPLAY_MS;
        const trig = window.dash_clientside.callback_context.triggered_id;
        const nu = window.dash_clientside.no_update;
        if (trig === 'PLAY_ID') {
            if (!off) return [nu, true, '▶ Play'];
            const from = step >= max ? 0 : (step || 0);
            window.gdReplay = {t0: performance.now(), from: from};
            return [from, false, '❚❚ Pause'];
        }
        const r = window.gdReplay || {t0: performance.now(), from: step || 0};
        const next = Math.min(max, r.from + Math.ceil(max * (performance.now() - r.t0) / replayMs));
        return next >= max ? [max, true, '▶ Play'] : [next, false, nu];
    }""".replace("REPLAY_MS", str(REPLAY_MS)).replace("PLAY_ID", cid(P, "play")),
    Output(cid(P, "step"), "value", allow_duplicate=True),
    Output(cid(P, "tick"), "disabled"),
    Output(cid(P, "play"), "children"),
    Input(cid(P, "play"), "n_clicks"),
    Input(cid(P, "tick"), "n_intervals"),
    State(cid(P, "step"), "value"),
    State(cid(P, "step"), "max"),
    State(cid(P, "tick"), "disabled"),
    prevent_initial_call=True,
)



wire(P, SPEC)


def _ravine_limit() -> float:
    """2 / λ, with λ the curvature across the ravine (∂²f/∂y², from autograd)."""
    y = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    f = SURFACES["ravine"].fn(torch.tensor(0.0, dtype=torch.float64), y)
    (slope,) = torch.autograd.grad(f, y, create_graph=True)
    (curvature,) = torch.autograd.grad(slope, y)
    return 2.0 / float(curvature)


QUESTIONS = (
    Value("ravine", "On the narrow ravine, f = 0.1x² + 10y², above which learning rate does plain SGD start to "
          "diverge across the valley?", _ravine_limit,
          "Across the valley the curvature is λ = ∂²f/∂y². Each step multiplies the distance to the floor by "
          "(1 − ηλ), which drops below −1 once η > 2/λ = {answer}: every step then overshoots further.",
          section="Drop a ball on a surface and let the optimizers roll", tolerance=0.01),
    Value("bowl-steps", "Convex bowl, start (−2.5, 2), η = 0.04, plain SGD: at which step has it converged for good "
          f"(within {descent.CONVERGE_TOL:g} of the minimum)?",
          lambda: descent.race("bowl", -2.5, 2.0, 0.04, 200, "sgd").paths[0].converged_at,
          "On x² + 2y² each step multiplies x by 1 − 2η and y by 1 − 4η. The flatter x direction shrinks slower and "
          "sets the count: step {answer}. Run the race above with these settings to see it.",
          section="Drop a ball on a surface and let the optimizers roll"),
    Pick("batch", "For the same number of gradients computed, which runs end lowest on the diabetes bowl?",
         ("The full-batch run", "The small mini-batch runs", "All end equally low"), 1,
         "A full batch buys one exact step with the gradients that give a small batch many noisy ones; the many "
         "steps win, and the noise is the price.", section="Batch size: how noisy is each step?"),
    Pick("rms", "Which optimizers divide each weight's step by a running root-mean-square of its gradients?",
         ("SGD", "SGD with momentum", "RMSprop and Adam", "Nesterov momentum"), 2,
         "RMSprop and Adam keep a running mean of g² per weight and divide by its square root, so a weight with "
         "large gradients takes smaller steps and a quiet one larger.", section="The optimizers in one table"),
)
