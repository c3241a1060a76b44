"""/data: upload a table, check its preview, give its columns roles, keep it; list, share and delete."""

from __future__ import annotations

import base64
import binascii
import logging
import re
from typing import Any

from dash import Input, Output, State, callback, dcc, html

from neuralab.app import ui
from neuralab.app.controls import alert, cid
from neuralab.app.registry import prefix
from neuralab.app.sections import table as html_table
from neuralab.app.selfcheck import Pick, Value
from neuralab.app.userdata import OWNER, owner_ok
from neuralab.data import playground, user
from neuralab.params import ParamSpec, Text
from neuralab.search import tasks
from neuralab.train import lr, regularize

P = prefix(__name__)
log = logging.getLogger("neuralab")

GENERIC = "The lab could not read this file. Nothing was stored; check that it is a CSV, Parquet or .npz table."
TASK_LABELS = {"regression": "Regression (a number)", "binary": "Binary (two classes)",
               "multiclass": "Multi-class (several classes)"}
ID_RE = re.compile(r"[A-Za-z0-9_-]{16}")  # a catalogue id: secrets.token_urlsafe(12) is 16
HEAD_COLUMNS = 12  # the preview's first rows show this many columns (all of them are in the column table)


def _share_shape(name: str, text: str) -> None:
    if text.strip() and not ID_RE.fullmatch(text.strip()):
        raise ValueError(f"{name} must be a dataset id (letters, digits, - and _); got {text[:40]!r}.")


SPEC = ParamSpec("data", share=Text("", max_len=80, check=_share_shape, label="Shared dataset",
                                    help="A dataset id from a share link: added to your list."))


def layout(values: dict, messages: list[str]) -> html.Div:
    return html.Div([
        ui.page_header(
            "Your data",
            "Bring a table of your own (a CSV file, a Parquet file, or an .npz of named arrays) and every data page "
            "that has a dataset choice can run on it.",
            messages,
        ),
        dcc.Input(id=cid(P, "share"), type="hidden", value=values["share"]),
        ui.md(
            "**What is kept, and where.** Adding a dataset stores the table once, as a Parquet file in the lab's "
            "data directory on the machine that runs the lab (`NEURALAB_DATA_DIR`), with its column roles in a "
            "small SQLite catalogue. Nothing leaves that machine. The list below is tied to this browser by a "
            "random token kept in its local storage: another browser sees a dataset only through its share link. "
            "**Delete** removes the entry, and the file with it once no list refers to it.\n\n"
            f"Files up to {user.upload_limit_bytes() // 1_000_000} MB are accepted (`NEURALAB_UPLOAD_MB`). Pages "
            f"work on at most {user.INTERACTIVE_ROWS:,} rows: a longer table is sampled with a fixed seed, and the "
            f"page says so. Charts that redraw while a slider moves (the split sizes on /splits) use a sample of "
            f"{user.LIGHT_ROWS:,}, so that each answer takes milliseconds."
        ),
        ui.section("Upload a table", [
            dcc.Upload(
                id=cid(P, "upload"),
                children=html.Div(["Drop a file here or ", html.Span("choose one", className="nl-link")]),
                accept=".csv,.parquet,.npz,text/csv",
                max_size=user.upload_limit_bytes(),  # the browser refuses a larger file before sending it
                multiple=False,
                className="nl-upload",
            ),
            alert(cid(P, "upload-alert")),
            html.Div(id=cid(P, "preview"), className="nl-preview"),
            html.Ul(id=cid(P, "notes"), className="nl-notes"),
        ]),
        ui.section("Give the columns their roles", [
            ui.md("The suggestion below is a guess from the column kinds; check the target and the task. A **time** "
                  "column orders the rows and enables time-ordered splits; a **group** column (a drive cycle, a "
                  "vehicle, a patient) keeps each group on one side of a split."),
            html.Div([
                _field("Target column", dcc.Dropdown(id=cid(P, "target"), options=[], clearable=False)),
                _field("Task", dcc.RadioItems(id=cid(P, "task"), options=[{"label": v, "value": k}
                                                                          for k, v in TASK_LABELS.items()],
                                              value="regression", inline=True, className="nl-radio",
                                              inputClassName="nl-radio-input")),
                _field("Time column (optional)", dcc.Dropdown(id=cid(P, "time"), options=[])),
                _field("Group column (optional)", dcc.Dropdown(id=cid(P, "group"), options=[])),
                _field("Sampling rate, Hz (optional)", dcc.Input(id=cid(P, "rate"), type="number", min=0,
                                                                 className="nl-number")),
                _field("Name", dcc.Input(id=cid(P, "name"), type="text", maxLength=80, className="nl-text")),
            ], className="nl-row"),
            html.Button("Add to my datasets", id=cid(P, "add"), n_clicks=0, className="nl-button"),
            alert(cid(P, "add-alert")),
            html.P(id=cid(P, "added"), className="nl-status", role="status"),
        ]),
        ui.section("My datasets", [
            html.Div(id=cid(P, "list"), className="nl-datasets"),
            html.Div([
                _field("Delete a dataset from this list", dcc.Dropdown(id=cid(P, "pick"), options=[])),
                dcc.ConfirmDialogProvider(
                    html.Button("Delete", className="nl-button"), id=cid(P, "delete"),
                    message="Delete the chosen dataset from your list? Its file is removed once no list refers to it."),
            ], className="nl-row nl-delete"),
            alert(cid(P, "list-alert")),
        ]),
    ])


