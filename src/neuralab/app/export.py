"""Every page with sections as a script or a notebook: "Export as script" and "Open as notebook", made once here.

Each :class:`~neuralab.app.sections.Section` becomes a :class:`neuralab.export.Block` of code. Where the section's
``run`` is one library call on the values (``lambda v, progress: leakage(**v, progress=progress)``, or a function
whose body is one ``return`` of such a call), the block calls that library function itself with the values
spelled out, so a reader sees, and can change, the real call. Where ``run`` does more on the page (a wrapper
that also loads the class names, say) the block goes through the section object instead
(``result = compute(SECTION, VALUES)``). Each chart's figure and caption builders are imported by name when they
live in ``neuralab.plots``, and reached through the section (``SECTION.shows[i]``) when they are page-local.

The export is built from the page's URL query alone (``SPEC.parse_query``): only declared fields reach it, so no
token, cookie or other secret can. A user dataset (``dataset=user:…``) is read from the catalogue of the machine
the script runs on: :func:`user_data` writes, into the script, the ``neuralab data add`` command that registers
the same file on another machine (:data:`USER_DATA_TODO`), and the script stops with that sentence where the id
is missing (:func:`neuralab.export.need`).
"""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import shlex
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from dash import Input, Output, callback, clientside_callback, dcc, html, no_update

from neuralab.app.registry import BY_PATH, Page
from neuralab.app.sections import Chart, Section, Text, Together
from neuralab.export import Block, notebook, notebook_json, script
from neuralab.progress import quiet

__all__ = ["Export", "bar", "blocks", "build", "compute", "prepare", "sections"]

#: The one place a user dataset is met: the script reads it from the catalogue of the machine it runs on.
USER_DATA_TODO = ("{value} is one of your uploaded datasets ({file}); this script reads it from the catalogue of the "
                  "machine it runs on ($NEURALAB_DATA_DIR, else user-data/ in the lab's cache, ~/.cache/neuralab by "
                  "default). To run it on another machine, copy {file} there and run `{command}`: it prints "
                  "`added <id>: ...`; put user:<id> in place of {value} in VALUES.")


def user_data(value: str) -> str:
    """:data:`USER_DATA_TODO` for ``user:<id>``, with the ``neuralab data add`` command that registers the same
    file with the same roles and name (so the script prints the same sentences); a generic one if it is gone."""
    from neuralab.data import user

    try:
        e = user.catalogue().entry(value.removeprefix(user.USER_PREFIX))
    except user.UploadError:
        return USER_DATA_TODO.format(value=value, file="the file you uploaded",
                                     command="neuralab data add FILE --target COLUMN [--task ...] [--time COLUMN] "
                                             "[--group COLUMN]")
    r = e.roles
    words = ["neuralab", "data", "add", e.filename, "--target", r.target, "--task", r.task]
    words += ["--time", r.time] if r.time else []
    words += ["--group", r.group] if r.group else []
    words += ["--rate", f"{r.rate_hz:g}"] if r.rate_hz else []
    words += ["--name", e.name]
    return USER_DATA_TODO.format(value=value, file=shlex.quote(e.filename), command=shlex.join(words))


def compute(section: Section, values: Mapping[str, Any]) -> Any:
    """The section's result for the page's ``values``, as the page computes it (checked, its needs made first).

    A bad value raises :class:`~neuralab.params.ParamError` with the page's sentence.
    """
    checked = _checked(section, values)
    if section.needs is not None:
        section.needs.make(section.needs.spec.subset(checked))
    return section.run(checked, quiet)


def prepare(section: Section, values: Mapping[str, Any]) -> None:
    """Make what the section needs first (a reference network, trained once per machine and cached)."""
    if section.needs is not None:
        section.needs.make(section.needs.spec.subset(_checked(section, values)))


def _checked(section: Section, values: Mapping[str, Any]) -> dict[str, Any]:
    checked = section.spec.validate(section.spec.subset(values))
    if section.marks:
        checked |= section.marks.check(section.marks.subset(values))[0]
    return checked


def sections(module: Any) -> list[Section]:
    """A page module's sections in page order (the parts of a :class:`Together` one by one)."""
    out: list[Section] = []
    for s in getattr(module, "SECTIONS", ()) or ():
        out += list(s.parts) if isinstance(s, Together) else [s]
    return out


