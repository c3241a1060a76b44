"""WSGI entry point for gunicorn: ``gunicorn neuralab.app.wsgi:server``."""

from neuralab.app import create_app

app = create_app()
server = app.server
