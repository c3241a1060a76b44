"""Frames per second of /playground while it trains, measured in a real chromium, per task.

For each task (the default 2-4-2-1 tanh circle, and the 6×8 ReLU spiral: the TensorFlow
Playground's anchors) prints ``name value unit`` lines: the redraws per second of the decision
map, the loss curves and the network (browser frames in which the chart's drawing changed, over a
few seconds of Play), the status-line redraws per second, the weight updates per second the job
reports, the frames per second the job published (where the page has a frame channel), and the
time from a key press on the learning-rate slider during training to the status line of the new
network (p50 of a few presses). With ``--old SRC`` the same is measured on an
older tree's ``src`` first, side by side in one run. The load average is printed with the figures.

usage: .venv/bin/python benchmarks/playground_page.py [--seconds 5] [--presses 5] [--workers 1] [--old SRC]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.devserver
from tests.devserver import CHROMIUM_ARGS, LabServer, chromium_path  # noqa: E402

LONG = "epochs=5000&batch_size=1&pace=max"  # runs on at full speed while measured (an older tree ignores pace)
TASKS = {
    "circle": f"?{LONG}",
    "spiral_6x8_relu": f"?dataset=spiral&layers=6&{'&'.join(f'n{i}=8' for i in range(1, 7))}&activation=relu&{LONG}",
}
CHARTS = ("boundary", "curves", "network")
WATCH = """() => {
    // a chart counts as redrawn in a browser frame if its drawing changed since the frame before:
    // the same measure for a whole-figure redraw by Plotly (old) and a swapped picture (new)
    window.__t = []; window.__plots = {}; const dirty = {};
    new MutationObserver(() => window.__t.push(performance.now())).observe(
        document.querySelector('#playground-status'), {childList: true, subtree: true, characterData: true});
    for (const name of CHARTS) {
        window.__plots[name] = 0;
        new MutationObserver(() => { dirty[name] = true; }).observe(
            document.querySelector('#playground-' + name + ' .js-plotly-plot'),
            {childList: true, subtree: true, attributes: true, characterData: true});
    }
    const tick = () => {
        for (const name of CHARTS) { if (dirty[name]) { window.__plots[name]++; dirty[name] = false; } }
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}""".replace("CHARTS", repr(list(CHARTS)))


def measure(page, url: str, seconds: float, presses: int) -> dict[str, float]:
    page.goto(url)
    page.wait_for_selector("#playground-status:has-text(\"Epoch 0\")", timeout=60000)
    for name in CHARTS:
        page.wait_for_selector(f"#playground-{name} .js-plotly-plot .main-svg", timeout=60000)
    page.evaluate(WATCH)
    page.click("#playground-play")
    page.wait_for_function("() => window.__t.length >= 3", timeout=30_000)
    seq = "() => window.nlPlayground && window.nlPlayground.last ? +window.nlPlayground.last.split(':')[1] : null"
    page.evaluate("() => { window.__t0 = performance.now(); window.__n0 = window.__t.length; "
                  "window.__p0 = {...window.__plots}; }")
    s0 = page.evaluate(seq)
    page.wait_for_timeout(seconds * 1000)
    got = page.evaluate("() => [window.__t.length - window.__n0, Object.fromEntries(Object.keys(window.__plots)"
                        ".map(k => [k, window.__plots[k] - window.__p0[k]])), (performance.now() - window.__t0) / 1e3]")
    s1 = page.evaluate(seq)
    status = page.locator("#playground-status").inner_text()
    rate = re.search(r"([\d,]+) updates/s", status)
    out = {"status_redraws_per_s": got[0] / got[2],
           **{f"{k}_redraws_per_s": v / got[2] for k, v in got[1].items()},
           "job_updates_per_s": int(rate.group(1).replace(",", "")) if rate else 0}
    if s0 is not None and s1 is not None:  # the frame channel: frames the job published (the page drew the newest)
        out["job_frames_per_s"] = (s1 - s0) / got[2]
    out["control_to_frame_ms_p50"] = control_to_frame(page, presses)
    return out


def control_to_frame(page, presses: int) -> float:
    """Key press on the learning-rate slider while training → the status line of the network it builds."""
    times = []
    slider = page.locator("#playground-lr [role=slider]")
    for k in range(presses):
        if k:  # train again (the new setting stopped the last run)
            page.click("#playground-play")
            page.wait_for_function("() => /updates\\/s/.test(document.querySelector('#playground-status')"
                                   ".textContent)", timeout=30_000)
        page.wait_for_timeout(300)  # mid-run
        slider.focus()
        before = page.locator("#playground-status").inner_text()
        lr = re.search(r"learning rate ([^ ]+)", before).group(1)
        page.evaluate("() => { window.__key = performance.now(); window.__seen = null; const el = "
                      "document.querySelector('#playground-status'); new MutationObserver((_, obs) => { if "
                      "(/^Epoch 0 /.test(el.textContent) && !window.__seen) { window.__seen = performance.now(); "
                      "obs.disconnect(); } }).observe(el, {childList: true, subtree: true, characterData: true}); }")
        page.keyboard.press("ArrowLeft" if k % 2 else "ArrowRight")
        page.wait_for_function("() => window.__seen !== null", timeout=30_000)
        times.append(page.evaluate("() => window.__seen - window.__key"))
        page.wait_for_function(f"() => !document.querySelector('#playground-status').textContent"
                               f".includes('learning rate {lr} ')", timeout=30_000)
        page.wait_for_function("() => document.querySelector('#playground-pause').disabled", timeout=30_000)
    return statistics.median(times) if times else float("nan")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="seconds of Play measured per task (5)")
    ap.add_argument("--presses", type=int, default=5, help="learning-rate key presses per task (5)")
    ap.add_argument("--workers", type=int, default=1, help="server workers (1: Dash's server; more: gunicorn)")
    ap.add_argument("--old", help="an older tree's src directory, measured first")
    args = ap.parse_args(argv)
    trees = ([("old", args.old)] if args.old else []) + [("new", "src")]
    for label, src in trees:
        with tempfile.TemporaryDirectory() as tmp, \
                LabServer(workers=args.workers, cache_dir=tmp, env={"PYTHONPATH": src}) as lab, \
                sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            for task, query in TASKS.items():
                figures = measure(page, lab.url + "/playground" + query, args.seconds, args.presses)
                load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                for name, value in figures.items():
                    unit = "ms" if name.endswith("_p50") else "1/s"
                    print(f"{label}_{task}_{name} {value:.1f} {unit}", flush=True)
                print(f"# {label} {task}: load average {load}", flush=True)
            browser.close()


if __name__ == "__main__":
    main()
