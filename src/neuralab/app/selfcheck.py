"""Self-checks: short questions at the end of a page, answered and checked in the browser.

A page module (or one of its part modules) lists its questions as ``QUESTIONS``. A
:class:`Pick` is multiple choice; a :class:`Value` has one right answer, a number or a short
text (a shape such as ``(32, 8, 96)``), which :attr:`Value.answer` computes with the lab's own
library when the page is built (once per server process), so it cannot go stale. Each question names the heading of
the section that teaches it, and the check links there::

    QUESTIONS = (
        Value("zero-weights", "After pruning 30 % of a 64×32 layer by magnitude, how many weights are zero?",
              lambda: int(prune(...).zeros), "Magnitude pruning zeroes the 30 % smallest: {answer} of 2048.",
              section="Magnitude pruning"),
    )

:func:`block` turns them into the page's "Check yourself" block, which :func:`neuralab.app.shell.render`
puts at the end of every built page. The expected answer travels with the block (as a ``data-`` attribute)
and ``assets/selfcheck.js`` checks what the learner types against it with the rule of :func:`normalise`
and :func:`accepts` (kept identical in both languages; the tests hold them to the same cases). Progress stays in
the browser's localStorage; nothing about answers reaches the server. Each question is ``#check-{key}``, so
``/pruning?sparsity=80#check-zeros`` opens the page with that state and scrolls to that question.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from types import ModuleType

from dash import dcc, html

from neuralab.app.jobs import GATE
from neuralab.app.ui import anchor

__all__ = ["Pick", "Value", "questions", "block", "normalise", "accepts", "expected", "shown"]

log = logging.getLogger("neuralab")

#: A page's Value answers (and callable prompts) get this long together when it is first built; slower ones are
#: left out of that visit (and kept, once computed, for the next).
BUDGET_S = 0.5


@dataclass(frozen=True)
class Pick:
    """A multiple-choice question: ``options[correct]`` is the right one."""

    key: str  # unique on its page; the instructor's link is /page#check-{key}
    prompt: str
    options: tuple[str, ...]
    correct: int
    explain: str  # why, shown after any answer
    section: str  # the heading (H2) of the section that teaches it


@dataclass(frozen=True)
class Value:
    """A question with one answer, computed by the library when the page is opened."""

    key: str
    prompt: str | Callable[[], str]
    answer: Callable[[], float | int | str]
    explain: str  # may hold "{answer}"
    section: str
    tolerance: float = 0.0  # relative, for numbers (0: exact)
    unit: str = ""


def questions(module: ModuleType) -> tuple[Pick | Value, ...]:
    """A page's questions: its own ``QUESTIONS``, then each part's, in page order."""
    found = list(getattr(module, "QUESTIONS", ()))
    for part in getattr(module, "PARTS", ()):
        found.extend(getattr(part, "QUESTIONS", ()))
    return tuple(found)


# ---------------------------------------------------------------- the rule that accepts an answer
# Kept in step with normalise()/accepts() in assets/selfcheck.js.

_SEPARATORS = re.compile(r"[,;]")
_TIMES = re.compile(r"(?<=\d)\s*[x×*]\s*(?=\d)")  # 32×8×96 or 32 x 8 x 96, read as a list
_SPACES = re.compile(r"[\s_'\u00a0\u2009\u202f]+")  # 1 000, 1_000, 1'000, thin spaces: all one number
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?")


def normalise(text: str, unit: str = "") -> list[float | str]:
    """What a typed answer says: a list of numbers (and lower-case words), brackets and a trailing unit dropped.

    ``"(32, 8, 96)"``, ``"32, 8, 96"`` and ``"32×8×96"`` are ``[32, 8, 96]``; ``"1e-3"`` and ``"0.001"`` are
    ``[0.001]``; ``"1 000"`` is ``[1000]``; ``"50 %"`` is ``[50]``.
    """
    s = str(text).strip().lower().replace("\u2212", "-")
    if unit and s.endswith(unit.lower()):
        s = s[: -len(unit)]
    s = s.strip().rstrip("%").strip()
    s = re.sub(r"[()\[\]{}]", " ", s)
    s = _TIMES.sub(",", s)
    out: list[float | str] = []
    for token in _SEPARATORS.split(s):
        token = _SPACES.sub("", token)
        if not token:
            continue
        out.append(float(token) if _NUMBER.fullmatch(token) else token)
    return out


def accepts(typed: str, answer: str, tolerance: float = 0.0, unit: str = "") -> bool:
    """Whether ``typed`` says ``answer`` (both through :func:`normalise`); numbers within ``tolerance`` (relative).

    A tolerance of 0 still forgives the last few digits of a float (1e-9 relative).
    """
    got, want = normalise(typed, unit), normalise(answer, unit)
    if not want or len(got) != len(want):
        return False
    tol = max(float(tolerance), 1e-9)
    for g, w in zip(got, want, strict=True):
        if isinstance(w, float):
            if not isinstance(g, float) or abs(g - w) > tol * abs(w) + (1e-12 if w == 0 else 0.0):
                return False
        elif g != w:
            return False
    return True


def expected(answer) -> str:
    """A computed answer as the text the browser compares with (full precision)."""
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, int):
        return str(answer)
    if isinstance(answer, float):
        return repr(answer) if math.isfinite(answer) else str(answer)
    if isinstance(answer, list | tuple):
        return "(" + ", ".join(expected(a) for a in answer) + ")"
    if hasattr(answer, "item"):  # a numpy or torch scalar
        return expected(answer.item())
    return str(answer)


def shown(answer) -> str:
    """A computed answer as a learner reads it in the explanation."""
    if isinstance(answer, float):
        return f"{answer:.4g}"
    if isinstance(answer, list | tuple):
        return "(" + ", ".join(shown(a) for a in answer) + ")"
    if hasattr(answer, "item") and not isinstance(answer, str):
        return shown(answer.item())
    return str(answer)


# ---------------------------------------------------------------- answers, computed once per process

_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="selfcheck")
_LOCK = threading.Lock()
_FUTURES: dict[tuple[str, str], Future] = {}


def _compute(q: Value) -> tuple[str, object]:
    """Runs on the pool's thread, which may outlive the request that asked (an answer over the budget).

    It counts as a running request for :data:`neuralab.app.jobs.GATE`: a job forked while this thread holds
    a lock (an import, torch's lazy init, a cache's mutex) would inherit it held and hang for ever. Seen on
    CI: a /fundamentals job stuck for 300 s; its page had just asked for its answers, some over the budget.
    """
    GATE.enter()
    try:
        prompt = q.prompt() if callable(q.prompt) else q.prompt
        return prompt, q.answer()
    finally:
        GATE.leave()


def _future(page: str, q: Value) -> Future:
    with _LOCK:
        future = _FUTURES.get((page, q.key))
        if future is None:
            future = _FUTURES[(page, q.key)] = _POOL.submit(_compute, q)
    return future


def computed(page: str, q: Value, budget: float = BUDGET_S) -> tuple[str, object] | None:
    """(prompt, answer) of ``q``, or None if it failed or takes longer than ``budget`` (it is logged).

    Answers do not change while the process runs, so each is computed once; a slow one keeps computing in the
    background and is there for the next visitor.
    """
    future = _future(page, q)
    try:
        return future.result(timeout=budget)
    except FutureTimeout:
        log.warning("self-check %s#check-%s: the answer took longer than %.1f s; shown without it", page, q.key,
                    budget)
    except Exception:  # noqa: BLE001 - a broken question must not break its page
        log.exception("self-check %s#check-%s: the answer could not be computed; shown without it", page, q.key)
    return None


# ---------------------------------------------------------------- the block at the end of a page


def _why(q: Pick | Value, text: str) -> html.Div:
    return html.Div(
        [html.P(text, className="nl-check-explain"),
         html.P(html.A(f"Read “{q.section}” again", href="#" + anchor(q.section)), className="nl-check-link")],
        id=f"check-{q.key}-why", className="nl-check-why", hidden=True,
    )


def _verdict(q: Pick | Value) -> html.P:
    return html.P(id=f"check-{q.key}-verdict", className="nl-check-verdict", role="status",
                  **{"aria-live": "polite"})


def _check_button(q: Pick | Value) -> html.Button:
    return html.Button("Check", id=f"check-{q.key}-submit", className="nl-check-submit", type="button", n_clicks=0)


def _order(q: Pick) -> list[int]:
    """The options in a fixed order of their own (from the key), so the right one is not always in one place."""
    return sorted(range(len(q.options)), key=lambda i: zlib.crc32(f"{q.key}:{i}".encode()))


def _pick(q: Pick, number: int) -> html.Div:
    legend = f"check-{q.key}-prompt"
    return html.Div(
        [
            html.P([html.Span(f"{number}. ", className="nl-check-num"), q.prompt], id=legend,
                   className="nl-check-prompt"),
            dcc.RadioItems(
                id=f"check-{q.key}-pick",
                options=[{"label": q.options[i], "value": str(i)} for i in _order(q)],
                value=None, className="nl-check-options", labelClassName="nl-check-option",
            ),
            html.Div([_check_button(q)], className="nl-check-actions"),
            _verdict(q),
            _why(q, q.explain),
        ],
        id=f"check-{q.key}", className="nl-check", role="group",
        **{"aria-labelledby": legend, "data-kind": "pick", "data-key": q.key, "data-correct": str(q.correct)},
    )


def _value(page: str, q: Value, number: int, deadline: float) -> html.Div:
    label = f"check-{q.key}-prompt"
    got = computed(page, q, budget=max(0.05, deadline - time.monotonic()))
    if got is None:
        prompt = q.prompt if isinstance(q.prompt, str) else "A question about this page"
        return html.Div(
            [html.P([html.Span(f"{number}. ", className="nl-check-num"), prompt], id=label,
                    className="nl-check-prompt"),
             html.P(["Its answer could not be computed just now, so it cannot be checked here; ",
                     html.A(f"“{q.section}”", href="#" + anchor(q.section)), " teaches it."],
                    className="nl-check-missing")],
            id=f"check-{q.key}", className="nl-check nl-check-off", role="group", **{"aria-labelledby": label},
        )
    prompt, answer = got
    unit = html.Span(q.unit, className="nl-check-unit") if q.unit else None
    return html.Div(
        [
            html.Label([html.Span(f"{number}. ", className="nl-check-num"), prompt], id=label,
                       htmlFor=f"check-{q.key}-input", className="nl-check-prompt"),
            html.Div(
                [dcc.Input(id=f"check-{q.key}-input", type="text", value="", autoComplete="off",
                           debounce=False, className="nl-check-input", spellCheck=False),
                 unit, _check_button(q)],
                className="nl-check-actions",
            ),
            _verdict(q),
            _why(q, q.explain.replace("{answer}", shown(answer))),
        ],
        id=f"check-{q.key}", className="nl-check", role="group",
        **{"aria-labelledby": label, "data-kind": "value", "data-key": q.key, "data-answer": expected(answer),
           "data-tolerance": repr(float(q.tolerance)), "data-unit": q.unit},
    )


def block(page: str, items: tuple[Pick | Value, ...]) -> html.Section | None:
    """The "Check yourself" block for the page at path ``page`` (None when it has no questions)."""
    if not items:
        return None
    deadline = time.monotonic() + BUDGET_S  # one budget for the whole block; the answers compute side by side
    for q in items:
        if isinstance(q, Value):
            _future(page, q)
    rows = [_pick(q, i) if isinstance(q, Pick) else _value(page, q, i, deadline)
            for i, q in enumerate(items, start=1)]
    return html.Section(
        [
            html.H2("Check yourself", id="check-yourself-title"),
            html.P(["Answers are checked in this browser and remembered here only. ",
                    html.Span(f"0 of {len(items)} answered right on this page.", id="check-progress",
                              className="nl-check-progress", **{"aria-live": "polite"})],
                   className="nl-check-intro"),
            *rows,
        ],
        id="check-yourself", className="nl-selfcheck",
        **{"aria-labelledby": "check-yourself-title", "data-page": page, "data-total": str(len(items))},
    )
