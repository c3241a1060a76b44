"""Every response carries the lab's security headers; the page runs no inline script the policy does not name."""

import base64
import hashlib
import re

import pytest

from neuralab.app import security


@pytest.mark.parametrize("path", ["/", "/splits", "/_dash-layout", "/_dash-dependencies", "/no-such-page",
                                  "/assets/neuralab.css"])
def test_every_response_has_the_headers(client, path):
    r = client.get(path)
    for name, value in security.HEADERS.items():
        assert r.headers.get(name) == value
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "http" not in csp  # no other origin, no CDN


def test_each_inline_script_of_the_page_is_allowed_by_its_hash(client):
    r = client.get("/splits")
    csp = r.headers["Content-Security-Policy"]
    html = r.get_data(as_text=True)
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S)
    inline = [body for attrs, body in scripts if "application/json" not in attrs]
    assert len(inline) >= 2  # the theme script and Dash's renderer at least
    for body in inline:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp, body[:80]
