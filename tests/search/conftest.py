"""Fixtures for the study tests: a throwaway PostgreSQL cluster for the whole session."""

from __future__ import annotations

import os

import pytest

from tests.search.postgres import binaries, cluster


@pytest.fixture(scope="session")
def postgres():
    """The SQLAlchemy URL of a database in a fresh cluster (initdb in a temp dir, a free port); removed at the end."""
    bindir = binaries()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is missing; `make test` installs Debian's postgresql")
        pytest.skip("PostgreSQL not installed (make postgres installs it)")
    with cluster(bindir) as url:
        yield url
