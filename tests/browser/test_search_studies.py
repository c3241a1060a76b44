"""The studies part of /hyperparameter-search in a real chromium: a study in the lab's database, trials arriving."""

from __future__ import annotations

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the browser fixture skips (or, with CI set, fails) and says why
    Page = expect = None

pytestmark = pytest.mark.browser

CAPTION = "#hyperparameter-search-studies-trials-summary"


@pytest.mark.filterwarnings("ignore:Heartbeat of storage")
def test_a_running_trial_arrives_without_a_reload(page, page_errors, server):
    from neuralab.search import study as st

    (server.cache_dir / "search").mkdir(parents=True, exist_ok=True)  # the server's default study database
    storage = st.open_storage(f"sqlite:///{server.cache_dir / 'search' / 'studies.db'}")
    study = st.create("browser-live", storage, dataset="spiral", sampler="random", trials=5, seeds=1)
    for lr in (0.01, 0.02, 0.05, 0.1, 0.2):  # points that train: no diverged trial in the counts
        study.enqueue_trial({"lr": lr, "wd": 1e-4})
    st.work(st.join("browser-live", storage))
    trial = study.ask()  # a trial left running, as a worker elsewhere would
    trial.set_user_attr("worker", "bench-rig:7")
    trial.set_user_attr("host", "bench-rig")
    page.goto("/hyperparameter-search")
    expect(page.locator("#hyperparameter-search-studies-list")).to_contain_text("browser-live")
    expect(page.locator(CAPTION)).to_contain_text("5 complete, 0 failed and 1 running trials", timeout=30_000)
    study.tell(trial, 0.123)  # the trial ends; the page's refresh shows it with no reload
    expect(page.locator(CAPTION)).to_contain_text("6 complete, 0 failed and 0 running trials", timeout=30_000)
    expect(page.locator(CAPTION)).to_contain_text("best validation loss 0.123 (trial 5)")
    expect(page.locator("#hyperparameter-search-studies-commands")).to_contain_text(
        "neuralab search worker --study browser-live")
    assert page_errors == []
