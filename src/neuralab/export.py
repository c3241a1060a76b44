"""A page's state as a standalone Python script or a Jupyter notebook, and the helpers those scripts call.

The app (``neuralab.app.export``) turns each section of a page into a :class:`Block`: a heading and a few lines
of code that call the library with the page's values and hand each chart to :func:`show`. This module writes
the blocks out as a script (``python page.py --out DIR``) or as an ``nbformat`` v4 notebook, and holds the two
helpers the exported code imports, so that the code stays short and needs no web server:

* :func:`show` prints a chart's caption under its name and writes the figure as HTML (plotly.js beside it, so
  the files open offline);
* :func:`text` turns what a page draws as HTML (a table, a list of notes) into plain text;
* :func:`need` stops a script whose page used one of the learner's own datasets (``user:<id>``) on a machine whose
  catalogue does not hold it, with the sentence that says how to register it there.

Nothing here imports plotly or dash: a figure is anything with ``write_html``, a component anything with
``children``.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Block", "need", "notebook", "script", "show", "text"]

_BLOCKS = {"Tr", "Li", "P", "Div", "Caption", "Thead", "Tbody", "Table", "Ul", "Ol", "Section", "Figcaption", "Pre"}


def text(x: Any) -> str:
    """``x`` as plain text: a string as it is, a Dash component by its children (table rows, list items and
    paragraphs on lines of their own, table cells separated by `` | ``), inline pieces run together."""
    if x is None:
        return ""
    if isinstance(x, str):
        return x
    if isinstance(x, int | float):
        return str(x)
    if hasattr(x, "children") and not isinstance(x, list | tuple):
        kind = type(x).__name__
        kids = x.children if isinstance(x.children, list | tuple) else [x.children]
        if kind == "Tr":
            return " | ".join(text(c) for c in kids)
        if kind == "Li":
            return " ".join(t for t in (text(c).strip() for c in kids) if t)
        return text(list(kids))
    if isinstance(x, list | tuple):
        if any(type(c).__name__ in _BLOCKS for c in x):
            return "\n".join(t for t in (text(c) for c in x) if t)
        return "".join(text(c) for c in x)
    return str(x)


def show(name: str, fig: Any, caption: Any, out: str | Path | None) -> Any:
    """Print ``[name] caption`` and, if ``out`` is a folder, write ``fig`` to ``out/name.html``; returns ``fig``.

    The HTML loads ``plotly.min.js`` from the same folder (written once beside it), so it opens offline.
    """
    print(f"[{name}] {text(caption)}")
    if out is not None and hasattr(fig, "write_html"):
        Path(out).mkdir(parents=True, exist_ok=True)
        fig.write_html(Path(out) / f"{name}.html", include_plotlyjs="directory")
    return fig


def say(name: str, value: Any) -> None:
    """Print a table or notes the page shows beside its charts, under its name."""
    print(f"[{name}] {text(value)}")


def need(datasets: Mapping[str, str]) -> None:
    """Stop (``SystemExit`` with its sentence, no traceback) at the first ``user:<id>`` of ``datasets`` that is not
    in this machine's catalogue (``neuralab.data.user.catalogue()``); ``datasets`` maps each to how to register it."""
    from neuralab.data import user

    for value, how in datasets.items():
        try:
            user.catalogue().entry(value.removeprefix(user.USER_PREFIX))
        except user.UploadError:
            raise SystemExit(f"{value} is not in this machine's catalogue ({user.data_dir()}). {how}") from None


@dataclass(frozen=True)
class Block:
    """One section of a page as code."""

    key: str  # the section's name on the page (``{page}-{key}-alert``)
    heading: str  # the heading it sits under on the page
    code: str  # top-level code: imports, the library call into ``result``, then ``show(..., OUT)`` lines
    heavy: bool  # a background job on the page, or needs a trained reference network: skipped by ``--light``
    real: bool  # the code calls the library itself (else it goes through the page's section object)


def _docstring(title: str, path: str, url: str, blocks: Sequence[Block], name: str) -> str:
    heavy = [b.key for b in blocks if b.heavy]
    skip = (f"  --light      skip the sections the page runs as background jobs or that need a trained\n"
            f"               reference network ({', '.join(heavy)})\n") if heavy else \
        "  --light      (changes nothing here: no section is heavy)\n"
    keys = textwrap.fill(", ".join(b.key for b in blocks), 100, initial_indent=" " * 15, subsequent_indent=" " * 15)
    return (f'"""{title} ({path}), exported from neuralab.\n\n'
            f"The page's state: {url}\n\n"
            "Each section below calls the lab's library with the page's values (VALUES, seed included), prints\n"
            "the numbers the page shows under each chart as `[chart] caption`, and writes each figure to\n"
            "OUT/<chart>.html (plotly.js is written beside them, so they open offline).\n\n"
            f"Run:  python {name}.py [--out DIR] [--light] [--section KEY]\n"
            f"  --out DIR    the folder for the figures (default: {name}-figures)\n"
            f"{skip}"
            f"  --section KEY  run only this section, heavy or not (repeatable); KEY is one of\n"
            f"{keys}\n"
            'Needs the lab installed (`pip install -e .` in its repository)."""\n')


