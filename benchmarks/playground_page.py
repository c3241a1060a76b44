"""Redraws per second of /playground while it trains, measured in a real chromium.

Prints ``name value unit`` lines: the frames the page drew per second (status-line and
curve-figure updates counted in the browser over a few seconds of Play), and the weight
updates per second the background job reported.

usage: .venv/bin/python benchmarks/playground_page.py [seconds] [query]
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.devserver
from tests.devserver import CHROMIUM_ARGS, LabServer, chromium_path  # noqa: E402

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0
QUERY = sys.argv[2] if len(sys.argv) > 2 else "?epochs=5000&batch_size=1"  # long enough not to end


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, LabServer(cache_dir=tmp) as lab, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(lab.url + "/playground" + QUERY)
        page.wait_for_selector("#playground-status:has-text(\"Epoch 0\")", timeout=60000)
        page.wait_for_selector("#playground-curves .js-plotly-plot .main-svg", timeout=60000)
        page.evaluate("""() => {
            window.__t = []; window.__plots = 0;
            new MutationObserver(() => window.__t.push(performance.now())).observe(
                document.querySelector('#playground-status'), {childList: true, subtree: true, characterData: true});
            document.querySelector('#playground-curves .js-plotly-plot').on('plotly_afterplot', () => window.__plots++);
        }""")
        page.click("#playground-play")
        page.wait_for_function("() => window.__t.length >= 2", timeout=30_000)
        page.evaluate("() => { window.__t0 = performance.now(); window.__n0 = window.__t.length; "
                      "window.__p0 = window.__plots; }")
        page.wait_for_timeout(SECONDS * 1000)
        frames, plots, span = page.evaluate("() => [window.__t.length - window.__n0, window.__plots - window.__p0, "
                                            "(performance.now() - window.__t0) / 1000]")
        status = page.locator("#playground-status").inner_text()
        if page.locator("#playground-pause").is_enabled():
            page.click("#playground-pause")
        else:
            print("# the job had ended:", page.locator("#playground-job-note").inner_text(), file=sys.stderr)
        rate = re.search(r"([\d,]+) updates/s", status)
        print(f"playground_status_redraws_per_s {frames / span:.1f} 1/s")
        print(f"playground_curve_redraws_per_s {plots / span:.1f} 1/s")
        print(f"playground_job_updates_per_s {int(rate.group(1).replace(',', '')) if rate else 0} 1/s")
        browser.close()


if __name__ == "__main__":
    main()
