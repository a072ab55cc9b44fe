"""Databases for tests: every database test runs on SQLite and on PostgreSQL.

Migrations run once per backend and test process; each test then gets a copy of the
migrated SQLite file, or the PostgreSQL database with every table truncated.
PostgreSQL comes from MENTORBOT_TEST_PG_URL (a role allowed to create databases); without
it the PostgreSQL half is skipped locally and fails under CI=true, so CI can't skip it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import Engine, make_url, text

from bot.migrate import upgrade
from models import Base
from models.db import make_engine

PG_ENV = "MENTORBOT_TEST_PG_URL"


def pg_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def migrated_sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def sqlite_copy(template: Path, target: Path) -> str:
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def create_pg_database(admin_url: str, name: str) -> str:
    url = make_url(admin_url)
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(admin_url: str, name: str) -> None:
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def truncate_all(engine: Engine) -> None:
    """Empty every table; connections a previous test left behind (a killed process's, a
    thread's) are ended first, so they can neither block nor deadlock the TRUNCATE."""
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                # our own sessions only: an autovacuum worker is the server's, not a test's
                " AND usename = current_user AND backend_type = 'client backend'"
            )
        )
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))


def migrated_pg(admin_url: str, name: str) -> str:
    url = create_pg_database(admin_url, name)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url
