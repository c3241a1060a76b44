"""A page's state as a standalone Python script or a Jupyter notebook, and the helpers those scripts call.

The app (``neuralab.app.export``) turns each section of a page into a :class:`Block`: a heading and a few lines
of code that call the library with the page's values and hand each chart to :func:`show`. This module writes
the blocks out as a script (``python page.py --out DIR``) or as an ``nbformat`` v4 notebook, and holds the two
helpers the exported code imports, so that the code stays short and needs no web server:

* :func:`show` prints a chart's caption under its name and writes the figure as HTML (plotly.js beside it, so
  the files open offline);
* :func:`text` turns what a page draws as HTML (a table, a list of notes) into plain text.

Nothing here imports plotly or dash: a figure is anything with ``write_html``, a component anything with
``children``.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Block", "notebook", "script", "show", "text"]

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
    return (f'"""{title} ({path}), exported from neuralab.\n\n'
            f"The page's state: {url}\n\n"
            "Each section below calls the lab's library with the page's values (VALUES, seed included), prints\n"
            "the numbers the page shows under each chart as `[chart] caption`, and writes each figure to\n"
            "OUT/<chart>.html (plotly.js is written beside them, so they open offline).\n\n"
            f"Run:  python {name}.py [--out DIR] [--light]\n"
            f"  --out DIR    the folder for the figures (default: {name}-figures)\n"
            f"{skip}"
            'Needs the lab installed (`pip install -e .` in its repository)."""\n')


def script(title: str, path: str, url: str, values: Mapping[str, Any], blocks: Sequence[Block], name: str,
           options: str = "", after: str = "", notes: Sequence[str] = ()) -> str:
    """The blocks as a standalone script: a docstring, ``VALUES``, one function per section, ``main()``.

    ``options`` is code that adds arguments to ``parser``; ``after`` runs once the sections ran, with ``args``
    and ``results`` (each section's result by its key); ``notes`` are comment lines under VALUES.
    """
    funcs, table = [], []
    for b in blocks:
        fn = "section_" + "".join(c if c.isalnum() else "_" for c in b.key)
        body = textwrap.indent(b.code.rstrip() + "\nreturn result", "    ")
        funcs.append(f"def {fn}(OUT):\n    \"\"\"{b.heading}\"\"\"\n{body}\n")
        table.append(f"    ({b.key!r}, {fn}, {b.heavy}),")
    note = "".join(f"# {n}\n" for n in notes)
    return (_docstring(title, path, url, blocks, name) + "\n"
            "from __future__ import annotations\n\n"
            "import argparse\n\n"
            "from neuralab.export import say, show  # noqa: F401  (print a caption or a table, write a figure)\n"
            "from neuralab.params import ParamError\n\n"
            f"VALUES = {_pretty(values)}  # the page's URL values\n{note}\n\n"
            + "\n\n".join(funcs) +
            "\n\n# (name, function, heavy: a background job on the page or needs a trained reference network)\n"
            "SECTIONS = [\n" + "\n".join(table) + "\n]\n\n\n"
            "def main() -> None:\n"
            "    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])\n"
            f"    parser.add_argument(\"--out\", default=\"{name}-figures\", help=\"folder for the figures\")\n"
            "    parser.add_argument(\"--light\", action=\"store_true\", help=\"skip the heavy sections\")\n"
            f"{textwrap.indent(options, '    ')}"
            "    args = parser.parse_args()\n"
            "    results = {}\n"
            "    for key, section, heavy in SECTIONS:\n"
            "        if heavy and args.light:\n"
            "            continue\n"
            "        try:\n"
            "            results[key] = section(args.out)\n"
            "        except ParamError as exc:  # the page says this sentence in place of the section's charts\n"
            "            print(f\"[{key}] {exc}\")\n"
            + textwrap.indent(after, "    ")
            + "\n\nif __name__ == \"__main__\":\n    main()\n")


def _pretty(values: Mapping[str, Any]) -> str:
    items = [f"    {k!r}: {v!r}," for k, v in values.items()]
    return "{\n" + "\n".join(items) + "\n}" if items else "{}"


def notebook(title: str, path: str, url: str, values: Mapping[str, Any], blocks: Sequence[Block], name: str,
             notes: Sequence[str] = ()) -> dict:
    """The blocks as an ``nbformat`` v4 notebook: a title cell with the URL, a setup cell, then per section a
    heading cell and a code cell (each figure also shown inline with ``fig.show()``)."""
    import nbformat.v4 as nbf

    note = "".join(f"# {n}\n" for n in notes)
    cells = [
        nbf.new_markdown_cell(f"# {title}\n\nExported from neuralab: [{url}]({url}).\n\n"
                              "Each section calls the lab's library with the page's values, prints the numbers the "
                              "page shows under each chart, shows the figure and writes it to `OUT`."),
        nbf.new_code_cell("from neuralab.export import say, show  # noqa: F401\n\n"
                          f"OUT = \"{name}-figures\"  # where the figures are written (None: nowhere)\n"
                          f"VALUES = {_pretty(values)}  # the page's URL values\n{note}"),
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
