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
  :class:`Needs`): made by the page's jobs, never inside a request.

The page keeps its layout (prose, controls and :func:`neuralab.app.ui.chart` placed
where they read best) and lists its sections::

    CV = Section(P, "cv", splits.CV, lambda v, progress: splits.run_cv(**v, progress=progress),
                 [Chart("folds", figures.fold_figure, figures.describe_folds)], job=True,
                 fix="Fix the value above to run cross-validation.")
    update_cv = CV.register()

``CV.view({"k": 5, ...})`` is the same answer as a plain function, for tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dash import Input, Output, callback, dcc, html, set_props
from dash.exceptions import MissingCallbackContextException

from neuralab.app.controls import background, cid, from_widget, live
from neuralab.params import ParamError, ParamSpec
from neuralab.params import Text as TextField
from neuralab.plots.theme import message_figure
from neuralab.progress import Progress, quiet

__all__ = ["Alert", "Chart", "Needs", "Section", "Text", "Together", "reporter", "table"]


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
        if self.alert:
            outs.append(Output(cid(self.page, f"{self.key}-alert"), "children"))
        return outs

    def blank(self, message: str, fix: str | None = None) -> tuple:
        """What every output shows when the inputs are bad: the sentence in the first chart, caption and alert.

        ``fix`` replaces the first chart's :attr:`fix` text (a section waiting for what it needs asks for no fix).
        """
        out: list[Any] = []
        first = True
        for s in self.shows:
            if isinstance(s, Chart):
                out += [message_figure((self.fix if fix is None else fix) if first else ""), message if first else ""]
                first = False
            else:
                out.append(message if isinstance(s, Alert) else s.blank)
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
        if self.alert:
            out.append("")
        return tuple(out)

    # ------------------------------------------------------------------ the answer

    def view(self, values: Mapping[str, Any], progress: Progress = quiet) -> tuple:
        """The section's outputs for parameter ``values`` (unchecked: a bad one becomes a sentence).

        ``values`` may be the whole page's: fields of other sections are ignored, missing ones take their default.
        """
        try:
            checked = self.spec.validate(self.spec.subset(values))  # a page's values hold other sections' too
            if self.marks:  # never blocks the result: a bad marker position sits at its default
                checked |= self.marks.check(self.marks.subset(values))[0]
            if self.needs is not None and self.job:
                self.needs.made(self.page, checked)
            elif self.needs is not None and not self.needs.ready(checked, values.get(self.needs.id)):
                return self.blank(self.needs.message, fix="Computing…")
            result = self.run(checked, progress)
        except ParamError as exc:
            return self.blank(" ".join(exc.messages))
        return self.draw(result)

    def answer(self, positions: Mapping[str, Any], progress: Progress = quiet) -> tuple:
        """The outputs for the widgets' raw ``positions`` (log sliders move in log10 units)."""
        try:
            values = from_widget(self._every(), positions)
        except (KeyError, TypeError):
            return self.blank("These controls do not belong to this section.")
        return self.view(values, progress)

    # ------------------------------------------------------------------ Dash

    def inputs(self) -> list[Input]:
        ins = []
        for name in self._every().fields:
            if name in self.drag:
                ins.append(Input(cid(self.page, name), "drag_value"))
            ins.append(Input(cid(self.page, name), "value"))
        return ins

    def positions(self, args: Sequence[Any]) -> dict[str, Any]:
        """The callback's arguments (in :meth:`inputs` order) as ``{field: position}``."""
        it = iter(args)
        out = {}
        for name in self._every().fields:
            out[name] = live(next(it), next(it)) if name in self.drag else next(it)
        return out

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
            kwargs = {**background(cid(self.page, self._first_chart())), **kwargs}
        return callback(*self.outputs(), *self.inputs(), **kwargs)(self.function())

    def _first_chart(self) -> str:
        return next(s.id for s in self.shows if isinstance(s, Chart))

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
        kwargs = background(cid(self.page, self.parts[0]._first_chart()))
        busy = [(Output(f"{cid(self.page, p._first_chart())}-box", "className"), "nl-graph nl-busy", "nl-graph")
                for p in self.parts[1:]]
        kwargs["running"] = [*kwargs["running"], *busy]
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
