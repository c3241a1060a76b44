"""Declared parameters: one declaration per demo, read by the library, the app and the URL.

A :class:`ParamSpec` lists a demo's controls (range, step, default, unit, scale)
and the rules that tie them together. The same object

* validates the arguments of a library call (:meth:`ParamSpec.validate`),
* tells the app which slider or option list to draw (the field objects), and
* reads and writes the page's URL query (:meth:`ParamSpec.parse_query`,
  :meth:`ParamSpec.to_query`), so that every view is a link that reloads the same.

Every failure becomes a :class:`ParamError` whose messages name the parameter,
the rule it broke and the value received, so the page can show a sentence
rather than a traceback.

Example:
    >>> SPEC = ParamSpec("demo", window=Int(5, 51, 15, step=2), order=Int(1, 5, 3),
    ...                  rules=[Rule(("order", "window"), lambda v: v["order"] < v["window"],
    ...                              "order must be below window")])
    >>> SPEC.validate({"window": 15, "order": 3})
    {'window': 15, 'order': 3}
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

__all__ = [
    "SEED", "Applies", "Bool", "Choice", "DatasetChoice", "Float", "Int", "ParamError", "ParamSpec", "Rule", "Text",
]

#: Longest raw value echoed back in a message; a crafted request cannot make us print megabytes.
_ECHO_LIMIT = 40


def _echo(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int past Python's 4300-digit limit for printing
        text = f"an integer of about {value.bit_length() * 0.30103:.0f} digits"
    return text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 1] + "…"


def _fmt(x: float) -> str:
    return f"{x:g}"


class ParamError(ValueError):
    """Raised when parameter values break their declaration.

    Attributes:
        messages: one plain sentence per problem, each naming the parameter.
    """

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__(" ".join(messages))


@dataclass(frozen=True)
class Int:
    """An integer control: ``lo <= value <= hi`` on the grid ``lo + k * step``."""

    lo: int
    hi: int
    default: int
    step: int = 1
    label: str = ""  # what the slider says; the field name when empty
    unit: str = ""  # shown after the value, e.g. "%" or "samples"
    help: str = ""  # one sentence: what moving it does

    def coerce(self, name: str, raw: Any) -> int:
        """Return ``raw`` as an in-range int, or raise ``ValueError`` with a sentence."""
        value = _as_number(name, raw, "a whole number")
        if value != int(value):
            raise ValueError(f"{name} must be a whole number; got {_echo(raw)}.")
        value = int(value)
        if not self.lo <= value <= self.hi:
            raise ValueError(
                f"{name} must be between {self.lo} and {self.hi}{_unit(self.unit)}; got {_echo(raw)}."
            )
        if (value - self.lo) % self.step:
            raise ValueError(
                f"{name} must be {self.lo} plus a multiple of {self.step} "
                f"({_grid_hint(self)}); got {value}."
            )
        return value

    def to_slider(self, value: int) -> float:
        return value

    def from_slider(self, x: float) -> int:
        return int(round(x))


@dataclass(frozen=True)
class Float:
    """A real-valued control; with ``log=True`` the slider moves in powers of ten."""

    lo: float
    hi: float
    default: float
    step: float = 0.01  # slider resolution (in log10 units when log=True)
    label: str = ""
    unit: str = ""
    help: str = ""
    log: bool = False  # slider on log10(value); lo must then be > 0

    def coerce(self, name: str, raw: Any) -> float:
        value = float(_as_number(name, raw, "a number"))
        if not self.lo <= value <= self.hi:
            raise ValueError(
                f"{name} must be between {_fmt(self.lo)} and {_fmt(self.hi)}"
                f"{_unit(self.unit)}; got {_echo(raw)}."
            )
        return value

    def to_slider(self, value: float) -> float:
        return math.log10(value) if self.log else value

    def from_slider(self, x: float) -> float:
        if not self.log:
            return float(x)
        try:
            return float(10.0**x)
        except OverflowError:  # a crafted position (1e308): too large for any range, so validation refuses it
            return math.inf

    def snap(self, value: float) -> float:
        """``value`` without the float noise of the slider's arithmetic (12 significant digits), so it reads as
        declared: 0.03, not 0.029999999999999995 (= 10**log10(0.03)); never moved across an end of the range."""
        if not math.isfinite(value) or value == 0:
            return value
        snapped = float(f"{value:.12g}")
        inside = self.lo <= value <= self.hi
        return snapped if (self.lo <= snapped <= self.hi) == inside else value


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of named options; ``options`` maps value to label."""

    options: tuple[tuple[str, str], ...]  # (value, label) pairs, in display order
    default: str
    label: str = ""
    help: str = ""

    def coerce(self, name: str, raw: Any) -> str:
        values = [v for v, _ in self.options]
        if not isinstance(raw, str) or raw not in values:
            raise ValueError(f"{name} must be one of {', '.join(values)}; got {_echo(raw)}.")
        return raw

    @classmethod
    def of(cls, registry: Mapping[str, Any], default: str, label: str = "", help: str = "",
           title: Callable[[Any], str] = str) -> Choice:
        """A choice among the names of ``registry`` (a dict of name -> implementation), in its order.

        ``title(entry)`` is what the control shows for each entry (the entry itself, by default).
        The dropdown, the URL and the library then read one list: adding an entry adds an option.
        """
        return cls(tuple((name, title(entry)) for name, entry in registry.items()), default, label, help)