def _field(label: str, widget: Any) -> html.Div:
    widget_id = getattr(widget, "id", None)
    return html.Div([html.Label(label, htmlFor=widget_id, className="nl-label"), widget], className="nl-control")


# --------------------------------------------------------------------------- the upload


def decode(contents: Any) -> bytes:
    """The bytes of a ``dcc.Upload`` data URL, its size checked before anything is decoded."""
    if not isinstance(contents, str) or "," not in contents[:300]:
        raise user.UploadError("The upload did not arrive as a file; choose the file again.")
    payload = contents.split(",", 1)[1]
    size, limit = len(payload) * 3 // 4, user.upload_limit_bytes()
    if size > limit:
        raise user.UploadError(f"The file is {size / 1e6:.1f} MB; the limit is {limit // 1_000_000} MB "
                               "(NEURALAB_UPLOAD_MB).")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise user.UploadError("The upload is not valid base64; choose the file again.") from None


def _filename(filename: Any) -> str:
    if not isinstance(filename, str) or not filename.strip():
        return "upload.csv"
    return filename.replace("\\", "/").rsplit("/", 1)[-1][:120]


def _guarded(fn, *args):
    """``fn(*args)``: an UploadError gives its sentence, anything else a generic one (logged, never shown)."""
    try:
        return fn(*args), ""
    except user.UploadError as exc:
        return None, str(exc)
    except Exception:  # noqa: BLE001 - a file the library did not foresee: logged, the page says a sentence
        log.exception("user data: unexpected failure in %s", getattr(fn, "__name__", fn))
        return None, GENERIC


def read(contents: Any, filename: Any) -> user.Preview:
    return user.read_preview(decode(contents), _filename(filename))


def _preview_view(pv: user.Preview) -> list:
    kinds = html_table(["Column", "Kind", "Missing", "Unique"],
                       [(c.name, c.kind, f"{c.missing:,}", f"{c.unique:,}") for c in pv.columns])
    cols = [c.name for c in pv.columns][:HEAD_COLUMNS]
    head = html_table(cols, [[str(r.get(c, "")) for c in cols] for r in pv.head])
    more = len(pv.columns) - len(cols)
    return [
        html.P(f"{pv.filename}: {pv.n_rows:,} rows, {len(pv.columns)} columns.", className="nl-summary",
               id=cid(P, "preview-summary")),
        html.H3("First rows" + (f" (the first {len(cols)} of {len(pv.columns)} columns)" if more else "")),
        html.Div(head, className="nl-table-scroll"),
        html.H3("Columns"),
        html.Div(kinds, className="nl-table-scroll"),
    ]


def preview(contents: Any, filename: Any) -> tuple:
    """The preview, its notes and alert, and the roles form filled from the suggestion (12 outputs)."""
    pv, err = _guarded(read, contents, filename) if contents is not None else (None, "")
    if pv is None:
        return [], [], err, [], None, [], None, [], None, "regression", None, ""
    opts = [{"label": c.name, "value": c.name} for c in pv.columns]
    s = pv.suggested
    name = re.sub(r"\.(csv|parquet|npz)$", "", pv.filename, flags=re.I)
    return (_preview_view(pv), [html.Li(n) for n in pv.notes], "", opts, s.target, opts, s.time, opts, s.group,
            s.task, s.rate_hz, name)