@cache
def _names() -> dict[int, tuple[str, str]]:
    """``id(section) -> (module, variable)`` over every loaded page module."""
    out: dict[int, tuple[str, str]] = {}
    for mod_name, mod in list(sys.modules.items()):
        if mod_name.startswith("neuralab.app.pages.") and mod is not None:
            for var, obj in vars(mod).items():
                if isinstance(obj, Section) and var.isupper():
                    out.setdefault(id(obj), (mod_name, var))
    return out


def _where(section: Section) -> tuple[str, str]:
    got = _names().get(id(section))
    if got is None:
        _names.cache_clear()
        got = _names().get(id(section))
    if got is None:
        raise LookupError(f"section {section.page}.{section.key} is not a module-level name of a page module")
    return got


# ---------------------------------------------------------------------------------------------- the library call

class _NotLibrary(Exception):
    """The run is not one library call on the values."""


def _run_expression(run: Callable) -> tuple[ast.expr, list[str]] | None:
    """The expression ``run`` returns and its parameter names, if ``run`` is a lambda or a one-``return`` def."""
    code = getattr(run, "__code__", None)
    if code is None:
        return None
    params = list(code.co_varnames[:code.co_argcount])
    if run.__name__ == "<lambda>":
        try:
            tree = ast.parse(inspect.getsource(sys.modules[run.__module__]))
        except (OSError, TypeError, KeyError, SyntaxError):
            return None
        where = {(p[0], p[2]) for p in code.co_positions() if p[0] is not None}
        found = [n for n in ast.walk(tree) if isinstance(n, ast.Lambda) and n.lineno == code.co_firstlineno
                 and [a.arg for a in n.args.args] == params]
        exact = [n for n in found if (n.body.lineno, n.body.col_offset) in where]
        found = exact or found
        return (found[0].body, params) if len(found) == 1 else None
    try:
        fn = ast.parse(textwrap.dedent(inspect.getsource(run))).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return None
    if not isinstance(fn, ast.FunctionDef):
        return None
    body = fn.body[1:] if fn.body and isinstance(fn.body[0], ast.Expr) and isinstance(fn.body[0].value,
                                                                                          ast.Constant) else fn.body
    if len(body) == 1 and isinstance(body[0], ast.Return) and body[0].value is not None:
        return body[0].value, params
    return None


def _literal(v: Any) -> ast.expr:
    v = v.item() if hasattr(v, "item") else v
    return ast.parse(repr(v), mode="eval").body


class _Spell(ast.NodeTransformer):
    """The run's expression with the values spelled out: ``**v`` as keywords, ``v["k"]`` as the value,
    ``progress=progress`` dropped (the library's default reports nothing)."""

    def __init__(self, vname: str, pname: str | None, values: Mapping[str, Any], names: Mapping[str, Any]) -> None:
        self.v, self.p, self.values, self.names = vname, pname, values, names

    def _named(self, node: ast.Call) -> None:
        """Positional ``v["k"]`` arguments as keywords where the function's signature names them (readable)."""
        first = next((i for i, a in enumerate(node.args) if self._is_value(a)), None)
        if first is None or any(isinstance(a, ast.Starred) for a in node.args):
            return
        try:
            params = list(inspect.signature(_resolve(node.func, self.names)).parameters.values())
        except (TypeError, ValueError, LookupError):
            return
        tail = params[first:len(node.args)]
        if len(tail) != len(node.args) - first or any(p.kind != p.POSITIONAL_OR_KEYWORD for p in tail):
            return
        node.keywords = [ast.keyword(arg=p.name, value=a) for p, a in zip(tail, node.args[first:], strict=True)] \
            + node.keywords
        node.args = node.args[:first]

    def _is_value(self, a: ast.expr) -> bool:
        return isinstance(a, ast.Subscript) and isinstance(a.value, ast.Name) and a.value.id == self.v

    def visit_Call(self, node: ast.Call) -> ast.Call:
        self._named(node)
        keywords = []
        for kw in node.keywords:
            if kw.arg is None and isinstance(kw.value, ast.Name) and kw.value.id == self.v:
                given = {k.arg for k in node.keywords if k.arg}
                keywords += [ast.keyword(arg=k, value=_literal(x)) for k, x in self.values.items() if k not in given]
            elif kw.arg == "progress" and isinstance(kw.value, ast.Name) and kw.value.id == self.p:
                continue
            else:
                keywords.append(kw)
        node.keywords = keywords
        self.generic_visit(node)
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        if isinstance(node.value, ast.Name) and node.value.id == self.v:
            if isinstance(node.slice, ast.Constant) and node.slice.value in self.values:
                return _literal(self.values[node.slice.value])
            raise _NotLibrary
        return self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.Name:
        if node.id == self.v:
            raise _NotLibrary  # the values used some other way
        if node.id == self.p:
            return ast.Name("quiet", ast.Load())
        return node

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.Lambda | ast.ListComp | ast.GeneratorExp | ast.DictComp | ast.SetComp):
            raise _NotLibrary
        return super().generic_visit(node)


