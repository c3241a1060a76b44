"""/hyperparameter-search, part: the studies in the lab's database, their trials arriving live from every worker.

The database is the operator's (``NEURALAB_STORAGE`` or the default SQLite file): no control on
the page sets it. Two light callbacks read it: the list of studies (on load and every refresh)
and the chosen study's trials; a ``dcc.Interval`` refreshes both while that study has running
trials, and stops when it has none (a killed worker's trial stays running, and the refresh with it,
until another worker starts a trial and fails it).
"""

from __future__ import annotations

import optuna
from dash import Input, Output, State, callback, dcc, html

from neuralab.app import ui, userdata
from neuralab.app.controls import alert, cid
from neuralab.app.registry import prefix
from neuralab.app.sections import table
from neuralab.data import user
from neuralab.params import ParamSpec
from neuralab.plots import search_studies as figures
from neuralab.plots.theme import message_figure
from neuralab.search import study as st

P = prefix("neuralab.app.pages.hyperparameter_search")
SPEC = ParamSpec("search-studies")  # no controls in the URL: the study list changes under it
SECTIONS = ()
REFRESH_MS = 2000
_STORAGES: dict[str, optuna.storages.BaseStorage] = {}


def storage() -> optuna.storages.BaseStorage:
    """The operator's study database, opened once per process (opening costs tens of milliseconds).

    Wrapped in Optuna's cache (``optuna.storages.get_storage``), which keeps finished trials in
    memory and reads only new and running ones, so a refresh costs about a millisecond.
    """
    url = st.storage_url()
    if url not in _STORAGES:
        _STORAGES[url] = optuna.storages.get_storage(st.open_storage(url))
    return _STORAGES[url]


def commands(name: str | None) -> str:
    """The command lines to start a study and to join it (the URL without its password, which the user puts back)."""
    url = st.public_url(st.storage_url())
    study = name or "my-study"  # the join line names the chosen study; the start line a new one
    sqlite = url.startswith("sqlite")
    if sqlite:
        note, storage, where = ("# this database is a SQLite file: workers on other machines need PostgreSQL "
                                "(NEURALAB_STORAGE)\n"), f"'{url}'", "from another terminal on this machine"
    elif url != st.storage_url():  # the URL holds a password: read it from the environment, not from the page
        note, storage, where = ("# with NEURALAB_STORAGE set to the database's URL, password included\n",
                                '"$NEURALAB_STORAGE"', "from any machine that reaches the database")
    else:
        note, storage, where = "", f"'{url}'", "from any machine that reaches the database"
    return (f"{note}# start a new study ({st.STUDY.fields['trials'].default} trials of TPE on digits) and run its "
            f"trials here\n"
            f"neuralab search run --study my-study --storage {storage} --sampler tpe "
            f"--trials {st.STUDY.fields['trials'].default}\n"
            f"# join {'study ' + name if name else 'it'} {where}\n"
            f"neuralab search worker --study {study} --storage {storage}")


def layout(values: dict) -> list[html.Section]:
    return [ui.section(
        "Studies in the lab's database",
        [
            ui.md(
                "Every search started with `neuralab search` is an Optuna study kept in a database: a SQLite "
                "file in the cache directory (`~/.cache/neuralab`) unless the operator points "
                "`NEURALAB_STORAGE` at PostgreSQL. The searches above run in memory (their results are cached "
                "on disk); this part only reads the database. A study records its data set and sampler, so a "
                "worker on another machine that joins it trains the same network on the same space. A study on one of "
                "your tables records its id (`neuralab search run --dataset user:ID`, or a file with `--target`); "
                "each worker reads the table from its own machine's catalogue, so workers on other machines need "
                "the lab's data directory shared (`NEURALAB_DATA_DIR`). Each trial "
                f"records the worker and host that ran it. A worker sends a heartbeat every {st.HEARTBEAT} s "
                "(by default) while its trial runs. If it is killed, its trial stays running until another "
                "worker starts a trial; that worker then marks failed every trial silent for "
                f"{st.GRACE_BEATS} of its own heartbeats ({st.GRACE} s by default). The lost trial is not "
                "retried and counts toward the budget. Failed trials (diverged trainings, lost workers) are "
                "counted, not hidden."
            ),
            html.Div(id=cid(P, "studies-list")),
            alert(cid(P, "studies-alert")),
            ui.row([html.Label(["Study", dcc.Dropdown(id=cid(P, "studies-study"), clearable=False)],
                               className="nl-control")]),
            ui.chart(cid(P, "studies-trials"), "Trials of the chosen study as they arrive, one colour per worker"),
            dcc.Interval(id=cid(P, "studies-tick"), interval=REFRESH_MS, disabled=False),
            html.Div(id=cid(P, "studies-commands")),
        ],
    )]


