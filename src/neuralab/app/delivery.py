"""How the lab's files reach the browser: plotly.js cached by its version, text compressed.

plotly.js (4.8 MB, the largest file by far) is loaded by Dash's Graph component from a fixed URL,
``/_dash-component-suites/plotly/package_data/plotly.min.js``, which Dash serves with an ETag and no
``Cache-Control``: every page load revalidates it, and on a busy server that round trip waits behind the
page's first callbacks. :func:`plotly_script` points the renderer at Dash's own fingerprinted form of the
same file (``plotly.v7_1_0m<mtime>.min.js``, keyed by the installed plotly version and the file's time),
which Dash serves with a one-year ``max-age``: a second visit takes it from the browser's cache, and a new
plotly gets a new URL. :func:`install_caching` does the same for the lab's own assets, whose URLs Dash
stamps with the file's time (``/assets/neuralab.css?m=1796500418.4``) but serves with ``no-cache``: a page
load revalidated a dozen of them, one round trip each through the two workers.

:func:`install_compression` compresses JavaScript, CSS, HTML and JSON (the callbacks' figures) with brotli
or gzip, whichever the browser accepts, for a browser on another machine: plotly.js goes from 4.8 MB to
1.4 MB, a page's first load from about 7 MB to 1.9 MB. A browser on this machine (a loopback address) gets
the bytes as they are: there the copy costs microseconds and the compression milliseconds (measured with
``benchmarks/page_load.py``: gzip on a fresh server's first page cost more than it saved). A reverse proxy
on this machine is such a client too, and compresses for its own clients. A static file is compressed once
per process and kept (at most one copy per file and encoding); a callback's answer is compressed each time,
at a fast level. ``NEURALAB_COMPRESS=0`` turns it off, ``NEURALAB_COMPRESS=all`` compresses for loopback
clients as well.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
from pathlib import Path

__all__ = ["compression_setting", "install_caching", "install_compression", "loopback", "plotly_script", "plotly_url"]

PLOTLY_PATH = "package_data/plotly.min.js"  # inside the plotly package, as Dash registers it
MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json"]
MIN_SIZE = 1024  # bytes: smaller answers gain nothing worth the work
GZIP_LEVEL = 5  # zlib: 3 ms for a 300 kB figure, about 4.3x smaller
BR_LEVEL = 4  # brotli at 4 makes plotly.min.js about 3.4x smaller; the static copy is made once per process
YEAR_S = 31536000  # the max-age Dash gives its own fingerprinted bundles
MAX_STATIC = 64  # compressed static copies kept per process (the lab serves about 30 files)


def plotly_url(prefix: str = "/") -> str:
    """The fingerprinted URL of the installed plotly.min.js, as Dash builds it for its own bundles."""
    import plotly
    from dash.fingerprint import build_fingerprint

    mtime = int((Path(plotly.__file__).parent / PLOTLY_PATH).stat().st_mtime)
    return f"{prefix}_dash-component-suites/plotly/{build_fingerprint(PLOTLY_PATH, plotly.__version__, mtime)}"


def plotly_script(url: str) -> str:
    """An inline script that makes ``window._dashPlotlyJSURL`` (set by the renderer, read by dcc.Graph) ``url``.

    The renderer assigns its fixed URL once it has mounted; the setter ignores that. A Dash whose renderer
    uses another name leaves this property unread, and the Graph falls back to its own URL (revalidated).
    """
    return ("Object.defineProperty(window, '_dashPlotlyJSURL', {configurable: true, "
            f"get: function () {{ return {json.dumps(url)}; }}, set: function () {{}}}});")


def install_caching(server) -> None:
    """A year's ``max-age`` for a 200 from ``/assets/`` asked with Dash's time stamp ``?m=`` (a new file, a new URL)."""
    from flask import request

    @server.after_request
    def _cache_assets(response):
        if request.method == "GET" and response.status_code == 200 and "m" in request.args \
                and "/assets/" in request.path:
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR_S
            response.cache_control.immutable = True
        return response


def compression_setting() -> str:
    """``NEURALAB_COMPRESS``: "off" (``0``/``false``/``no``/``off``), "all", or "remote" (the default)."""
    value = os.environ.get("NEURALAB_COMPRESS", "").strip().lower()
    if value in {"0", "false", "no", "off"}:
        return "off"
    return "all" if value == "all" else "remote"


def loopback(address: str | None) -> bool:
    """True for a client on this machine (127.0.0.0/8, ::1); False for anything else, unknown included."""
    try:
        return ipaddress.ip_address((address or "").strip("[]")).is_loopback
    except ValueError:
        return False


class _StaticCache:
    """flask-compress's cache, for static files only: bounded, keyed by the file (not its fingerprint)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";") or key in self.data or len(self.data) >= MAX_STATIC:
            return  # a callback's answer (no key), or the cache is full
        self.data[key] = value


def _static_key(request) -> str:
    """The file a GET of a component suite or an asset serves; "" for anything else (not cached)."""
    if request.method != "GET":
        return ""
    path = request.path
    if "/_dash-component-suites/" in path:
        from dash.fingerprint import check_fingerprint

        return check_fingerprint(path)[0]  # any fingerprint of one file is one key
    if "/assets/" in path:
        return path
    return ""


def install_compression(server) -> bool:
    """Compress ``server``'s text answers (flask-compress) as ``NEURALAB_COMPRESS`` says; returns whether it will."""
    setting = compression_setting()
    if setting == "off":
        return False
    from flask import request

    try:
        from flask_compress import Compress
    except ImportError:  # a venv set up before the dependency was declared: serve uncompressed, say how to fix
        logging.getLogger("neuralab").warning(
            "neuralab: flask-compress is not installed, so answers go uncompressed; "
            "`pip install -e .` (or `make setup`) installs it")
        return False

    server.config.update(
        COMPRESS_MIMETYPES=MIMETYPES,
        COMPRESS_ALGORITHM=["br", "gzip"],  # zstd is faster still, but no browser here asks for it yet
        COMPRESS_LEVEL=GZIP_LEVEL,
        COMPRESS_BR_LEVEL=BR_LEVEL,
        COMPRESS_MIN_SIZE=MIN_SIZE,
        COMPRESS_STREAMS=False,  # Dash streams nothing the lab needs compressed
        COMPRESS_CACHE_BACKEND=_StaticCache,
        COMPRESS_CACHE_KEY=_static_key,
        COMPRESS_REGISTER=False,  # our own hook below decides which clients get it
    )
    compress = Compress(server)

    @server.after_request
    def _compress(response):
        if setting == "remote" and loopback(request.remote_addr):
            return response
        return compress.after_request(response)

    return True
