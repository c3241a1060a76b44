"""HTTP headers that keep the lab's pages to its own origin.

The lab loads nothing from elsewhere (every script, style sheet and font is served
locally), so the Content-Security-Policy allows only its own origin. Dash's inline scripts
(the renderer's start-up line, the clientside callbacks) and the page's theme script are
allowed by their SHA-256 hashes, not by ``'unsafe-inline'``. Styles stay ``'unsafe-inline'``:
plotly.js and Dash's components set element styles at run time.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

__all__ = ["HEADERS", "install", "policy", "script_hash"]

#: Sent with every response, whatever it is.
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "SAMEORIGIN",  # for browsers that predate frame-ancestors
}


def script_hash(script: str) -> str:
    """The CSP source expression that allows one inline ``<script>`` by its content."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def policy(script_hashes: Iterable[str]) -> str:
    """The Content-Security-Policy: this origin only; inline scripts by hash."""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' " + " ".join(sorted(set(script_hashes))),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])


def install(server, script_hashes: Iterable[str]) -> None:
    """Add :data:`HEADERS` and the policy to every response of ``server`` (a Flask app)."""
    csp = policy(script_hashes)

    @server.after_request
    def _secure(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
