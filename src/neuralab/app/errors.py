"""Malformed requests get a short 400, never a traceback or a 500.

Bad *values* are caught earlier, by each page's ParamSpec, and shown as a sentence
in the page; what reaches this handler is a request whose shape is wrong (missing
fields, unknown callback, wrong JSON types).
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger("neuralab")


def install(server: Flask) -> None:
    @server.errorhandler(Exception)
    def _handle(exc: Exception):
        if isinstance(exc, HTTPException):
            return exc
        log.warning("rejected request to %s: %s: %s", request.path, type(exc).__name__, str(exc)[:200])
        if request.path.endswith("/_dash-update-component"):
            return jsonify(error="This request does not match any control of the lab; nothing was computed."), 400
        return jsonify(error="The server could not handle this request."), 500
