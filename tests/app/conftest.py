"""One Dash app for all app tests: callbacks register globally, so a second app would have none."""

import pytest

from neuralab.app import create_app


@pytest.fixture(scope="session")
def app():
    return create_app()


@pytest.fixture(scope="session")
def client(app):
    return app.server.test_client()
