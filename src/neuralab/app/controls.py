"""Controls built from declared parameters, and the URL that mirrors them.

``control(page, name, field, value)`` draws a slider, an option list or a number box
from one field of a :class:`~neuralab.params.ParamSpec`; ``url_sync`` writes every
control of a page into the query string, so the view is a link.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dash import Input, Output, State, callback, clientside_callback, dcc, html

from neuralab.params import SEED, Bool, Choice, Field, Float, Int, ParamError, ParamSpec, Text

#: Int fields with more steps than this get a number box rather than a slider.
MAX_SLIDER_STEPS = 200


def cid(page: str, name: str) -> str:
    """The component id of control ``name`` on ``page``."""
    return f"{page}-{name}"


def control(page: str, name: str, f: Field, value: Any, drag: bool = False, idle: str | None = None) -> html.Div:
    """A labelled control for field ``f``, showing ``value``.

    With ``drag`` a slider reports every step while it moves (for callbacks cheap
    enough to follow a drag); otherwise it reports on release. ``idle`` is for a field that
    another choice can make ignored (:class:`~neuralab.params.Applies`): ``""`` while it applies,
    the sentence saying why while it does not (the control is then disabled); ``None`` for any other.
    """
    ident = cid(page, name)
    label_id = f"{ident}-label"
    title = f.label or name
    unit = getattr(f, "unit", "")
    widget: Any
    if isinstance(f, Choice):
        widget = dcc.RadioItems(
            id=ident,
            options=[{"label": lab, "value": val} for val, lab in f.options],
            value=value,
            inline=True,
            className="nl-radio",
            inputClassName="nl-radio-input",
        )
    elif isinstance(f, Bool):
        widget = dcc.RadioItems(
            id=ident,
            options=[{"label": "on", "value": True}, {"label": "off", "value": False}],
            value=bool(value),
            inline=True,
            className="nl-radio",
            inputClassName="nl-radio-input",
        )
    elif isinstance(f, Text):  # debounce: sent on Enter or on leaving the box, not on every key
        widget = dcc.Input(id=ident, type="text", value=value, maxLength=f.max_len, debounce=True,
                           spellCheck="false", className="nl-text")
    elif not _is_slider(f):
        widget = dcc.Input(
            id=ident, type="number", min=f.lo, max=f.hi, step=f.step, value=value, debounce=True,
            className="nl-number",
        )
    else:
        widget = _slider(ident, f, value, drag)
    why = None
    if idle is not None:
        if isinstance(widget, dcc.RadioItems):
            raise TypeError(f"{name}: an option list cannot be disabled yet; only sliders and boxes can be idle")
        widget.disabled = bool(idle)
        why = html.Div(idle, id=f"{ident}-why", className="nl-why")
    return html.Div(
        [
            html.Label(
                [
                    title,
                    html.Span(f" ({unit})" if unit and not _names_unit(title, unit) else "", className="nl-unit"),
                    html.Output(_readout(value, unit), id=f"{ident}-readout", className="nl-readout",
                                htmlFor=ident) if _is_slider(f) else None,
                ],
                id=label_id,
                htmlFor=ident,
                className="nl-label",
            ),
            widget,
            why,
            html.Div(f.help, className="nl-help") if f.help else None,
        ],
        className="nl-control nl-idle" if idle else "nl-control",
        role="group",
        **{"aria-labelledby": label_id, "data-label": title},
        **({"id": f"{ident}-control"} if idle is not None else {}),
    )


def _names_unit(title: str, unit: str) -> bool:
    """Whether ``title`` already says ``unit`` ("Points" and "points"): then the label does not repeat it."""
    words = {w.strip("()[],.").lower() for w in title.split()}
    return unit.lower() in words or unit.lower().rstrip("s") in words


def _is_slider(f: Field) -> bool:
    if isinstance(f, Choice | Bool | Text):
        return False
    return not (isinstance(f, Int) and (f.hi - f.lo) / f.step > MAX_SLIDER_STEPS)


def _readout(value: Any, unit: str) -> str:
    if isinstance(value, float):
        value = short_number(value)
    return f"{value}{unit if unit == '%' else ''}"


def short_number(v: float) -> str:
    """A slider's value as its readout writes it: 4 significant digits, powers of ten below 1e-3 ("1e-5", not
    "1e-05" or "0.00001"), as the log slider's marks and the browser's readout (``nlNum``) write them."""
    if v != 0 and abs(v) < 1e-3:
        mantissa, exp = f"{v:.3e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exp)}"
    return f"{v:.4g}"


def _on_grid(pos: float, lo: float, step: float | None) -> float:
    """Snap a slider position to its step grid when it is within rounding of a grid point.

    A link carries a log slider's value to six significant digits, so log10 of it lands a
    hair off the grid (-1.3499996 for 10**-1.35); the handle should sit on -1.35 again.
    """
    if not step:
        return pos
    k = round((pos - lo) / step)
    snapped = round(lo + k * step, 10)
    return snapped if abs(snapped - pos) <= 1e-4 * step else pos


#: window.dccFunctions' name for a log slider's tooltip (assets/neuralab.js): 10 to the position, 3 digits
LOG_TOOLTIP = "nlPow10"


def _slider(ident: str, f: Int | Float, value: float, drag: bool) -> dcc.Slider:
    lo, hi = f.to_slider(f.lo), f.to_slider(f.hi)
    marks: dict[float, str]
    if isinstance(f, Float) and f.log:
        marks = {float(e): f"1e{e}" for e in range(int(lo), int(hi) + 1)}
    else:
        marks = {lo: f"{f.lo:g}", hi: f"{f.hi:g}"}
    return dcc.Slider(
        id=ident,
        min=lo,
        max=hi,
        step=f.step,
        value=_on_grid(f.to_slider(value), lo, f.step),
        marks=marks,
        # a log slider moves in log10 units: its tooltip shows the value, as its readout does (assets/neuralab.js)
        tooltip={"placement": "top", "always_visible": False,
                 **({"transform": LOG_TOOLTIP} if isinstance(f, Float) and f.log else {})},
        allow_direct_input=False,
        updatemode="drag" if drag else "mouseup",
        className="nl-slider",
    )


def controls(
    page: str, spec: ParamSpec, values: Mapping[str, Any], names: list[str] | None = None, drag: bool = False
) -> list:
    """Controls for ``names`` (default: every field) of ``spec``; those ``values`` make ignored start disabled."""
    idle = spec.idle(values)
    governed = {a.name for a in spec.applies}
    return [control(page, n, spec.fields[n], values[n], drag, idle.get(n, "") if n in governed else None)
            for n in (names or list(spec.fields))]


def from_widget(spec: ParamSpec, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Map slider positions back to values (log sliders move in log10 units), at the slider's resolution."""
    out = {}
    for name, v in raw.items():
        f = spec.fields[name]
        if isinstance(f, Float) and isinstance(v, int | float) and not isinstance(v, bool):
            try:
                out[name] = f.snap(f.from_slider(v) if f.log else float(v))
            except OverflowError:  # an int too large for a float: validation refuses it with its own sentence
                out[name] = v
        else:
            out[name] = v
    return out


