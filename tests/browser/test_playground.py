"""/playground in a real chromium: play streams frames, pause keeps them, step, rewind, links, downloads.

Figures arrive as base64 typed arrays, so assertions read the captions under the charts
and the status line (epoch and update counters), which every frame rewrites.
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

STATUS = "#playground-status"
CURVES = "#playground-curves-summary"
EPOCH = re.compile(r"Epoch (\d+) · (\d+) updates")
LOSS = re.compile(r"test cross-entropy ([\d.]+)")


#: a Step or Play is a background job: on a loaded machine its fork and its slot can take a while
JOB_MS = 60_000


def _open(page: Page, query: str = "") -> None:
    page.goto("/playground" + query)
    expect(page.locator(STATUS)).to_have_text(EPOCH, timeout=30_000)  # the first build of a server is slower
    expect(page.locator(CURVES)).to_contain_text("epochs")


def _epoch(page: Page) -> int:
    return int(EPOCH.search(page.locator(STATUS).inner_text()).group(1))


def _test_loss(page: Page) -> str:
    return LOSS.search(page.locator(CURVES).inner_text()).group(1)


def _watch_status(page: Page) -> None:
    """Count every change of the status line (one per frame) in window.__pgFrames."""
    page.evaluate("""() => {
        window.__pgFrames = 0;
        const el = document.querySelector('#playground-status');
        new MutationObserver(() => window.__pgFrames++).observe(el, {childList: true, subtree: true,
                                                                     characterData: true});
    }""")


def test_play_streams_then_pause_keeps_the_state(page, page_errors):
    _open(page, "?pace=max")
    start_loss = _test_loss(page)
    assert _epoch(page) == 0
    _watch_status(page)
    page.click("#playground-play")
    expect(page.locator("#playground-pause")).to_be_enabled()
    page.wait_for_function("() => window.__pgFrames >= 2", timeout=30_000)  # frames arrive while the job runs
    page.click("#playground-pause")
    expect(page.locator("#playground-play")).to_be_enabled()
    expect(page.locator(STATUS)).to_contain_text("Paused at epoch")
    note = int(re.search(r"Paused at epoch (\d+)", page.locator(STATUS).inner_text()).group(1))
    # the page draws the kept network once the job has ended (its last frames may still have been on their way)
    expect(page.locator(STATUS)).to_contain_text(f"Epoch {note} ")
    paused = _epoch(page)
    assert paused > 0
    assert _test_loss(page) != start_loss
    page.wait_for_timeout(400)
    assert _epoch(page) == paused  # nothing trains after Pause
    # Step finishes the epoch Pause interrupted (or adds one whole epoch) and says which
    page.click("#playground-step")
    expect(page.locator(STATUS)).to_contain_text(f"Epoch {paused + 1} ", timeout=JOB_MS)
    expect(page.locator(STATUS)).to_contain_text(re.compile(r"Step: (one epoch, 25 updates|the last \d+ updates of "
                                                            rf"epoch {paused + 1})\."))
    assert "Paused" not in page.locator(STATUS).inner_text()  # the old note is gone, not repeated
    assert page_errors == []


def test_frames_arrive_by_the_frame_channel_and_the_stopped_run_is_drawn_in_full(page, page_errors):
    """Play draws the job's frames fetched from /_playground/frame (pictures swapped into the charts);
    Pause hands the charts back to the figures drawn from the kept network."""
    _open(page, "?pace=max&batch_size=1")
    live = "#playground-{} .imagelayer image"
    expect(page.locator(live.format("boundary"))).to_have_count(0)
    page.click("#playground-play")
    page.wait_for_function("() => window.nlPlayground && window.nlPlayground.drawn >= 5", timeout=30_000)
    for chart, n in (("boundary", 1), ("curves", 2), ("network", 1)):
        expect(page.locator(live.format(chart))).to_have_count(n)
    first = page.evaluate("() => window.nlPlayground.last")
    page.wait_for_function("(id) => window.nlPlayground.last !== id", arg=first, timeout=30_000)  # and more come
    expect(page.locator(STATUS)).to_contain_text("updates/s")
    page.click("#playground-pause")
    expect(page.locator(STATUS)).to_contain_text("Paused at epoch")
    for chart in ("boundary", "curves", "network"):
        expect(page.locator(live.format(chart))).to_have_count(0)
    assert page_errors == []


def test_rewind_gives_back_the_same_initial_loss(page, page_errors):
    _open(page)
    first = page.locator(CURVES).inner_text()
    for _ in range(3):
        before = page.locator(STATUS).inner_text()
        page.click("#playground-step")
        expect(page.locator(STATUS)).not_to_have_text(before)
    assert _epoch(page) == 3 and page.locator(CURVES).inner_text() != first
    page.click("#playground-rewind")
    expect(page.locator(STATUS)).to_contain_text("Epoch 0 ")
    expect(page.locator(STATUS)).to_contain_text("Rewound to epoch 0")
    assert "Step" not in page.locator(STATUS).inner_text()
    expect(page.locator(CURVES)).to_have_text(first)
    page.click("#playground-resample")  # Reset: seed + 1, new weights and a new sample, in the link too
    expect(page).to_have_url(re.compile(r"[?&]seed=1(&|$)"))
    expect(page.locator(CURVES)).not_to_have_text(first)
    assert page_errors == []


def test_a_control_updates_the_url_and_the_link_reloads_the_same_network(page, page_errors):
    _open(page)
    page.locator("#playground-features").get_by_label("x²").check()
    expect(page).to_have_url(re.compile(r"[?&]f_x2=1(&|$)"))
    expect(page.locator("#playground-network-summary")).to_contain_text("A 3 → 4 → 2 → 1 network")
    caption = page.locator("#playground-network-summary").inner_text()
    page.reload()
    expect(page.locator("#playground-network-summary")).to_have_text(caption)
    assert page_errors == []


def test_a_bad_link_value_and_a_too_large_network_get_sentences(page, page_errors):
    _open(page, "?layers=99&lr=abc")
    expect(page.locator(".nl-url-alert")).to_contain_text("layers must be between 0 and 8")
    expect(page.locator(".nl-url-alert")).to_contain_text("lr must be a number")
    _open(page, "?layers=8&n1=32&n2=32&n3=32&n4=32&n5=32&n6=32&n7=32&n8=32")
    expect(page.locator(".nl-url-alert")).to_contain_text("trainable numbers")
    assert page_errors == []


def test_clicking_an_edge_and_setting_its_weight_changes_the_network(page, page_errors):
    _open(page)
    before = page.locator("#playground-network-summary").inner_text()
    # the weights' dots
    marker = page.locator("#playground-network .scatterlayer .trace").nth(-2).locator("path.point").first
    marker.scroll_into_view_if_needed()
    box = marker.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#playground-edge-label")).to_contain_text("Layer 1 weight into unit 1")
    page.fill("#playground-edge-value", "7.5")
    page.press("#playground-edge-value", "Enter")
    page.click("#playground-edge-apply")
    expect(page.locator("#playground-network-summary")).not_to_have_text(before)
    expect(page.locator("#playground-network-summary")).to_contain_text("7.5")
    assert page_errors == []


def test_export_buttons_download_files(page, page_errors):
    _open(page)
    names = {}
    for key in ("config", "safetensors", "state_dict", "onnx", "script"):
        with page.expect_download(timeout=60_000) as info:
            page.click(f"#playground-dl-{key}")
        names[key] = info.value.suggested_filename
        assert info.value.path().stat().st_size > 100
    assert names == {k: f"playground-circle-epoch0{s}" for k, s in
                     (("config", ".json"), ("safetensors", ".safetensors"), ("state_dict", ".pt"),
                      ("onnx", ".onnx"), ("script", ".py"))}
    assert page_errors == []


def test_a_diverging_run_shows_its_cause_prominently(page, page_errors):
    _open(page, "?dataset=reg_plane&activation=linear&lr=3&f_x2=1&f_y2=1")
    page.click("#playground-step")
    banner = page.locator("#playground-diverged")
    expect(banner).to_contain_text("Training diverged", timeout=20_000)
    expect(banner).to_contain_text("learning rate")
    expect(page.locator(STATUS)).to_contain_text("The run diverged")
    assert page_errors == []


#: What a learner changes and watches, by id: at 1400×900 all of it is on the first screen, as in the
#: TensorFlow Playground, so a change and its effect are seen together (issue 16, "See what you change").
WORKING_AREA = {
    "Play": "#playground-play", "Pause": "#playground-pause", "Step": "#playground-step",
    "Reset": "#playground-resample", "network drawing": "#playground-network",
    "decision boundary": "#playground-boundary", "loss curve": "#playground-curves",
    "dataset": "#playground-dataset", "input features": "#playground-features",
    "hidden layers": "#playground-layers", "neurons in layer 1": "#playground-n1",
    "neurons in layer 2": "#playground-n2", "activation": "#playground-activation",
    "learning rate": "#playground-lr", "weight decay": "#playground-weight_decay", "L1": "#playground-l1",
    "L2": "#playground-l2",
}


def test_the_controls_and_what_they_change_share_the_first_screen(page, page_errors):
    width, height = 1400, 900
    page.set_viewport_size({"width": width, "height": height})
    _open(page)
    expect(page.locator("#playground-boundary .main-svg").first).to_be_attached()  # the figures have their size
    assert page.evaluate("window.scrollY") == 0
    outside = {}
    for name, sel in WORKING_AREA.items():
        expect(page.locator(sel)).to_be_visible()
        box = page.locator(sel).bounding_box()
        if not (box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width
                and box["y"] + box["height"] <= height):
            outside[name] = {k: round(v) for k, v in box.items()}
    assert not outside, f"not on the first {width}×{height} screen: {outside}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sideways either
    # the rarer controls are folded, not gone: their ids (read by the URL) stay, and one click shows them
    points = page.locator("#playground-n_points")
    expect(points).to_be_hidden()
    page.get_by_text("Classes, noise, split, points, seed").click()
    expect(points).to_be_visible()
    assert page_errors == []


def _shown(page: Page) -> list[tuple[int, int, int]]:
    """(frame number, epoch, updates) of every frame the page drew."""
    rows = page.evaluate("() => window.nlPlayground.shown")
    return [(int(i.split(":")[1]), *map(int, EPOCH.search(text).groups())) for i, text in rows]


def test_slow_motion_draws_one_update_per_frame_and_the_fast_pace_many(page, page_errors):
    _open(page, "?pace=1")
    page.click("#playground-play")
    page.wait_for_function("() => window.nlPlayground && window.nlPlayground.shown.length >= 8", timeout=30_000)
    page.click("#playground-pause")
    expect(page.locator(STATUS)).to_contain_text("Paused at epoch")
    rows = _shown(page)
    assert len(rows) >= 8 and all(u == seq for seq, _, u in rows)  # the job's k-th frame shows k updates
    kept = re.search(r"Epoch \d+ · (\d+) updates", page.locator(STATUS).inner_text()).group(1)
    assert int(kept) == rows[-1][2]  # Pause kept the network of the frame on the screen
    # a faster pace, chosen while paused, applies to the next run: frames many updates apart
    page.locator("#playground-pace").click()
    page.get_by_text("As fast as it goes").click()
    expect(page).to_have_url(re.compile(r"[?&]pace=max(&|$)"))
    expect(page.locator(STATUS)).to_contain_text(f"{kept} updates")  # a new pace keeps the network
    page.click("#playground-play")
    page.wait_for_function("(n) => window.nlPlayground.shown.length >= n + 4", arg=len(rows), timeout=30_000)
    page.click("#playground-pause")
    fast = [r for r in _shown(page)[len(rows):]]
    assert max(b[2] - a[2] for a, b in zip(fast, fast[1:], strict=False)) > 10
    assert page_errors == []


def test_step_after_a_stop_trains_on_and_rewind_clears_the_stop(page, page_errors):
    _open(page, "?stop_at=10&pace=max")
    page.click("#playground-play")
    expect(page.locator(STATUS)).to_contain_text("Reached the chosen stop epoch (10); Play or Step trains on.",
                                                 timeout=30_000)
    text = page.locator(STATUS).inner_text()
    assert text.count("Reached the chosen stop epoch") == 1 and _epoch(page) == 10
    page.click("#playground-step")
    expect(page.locator(STATUS)).to_contain_text("Epoch 11 · 275 updates", timeout=JOB_MS)
    expect(page.locator(STATUS)).to_contain_text("Step: one epoch, 25 updates.")
    assert "Reached" not in page.locator(STATUS).inner_text()
    page.click("#playground-rewind")
    expect(page.locator(STATUS)).to_have_text(re.compile(r"^Epoch 0 · 0 updates · learning rate 0\.03 · Rewound"))
    assert page_errors == []