#: A user dataset's value in a dataset choice: ``user:`` and its catalogue id (url-safe, as secrets.token_urlsafe).
USER_VALUE = re.compile(r"user:[A-Za-z0-9_-]{16}")


@dataclass(frozen=True)
class DatasetChoice(Choice):
    """A dataset choice: the built-in options, or ``user:<id>``, a dataset the learner uploaded.

    Only the shape of the id is checked here; whether it exists is known when the library loads it
    (``Catalogue.table``), which answers an unknown id with a sentence naming it.
    """

    def coerce(self, name: str, raw: Any) -> str:
        if isinstance(raw, str) and USER_VALUE.fullmatch(raw):
            return raw
        try:
            return super().coerce(name, raw)
        except ValueError:
            raise ValueError(f"{name} must be one of {', '.join(v for v, _ in self.options)} or one of your "
                             f"datasets (user: and its id); got {_echo(raw)}.") from None

    @classmethod
    def from_choice(cls, choice: Choice) -> DatasetChoice:
        """``choice`` (the built-in datasets) also accepting the learner's own."""
        return cls(choice.options, choice.default, choice.label,
                   choice.help + (" Or one of your own datasets (the Data page)." if choice.help else ""))


_TRUE, _FALSE = ("1", "true", "on", "yes"), ("0", "false", "off", "no")


