"""A page section, declared once: its controls, its library call, what it draws, light or a job.

A section is the unit every page repeats: a few controls (fields of a
:class:`~neuralab.params.ParamSpec`), one library call on their values, and the charts,
captions and tables built from the result. Declaring it as a :class:`Section` gives,
with no hand-written plumbing:

* the Dash callback (its inputs from the spec's fields, its outputs from ``shows``),
  light or a background job with a progress bar (``job=True``);
* validation, with a bad value answered by a sentence in the chart, its caption and
  the section's alert; the number of outputs on that branch is derived, not counted;
* slider positions turned into values (log sliders), so :meth:`Section.view` and the
  library see parameter values;
* progress reporting, and a background cache key of its own (two sections with the same
  inputs never share cached results);
* a slow thing a light section needs first (a reference network trained once per machine,
  :class:`Needs`): made by the page's jobs, never inside a request;
* a control replayed in the browser (:class:`Replay`): every position answered at once, each
  move drawn by a clientside function without a request;
* like every server callback's outputs, its charts, captions and texts are greyed while an answer is
  pending, until the answer to the newest request is drawn (``nlStale`` in assets/neuralab.js); an
  older request's answer is dropped by Dash's renderer.

The page keeps its layout (prose, controls and :func:`neuralab.app.ui.chart` placed
where they read best) and lists its sections::

    CV = Section(P, "cv", splits.CV, lambda v, progress: splits.run_cv(**v, progress=progress),
                 [Chart("folds", figures.fold_figure, figures.describe_folds)], job=True,
                 fix="Fix the value above to run cross-validation.")
    update_cv = CV.register()

``CV.view({"k": 5, ...})`` is the same answer as a plain function, for tests.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html, set_props
from dash.exceptions import MissingCallbackContextException

from neuralab.app.controls import background, cid, from_widget, live
from neuralab.app.ui import PENDING
from neuralab.params import Float, Int, ParamError, ParamSpec
from neuralab.params import Text as TextField
from neuralab.plots.theme import message_figure
from neuralab.progress import Progress, quiet

__all__ = ["Alert", "Chart", "Needs", "Replay", "Section", "Text", "Together", "replayed", "reporter", "table"]


@dataclass(frozen=True)
class Chart:
    """A graph ``{page}-{id}`` and its caption ``{page}-{id}-summary``, both drawn from the result."""

    id: str
    figure: Callable[[Any], Any]  # result -> go.Figure
    describe: Callable[[Any], Any]  # result -> one sentence (the caption)


@dataclass(frozen=True)
class Text:
    """Any other output ``{page}-{id}`` (a table, notes, a blurb), and what it holds when the inputs are bad."""

    id: str
    build: Callable[[Any], Any]  # result -> the property's value
    prop: str = "children"
    blank: Any = ""  # shown when there is no result


@dataclass(frozen=True)
class Alert:
    """Another alert box ``{page}-{id}`` that says the section's sentence: empty with a result.

    For an alert not named ``{key}-alert`` (with ``alert=False``), or a second one under a
    chart of the same job that sits under its own heading.
    """

    id: str


@dataclass(frozen=True)
class Needs:
    """Something slow that light sections need first, such as a reference network trained once per machine.

    No request may wait seconds for it. A light section that ``needs`` it answers with ``message`` while it is
    not at hand; every job section that ``needs`` it makes it first (inside the job, once: :func:`make` holds a
    lock or is idempotent) and then sets the page's hidden input ``{page}-{id}`` (:meth:`marker`, an input of the
    light sections) to :meth:`key` of the values it made it for; the light sections then answer again.

    The job's word also counts when ``kept`` says no: with Celery the jobs run on other machines, whose disk the
    web server does not see, and the light section then makes it itself (the one case that still waits).
    """

    id: str  # the hidden input is ``{page}-{id}``; a field name of no spec
    spec: ParamSpec  # the fields it depends on (a subset of every section's spec that needs it)
    kept: Callable[[dict[str, Any]], bool]  # at hand already, so the light section takes milliseconds
    make: Callable[[dict[str, Any]], Any]  # make it now (seconds): called in a job
    message: str  # what the light section says while it is being made

    def key(self, values: Mapping[str, Any]) -> str:
        """What the jobs write into the marker once it is made for ``values`` (never the marker's first value "")."""
        return "|".join([self.id, *(str(values[name]) for name in self.spec.fields)])

    def field(self) -> ParamSpec:
        """The marker as an input: free text (a crafted value simply matches no key)."""
        return ParamSpec(self.id, **{self.id: TextField("", max_len=200, label="Made already")})

    def marker(self, page: str) -> dcc.Input:
        """The hidden input the page's layout holds."""
        return dcc.Input(id=cid(page, self.id), type="hidden", value="")

    def ready(self, values: Mapping[str, Any], said: Any) -> bool:
        return said == self.key(values) or self.kept(dict(values))

    def made(self, page: str, values: Mapping[str, Any]) -> None:
        """In a job: make it, then tell the light sections (when called as a plain function, nobody listens)."""
        self.make(self.spec.subset(values))
        try:
            set_props(cid(page, self.id), {"value": self.key(values)})
        except (MissingCallbackContextException, AttributeError):  # no callback, or a context without set_props
            pass


@dataclass(frozen=True)
class Replay:
    """A control replayed in the browser: the server answers once for every position, the browser draws each.

    For a control whose every position is already computed or cheap to compute at once (a marker, a threshold,
    a step through a recorded run, a slider of a few dozen positions). The section's callback stops listening to
    the control: it reads it as ``State`` (to draw the position it stands on), draws every position with the
    section's own builders, and puts what differs between them in a store ``{page}-{key}-replay``: each moving
    trace attribute and layout value per position (a growing array as its longest form and a length per
    position), each position's captions, texts and alert. On every move the clientside function
    ``neuralab.replay`` (assets/neuralab.js) picks the position's slice, applies it with one
    ``Plotly.update`` (only the traces and layout keys that move; ``Plotly.react`` for a figure sent whole)
    and sets the captions: the move never reaches the server, and the numbers are the library's
    (:func:`replayed` is the same selection in Python).
    A position whose figure has another shape (a sentence in place of a chart) is sent whole. Outputs not in
    ``shows`` are drawn at the position the server read (or, if its values break a rule, at one that draws) and
    stay while the control moves: a position that breaks a rule says its sentence in the alert and in the charts
    that follow the control.

    ``control`` is a field of the section's spec (its positions are the field's slider grid, each computed with
    :attr:`Section.run`; the URL follows the slider as before), or the id, after the page prefix, of a slider the
    section owns (``steps`` gives its positions from the result, ``at`` the result drawn at one of them; the
    server draws the last, and the section sets the slider's ``max`` and ``value`` itself).
    """

    control: str  # a field of the section's spec, or a step slider ``{page}-{control}`` of the section's own
    shows: tuple[str, ...]  # ids of the charts (figure and caption) and Text outputs that follow the control
    steps: Callable[[Any], Sequence[Any]] | None = None  # own slider: result -> its positions
    at: Callable[[Any, Any], Any] | None = None  # own slider: (result, position) -> the result drawn there

    def store(self, page: str, key: str) -> str:
        return cid(page, f"{key}-replay")


#: Layout keys never replayed: the template is the same for every figure, ``meta`` carries the replay's own mark.
_FIXED_LAYOUT = ("template", "meta")


def _plain(v: Any) -> Any:
    """A figure's value as plain JSON (numpy arrays as lists, non-finite numbers as null), to compare and send."""
    if hasattr(v, "tolist") and not isinstance(v, str | bytes):
        v = v.tolist()
    if isinstance(v, dict) and "bdata" in v and "dtype" in v:  # plotly's typed-array encoding of a numpy array
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        shape = v.get("shape")
        v = a.reshape([int(n) for n in str(shape).split(",")]).tolist() if shape else a.tolist()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _flat(d: Mapping[str, Any], skip: tuple[str, ...] = (), prefix: str = "") -> dict[str, Any]:
    """``{"marker.color": ...}`` from nested dicts (lists and scalars are leaves), as restyle and relayout take them."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        if k in skip:
            continue
        if isinstance(v, dict) and v:
            out |= _flat(v, prefix=f"{prefix}{k}.")
        else:
            out[f"{prefix}{k}"] = v
    return out


def _shape(fig: Mapping[str, Any]) -> tuple:
    return tuple(t.get("type", "scatter") for t in fig["data"]) if fig["data"] else ("empty",)


def _encode(values: list[Any]) -> dict[str, Any]:
    """One attribute of one trace over the positions: ``{"set": [...]}``, or a growing array as ``{"head", "n"}``."""
    arrays = [v for v in values if v is not None]
    if arrays and all(isinstance(v, list) for v in arrays):
        longest = max(arrays, key=len)
        if len(longest) > 4 and all(v == longest[:len(v)] for v in arrays):
            return {"head": longest, "n": [None if v is None else len(v) for v in values]}
    return {"set": values}


def _chart_frames(figs: list[dict[str, Any]], normal: list[int], ref: int, off: bool) -> dict[str, Any]:
    """What moves in one chart across positions: trace attributes by trace, layout paths, whole figures."""
    traces: dict[str, Any] = {}
    n_traces = len(figs[ref]["data"])
    for j in range(n_traces):
        flats = [_flat(figs[p]["data"][j]) if p in normal else {} for p in range(len(figs))]
        for attr in sorted(set().union(*(flats[p] for p in normal))):
            vals = [flats[p].get(attr) if p in normal else None for p in range(len(figs))]
            if any(vals[p] != vals[normal[0]] for p in normal):
                traces.setdefault(str(j), {})[attr] = _encode(vals)
    lay_flats = [_flat(figs[p]["layout"], _FIXED_LAYOUT) if p in normal else {} for p in range(len(figs))]
    moving = sorted(a for a in set().union(*(lay_flats[p] for p in normal))
                    if any(lay_flats[p].get(a) != lay_flats[normal[0]].get(a) for p in normal))
    layout = [{a: lay_flats[p].get(a) for a in moving} if p in normal and moving else None for p in range(len(figs))]
    whole = [None if p in normal else figs[p] for p in range(len(figs))]
    out: dict[str, Any] = {"traces": traces, "layout": layout if moving else None}
    if off or any(w is not None for w in whole):  # a sentence among the charts (those positions whole), or a
        out |= {"whole": whole, "ref": figs[ref]}  # figure drawn off the grid: a figure to start again from
    return out


def replayed(fig: Mapping[str, Any], chart: Mapping[str, Any], i: int, drawn: int) -> dict[str, Any]:
    """``fig``, the figure drawn at position ``drawn`` (-1: off the grid), as the browser redraws it at ``i``.

    The selection ``neuralab.replay`` makes in the browser, in Python: tests check it against the section's view.
    """
    if chart.get("whole") and chart["whole"][i] is not None:
        return chart["whole"][i]
    out = _plain(dict(fig))
    if drawn < 0 or (chart.get("whole") and chart["whole"][drawn] is not None):
        out = _plain(chart["ref"])
    for j, attrs in chart["traces"].items():
        for attr, enc in attrs.items():
            value = enc["head"][:enc["n"][i]] if "head" in enc else enc["set"][i]
            _put(out["data"][int(j)], attr, value)
    for attr, value in (chart["layout"][i] if chart["layout"] else {}).items():
        _put(out["layout"], attr, value)
    return out


def _put(d: dict[str, Any], path: str, value: Any) -> None:
    *head, last = path.split(".")
    for k in head:
        d = d.setdefault(k, {})
    if value is None:
        d.pop(last, None)
    else:
        d[last] = value


@dataclass(frozen=True)
class Section:
    """One section of a page; see the module docstring."""

    page: str  # the page's id prefix
    key: str  # the section's name; its alert is ``{page}-{key}-alert``
    spec: ParamSpec  # the controls that drive it, in callback order
    run: Callable[[dict[str, Any], Progress], Any]  # (values, progress) -> result: the library call
    shows: Sequence[Chart | Text | Alert]  # the outputs, in order
    fix: str = "Fix the value above to see this chart."  # the first chart's text when a value is bad
    job: bool = False  # a background job with a progress bar on the first chart
    drag: tuple[str, ...] = ()  # fields followed while their slider moves (cheap sections only)
    alert: bool = True  # the section has an alert box under its controls
    kwargs: dict[str, Any] = field(default_factory=dict)  # extra Dash callback arguments
    marks: ParamSpec | None = None  # inputs that only place a marker: a bad one falls back to its default
    needs: Needs | None = None  # made first by a job; a light section waits for it with a sentence
    replay: Replay | None = None  # a control whose every position is answered at once and drawn in the browser

    # ------------------------------------------------------------------ outputs

    def outputs(self) -> list[Output]:
        outs: list[Output] = []
        for s in self.shows:
            if isinstance(s, Chart):
                outs += [Output(cid(self.page, s.id), "figure"), Output(cid(self.page, f"{s.id}-summary"), "children")]
            elif isinstance(s, Alert):
                outs.append(Output(cid(self.page, s.id), "children"))
            else:
                outs.append(Output(cid(self.page, s.id), s.prop))
        if self.replay is not None:  # before the alert, which stays the last output
            outs.append(Output(self.replay.store(self.page, self.key), "data"))
        if self.alert:
            outs.append(Output(cid(self.page, f"{self.key}-alert"), "children"))
        return outs

    def blank(self, message: str, fix: str | None = None) -> tuple:
        """What every output shows when the inputs are bad: the sentence in the first chart, caption and alert.

        ``fix`` replaces the first chart's :attr:`fix` text (a section waiting for what it needs asks for no fix).
        A section waiting (``fix`` is :data:`PENDING`) says so in every chart, not in the first alone: the others
        would be bare blanks, neither drawn nor computing.
        """
        out: list[Any] = []
        first = True
        rest = PENDING if fix == PENDING else ""
        for s in self.shows:
            if isinstance(s, Chart):
                out += [message_figure((self.fix if fix is None else fix) if first else rest), message if first else ""]
                first = False
            else:
                out.append(message if isinstance(s, Alert) else s.blank)
        if self.replay is not None:
            out.append(None)
        if self.alert:
            out.append(message)
        return tuple(out)

    def draw(self, result: Any) -> tuple:
        """Every output, built from a library result."""
        out: list[Any] = []
        for s in self.shows:
            if isinstance(s, Chart):
                out += [s.figure(result), s.describe(result)]
            else:
                out.append("" if isinstance(s, Alert) else s.build(result))
        if self.replay is not None:
            out.append(None)
        if self.alert:
            out.append("")
        return tuple(out)

    # ------------------------------------------------------------------ the answer

    def view(self, values: Mapping[str, Any], progress: Progress = quiet) -> tuple:
        """The section's outputs for parameter ``values`` (unchecked: a bad one becomes a sentence).

        ``values`` may be the whole page's: fields of other sections are ignored, missing ones take their default.
        With a :class:`Replay`, the store holds every position of its control (``None`` when none can be drawn).
        """
        if self.replay is not None:
            return self._replay_view(values, progress)
        ok, got = self._result(values, progress)
        return self.draw(got) if ok else got

    def _result(self, values: Mapping[str, Any], progress: Progress) -> tuple[bool, Any]:
        """``(True, the library's result)``, or ``(False, the blank outputs with the sentence)``."""
        try:
            checked = self.spec.validate(self.spec.subset(values))  # a page's values hold other sections' too
            if self.marks:  # never blocks the result: a bad marker position sits at its default
                checked |= self.marks.check(self.marks.subset(values))[0]
            if self.needs is not None and self.job:
                self.needs.made(self.page, checked)
            elif self.needs is not None and not self.needs.ready(checked, values.get(self.needs.id)):
                return False, self.blank(self.needs.message, fix=PENDING)
            return True, self.run(checked, progress)
        except ParamError as exc:
            return False, self.blank(" ".join(exc.messages))

    # ------------------------------------------------------------------ the replay

    def _replay_view(self, values: Mapping[str, Any], progress: Progress) -> tuple:
        """The outputs at the control's current position, and the store with every position."""
        r = self.replay
        assert r is not None
        if r.control in self.spec.fields:  # a field: every position of its slider, each a library call
            f = self.spec.fields[r.control]
            grid = _grid(f)
            here = values.get(r.control, f.default)
            outs = [self._position(values, v, progress) for v in grid]
            try:
                at: int | None = next(i for i, v in enumerate(grid) if _same(v, here))
                current = outs[at]  # type: ignore[index]
            except StopIteration:  # off the grid (a crafted value): drawn by itself, the store still replays the grid
                at, current = None, self._position(values, here, progress)
            slider = [f.to_slider(v) for v in grid]
        else:  # a slider of the section's own: one library call, then the result at each step (the last drawn)
            ok, got = self._result(values, progress)
            if not ok:
                return got
            assert r.steps is not None and r.at is not None
            slider = list(r.steps(got))
            outs = [self.draw(r.at(got, k)) for k in slider]
            at, current = len(outs) - 1, outs[-1]
        store = self._store(values, outs, slider, at)
        current = list(current)
        if store is not None and self.alert and current[-1]:  # the control's position breaks a rule: what does
            ref = next(o for o in outs if o[-1] == "")  # not follow it is drawn from a position that draws
            follow = {m for _, n in self._moving_charts() for m in (n, n + 1)} | {n for _, n in self._moving_texts()}
            for n in range(len(current) - 2):
                if n not in follow:
                    current[n] = ref[n]
        if store is not None:
            for _, n in self._moving_charts():
                current[n] = _marked(current[n], store["token"], -1 if at is None else at)
        current[len(current) - (2 if self.alert else 1)] = store
        return tuple(current)

    def store(self) -> dcc.Store:
        """The replay's store, for the page's layout (beside the control)."""
        assert self.replay is not None, f"section {self.key} replays no control"
        return dcc.Store(id=self.replay.store(self.page, self.key))

    def _position(self, values: Mapping[str, Any], v: Any, progress: Progress) -> tuple:
        ok, got = self._result({**values, self.replay.control: v}, progress)  # type: ignore[union-attr]
        return self.draw(got) if ok else got

    def _indexed(self) -> list[tuple[Chart | Text | Alert, int]]:
        """Each output of ``shows`` with the index of its first value in the outputs."""
        out, n = [], 0
        for s in self.shows:
            out.append((s, n))
            n += 2 if isinstance(s, Chart) else 1
        return out

    def _moving_charts(self) -> list[tuple[str, int]]:
        return [(s.id, n) for s, n in self._indexed() if isinstance(s, Chart) and s.id in self.replay.shows]  # type: ignore[union-attr]

    def _moving_texts(self) -> list[tuple[Text, int]]:
        return [(s, n) for s, n in self._indexed() if isinstance(s, Text) and s.id in self.replay.shows]  # type: ignore[union-attr]

    def _store(self, values: Mapping[str, Any], outs: list[tuple], slider: list[Any], at: int | None) -> dict | None:
        """What the browser needs to draw every position; None when no position has a chart to draw."""
        drawn = [p for p, o in enumerate(outs) if o[-1] == ""] if self.alert else list(range(len(outs)))
        if not drawn:
            return None  # every position says a sentence: nothing to replay
        charts = []
        for graph, n in self._moving_charts():
            figs = [_plain(o[n].to_plotly_json()) for o in outs]
            shapes = [_shape(f) for f in figs]
            ref = at if at is not None and at in drawn else drawn[0]
            normal = [p for p in drawn if shapes[p] == shapes[ref]]
            charts.append({"graph": cid(self.page, graph), **_chart_frames(figs, normal, ref, at is None),
                           "captions": [o[n + 1] for o in outs]})
        texts = [[o[n] for o in outs] for _, n in self._moving_texts()]
        token = hashlib.sha1(repr((self.page, self.key, sorted((k, repr(v)) for k, v in values.items()
                                                                if k != self.replay.control), at)).encode()  # type: ignore[union-attr]
                             ).hexdigest()[:12]
        return {"token": token, "positions": slider, "at": at, "charts": charts, "texts": texts,
                "alert": [o[-1] for o in outs] if self.alert else None}

    def answer(self, positions: Mapping[str, Any], progress: Progress = quiet) -> tuple:
        """The outputs for the widgets' raw ``positions`` (log sliders move in log10 units)."""
        try:
            values = from_widget(self._every(), positions)
        except (KeyError, TypeError):
            return self.blank("These controls do not belong to this section.")
        return self.view(values, progress)

    # ------------------------------------------------------------------ Dash

    def inputs(self) -> list[Input | State]:
        """The callback's inputs; a replayed field is read last, as ``State`` (moving it sends no request)."""
        ins: list[Input | State] = []
        for name in self._order():
            if name == self._replayed():
                ins.append(State(cid(self.page, name), "value"))
                continue
            if name in self.drag:
                ins.append(Input(cid(self.page, name), "drag_value"))
            ins.append(Input(cid(self.page, name), "value"))
        return ins

    def positions(self, args: Sequence[Any]) -> dict[str, Any]:
        """The callback's arguments (in :meth:`inputs` order) as ``{field: position}``."""
        it = iter(args)
        out = {}
        for name in self._order():
            out[name] = live(next(it), next(it)) if name in self.drag and name != self._replayed() else next(it)
        return out

    def _replayed(self) -> str | None:
        """The replayed field, if the replay's control is one."""
        return self.replay.control if self.replay is not None and self.replay.control in self.spec.fields else None

    def _order(self) -> list[str]:
        names = [n for n in self._every().fields if n != self._replayed()]
        return names + ([self._replayed()] if self._replayed() else [])  # type: ignore[list-item]

    def function(self) -> Callable[..., tuple]:
        """The callback as a plain function of the widgets' values (after ``set_progress`` for a job)."""
        n_args = len(self.inputs())
        if self.job:
            def update(set_progress: Callable[[tuple[str, str]], None], *args: Any) -> tuple:
                return self.answer(self.positions(args[:n_args]), reporter(set_progress))
        else:
            def update(*args: Any) -> tuple:
                return self.answer(self.positions(args[:n_args]))
        update.__name__ = update.__qualname__ = f"update_{self.key.replace('-', '_')}"
        update.nl_key = f"{self.page}.{self.key}"  # type: ignore[attr-defined]  # keys its background cache
        return update

    def register(self) -> Callable[..., tuple]:
        """Register the section's Dash callback; returns it (a plain function tests can call)."""
        kwargs = dict(self.kwargs)
        if self.job:
            first, *rest = [cid(self.page, c) for c in self._charts()]
            kwargs = {**background(first, also=rest), **kwargs}
        if self.replay is not None:
            self._register_replay()
        return callback(*self.outputs(), *self.inputs(), **kwargs)(self.function())

    def _register_replay(self) -> None:
        """The clientside callback that draws each position of the replayed control (``neuralab.replay``)."""
        r = self.replay
        assert r is not None
        outs = [Output(cid(self.page, f"{g}-summary"), "children", allow_duplicate=True)
                for g, _ in self._moving_charts()]
        outs += [Output(cid(self.page, t.id), t.prop, allow_duplicate=True) for t, _ in self._moving_texts()]
        if self.alert:
            outs.append(Output(cid(self.page, f"{self.key}-alert"), "children", allow_duplicate=True))
        control = cid(self.page, r.control)
        clientside_callback(ClientsideFunction("neuralab", "replay"), *outs,
                            Input(control, "drag_value"), Input(control, "value"),
                            Input(r.store(self.page, self.key), "data"), prevent_initial_call=True)

    def _first_chart(self) -> str:
        return next(s.id for s in self.shows if isinstance(s, Chart))

    def _charts(self) -> list[str]:
        return [s.id for s in self.shows if isinstance(s, Chart)]

    def _every(self) -> ParamSpec:
        """The spec, the marks and a light section's :class:`Needs` marker: every input of the callback."""
        extra = [m for m in (self.marks, None if self.needs is None or self.job else self.needs.field()) if m]
        return ParamSpec.merge(self.spec.name, self.spec, *extra) if extra else self.spec


@dataclass(frozen=True)
class Together:
    """Several sections answered by one background job: one of the browser's two job slots, one progress bar.

    Each part keeps its own validation: a bad value blanks only the parts whose spec holds it.
    The first part's first chart carries the bar, every part's first chart looks busy, and
    ``steps`` (each part's progress total) make the bar run once from 0 to their sum.
    """

    page: str
    key: str  # keys the job's background cache
    parts: tuple[Section, ...]
    steps: tuple[int, ...]  # progress units each part reports, in order

    def outputs(self) -> list[Output]:
        return [o for part in self.parts for o in part.outputs()]

    def inputs(self) -> list[Input]:
        ins: list[Input] = []
        for part in self.parts:
            ins += [i for i in part.inputs() if all(str(i) != str(j) for j in ins)]
        return ins

    def view(self, values: Mapping[str, Any], progress: Progress = quiet) -> tuple:
        """Every part's outputs for parameter ``values``, one after the other."""
        return self._each(lambda part, report: part.view(part._every().subset(values), report), progress)

    def answer(self, positions: Mapping[str, Any], progress: Progress = quiet) -> tuple:
        """Every part's outputs for the widgets' raw ``positions``."""
        return self._each(lambda part, report: part.answer(part._every().subset(positions), report), progress)

    def _each(self, call: Callable[[Section, Progress], tuple], progress: Progress) -> tuple:
        out: list[Any] = []
        total, offset = sum(self.steps), 0
        for part, n in zip(self.parts, self.steps, strict=True):
            out += call(part, lambda done, _n, at=offset: progress(at + done, total))
            offset += n
        return tuple(out)

    def function(self) -> Callable[..., tuple]:
        """The callback as a plain function: ``set_progress``, then the widgets' values."""
        ins = [str(i) for i in self.inputs()]

        def update(set_progress: Callable[[tuple[str, str]], None], *args: Any) -> tuple:
            given = dict(zip(ins, args, strict=True))
            positions: dict[str, Any] = {}
            for part in self.parts:
                positions |= part.positions([given[str(i)] for i in part.inputs()])
            return self.answer(positions, reporter(set_progress))
        update.__name__ = update.__qualname__ = f"update_{self.key.replace('-', '_')}"
        update.nl_key = f"{self.page}.{self.key}"  # type: ignore[attr-defined]
        return update

    def register(self) -> Callable[..., tuple]:
        """Register the one background job; returns it (a plain function tests can call)."""
        first, *rest = [cid(self.page, c) for p in self.parts for c in p._charts()]
        kwargs = background(first, also=rest)  # every chart of every part greys while the one job runs
        for part in self.parts:
            if part.replay is not None:
                part._register_replay()
        return callback(*self.outputs(), *self.inputs(), **kwargs)(self.function())


def reporter(set_progress: Callable[[tuple[str, str]], None]) -> Progress:
    """A library progress callback that drives a background job's progress bar."""
    return lambda done, total: set_progress((str(done), str(total)))


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> html.Table:
    """A table whose first column names each row (rows and columns get header scope for screen readers)."""
    return html.Table([
        html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
        html.Tbody([html.Tr([html.Th(r[0], scope="row"), *(html.Td(c) for c in r[1:])]) for r in rows]),
    ])


def _grid(f: Any) -> list[Any]:
    """Every value a field's slider can take, in order (a replayed field must be a slider with a step)."""
    if isinstance(f, Int):
        return list(range(f.lo, f.hi + 1, f.step))
    if isinstance(f, Float) and f.step:
        lo, hi = f.to_slider(f.lo), f.to_slider(f.hi)
        n = round((hi - lo) / f.step)
        at = [round(lo + k * f.step, 10) for k in range(n + 1)]
        return [f.from_slider(x) for x in at] if f.log else at
    raise TypeError(f"a replayed field must be a slider with a step, not {f!r}")


def _same(a: Any, b: Any) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    except (TypeError, ValueError, OverflowError):  # a crafted value: never on the grid
        return False


def _marked(fig: Any, token: str, at: int) -> Any:
    """The server's figure, marked as the replay's position ``at`` (the browser restyles only a figure it knows)."""
    if hasattr(fig, "update_layout"):
        fig.update_layout(meta={"replay": token, "at": at})
    return fig
