"""/hyperparameter-search, parts 2 and 3: Optuna's samplers raced on the landscape; a GP surrogate opened up."""

from __future__ import annotations

from typing import NamedTuple

from dash import dcc, html

from neuralab.app import ui
from neuralab.app.controls import alert, cid, controls
from neuralab.app.registry import prefix
from neuralab.app.sections import Chart, Replay, Section, Text, table
from neuralab.params import ParamSpec
from neuralab.plots import search_race as figures
from neuralab.search import race, surrogate
from neuralab.search.landscape import EPOCHS, Landscape, landscape
from neuralab.search.surrogate import STEPS
from neuralab.search.tasks import DATASET

P = prefix("neuralab.app.pages.hyperparameter_search")
RACE_SPEC = ParamSpec("search-race", dataset=DATASET, race_trials=race.RACE.fields["trials"],
                      race_repeats=race.RACE.fields["repeats"], race_diverged=race.RACE.fields["diverged"])
GP_SPEC = ParamSpec("search-surrogate", dataset=DATASET, acquisition=surrogate.SURROGATE.fields["acquisition"],
                    kappa=surrogate.SURROGATE.fields["kappa"], gp_seed=surrogate.SURROGATE.fields["seed"])
SPEC = ParamSpec.merge("search-race-part", RACE_SPEC, GP_SPEC)
REPEATS = race.RACE.fields["repeats"].default


class AtStep(NamedTuple):
    """The search as drawn at step ``k`` of the step slider."""

    explored: surrogate.Explored
    k: int


class Raced(NamedTuple):
    race: race.Race
    landscape: Landscape


def run_race(values: dict, progress) -> Raced:
    r = race.race(values["dataset"], values["race_trials"], values["race_repeats"], values["race_diverged"],
                  progress=progress)
    return Raced(r, landscape(values["dataset"]))


def run_surrogate(values: dict, progress) -> surrogate.Explored:
    return surrogate.explore(values["dataset"], values["acquisition"], values["kappa"], values["gp_seed"],
                             progress=progress)


def _race_table(r: race.Race) -> html.Table:
    rows = figures.race_rows(r)
    return table(list(rows[0]), [list(row.values()) for row in rows])


def layout(values: dict) -> list[html.Section]:
    return [_race(values), _surrogate(values)]


def _race(values: dict) -> html.Section:
    return ui.section(
        "Six samplers race to the best measured cell",
        [
            ui.md(
                "Each sampler below is Optuna's own, driving an ordinary Optuna study over the two log-scaled "
                "hyperparameters. A trial's value is read from the nearest measured cell (the mean of its "
                "trainings), so it is noise-free and constant within each cell, unlike a real trial, which is "
                "one noisy training at the exact point. The regret is how far the best trial so far still is "
                "from the best measured cell, as a share of the way to a network that learned nothing; it is "
                "exact relative to this measured table, not to the unknown true best setting.\n\n"
                "* **Grid** takes m = ⌈√N⌉ evenly spaced values per axis, from one end of each range to the "
                "other, and tries N of the m² combinations in random order (all of them when N is a perfect "
                "square).\n"
                "* **Random** draws each trial independently and uniformly on the log axes.\n"
                "* **Sobol**: each point is uniform on its own, but together they cover the square more evenly "
                "than independent draws (best at 16, 32, 64 trials). Optuna draws the very first trial at "
                "random.\n"
                "* **TPE** splits the trials so far into good and bad, models each group's density, and "
                "proposes where good is likely and bad is not. For a single objective Optuna 5 models the two "
                "parameters jointly (multivariate TPE), so it can follow the learning rate × weight decay "
                "interaction.\n"
                "* **Gaussian process** is Optuna's `GPSampler`: it fits a Gaussian process and picks the point "
                "of largest (log) expected improvement. The next section opens up a scikit-learn model of the "
                "same kind on one dimension.\n"
                "* **CMA-ES** moves a Gaussian cloud of candidates, shifting and stretching it towards the "
                "better ones each generation; Optuna centres the first cloud in the middle of the box.\n"
                f"* TPE and the Gaussian process draw their first {race.STARTUP} completed trials with a random "
                "sampler seeded like theirs, so with the same seed their first trials equal Random's. Failed "
                "trials do not count towards those, so with failures the random phase runs longer.\n\n"
                "Trial counts are small on purpose: a trial here stands for a full training. The ranking below "
                f"holds for this two-dimensional space, these trial counts and a {EPOCHS}-epoch budget; it is "
                "not a general verdict."
            ),
            ui.row(controls(P, SPEC, values, ["race_trials", "race_repeats", "race_diverged"])),
            alert(cid(P, "race-alert")),
            ui.chart(cid(P, "race"), "Each sampler's trials on the measured landscape", heavy=True),
            ui.chart(cid(P, "regret"), "Median regret of the best trial so far, with its spread"),
            html.Div(id=cid(P, "race-table"), className="nl-prose"),
            ui.md(
                "How to read it. A sampler that models the loss can stop spending trials where the loss is "
                "already known to be poor, which grid, random and Sobol never do; on a smooth space of two "
                f"dimensions that should pay off once the {race.STARTUP} random start-up trials are done. "
                "Whether it does here, the chart "
                "and the table say, and the answer depends on the data set and on the next point. The price "
                "of a model is paid per suggestion, and the table measures it as milliseconds per trial (the "
                "median over repeats of each study's mean, the cheap start-up trials included): a random draw "
                "costs least, TPE "
                "more, and the Gaussian process most, since it refits its kernel and searches its acquisition "
                "before every trial, at a cost that grows with the trials seen. Next to a training of minutes "
                "it is nothing; next to an objective that costs less than the suggestion, it is the whole "
                "bill.\n\n"
                "Watch the diverged trials. Optuna's samplers fit only completed trials, so a trial that "
                "returns NaN teaches them nothing. Where the best cell sits next to the unstable region (the "
                "caption under the maps says whether it does), TPE and the Gaussian process are drawn towards "
                "it and keep proposing points past the edge: compare their diverged trials with random "
                "search's. Report a diverged run as the loss of a network that learned nothing instead (the "
                "choice above) and they learn where the edge is.\n\n"
                "One race is noise: with another seed the order of the samplers can change. That is why each "
                "runs several times and the chart shows the median with the band from the 25th to the 75th "
                f"percentile. With the default {REPEATS} repeats that band spans the 2nd to the 4th of "
                f"{REPEATS} values, so bands that part are a rough guide, not a test; use more repeats or a "
                "paired comparison over seeds."
            ),
        ],
    )