def _resolve(func: ast.expr, names: Mapping[str, Any]) -> Any:
    """The object a call's ``f`` or ``module.f`` names (attribute lookups only, nothing evaluated)."""
    if isinstance(func, ast.Name):
        return names[func.id]
    if isinstance(func, ast.Attribute):
        return getattr(_resolve(func.value, names), func.attr)
    raise LookupError("not a plain name")


def _import(name: str, obj: Any) -> str | None:
    """The import line that binds ``name`` to ``obj`` outside the app, or None if it is the app's own."""
    if isinstance(obj, type(sys)):
        mod = obj.__name__
        if mod.startswith("neuralab.app"):
            return None
        pkg, _, last = mod.rpartition(".")
        if not pkg:
            return f"import {mod}" + ("" if mod == name else f" as {name}")
        return f"from {pkg} import {last}" + ("" if last == name else f" as {name}")
    mod = getattr(obj, "__module__", None)
    if not mod or mod.startswith("neuralab.app") or getattr(sys.modules.get(mod), name, None) is not obj:
        return None
    return f"from {mod} import {name}"


def library_call(run: Callable, values: Mapping[str, Any]) -> tuple[list[str], str] | None:
    """``(imports, expression)``: ``run`` as one call of the library with ``values`` written out, or None."""
    got = _run_expression(run)
    if got is None or not got[1]:
        return None
    expr, params = got
    try:
        spelled = _Spell(params[0], params[1] if len(params) > 1 else None, values, run.__globals__).visit(
            ast.parse(ast.unparse(expr), mode="eval").body)
    except _NotLibrary:
        return None
    imports = []
    for node in ast.walk(spelled):
        if isinstance(node, ast.Name):
            if node.id == "quiet":
                imports.append("from neuralab.progress import quiet")
                continue
            if node.id in run.__globals__:
                line = _import(node.id, run.__globals__[node.id])
                if line is None:
                    return None
                imports.append(line)
            elif not hasattr(builtins, node.id):
                return None
    if not any(isinstance(n, ast.Call) for n in ast.walk(spelled)):
        return None
    return sorted(set(imports)), ast.unparse(spelled)


def _source_note(run: Callable, most: int = 12) -> list[str]:
    """The page's own code for a section's result, as comment lines (what ``compute`` runs)."""
    try:
        lines = textwrap.dedent(inspect.getsource(run)).rstrip().splitlines()
    except (OSError, TypeError):
        return []
    if getattr(run, "__name__", "") == "<lambda>":
        got = _run_expression(run)
        lines = [f"lambda {', '.join(got[1])}: {ast.unparse(got[0])}"] if got else []
    more = len(lines) > most
    where = f"{run.__module__}.{getattr(run, '__qualname__', '')}".replace(".<lambda>", "")
    if not lines:
        return []
    return ([f"# The page computes this section with ({where}):"] + [f"#   {ln}" for ln in lines[:most]]
            + (["#   ..."] if more else []))


def _builder(fn: Callable, via: str) -> tuple[str | None, str]:
    """``(import, name)`` for a figure or caption builder: by its own name from the library, else ``via``."""
    name = getattr(fn, "__name__", "")
    line = _import(name, fn) if name.isidentifier() and name != "<lambda>" else None
    return (line, name) if line else (None, via)


# ---------------------------------------------------------------------------------------------- blocks

