"""Replicas that start together migrate once: the second waits, then finds nothing to do."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.migrate import alembic_config, upgrade
from models.db import make_engine
from tests.support import db


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    admin = db.pg_admin_url()
    if admin is None:
        pytest.skip("PostgreSQL not configured")
    name = "mentorbot_fresh_" + hashlib.sha1(str(tmp_path).encode()).hexdigest()[:10]
    yield db.create_pg_database(admin, name)
    db.drop_pg_database(admin, name)


def test_three_replicas_migrate_an_empty_database_at_once(empty_database: str) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def replica() -> None:
        engine = make_engine(empty_database)
        try:
            barrier.wait()
            upgrade(engine)
        except BaseException as error:
            errors.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=replica) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    engine = make_engine(empty_database)
    head = ScriptDirectory.from_config(alembic_config(empty_database)).get_current_head()
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head
    assert "enrollments" in inspect(engine).get_table_names()
    engine.dispose()
