"""/gradient-descent in a real chromium: the LR slider, a click on the surface, the replay, links.

Figures arrive as base64 typed arrays, so assertions read the captions and the
results table, and the drawn path lengths from ``gd._fullData``.
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

RACE = "#gradient-descent-race-summary"
TABLE = "#gradient-descent-table"
RACE_TEXT = re.compile(r"Convex bowl, η = [\d.]+, \d+ steps from")


def _open(page: Page, query: str = "") -> str:
    page.goto("/gradient-descent" + query)
    expect(page.locator(RACE)).to_have_text(re.compile(r"η = .* steps from"), timeout=30_000)
    return page.locator(RACE).inner_text()


def _wait_path_lengths(page: Page, n: int) -> None:
    """Wait until every drawn path has ``n`` points (Plotly.restyle finishes after the readout changes)."""
    page.wait_for_function(
        """n => {
            const gd = document.querySelector('#gradient-descent-race .js-plotly-plot');  // null until plotly has drawn
            const paths = gd && gd._fullData ? gd._fullData.filter(t => t.meta && t.meta.path !== undefined) : [];
            return paths.length > 0 && paths.every(t => t._length === n);
        }""", arg=n)


def test_lr_slider_reruns_the_race_and_updates_the_url(page, page_errors):
    before = _open(page)
    assert RACE_TEXT.match(before), before
    handle = page.locator("#gradient-descent-lr [role=slider]")
    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(RACE)).not_to_have_text(before)
    expect(page.locator(RACE)).to_contain_text("η = 0.0447")
    expect(page).to_have_url(re.compile(r"[?&]lr=0\.04466"))
    expect(page.locator("#gradient-descent-table")).to_contain_text("Steps to converge")
    assert page_errors == []


def test_clicking_the_surface_moves_the_start(page, page_errors):
    _open(page)
    area = page.locator("#gradient-descent-race .nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)  # upper right of the window
    expect(page).to_have_url(re.compile(r"[?&]x0=1\.\d+.*[?&]?y0=1\.\d+"))
    expect(page.locator(RACE)).to_contain_text(re.compile(r"steps from \(1\.\d\d, 1\.\d\d\)"))
    assert page_errors == []


def test_the_step_slider_and_play_replay_the_paths(page, page_errors):
    _open(page)
    expect(page.locator("#gradient-descent-step-readout")).to_have_text("step 200 of 200")
    _wait_path_lengths(page, 201)  # the race is drawn: the slider cuts a drawn figure, not one still on its way
    handle = page.locator("#gradient-descent-step [role=slider]")
    handle.focus()
    page.keyboard.press("Home")
    expect(page.locator("#gradient-descent-step-readout")).to_have_text("step 0 of 200")
    _wait_path_lengths(page, 1)
    page.locator("#gradient-descent-play").click()
    expect(page.locator("#gradient-descent-play")).to_have_text("▶ Play", timeout=20_000)  # it pauses itself at the end
    expect(page.locator("#gradient-descent-step-readout")).to_have_text("step 200 of 200")
    _wait_path_lengths(page, 201)
    assert page_errors == []


def test_a_link_reopens_the_view_and_a_bad_link_says_why(page, page_errors):
    text = _open(page, "?surface=rosenbrock&x0=-1.5&y0=2&lr=0.04&steps=100&opts=sgd%2Cadam")
    assert text.startswith("Rosenbrock, η = 0.04, 100 steps") and "diverged: SGD" in text
    expect(page.locator("#gradient-descent-table")).to_contain_text("Diverged at step")
    expect(page.locator("#gradient-descent-opts input:checked")).to_have_count(2)
    _open(page, "?lr=huge&opts=sgd%2Clion")
    alert = page.locator(".nl-url-alert")
    expect(alert).to_contain_text("lr must be a number")
    expect(alert).to_contain_text("opts may only name")
    expect(page.locator(RACE)).to_contain_text("η = 0.04")
    assert page_errors == []


def test_the_landscape_job_fills_its_chart(page, page_errors):
    _open(page)
    expect(page.locator("#gradient-descent-landscape-summary")).to_contain_text("Filter-normalized random slice",
                                                                                timeout=60_000)
    expect(page.locator("#gradient-descent-batch-summary")).to_contain_text("updates of SGD")
    assert page_errors == []


# What the page shows, recorded at every change of the race's caption or table (text or mark): the caption's η,
# the slider's readout, and whether the caption and the table carry the "recomputing" mark.
_RECORD = """() => {
    window.nlSeen = [];
    const caption = document.querySelector('#gradient-descent-race-summary');
    const table = document.querySelector('#gradient-descent-table');
    const eta = t => { const m = /η = ([0-9.e+-]+)/.exec(t); return m ? m[1] : null; };
    const note = () => window.nlSeen.push({
        eta: eta(caption.textContent),
        readout: document.querySelector('#gradient-descent-lr-readout').textContent,
        caption: caption.hasAttribute('data-nl-stale'), table: table.hasAttribute('data-nl-stale'),
        text: table.textContent});
    const watch = new MutationObserver(note);
    for (const el of [caption, table])
        watch.observe(el, {subtree: true, childList: true, characterData: true, attributes: true});
}"""


def test_quick_lr_presses_end_on_the_last_value_and_grey_what_is_pending(page, page_errors):
    """Five quick η presses: the caption and table end on the last η, and are marked "recomputing" until then.

    While any answer is pending the caption and table carry ``data-nl-stale`` (greyed by the CSS); unmarked, they
    show the answer for the η the slider shows; once the last η's answer is drawn no earlier one replaces it.
    """
    from neuralab.plots import descent as figures
    from neuralab.train import descent

    _open(page)
    _wait_path_lengths(page, 201)
    expect(page.locator(TABLE)).not_to_have_attribute("data-nl-stale", "true")
    page.evaluate(_RECORD)
    handle = page.locator("#gradient-descent-lr [role=slider]")
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(page.locator(TABLE)).to_have_attribute("data-nl-stale", "true")  # marked while its answer is pending
    position = float(handle.get_attribute("aria-valuenow"))
    spec = descent.RACE
    values = spec.validate(spec.defaults() | {"lr": spec.fields["lr"].from_slider(position)})
    race = descent.race(**values)
    assert values["lr"] > 0.07  # five steps of 0.05 in log10 from η = 0.04
    expect(page.locator(RACE)).to_have_text(figures.describe_race(race), timeout=30_000)
    rows = page.locator(f"{TABLE} tbody tr")
    expected = figures.race_rows(race)
    expect(rows).to_have_count(len(expected))
    for i, row in enumerate(expected):
        expect(rows.nth(i).locator("th, td")).to_have_text(list(row.values()))
    expect(page.locator(TABLE)).not_to_have_attribute("data-nl-stale", "true")  # unmarked once it is drawn
    expect(page.locator(RACE)).not_to_have_attribute("data-nl-stale", "true")
    seen = page.evaluate("window.nlSeen")
    final = f"{values['lr']:.3g}"
    assert any(s["table"] and s["caption"] for s in seen), seen
    for s in seen:  # unmarked: the answer for the η the slider shows
        if not (s["table"] and s["caption"]):
            assert s["eta"] == s["readout"], s
    first = next(i for i, s in enumerate(seen) if s["eta"] == final)
    assert all(s["eta"] == final for s in seen[first:]), seen[first:]  # never replaced by an earlier η's answer
    assert page_errors == []


def test_a_log_sliders_tooltip_shows_the_value_not_its_log(page, page_errors):
    """η moves in log10 units; its tooltip read "-1.35" where the readout read 0.0447."""
    _open(page)
    handle = page.locator("#gradient-descent-lr [role=slider]")
    handle.focus()
    page.keyboard.press("ArrowRight")
    readout = page.locator("#gradient-descent-lr-readout")
    expect(readout).not_to_have_text("0.04")
    expect(page.locator("#gradient-descent-lr .dash-slider-tooltip")).to_have_text(readout.text_content())
    assert page_errors == []


def test_a_small_log_value_reads_in_powers_of_ten_in_the_readout_and_the_tooltip(page, page_errors):
    """/fundamentals' gradient slider starts at 1e-8; one step right is 10**-7.9. Both read as the marks do."""
    page.goto("/fundamentals")
    readout = page.locator("#fundamentals-numerics_grad-readout")
    expect(readout).to_have_text("1e-8", timeout=60_000)
    handle = page.locator("#fundamentals-numerics_grad [role=slider]")
    handle.focus()
    page.keyboard.press("ArrowRight")
    expect(readout).to_have_text("1.26e-8")
    expect(page.locator("#fundamentals-numerics_grad .dash-slider-tooltip")).to_have_text("1.26e-8")
    assert page_errors == []