def _headings(layout: Any) -> dict[str, str]:
    """``{component id: the H2 heading of the ui.section it sits in}``."""
    out: dict[str, str] = {}

    def walk(node: Any, heading: str | None) -> None:
        if isinstance(node, list | tuple):
            for c in node:
                walk(c, heading)
            return
        if not hasattr(node, "children") and not hasattr(node, "id"):
            return
        kids = getattr(node, "children", None)
        if type(node).__name__ == "Section" and isinstance(kids, list) and kids and type(kids[0]).__name__ == "H2":
            heading = str(kids[0].children)
        ident = getattr(node, "id", None)
        if isinstance(ident, str) and heading:
            out.setdefault(ident, heading)
        if kids is not None and not isinstance(kids, str):
            walk(kids, heading)

    walk(layout, None)
    return out


def block(section: Section, values: Mapping[str, Any], heading: str) -> Block:
    """One section as code: the library call (or the page's section), each chart shown, each text printed."""
    mod, var = _where(section)
    checked = _checked(section, values)
    call = library_call(section.run, checked)
    imports: set[str] = set()
    lines: list[str] = []
    uses_section = False
    if call is not None:
        imports |= set(call[0])
        if section.needs is not None:
            imports.add("from neuralab.app.export import prepare")
            lines.append(f"prepare({var}, VALUES)  # trains the reference network it needs once; cached after")
            uses_section = True
        lines.append(f"result = {call[1]}")
    else:
        imports.add("from neuralab.app.export import compute")
        lines += _source_note(section.run)
        lines.append(f"result = compute({var}, VALUES)  # checks VALUES as the page does, then runs {var}.run")
        uses_section = True
    r = section.replay
    if r is not None and r.control not in section.spec.fields and r.at is not None and r.steps is not None:
        lines.append(f"result = {var}.replay.at(result, {var}.replay.steps(result)[-1])  # its last step, drawn "
                     "first on the page")
        uses_section = True
    for i, s in enumerate(section.shows):
        if isinstance(s, Chart):
            f_imp, f_name = _builder(s.figure, f"{var}.shows[{i}].figure")
            d_imp, d_name = _builder(s.describe, f"{var}.shows[{i}].describe")
            imports |= {x for x in (f_imp, d_imp) if x}
            uses_section |= f_imp is None or d_imp is None
            lines.append(f'show("{s.id}", {f_name}(result), {d_name}(result), OUT)')
        elif isinstance(s, Text) and s.prop == "children":
            b_imp, b_name = _builder(s.build, f"{var}.shows[{i}].build")
            imports |= {b_imp} if b_imp else set()
            uses_section |= b_imp is None
            lines.append(f'say("{s.id}", {b_name}(result))')
    if uses_section:
        imports.add(f"from {mod} import {var}")
    code = "\n".join(_grouped(imports)) + "\n\n" + "\n".join(lines) + "\n"
    return Block(section.key, heading, code, heavy=section.job or section.needs is not None, real=call is not None)


def _grouped(imports: set[str]) -> list[str]:
    """``from m import a`` and ``from m import b`` as ``from m import a, b``; plain imports first."""
    froms: dict[str, list[str]] = {}
    plain = sorted(i for i in imports if not i.startswith("from "))
    for line in imports - set(plain):
        mod, _, names = line[5:].partition(" import ")
        froms.setdefault(mod, []).append(names)
    return plain + [f"from {m} import {', '.join(sorted(froms[m]))}" for m in sorted(froms)]


@dataclass(frozen=True)
class Export:
    """A page's state as code."""

    page: Page
    name: str  # the file's stem, e.g. ``neuralab_splits``
    url: str
    values: dict[str, Any]
    blocks: tuple[Block, ...]
    datasets: dict[str, str]  # each user dataset in ``values`` -> how to register it on another machine

    def script(self) -> str:
        options, after = _extras(self.page.path)
        return script(self.page.title, self.page.path, self.url, self.values, self.blocks, self.name,
                      options=options, after=after, datasets=self.datasets)

    def notebook(self) -> str:
        return notebook_json(notebook(self.page.title, self.page.path, self.url, self.values, self.blocks,
                                      self.name, datasets=self.datasets))


