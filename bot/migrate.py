"""Apply Alembic migrations, serialised so that replicas starting together migrate once.

PostgreSQL: a session-level advisory lock held on the migrating connection. SQLite: an
exclusive file lock beside the database file (SQLite has no advisory locks).
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

import migrations
from bot.errors import OperatorError, describe_database, first_line

# Any constant works; it only has to be the same for every replica.
MIGRATION_LOCK_ID = 0x6D656E746F72  # "mentor"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return cfg


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_suffix(Path(database).suffix + ".migrate-lock")
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _upgrade_on(connection: Connection, revision: str) -> None:
    cfg = alembic_config(connection.engine.url.render_as_string(hide_password=False))
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


def upgrade(engine: Engine, revision: str = "head") -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            conn.commit()
            try:
                _upgrade_on(conn, revision)
                conn.commit()
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
                conn.commit()
        return
    with _sqlite_file_lock(engine), engine.connect() as conn:
        _upgrade_on(conn, revision)
        conn.commit()


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.connect() as conn:
        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
        conn.commit()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; OperatorError when it cannot be opened."""
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as error:
        where = describe_database(engine.url.render_as_string(hide_password=False))
        raise OperatorError(
            f"cannot open {where}: {first_line(error)}\n"
            "Check DATABASE_URL and that the database server is running."
        ) from error


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that is missing, never migrated, or migrated elsewhere.

    A SQLite file is checked before connecting, because connecting would create it empty.
    """
    url = engine.url.render_as_string(hide_password=False)
    where = describe_database(url)
    database = engine.url.database
    on_disk = engine.dialect.name == "sqlite" and database and database != ":memory:"
    if on_disk and not Path(str(database)).exists():
        raise OperatorError(
            f"no mentorbot database: {where} does not exist.\n"
            "Run `mentorbot db upgrade` to create it, or set DATABASE_URL to the bot's database."
        )
    current, head = current_revision(engine), head_revision(engine)
    if current == head:
        return
    if current is None:
        raise OperatorError(
            f"{where} has no mentorbot tables.\n"
            "Run `mentorbot db upgrade` first, or set DATABASE_URL to the bot's database."
        )
    scripts = ScriptDirectory.from_config(alembic_config(url))
    known = {revision.revision for revision in scripts.walk_revisions()}
    if current in known:
        raise OperatorError(
            f"{where} is at revision {current}; this mentorbot needs {head}.\n"
            "Run `mentorbot db upgrade` (or start `mentorbot serve`, which migrates) first."
        )
    raise OperatorError(
        f"{where} was migrated by a newer mentorbot (revision {current}).\n"
        "Run that version of mentorbot against it, or upgrade this installation."
    )