@dataclass(frozen=True)
class Bool:
    """A switch: on or off. The URL writes it as 1 or 0; "true"/"false", "on"/"off" are read too."""

    default: bool
    label: str = ""
    help: str = ""

    def coerce(self, name: str, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in _TRUE + _FALSE:
            return raw.strip().lower() in _TRUE
        raise ValueError(f"{name} must be on or off (1 or 0); got {_echo(raw)}.")


@dataclass(frozen=True)
class Text:
    """A short text the learner types (a layer list, a shape), at most ``max_len`` characters.

    ``check(name, text)`` raises ``ValueError`` with a sentence naming ``name`` when the text is not
    usable; it must only read the text (parse it, bound it), never run anything expensive.
    """

    default: str
    max_len: int = 400
    check: Callable[[str, str], None] | None = None
    label: str = ""
    help: str = ""

    def coerce(self, name: str, raw: Any) -> str:
        if not isinstance(raw, str):
            raise ValueError(f"{name} must be text; got {_echo(raw)}.")
        if len(raw) > self.max_len:
            raise ValueError(f"{name} must be at most {self.max_len} characters; got {len(raw)}.")
        if self.check is not None:
            self.check(name, raw)
        return raw


Field = Int | Float | Choice | Bool | Text

#: The seed control shared by every demo: one declaration, so specs that share it merge.
SEED = Int(0, 9999, 0, label="Seed", help="Fixes every random choice; the same seed gives the same numbers.")


@dataclass(frozen=True)
class Rule:
    """A rule across fields, checked after each field is valid on its own.

    ``message`` is formatted with the values, e.g. ``"... got {train_pct} + {val_pct}"``.
    """

    names: tuple[str, ...]  # the fields the rule reads (named in the message)
    check: Callable[[Mapping[str, Any]], bool]
    message: str | Callable[[Mapping[str, Any]], str]  # format string, or values -> sentence
    name: str = ""  # what the rule is called, e.g. "splits add up" (for tests and docs)

    def describe(self, values: Mapping[str, Any]) -> str:
        return self.message(values) if callable(self.message) else self.message.format(**values)


@dataclass(frozen=True)
class Applies:
    """Field ``name`` matters only while choice ``choice`` is one of ``options``; for the others it is ignored.

    The app then disables the control and shows why (:meth:`ParamSpec.idle`), rather than leave a slider live
    that changes nothing. The value still validates and still rides in the URL: switching back finds it unchanged.
    """

    name: str  # the field that is sometimes ignored
    choice: str  # the Choice field that decides
    options: tuple[str, ...]  # the choice's values for which ``name`` is read
    reason: str = ""  # the sentence shown while it is ignored; empty: "<label> applies to <options> only."

    def holds(self, values: Mapping[str, Any]) -> bool:
        return values.get(self.choice) in self.options

    def why(self, fields: Mapping[str, Field]) -> str:
        """The sentence shown beside the control while it does not apply."""
        if self.reason:
            return self.reason
        f, choice = fields[self.name], fields[self.choice]
        labels = dict(choice.options) if isinstance(choice, Choice) else {}
        names = [labels.get(o, o).split(" (")[0] for o in self.options]  # "Hampel (rolling median …)": "Hampel"
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"{f.label or self.name} applies to {listed} only."


def _unit(unit: str) -> str:
    return f" {unit}" if unit and unit != "%" else unit


def _grid_hint(f: Int) -> str:
    first = [f.lo + i * f.step for i in range(3) if f.lo + i * f.step <= f.hi]
    return ", ".join(str(v) for v in first) + ", …"


def _as_number(name: str, raw: Any, what: str) -> float:
    if isinstance(raw, bool) or raw is None:
        raise ValueError(f"{name} must be {what}; got {_echo(raw)}.")
    if isinstance(raw, str):
        if len(raw) > _ECHO_LIMIT:
            raise ValueError(f"{name} must be {what}; got {_echo(raw)}.")
        try:
            raw_num = float(raw)
        except ValueError:
            raise ValueError(f"{name} must be {what}; got {_echo(raw)}.") from None
    elif isinstance(raw, int | float):
        try:
            raw_num = float(raw)
        except OverflowError:  # an int beyond any float (10**400 in a crafted request): not finite either
            raw_num = math.inf if raw > 0 else -math.inf
    else:
        raise ValueError(f"{name} must be {what}; got {_echo(raw)}.")
    if not math.isfinite(raw_num):
        raise ValueError(f"{name} must be a finite number; got {_echo(raw)}.")
    return raw_num


class ParamSpec:
    """The declared controls of one demo, and the rules between them."""

    def __init__(self, name: str, rules: Iterable[Rule] = (), applies: Iterable[Applies] = (), **fields: Field):
        self.name = name
        self.fields: dict[str, Field] = fields
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.applies: tuple[Applies, ...] = tuple(applies)
        for a in self.applies:
            if a.name not in fields or not isinstance(fields.get(a.choice), Choice):
                raise ValueError(f"{name}: {a.name!r} must be a field and {a.choice!r} a Choice field to apply by it")
            unknown = set(a.options) - {v for v, _ in fields[a.choice].options}  # type: ignore[union-attr]
            if unknown:
                raise ValueError(f"{name}: {a.choice!r} has no option {', '.join(sorted(unknown))}")

    def __repr__(self) -> str:
        return f"ParamSpec({self.name!r}, {', '.join(self.fields)})"

    @classmethod
    def merge(cls, name: str, *specs: ParamSpec) -> ParamSpec:
        """One spec holding every field and rule of ``specs`` (a page with several demos).

        A field shared by two specs must be declared identically in both.
        """
        fields: dict[str, Field] = {}
        rules: list[Rule] = []
        applies: list[Applies] = []
        for spec in specs:
            for key, f in spec.fields.items():
                if key in fields and fields[key] != f:
                    raise ValueError(f"field {key!r} is declared differently in {spec.name!r}")
                fields[key] = f
            rules.extend(r for r in spec.rules if r not in rules)
            applies.extend(a for a in spec.applies if a not in applies)
        # a field that a spec reads unconditionally is never idle on the merged page, whatever another spec says
        always = {k for spec in specs for k in spec.fields if not any(a.name == k for a in spec.applies)}
        applies = [a for a in applies if a.name not in always]
        return cls(name, rules, applies, **fields)

    def idle(self, values: Mapping[str, Any]) -> dict[str, str]:
        """The fields that ``values`` make ignored, each with the sentence that says why (see :class:`Applies`)."""
        out: dict[str, str] = {}
        for a in self.applies:
            if not a.holds(values):
                out.setdefault(a.name, a.why(self.fields))
        return out

    def subset(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The entries of ``values`` that are fields of this spec."""
        return {k: values[k] for k in self.fields if k in values}

    def defaults(self) -> dict[str, Any]:
        """Every field at its declared default."""
        return {k: f.default for k, f in self.fields.items()}

    def check(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Coerce what can be coerced; return ``(values, messages)``.

        Missing or bad fields fall back to their default and add a message; unknown
        keys are refused (a typo should not pass silently).
        """
        values = self.defaults()
        messages: list[str] = []
        for key in raw:
            if key not in self.fields:
                known = ", ".join(self.fields)
                messages.append(f"{_echo(key)} is not a parameter here; known: {known}.")
        for key, f in self.fields.items():
            if key not in raw:
                continue
            try:
                values[key] = f.coerce(key, raw[key])
            except ValueError as exc:
                messages.append(str(exc))
        if not messages:
            for rule in self.rules:
                if not rule.check(values):
                    messages.append(rule.describe(values))
        return values, messages

    def validate(self, raw: Mapping[str, Any] | None = None, /, **kwargs: Any) -> dict[str, Any]:
        """Return complete, valid values (defaults filled in) or raise :class:`ParamError`."""
        merged = {**(raw or {}), **kwargs}
        values, messages = self.check(merged)
        if messages:
            raise ParamError(messages)
        return values

    def parse_query(self, query: str | Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Read a URL query (``"?a=1&b=2"`` or a mapping); unknown keys are ignored here.

        Returns ``(values, messages)``: a bad value is replaced by its default, and the
        message says so, so a hand-edited link still opens a working page.
        """
        if isinstance(query, str):
            pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True)[:64]
            query = dict(pairs)
        known = {k: v for k, v in query.items() if k in self.fields}
        values, messages = self.check(known)
        if messages:
            # fields that failed are at default; rules may fail only because of them
            values = {**self.defaults(), **self._good_fields(known)}
            _, rule_msgs = self.check(values)
            if rule_msgs:
                values = self.defaults()
            messages = [m.rstrip(".") + "; using the default instead." for m in messages]
        return values, messages

    def with_fields(self, **fields: Field) -> ParamSpec:
        """The same spec with some fields declared otherwise (same rules), e.g. a dataset that may be the user's."""
        return ParamSpec(self.name, self.rules, self.applies, **{**self.fields, **fields})

    def _good_fields(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        good = {}
        for key, value in raw.items():
            try:
                good[key] = self.fields[key].coerce(key, value)
            except ValueError:
                pass
        return good

    def to_query(self, values: Mapping[str, Any]) -> str:
        """The URL query for ``values`` (fields only, in declaration order), with ``?``."""
        parts = {k: _query_value(values[k]) for k in self.fields if k in values}
        return "?" + urlencode(parts)


def _query_value(v: Any) -> str:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)
