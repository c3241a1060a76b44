"""No stray square brackets in the lab's Markdown: dcc.Markdown renders ``[0, 1]`` as an empty link.

Its renderer treats a bracket pair that is not followed by ``(url)`` as a reference link even
with no definition, and draws ``<a href="">0, 1</a>``: an interval or an index in prose becomes a
dead link. Prose writes them escaped (``\\[0, 1\\]``), or inside code or math.
"""

from __future__ import annotations

import importlib
import pathlib
import re

import pytest
from dash import dcc

from neuralab.app.registry import built
from tests.app import tree

CONTENT = pathlib.Path(importlib.import_module("neuralab.content").__file__).parent

FENCE = re.compile(r"^```.*?^```", re.S | re.M)
CODE = re.compile(r"(`+).+?\1", re.S)
MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
#: An unescaped [text] not followed by (url), [ref] or :, that is, one the renderer turns into a link.
STRAY = re.compile(r"(?<![\\\]])\[([^\]\n]*)(?<!\\)\](?![(\[:])")


def stray(markdown: str) -> list[str]:
    text = MATH.sub(" ", CODE.sub(" ", FENCE.sub(" ", markdown)))
    return [m.group(0) for m in STRAY.finditer(text)]


def test_the_check_finds_an_interval_and_passes_escapes_code_math_and_links():
    assert stray("every term lies in [0, 1] and the sum in [1, K]; E[x]².") == ["[0, 1]", "[1, K]", "[x]"]
    assert stray(r"lies in \[0, 1\], `x[0, 1]`, $[a, b]$ and [a link](/splits) or [text][ref]") == []


@pytest.mark.parametrize("page", built(), ids=lambda p: p.path)
def test_no_page_markdown_has_a_bracket_the_renderer_makes_a_link(page):
    m = importlib.import_module(page.module)
    layout = m.layout(m.SPEC.defaults(), []) if getattr(m, "SPEC", None) else m.layout({}, [])
    found = {s for c in tree.walk(layout) if isinstance(c, dcc.Markdown)
             for s in stray(c.children if isinstance(c.children, str) else tree.text(c.children))}
    assert found == set()


@pytest.mark.parametrize("path", sorted(CONTENT.glob("*.md")), ids=lambda p: p.name)
def test_no_reference_entry_has_a_bracket_the_renderer_makes_a_link(path):
    assert stray(path.read_text(encoding="utf-8")) == []
