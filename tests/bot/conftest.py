"""Fixtures of the bot's own tests: an empty database on each backend."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import db


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database that exists and has no tables: what a never-migrated install has."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    admin = db.pg_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL not configured")
    name = "mentorbot_fresh_" + hashlib.sha1(str(tmp_path).encode()).hexdigest()[:10]
    yield db.create_pg_database(admin, name)
    db.drop_pg_database(admin, name)