def _extras(path: str) -> tuple[str, str]:
    """Extra command-line options of one page's script: ``--tensorboard DIR`` where a run has a history."""
    if path == "/training-loop":
        return ('parser.add_argument("--tensorboard", metavar="DIR", help="also write the run as TensorBoard '
                'event files")\n',
                'if args.tensorboard:\n'
                '    from neuralab.train.tensorboard import loop_scalars, write\n\n'
                '    print("TensorBoard event file:", write(loop_scalars(results["loop"][0]), args.tensorboard))\n')
    return "", ""


def blocks(module: Any, values: Mapping[str, Any]) -> tuple[Block, ...]:
    heads = _headings(module.layout(dict(values), []))
    out = []
    for s in sections(module):
        first = next((x.id for x in s.shows if isinstance(x, Chart | Text)), s.key)
        heading = heads.get(f"{s.page}-{first}") or s.key.replace("-", " ").capitalize()
        out.append(block(s, values, heading))
    return tuple(out)


def build(path: str, search: str = "", host: str = "") -> Export | None:
    """The export of the page at ``path`` in the state of the URL query ``search``; None for a page without
    sections (prose only) or an unknown path."""
    page = BY_PATH.get(path.rstrip("/") or "/")
    if page is None or page.module is None:
        return None
    module = importlib.import_module(page.module)
    if not sections(module):
        return None
    values, _ = module.SPEC.parse_query(search or "")
    query = module.SPEC.to_query(values)
    url = f"{host.rstrip('/')}{page.path}{'?' + query.lstrip('?') if query.strip('?') else ''}"
    users = {v: user_data(v) for v in values.values() if isinstance(v, str) and v.startswith("user:")}
    name = "neuralab_" + page.path.strip("/").replace("-", "_")
    return Export(page, name, url, dict(values), blocks(module, values), users)


# ---------------------------------------------------------------------------------------------- the buttons

def bar() -> html.Div:
    """The two buttons and their downloads, under a page's header."""
    return html.Div(
        [html.Button("Export as script", id="export-script-button", n_clicks=0, className="nl-button nl-export",
                     title="A Python file that reproduces this page's current state with the lab's library"),
         html.Button("Open as notebook", id="export-notebook-button", n_clicks=0, className="nl-button nl-export",
                     title="The same as a Jupyter notebook (.ipynb), one cell per section"),
         dcc.Download(id="export-script"), dcc.Download(id="export-notebook"), dcc.Store(id="export-request")],
        className="nl-export-bar",
    )


def with_export(layout: Any, module: Any) -> Any:
    """The page's layout with the export bar at the end of its header (if it has sections)."""
    header = next((c for c in getattr(layout, "children", None) or [] if isinstance(c, html.Header)), None)
    if header is None or not sections(module):
        return layout
    header.children = [*header.children, bar()] if isinstance(header.children, list) else [header.children, bar()]
    return layout


def _host() -> str:
    try:
        from flask import request

        return request.host_url
    except RuntimeError:  # outside a request (tests)
        return ""


# The browser keeps the page's state in its address (controls.url_sync replaces it without telling dcc.Location),
# so a click first reads window.location there, then the server builds the file from that query.
clientside_callback(
    """function(a, b) {
        const t = (window.dash_clientside.callback_context.triggered_id || "");
        return {kind: t === "export-notebook-button" ? "notebook" : "script", path: window.location.pathname,
                search: window.location.search, at: Date.now()};
    }""",
    Output("export-request", "data"),
    Input("export-script-button", "n_clicks"),
    Input("export-notebook-button", "n_clicks"),
    prevent_initial_call=True,
)


@callback(Output("export-script", "data"), Output("export-notebook", "data"), Input("export-request", "data"),
          prevent_initial_call=True)
def download(request: Any) -> tuple[Any, Any]:
    """The file the click asked for (``{kind, path, search}``): a script or a notebook of the page's state."""
    if not isinstance(request, dict) or not isinstance(request.get("path"), str):
        return no_update, no_update
    search = request.get("search") if isinstance(request.get("search"), str) else ""
    got = build(request["path"][:200], search[:4000], _host())
    if got is None:
        return no_update, no_update
    if request.get("kind") == "notebook":
        return no_update, dcc.send_string(got.notebook(), f"{got.name}.ipynb", type="application/x-ipynb+json")
    return dcc.send_string(got.script(), f"{got.name}.py", type="text/x-python"), no_update
