"""Migrations and models agree on both databases, and the schema can be taken down again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from bot.migrate import downgrade, upgrade
from models import Base


def test_head_matches_the_models_and_downgrades_to_base(engine: Engine) -> None:
    # The fixture's database is already at head; running upgrade again must be a no-op.
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