callback(
    Output(cid(P, "preview"), "children"),
    Output(cid(P, "notes"), "children"),
    Output(cid(P, "upload-alert"), "children"),
    Output(cid(P, "target"), "options"),
    Output(cid(P, "target"), "value"),
    Output(cid(P, "time"), "options"),
    Output(cid(P, "time"), "value"),
    Output(cid(P, "group"), "options"),
    Output(cid(P, "group"), "value"),
    Output(cid(P, "task"), "value"),
    Output(cid(P, "rate"), "value"),
    Output(cid(P, "name"), "value"),
    Input(cid(P, "upload"), "contents"),
    State(cid(P, "upload"), "filename"),
)(preview)


# --------------------------------------------------------------------------- the catalogue


def _optional(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def roles(target: Any, task: Any, time: Any, group: Any, rate: Any) -> user.Roles:
    """The form's values as roles; a value no widget sends gets a sentence naming the field."""
    if not isinstance(target, str) or not target:
        raise user.UploadError("Choose the target column first.")
    if task not in user.TASKS:
        raise user.UploadError(f"The task must be one of {', '.join(user.TASKS)}.")
    rate_hz = None
    if rate not in (None, ""):
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate < 1e9:
            raise user.UploadError("The sampling rate must be a positive number of Hz, or left empty.")
        rate_hz = float(rate)
    return user.Roles(target, task, _optional(time), _optional(group), rate_hz)


def add(contents: Any, filename: Any, target: Any, task: Any, time: Any, group: Any, rate: Any, name: Any,
        owner: Any) -> str:
    """Store the uploaded file under ``owner``; returns its id (UploadError with a sentence if refused)."""
    token = owner_ok(owner)
    if token is None:
        raise user.UploadError("This browser has no owner token yet; reload the page and add the file again.")
    data = decode(contents)
    label = name.strip()[:80] if isinstance(name, str) and name.strip() else ""
    return user.catalogue().add(data, _filename(filename), roles(target, task, time, group, rate), owner=token,
                                name=label)


def share(dataset_id: Any, owner: Any) -> str:
    """Add the dataset ``dataset_id`` (from a share link) to ``owner``'s list: a copy of the entry, not the file."""
    token = owner_ok(owner)
    if token is None or not isinstance(dataset_id, str) or not ID_RE.fullmatch(dataset_id.strip()):
        raise user.UploadError("This share link does not name a dataset.")
    return user.catalogue().share(dataset_id.strip(), owner=token)


def delete(dataset_id: Any, owner: Any) -> None:
    token = owner_ok(owner)
    if token is None or not isinstance(dataset_id, str) or not ID_RE.fullmatch(dataset_id):
        raise user.UploadError("There is no such dataset in your list.")
    user.catalogue().delete(dataset_id, owner=token)


def listing(owner: Any) -> list:
    """The owner's datasets, newest first: name, size, roles, when; a share link and a delete button each."""
    token = owner_ok(owner)
    entries = user.catalogue().entries(token) if token else []
    if not entries:
        return [html.P("No datasets yet: upload a file above.", className="nl-help", id=cid(P, "empty"))]
    rows = []
    for e in entries:
        r = e.roles
        said = [f"target {r.target} ({r.task})"] + ([f"time {r.time}"] if r.time else []) + (
            [f"group {r.group}"] if r.group else []) + ([f"{r.rate_hz:g} Hz"] if r.rate_hz else [])
        rows.append((e.name, f"{e.n_rows:,}", f"{len(e.columns)}", "; ".join(said), e.created[:16].replace("T", " "),
                     html.Span([dcc.Link("Open on /splits", href=f"/splits?dataset={user.USER_PREFIX}{e.id}"), " · ",
                                html.A("share link", href=f"/data?share={e.id}", className="nl-share",
                                       title="Give this link to someone: opening it adds the dataset to their list"),
                                ])))
    return [html_table(["Name", "Rows", "Columns", "Roles", "Added (UTC)", ""], rows)]


def picks(owner: Any) -> list[dict[str, str]]:
    """The delete choice's options: the owner's datasets by name (and when added, to tell two of a name apart)."""
    token = owner_ok(owner)
    try:
        entries = user.catalogue().entries(token) if token else []
    except user.UploadError:
        return []
    return [{"label": f"{e.name} ({e.created[:16].replace('T', ' ')})", "value": e.id} for e in entries]


def _answer(owner: Any, said: str) -> tuple:
    items, err = _guarded(listing, owner)
    return (items if items is not None else []), said or err, picks(owner)


def show(shared: Any, owner: Any) -> tuple:
    """On opening the page (and once the browser's token is there): a share link's dataset added, then the list."""
    said = ""
    if isinstance(shared, str) and shared.strip() and owner_ok(owner):
        _, said = _guarded(share, shared, owner)
    return _answer(owner, said)


def on_add(_clicks: Any, owner: Any, contents: Any, filename: Any, target: Any, task: Any, time: Any, group: Any,
           rate: Any, name: Any) -> tuple:
    """The button: store the file (or say why not), then the list, the alert and the status line."""
    got, said = _guarded(add, contents, filename, target, task, time, group, rate, name, owner)
    done = ("Added: it is listed below, and in the dataset choices of /splits, /fitting and /preprocessing under "
            "its name.") if got else ""
    return (*_answer(owner, ""), said, done)


def on_delete(submits: Any, dataset_id: Any, owner: Any) -> tuple:
    """The confirmed Delete button: remove the chosen dataset from the owner's list, then the list."""
    said = ""
    if isinstance(submits, int) and not isinstance(submits, bool) and submits > 0:
        if dataset_id in (None, ""):
            said = "Choose the dataset to delete first."
        else:
            _, said = _guarded(delete, dataset_id, owner)
    return _answer(owner, said)


_FORM = [State(cid(P, n), p) for n, p in (("upload", "contents"), ("upload", "filename"), ("target", "value"),
                                             ("task", "value"), ("time", "value"), ("group", "value"),
                                             ("rate", "value"), ("name", "value"))]
_LIST = [Output(cid(P, "list"), "children"), Output(cid(P, "list-alert"), "children"),
         Output(cid(P, "pick"), "options")]
_AGAIN = [Output(o.component_id, o.component_property, allow_duplicate=True) for o in _LIST]
callback(*_LIST, Input(cid(P, "share"), "value"), Input(OWNER, "data"))(show)
callback(*_AGAIN, Output(cid(P, "add-alert"), "children"), Output(cid(P, "added"), "children"),
         Input(cid(P, "add"), "n_clicks"), State(OWNER, "data"), *_FORM, prevent_initial_call=True)(on_add)
callback(*_AGAIN, Input(cid(P, "delete"), "submit_n_clicks"), State(cid(P, "pick"), "value"), State(OWNER, "data"),
         prevent_initial_call=True)(on_delete)


def _rows_used() -> int:
    """How many rows of a 150,000-row table /fitting's learning curve and /splits' cross-validation work on."""
    return min(150_000, user.INTERACTIVE_ROWS)


QUESTIONS = (
    Value("rows-used", "You add a drive log of 150,000 rows and draw its learning curve on /fitting. On how many of "
          "its rows is the curve computed?", _rows_used,
          "Pages sample a long table down to {answer} rows with a fixed seed (stratified by class for classes), and "
          "cross-validation on /splits uses the same sample. Some parts take fewer rows: the split-size chart on "
          f"/splits {user.LIGHT_ROWS:,} (so that it follows a slider), the hyperparameter searches at most "
          f"{tasks.SEARCH_ROWS:,}, /learning-rate at most {lr.MAX_TRAIN:,} training rows, "
          f"/regularization {regularize.N_TRAIN} or {regularize.STOP_N_TRAIN}, the playground at most "
          f"{playground.DATA.fields['n_points'].hi:,} points. Each caption says how many; the stored file keeps "
          "every row.",
          section="Upload a table"),
    Pick("shuffled-log", "Your table has a time column, and you validate with a shuffled k-fold on /splits. What "
         "does the lab do?",
         ("Nothing: shuffling is always the safe choice", "It warns, with the score difference it measured between "
          "the shuffled and a time-ordered split", "It refuses to split the table"), 1,
         "Neighbouring rows of a log are near-copies, so a shuffled split validates on rows the model has almost "
         "seen. The check measures both splits and reports the difference.",
         section="Give the columns their roles"),
)
