"""Replicas that start together migrate once: the second waits, then finds nothing to do."""

from __future__ import annotations

import threading

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.migrate import alembic_config, upgrade
from models.db import make_engine


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
