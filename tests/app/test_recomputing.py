"""The "recomputing" mark is wired: Dash's renderer calls nlStale (assets/neuralab.js) around every request.

The behaviour itself (quick presses end on the last value, greyed while pending) is checked in a real browser:
tests/browser/test_gradient_descent.py.
"""

import re
from pathlib import Path

import neuralab.app


def test_the_renderer_hands_every_request_to_nl_stale(client):
    html = client.get("/gradient-descent").get_data(as_text=True)
    renderer = re.search(r'<script id="_dash-renderer"[^>]*>(.*?)</script>', html, re.S).group(1)
    for hook, call in (("request_pre", "pre"), ("request_post", "post"), ("callback_resolved", "resolved")):
        assert re.search(rf"{hook}: function \((\w+)\) {{ if \(window\.nlStale\) nlStale\.{call}\(\1\); }}", renderer)
    js = (Path(neuralab.app.__file__).parent / "assets" / "neuralab.js").read_text()
    assert all(re.search(rf"^  {name}: function", js, re.M) for name in ("pre", "post", "resolved"))
    css = (Path(neuralab.app.__file__).parent / "assets" / "neuralab.css").read_text()
    assert re.search(r"^\[data-nl-stale\] \{ opacity: 0\.55;", css, re.M)