def listing(chosen: str | None) -> tuple:
    """The studies table, the dropdown's options and value, and an alert: everything one read of the list gives."""
    try:
        infos = st.studies(storage())
    except Exception as exc:  # an unreachable database: a sentence in the page, never a traceback
        return html.P(""), [], None, _sentence(exc)
    if not infos:
        return html.P("No studies yet. Start one with the command below."), [], None, ""
    rows = [(i.name, _dataset(i.settings["dataset"]), i.settings["sampler"], i.complete, i.failed, i.running,
             f"{i.best:.4g}" if i.best is not None else "–", len(i.workers), ", ".join(i.hosts) or "–")
            for i in infos]
    names = [i.name for i in infos]
    chosen = chosen if isinstance(chosen, str) else None
    shown = table(("study", "data set", "sampler", "complete", "failed", "running", "best val loss", "workers",
                   "hosts"), rows)
    return shown, [{"label": n, "value": n} for n in names], chosen if chosen in names else names[0], ""


def _dataset(value: str) -> str:
    """A study's data set as the list shows it: a user table by its name and id (the id is what workers read)."""
    return f"{userdata.title(value)} ({value})" if user.is_user(value) else value


def trials_view(name: str | None) -> tuple:
    """The chosen study's chart, caption, whether the refresh stops, and the command lines."""
    if not isinstance(name, str) or not name:
        text = ("No study in the lab's database yet: start one with the first command below, and its trials "
                "appear here as they finish." if not name else
                f"study must be the name of a study; got {type(name).__name__}.")
        return message_figure(text), text, True, ui.code(commands(None))
    try:
        rows = st.trials(storage(), name)
    except Exception as exc:  # the database went away between two refreshes
        return message_figure(_sentence(exc)), _sentence(exc), True, ui.code(commands(name))
    running = any(r.state == "RUNNING" for r in rows)
    return figures.trials_figure(rows), figures.describe_trials(rows), not running, ui.code(commands(name))


def _sentence(exc: Exception) -> str:
    if isinstance(exc, st.StorageError):
        return str(exc)
    return f"The study database {st.public_url(st.storage_url())} did not answer: {st.reason(exc)}"


@callback(Output(cid(P, "studies-list"), "children"), Output(cid(P, "studies-study"), "options"),
          Output(cid(P, "studies-study"), "value"), Output(cid(P, "studies-alert"), "children"),
          Input(cid(P, "studies-tick"), "n_intervals"), State(cid(P, "studies-study"), "value"))
def update_studies_list(_tick, chosen):
    return listing(chosen)


@callback(Output(cid(P, "studies-trials"), "figure"), Output(cid(P, "studies-trials-summary"), "children"),
          Output(cid(P, "studies-tick"), "disabled"), Output(cid(P, "studies-commands"), "children"),
          Input(cid(P, "studies-study"), "value"), Input(cid(P, "studies-tick"), "n_intervals"))
def update_studies_trials(name, _tick):
    return trials_view(name)
