"""Engine and session factory for SQLite (default) and PostgreSQL.

SQLite gets WAL, a busy timeout and enforced foreign keys so that the bot's threads and a
CLI command can share one file; PostgreSQL gets a pool for long-lived replicas that pings a
connection before reuse once it has sat idle (a restart or a firewall's idle timeout leaves
dead connections there). A connection back in use within a second is not pinged: the ping
was one round trip more on every transaction, and a busy leader runs thousands in a row.
Neither ever puts what people wrote into an error, and so into a log: statement parameters
are hidden, and PostgreSQL's DETAIL line (which quotes the failing row) is cut off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

SessionFactory = sessionmaker[Session]

PING_AFTER_IDLE = 1.0  # seconds a pooled PostgreSQL connection may rest before it is pinged


def _quiet(context: ExceptionContext) -> BaseException | None:
    """The database's error without the lines that quote data (PostgreSQL's "DETAIL: Failing
    row contains (…)"): the driver's own exception is cut too, since it is chained."""
    error, original = context.sqlalchemy_exception, context.original_exception
    text = str(original)
    if not isinstance(error, DBAPIError) or "\n" not in text:
        return None
    original.args = (text.split("\n", 1)[0],)
    return type(error)(
        error.statement,
        None,
        original,
        hide_parameters=True,
        connection_invalidated=error.connection_invalidated,
    )


def make_engine(
    url: str, *, monotonic: Callable[[], float] = time.monotonic, **kwargs: Any
) -> Engine:
    """An engine for `url` (`monotonic`: the clock of PostgreSQL's idle pings, for tests)."""
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        event.listen(engine, "handle_error", _quiet, retval=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own BEGIN handling breaks SAVEPOINTs; we issue BEGIN ourselves.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            if ":memory:" not in url and "mode=memory" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # IMMEDIATE takes the write lock up front, so two writers queue instead of
            # failing with "database is locked" when the reader upgrades to a writer.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "handle_error", _quiet, retval=True)
    ping_when_idle(engine, PING_AFTER_IDLE, monotonic)
    return engine


def ping_when_idle(
    engine: Engine, idle: float, monotonic: Callable[[], float] = time.monotonic
) -> None:
    """Ping a pooled connection on checkout when it has rested `idle` seconds or more; a dead
    one is replaced before anyone uses it (the pool retries on DisconnectionError)."""

    @event.listens_for(engine, "checkin")
    def _rested_from(_dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in"] = monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("checked_in")
        if since is None or monotonic() - since < idle:
            return  # new, or back in use at once
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except Exception as dead:
            raise DisconnectionError("connection lost while idle in the pool") from dead
        if not alive:
            raise DisconnectionError("connection lost while idle in the pool")


def make_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)


def is_postgres(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "postgresql"


def insert_new(s: Session, model: type[Any], unique: str, /, **values: Any) -> bool:
    """Insert a row unless one with the same `unique` value exists; True when inserted.

    One `INSERT … ON CONFLICT DO NOTHING` where a SELECT and a savepointed INSERT took four
    round trips; a concurrent insert of the same key waits for the other and then yields.
    """
    return insert_new_key(s, model, (unique,), **values) is not None


def insert_new_key(s: Session, model: type[Any], unique: tuple[str, ...], /, **values: Any) -> Any:
    """As `insert_new`, for a key of one or more columns: the new row's primary key, or None
    when a row with the same values in `unique` exists. The session does not hold the row."""
    dialect = postgresql if is_postgres(s.get_bind()) else sqlite
    statement = (
        dialect.insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(*model.__table__.primary_key.columns)
    )
    row = s.execute(statement).first()
    return None if row is None else row[0]