def live(drag: Any, value: Any) -> Any:
    """A slider's position: ``drag_value`` while it moves, else its settled ``value``.

    For callbacks that follow a ``mouseup`` slider's drag while heavier ones wait for the release.
    """
    return value if drag is None else drag


def checked(spec: ParamSpec, raw: Mapping[str, Any], run: Callable[[dict[str, Any]], Any]) -> tuple[Any, str]:
    """Validate ``raw`` with ``spec`` and call ``run`` on the values.

    Returns ``(result, "")``, or ``(None, sentence)`` when a value breaks its
    declaration: bad input from a slider, the URL or a crafted request becomes a
    sentence on the page, never a traceback.
    """
    try:
        values = spec.validate(from_widget(spec, raw))
        return run(values), ""
    except ParamError as exc:
        return None, " ".join(exc.messages)


def background(graph_id: str, also: Sequence[str] = ()) -> dict[str, Any]:
    """Keyword arguments that make a callback a background job feeding chart ``graph_id`` (and charts ``also``).

    The callback's first argument becomes ``set_progress((done, total))``. The job
    is cancelled when the user leaves the page. A newer request of the same callback makes the
    browser drop the older one's answer; Dash also stops the older job, but only once the browser
    knows its id (a job whose start is still on its way runs to its end, and its answer is discarded).
    While it runs, every chart it feeds is greyed (``nl-busy``); the progress bar is ``graph_id``'s.
    Dash also ends that look when an older request ends after a newer one started (one whose job id it
    did not know yet): what keeps every output of a pending answer greyed until the newest is drawn is
    ``nlStale`` (assets/neuralab.js).
    """
    from neuralab.app.jobs import POLL_MS

    bar = f"{graph_id}-progress"
    return dict(
        background=True,
        progress=[Output(bar, "value"), Output(bar, "max")],
        progress_default=["0", "1"],
        running=[
            (Output(bar, "className"), "nl-progress nl-running", "nl-progress"),
            *((Output(f"{g}-box", "className"), "nl-graph nl-busy", "nl-graph") for g in (graph_id, *also)),
        ],
        cancel=[Input("url", "pathname")],
        interval=POLL_MS,
    )


