"""Every built page in a real chromium: a keyboard move redraws its chart and lands in the URL,
the URL reopens the same view, every chart gets its summary, nothing stays marked "recomputing", and nothing
logs an error.

One row per page in ``MOVES``: the slider to press ArrowRight on, its field, and the chart
summary that must change. A new page adds one row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    expect = None

from neuralab.app.registry import BY_PATH, built, prefix

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Move:
    field: str  # the slider's field; control id f"{prefix}-{field}"
    chart: str  # the chart whose summary the move must change; summary id f"{prefix}-{chart}-summary"
    timeout: int = 10_000  # ms; pages whose charts train a network on a cold cache need longer


MOVES = {
    "/splits": Move("train_pct", "sizes"),
    "/fitting": Move("degree", "fit"),
    "/preprocessing": Move("window", "smooth"),
    "/signal-pipeline": Move("window", "stages"),
    "/derivatives": Move("window", "speed"),
    "/gradient-descent": Move("lr", "race"),
    "/learning-rate": Move("epochs", "curve"),
    "/regularization": Move("patience", "stop", timeout=120_000),
    "/training-loop": Move("batch_size", "step"),
    "/feedforward": Move("x1", "worked-chart"),
    "/playground": Move("n1", "network"),  # a slider of the working area (n_points is folded away)
    "/quantization": Move("bits", "hist", timeout=120_000),
    "/pruning": Move("sparsity", "snap", timeout=120_000),
    "/distillation": Move("T", "soft", timeout=120_000),
    # the race retrains nothing (it searches the measured landscape) but trains that landscape on a cold cache
    "/hyperparameter-search": Move("race_trials", "race", timeout=300_000),
    "/deploy": Move("prune", "stages", timeout=240_000),
    # the unrolled steps are light, but a cold cache first trains the page's networks (a dozen jobs)
    "/recurrent": Move("unroll_steps", "unroll-steps", timeout=600_000),
    # the geometry is light and needs no network, but a cold cache first trains the CNN, the MLP and the MLP family
    "/cnn": Move("geo_k", "geo-sizes", timeout=240_000),
    # the query is light, but a cold cache first trains the model (in the order section's job)
    "/attention": Move("attn_token", "inside", timeout=120_000),
    # the threshold is light, but a cold cache first trains the page's jobs (loss pairing, init, norm, overfit)
    "/fundamentals": Move("metrics_threshold", "metrics-roc", timeout=300_000),
    "/som": Move("som_rows", "umatrix", timeout=180_000),
    # the loss curves are light, but a cold cache first trains the default GAN (2,000 rounds, about 10 s alone)
    "/gan": Move("d_fake", "curves", timeout=120_000),
    # a cold cache trains every model of the gallery for the seed (minutes), then again for the next seed
    "/architectures": Move("arch_seed", "latency", timeout=900_000),
    # the width slider is light (no k-means, one solve); the timeout covers the race's two networks on a cold cache
    "/rbf-network": Move("width", "surface", timeout=120_000),
    # the threshold only re-flags stored scores, but a cold cache first trains the digit and motor networks
    "/autoencoder": Move("threshold", "motor-timeline", timeout=600_000),
    # light, but a cold cache first trains the zoo's MLP and CNN (seconds) in the page's jobs
    "/robustness": Move("eps", "example", timeout=240_000),
    # the weight scale moves the light probe (two untrained networks) and restarts the six networks' training job,
    # which a cold cache runs in about half a minute alone
    "/deep-networks": Move("deep_scale", "init-grads", timeout=240_000),
    # the episodes are a job of seconds, but a cold cache first pre-trains the body (and the strategies' job runs)
    "/transfer-learning": Move("tl_episodes", "shots", timeout=240_000),
    # light, but a cold cache first trains the zoo's CNN (seconds) in the page's sanity-check job
    "/explainability": Move("steps", "maps", timeout=240_000),
    # the strength slider moves the light gallery and restarts the curve's job (18 small CNNs at the default
    # sizes, about a minute alone)
    "/augmentation": Move("aug_strength", "gallery", timeout=240_000),
    # the solver's tolerance re-integrates the neural ODE; a cold cache first fits it (seconds) in the job
    "/research-corner": Move("ode_tol", "field", timeout=240_000),
}

PAGES = [p.path for p in built() if p.path in MOVES]


def test_every_built_page_with_sliders_has_a_move():
    no_slider = ("/reference", "/cheat-sheet", "/data")
    missing = [p.path for p in built() if p.path not in MOVES and p.path not in no_slider]
    assert not missing, f"add a row to MOVES for {missing}"


@pytest.mark.parametrize("path", PAGES)
def test_a_keypress_redraws_and_the_url_reopens_the_same_view(page, page_errors, path):
    m = MOVES[path]
    ident = prefix(BY_PATH[path].module)  # the page's id prefix, as the page itself derives it
    summary_id, slider = f"#{ident}-{m.chart}-summary", f"#{ident}-{m.field} [role=slider]"
    page.goto(path)
    summary = page.locator(summary_id)
    expect(summary).not_to_be_empty(timeout=m.timeout)
    expect(page.locator(".nl-selfcheck")).to_have_count(1)  # every page ends with its self-check questions
    for caption in page.locator(".nl-summary").all():  # the page's first jobs done: the move's job does not queue
        expect(caption).not_to_be_empty(timeout=max(m.timeout, 60_000))  # behind them (a page may start six)
    before = summary.inner_text()
    handle = page.locator(slider)
    handle.focus()
    start = handle.get_attribute("aria-valuenow")
    page.keyboard.press("ArrowRight")
    expect(summary).not_to_have_text(before, timeout=m.timeout)
    after_value = handle.get_attribute("aria-valuenow")
    assert after_value != start
    expect(page).to_have_url(re.compile(rf"[?&]{m.field}="))
    moved = summary.inner_text()

    page.goto(page.url)  # the link alone brings the view back
    expect(page.locator(summary_id)).to_have_text(moved, timeout=m.timeout)
    expect(page.locator(slider)).to_have_attribute("aria-valuenow", after_value)
    # every chart on the page answers, heavy ones included
    for caption in page.locator(".nl-summary").all():
        expect(caption).not_to_be_empty(timeout=max(m.timeout, 60_000))
    # every answer drawn: nothing stays greyed as "recomputing" (nlStale in assets/neuralab.js)
    expect(page.locator("[data-nl-stale]")).to_have_count(0, timeout=max(m.timeout, 60_000))
    assert page_errors == []