def script(title: str, path: str, url: str, values: Mapping[str, Any], blocks: Sequence[Block], name: str,
           options: str = "", after: str = "", datasets: Mapping[str, str] | None = None) -> str:
    """The blocks as a standalone script: a docstring, ``VALUES``, one function per section, ``main()``.

    ``options`` is code that adds arguments to ``parser``; ``after`` runs once the sections ran, with ``args``
    and ``results`` (each section's result by its key); ``datasets`` maps each of the learner's own datasets in
    VALUES (``user:<id>``) to the sentence that says how to register it on another machine (:func:`need`).
    """
    funcs, table = [], []
    for b in blocks:
        fn = "section_" + "".join(c if c.isalnum() else "_" for c in b.key)
        body = textwrap.indent(b.code.rstrip() + "\nreturn result", "    ")
        funcs.append(f"def {fn}(OUT):\n    \"\"\"{b.heading}\"\"\"\n{body}\n")
        table.append(f"    ({b.key!r}, {fn}, {b.heavy}),")
    return (_docstring(title, path, url, blocks, name) + "\n"
            "from __future__ import annotations\n\n"
            "import argparse\n\n"
            f"from neuralab.export import {'need, ' if datasets else ''}say, show  # noqa: F401  (print a caption or a "
            "table, write a figure)\n"
            "from neuralab.params import ParamError\n\n"
            f"VALUES = {_pretty(values)}  # the page's URL values\n{_user_data(datasets)}\n\n"
            + "\n\n".join(funcs) +
            "\n\n# (name, function, heavy: a background job on the page or needs a trained reference network)\n"
            "SECTIONS = [\n" + "\n".join(table) + "\n]\n\n\n"
            "def main() -> None:\n"
            "    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])\n"
            f"    parser.add_argument(\"--out\", default=\"{name}-figures\", help=\"folder for the figures\")\n"
            "    parser.add_argument(\"--light\", action=\"store_true\", help=\"skip the heavy sections\")\n"
            "    parser.add_argument(\"--section\", action=\"append\", metavar=\"KEY\",\n"
            "                        choices=[s[0] for s in SECTIONS], help=\"run only this section (repeatable)\")\n"
            f"{textwrap.indent(options, '    ')}"
            "    args = parser.parse_args()\n"
            + ("    need(USER_DATA)  # a dataset not in this machine's catalogue stops here with its sentence\n"
               if datasets else "") +
            "    results = {}\n"
            "    for key, section, heavy in SECTIONS:\n"
            "        if (args.section and key not in args.section) or (heavy and args.light and not args.section):\n"
            "            continue\n"
            "        try:\n"
            "            results[key] = section(args.out)\n"
            "        except ParamError as exc:  # the page says this sentence in place of the section's charts\n"
            "            print(f\"[{key}] {exc}\")\n"
            + textwrap.indent(after, "    ")
            + "\n\nif __name__ == \"__main__\":\n    main()\n")


def _user_data(datasets: Mapping[str, str] | None) -> str:
    """``USER_DATA = {value: sentence}``, the sentences wrapped as readable lines (empty without user datasets)."""
    if not datasets:
        return ""
    items = []
    for value, how in datasets.items():
        kept = re.sub(r"`[^`]*`", lambda m: m.group().replace(" ", "\0"), how)  # a command stays on one line
        lines = [ln.replace("\0", " ") for ln in textwrap.wrap(kept, 100, break_long_words=False,
                                                                break_on_hyphens=False)]
        body = "\n".join(f"        {ln + (' ' if i < len(lines) - 1 else '')!r}" for i, ln in enumerate(lines))
        items.append(f"    {value!r}: (\n{body}\n    ),")
    return ("\n# The learner's own datasets: this machine's catalogue must hold each (need(USER_DATA) checks);\n"
            "# the sentence says how to register it on another machine.\n"
            "USER_DATA = {\n" + "\n".join(items) + "\n}\n")


def _pretty(values: Mapping[str, Any]) -> str:
    items = [f"    {k!r}: {v!r}," for k, v in values.items()]
    return "{\n" + "\n".join(items) + "\n}" if items else "{}"


def notebook(title: str, path: str, url: str, values: Mapping[str, Any], blocks: Sequence[Block], name: str,
             datasets: Mapping[str, str] | None = None) -> dict:
    """The blocks as an ``nbformat`` v4 notebook: a title cell with the URL, a setup cell, then per section a
    heading cell and a code cell (each figure also shown inline with ``fig.show()``)."""
    import nbformat.v4 as nbf

    cells = [
        nbf.new_markdown_cell(f"# {title}\n\nExported from neuralab: [{url}]({url}).\n\n"
                              "Each section calls the lab's library with the page's values, prints the numbers the "
                              "page shows under each chart, shows the figure and writes it to `OUT`."),
        nbf.new_code_cell(f"from neuralab.export import {'need, ' if datasets else ''}say, show  # noqa: F401\n\n"
                          f"OUT = \"{name}-figures\"  # where the figures are written (None: nowhere)\n"
                          f"VALUES = {_pretty(values)}  # the page's URL values\n{_user_data(datasets)}"
                          + ("need(USER_DATA)\n" if datasets else "")),
    ]
    for b in blocks:
        cells.append(nbf.new_markdown_cell(f"## {b.heading}" + ("\n\n*A background job on the page: this cell may "
                                                                "take a while.*" if b.heavy else "")))
        cells.append(nbf.new_code_cell(_with_show(b.code)))
    nb = nbf.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    return nb


def _with_show(code: str) -> str:
    """The block's code with each ``show(...)`` also drawn inline (``.show()`` on the figure it returns)."""
    return "\n".join(line + ".show()" if line.startswith("show(") else line for line in code.splitlines())


def notebook_json(nb: dict) -> str:
    """The notebook as the text of an ``.ipynb`` file."""
    import nbformat

    return nbformat.writes(nbformat.from_dict(json.loads(json.dumps(nb))))