def alert(message_id: str) -> html.Div:
    """Where a section's complaints about its inputs appear (read out by screen readers)."""
    return html.Div(id=message_id, className="nl-alert", role="alert", **{"aria-live": "polite"})


def wire(page: str, spec: ParamSpec) -> None:
    """Register a page's browser-side plumbing: live slider readouts and the URL sync."""
    for name, f in spec.fields.items():
        if _is_slider(f):
            unit = "%" if getattr(f, "unit", "") == "%" else ""
            log = isinstance(f, Float) and f.log
            clientside_callback(
                f"""function(v) {{
                    if (v === null || v === undefined) return window.dash_clientside.no_update;
                    {"v = window.nlNum(Math.pow(10, v));" if log else ""}
                    return String(v) + {unit!r};
                }}""",
                Output(f"{cid(page, name)}-readout", "children"),
                Input(cid(page, name), "drag_value"),
            )
    idle_sync(page, spec)
    url_sync(page, spec)


def idle_sync(page: str, spec: ParamSpec) -> None:
    """Disable each control while the choice it depends on makes it ignored, and show why (in the browser).

    One clientside callback per governed field (:class:`~neuralab.params.Applies`), driven by the choices it
    depends on; the first rule that does not hold gives the sentence. :meth:`ParamSpec.idle` is the same in Python.
    """
    for name in dict.fromkeys(a.name for a in spec.applies):
        rules = [a for a in spec.applies if a.name == name]
        ident = cid(page, name)
        table = [[list(a.options), a.why(spec.fields)] for a in rules]
        clientside_callback(
            f"""function() {{
                const rules = {json.dumps(table)};
                for (let i = 0; i < rules.length; i++) {{
                    if (!rules[i][0].includes(arguments[i])) return [true, rules[i][1], "nl-control nl-idle"];
                }}
                return [false, "", "nl-control"];
            }}""",
            Output(ident, "disabled"),
            Output(f"{ident}-why", "children"),
            Output(f"{ident}-control", "className"),
            [Input(cid(page, a.choice), "value") for a in rules],
            prevent_initial_call=True,
        )


def url_sync(page: str, spec: ParamSpec) -> None:
    """Mirror every control of ``page`` in the URL query, in the browser (no round trip).

    The address is replaced, not pushed: a slider drag does not fill the history,
    and Back leaves the page rather than stepping through its states.
    """
    names = list(spec.fields)
    logs = [n for n, f in spec.fields.items() if isinstance(f, Float) and f.log]
    clientside_callback(
        f"""function() {{
            const names = {names!r}, logs = {logs!r}, p = new URLSearchParams();
            for (let i = 0; i < names.length; i++) {{
                let v = arguments[i];
                if (v === null || v === undefined) continue;
                if (logs.includes(names[i])) v = Number(Math.pow(10, v).toPrecision(6));
                p.set(names[i], v);
            }}
            const search = '?' + p.toString();
            if (window.location.search !== search) {{
                window.history.replaceState(window.history.state, '', window.location.pathname + search);
            }}
            return window.dash_clientside.no_update;
        }}""",
        Output("url", "search", allow_duplicate=True),
        [Input(cid(page, n), "value") for n in names],
        prevent_initial_call=True,
    )


def reseed_button(page: str, label: str) -> html.Button:
    """A button that draws new random data by moving the page's seed on by one (see :func:`wire_reseed`)."""
    return html.Button(label, id=cid(page, "resample"), n_clicks=0, className="nl-button")


def next_seed(_n_clicks: int | None, seed: Any) -> int:
    """The next seed, wrapping at the top of its range; a broken seed box restarts at its default + 1."""
    try:
        current = SEED.coerce("seed", seed)
    except ValueError:
        current = SEED.default
    return SEED.lo + (current + 1 - SEED.lo) % (SEED.hi - SEED.lo + 1)


def wire_reseed(page: str) -> Callable[[int | None, Any], int]:
    """Register the reseed button's callback for ``page``; returns it (callable as a plain function)."""
    return callback(
        Output(cid(page, "seed"), "value"),
        Input(cid(page, "resample"), "n_clicks"),
        State(cid(page, "seed"), "value"),
        prevent_initial_call=True,
    )(next_seed)