def _surrogate(values: dict) -> html.Section:
    return ui.section(
        "Bayesian search opened up",
        [
            ui.md(
                "Here is the model inside a Bayesian search, on one dimension so it can be drawn. The weight "
                "decay is held at the landscape's best value and only the learning rate is searched. The "
                "grey curve is the truth, a row of real trainings; the search sees only the black points. "
                "Three spread learning rates are trained first. Then, at every step, scikit-learn's Gaussian "
                "process (Matern ν = 5/2 kernel plus a noise term, on log10 of the learning rate) is fitted "
                "to the points seen so far, giving a mean and an uncertainty σ everywhere, and an acquisition "
                "turns them into the next learning rate to train:\n\n"
                "* **Expected improvement** weighs how likely a point beats the best loss so far by how much.\n"
                "* **The lower confidence bound** μ − κσ is optimistic by κ standard deviations: a large κ "
                "explores where little is known, κ = 0 trusts the mean alone.\n"
                "* **A Thompson draw** samples one plausible curve from the model and trains at its minimum; "
                "different draws give different points, which is why it suits many workers at once.\n\n"
                "A diverged training is shown to the model as the loss of a network that learned nothing. "
                "A pick may repeat a measured learning rate. Here that returns the same number, so a search "
                "that keeps re-picking has stalled (an overconfident fit: see the printed kernel); the step "
                "readout says when it happens. "
                "Drag the step slider: each step is computed once, and the slider only replays them."
            ),
            ui.row(controls(P, SPEC, values, ["acquisition", "kappa", "gp_seed"])),
            alert(cid(P, "surrogate-alert")),
            html.Div(
                [
                    html.Div(dcc.Slider(id=cid(P, "surrogate-step"), min=1, max=STEPS, step=1, value=STEPS,
                                        marks=None, updatemode="drag", allow_direct_input=False,
                                        tooltip={"placement": "top", "always_visible": False}),
                             className="gd-step-slider"),
                    html.Output(id=cid(P, "surrogate-readout"), className="nl-readout",
                                htmlFor=cid(P, "surrogate-step")),
                    SURROGATE_SECTION.store(),
                ],
                className="gd-player",
            ),
            ui.chart(cid(P, "surrogate"), "The Gaussian process after each step, and where each acquisition points",
                     heavy=True),
        ],
    )


RACE_SECTION = Section(
    P, "race", RACE_SPEC, run_race,
    [Chart("race", lambda v: figures.trials_figure(v.race, v.landscape),
           lambda v: figures.describe_race(v.race, v.landscape)),
     Chart("regret", lambda v: figures.regret_figure(v.race), lambda v: figures.describe_regret(v.race)),
     Text("race-table", lambda v: _race_table(v.race))],
    fix="Fix the value above to run the race.", job=True)
# The step slider replays the search in the browser: every step is drawn once, in the job (sections.Replay).
SURROGATE_SECTION = Section(
    P, "surrogate", GP_SPEC, run_surrogate,
    [Chart("surrogate", lambda a: figures.surrogate_figure(*a), lambda a: figures.describe_step(*a)),
     Text("surrogate-readout", lambda a: figures.step_note(*a)),
     Text("surrogate-step", lambda a: len(a.explored.mean), prop="max", blank=STEPS),
     Text("surrogate-step", lambda a: len(a.explored.mean), prop="value", blank=STEPS)],
    fix="Fix the value above to run the search.", job=True,
    replay=Replay("surrogate-step", ("surrogate", "surrogate-readout"),
                  steps=lambda e: range(1, len(e.mean) + 1), at=AtStep))
SECTIONS = (RACE_SECTION, SURROGATE_SECTION)
update_race = RACE_SECTION.register()
update_surrogate = SURROGATE_SECTION.register()
