"""The Dash app: the shell, one module per page, thin callbacks over the library.

``create_app()`` builds the app; ``neuralab serve`` runs it. Callbacks keep no
state between requests, so any number of worker processes can serve them.
"""

from __future__ import annotations

import importlib
import logging

import threadpoolctl
import torch
from dash import Dash

from neuralab.app.registry import built

log = logging.getLogger("neuralab")

#: A callback request carries a few control values; nothing legitimate comes near this.
MAX_REQUEST_BYTES = 1 * 2**20

# Applies the remembered theme before the first paint, so a dark page never flashes white.
_THEME_SCRIPT = """
try { var t = JSON.parse(localStorage.getItem("theme"));
      if (!t) t = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
      document.documentElement.dataset.theme = t; } catch (e) {}
"""
_INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
{%metas%}<title>{%title%}</title>{%favicon%}
<script>""" + _THEME_SCRIPT + """</script>
<script>%(plotly)s</script>
{%css%}
</head>
<body>
{%app_entry%}
<footer>{%config%}{%scripts%}{%renderer%}</footer>
</body>
</html>"""

# The renderer's request hooks drive the "recomputing" mark (nlStale in assets/neuralab.js): an element a server
# answer will fill is greyed until the newest request of its callback is drawn.
_HOOKS = {
    "request_pre": "function (payload) { if (window.nlStale) nlStale.pre(payload); }",
    "request_post": "function (payload) { if (window.nlStale) nlStale.post(payload); }",
    "callback_resolved": "function (callback) { if (window.nlStale) nlStale.resolved(callback); }",
}


def create_app() -> Dash:
    """Build the lab: every built page's callbacks registered, layout set, server warmed up."""
    for page in built():
        importlib.import_module(page.module)  # registers the page's callbacks
    # One BLAS/OpenMP thread per process: on 2 cores the fits here are small and several run at
    # once (workers, background jobs); a ridge fit took 73 ms on 1 thread, 180 ms on 2. Set
    # after the imports: threadpoolctl limits only the libraries already loaded.
    threadpoolctl.threadpool_limits(1)
    # torch's own intra-op pool too: the networks here are tiny, and a pool started in the server
    # process does not survive the fork of a background job (its first parallel kernel can hang)
    torch.set_num_threads(1)
    from neuralab.app import delivery, errors, finder, jobs, limits, security, shell

    app = Dash(
        __name__,
        title="neuralab",
        update_title=None,
        suppress_callback_exceptions=True,
        serve_locally=True,
        background_callback_manager=jobs.manager(),
        hooks=_HOOKS,
    )
    # plotly.js from its fingerprinted URL, which browsers keep for a year (a new plotly, a new URL)
    plotly_script = delivery.plotly_script(delivery.plotly_url(app.config.requests_pathname_prefix))
    app.index_string = _INDEX.replace("%(plotly)s", plotly_script)
    app.layout = shell.layout
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES  # larger bodies get 413, unread
    errors.install(app.server)
    delivery.install_caching(app.server)  # the assets, stamped with their time, kept by the browser
    delivery.install_compression(app.server)
    limits.install_cookie(app.server)
    jobs.install(app.server)  # a job is forked only while no other request runs
    finder.install(app.server)  # /search-index.json, for the search box
    # plotly/dash#3971: the first requests to a threaded server can miss callbacks; warm up in-process
    with app.server.test_request_context("/"):
        app.server.preprocess_request()
    # every inline script is known now (pages imported, callbacks registered): allow exactly those
    security.install(app.server, [*app.csp_hashes(), security.script_hash(_THEME_SCRIPT),
                                 security.script_hash(plotly_script)])
    return app
