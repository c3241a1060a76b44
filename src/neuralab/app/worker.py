"""The Celery worker's entry point: ``neuralab worker`` runs ``celery -A neuralab.app.worker:celery worker``.

Building the app registers every page's background callbacks as Celery tasks, so a
worker on any machine can run the jobs that any web process queued in Redis.
"""

from __future__ import annotations

import os

os.environ.setdefault("NEURALAB_JOBS", "celery")

from neuralab.app import create_app, jobs  # noqa: E402  (the backend is chosen by the line above)

jobs.IN_WORKER = True
dash_app = create_app()
celery = jobs.manager().handle
