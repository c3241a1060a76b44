"""Chart text that collides or disappears, on every built page, in the light and the dark theme.

Within each chart no two text boxes overlap (tick labels, axis and chart titles, annotations, legend texts,
colour-bar titles and ticks; each box is the text's own, rotated with it, shrunk by 1.5 px a side), no text is
cut by the chart's SVG box, and every such text, and every text drawn on a heatmap cell, contrasts at least 3:1
with what is behind it (the page, the paper and plot backgrounds, the cell's colour read from the heatmap's
pixels). The check runs in the page (``chart_text.js``); a failure lists page, theme, chart id and the texts.

One visit per page: the page is checked once its charts are settled (every shown chart drawn or still showing
``ui.PENDING``, and its text boxes unchanged between two polls), then the theme is switched and it is checked
again. A chart its background job has not yet answered is skipped (and named in the failure message); every
chart a page draws without a job is checked, since the wait requires it drawn.
"""

from __future__ import annotations

from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

from dash import dcc

from neuralab.app.registry import built
from neuralab.app.shell import render
from neuralab.app.ui import PENDING

pytestmark = pytest.mark.browser

JS = (Path(__file__).with_name("chart_text.js").read_text()).replace("__PENDING__", repr(PENDING))
BG = "getComputedStyle(document.body).backgroundColor"
SETTLE_MS = 60_000  # a cold server draws a page's light charts in a few seconds; a page's import can take longer

#: Pages whose charts do not yet pass, with the reason (an explicit list, so a new page starts checked).
KNOWN: dict[str, str] = {}

PAGES = [p.path for p in built()]


def _graphs(path: str) -> list[str]:
    """The ids of every chart of the page at ``path``, from its layout (rendered here, as the server would)."""
    return [c.id for c in render(path, "")._traverse() if isinstance(c, dcc.Graph) and isinstance(c.id, str)]


def _check(page, theme: str) -> dict:
    page.wait_for_function("() => window.__nlText.settled()", polling=150, timeout=SETTLE_MS)
    return page.evaluate("theme => window.__nlText.check(theme)", theme)


@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN[p], strict=True))
                                  if p in KNOWN else p for p in PAGES])
def test_chart_text_neither_collides_nor_is_cut_nor_fades(page, path):
    page.goto(path)
    expect(page.locator("#main h1")).to_be_visible()
    page.evaluate(JS)
    page.evaluate("ids => window.__nlText.expect(ids)", _graphs(path))
    try:
        light = _check(page, "light")
    except Exception as exc:  # say which charts never drew, not only that the wait timed out
        waiting = page.evaluate("window.__nlText.waiting()")
        raise AssertionError(f"{path}: charts not drawn after {SETTLE_MS} ms: {waiting}") from exc
    light_bg = page.evaluate(BG)
    page.locator("#theme-toggle").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.wait_for_function(f"{BG} !== {light_bg!r}")
    dark = _check(page, "dark")
    found = light["found"] + dark["found"]
    assert not found, (f"{path}: {len(found)} chart-text problem(s) (charts still computing, not checked: "
                       f"{sorted(set(light['skipped']) | set(dark['skipped']))}):\n  " + "\n  ".join(found))
