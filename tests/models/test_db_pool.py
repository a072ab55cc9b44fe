"""PostgreSQL's pool: a connection killed while it sat idle (a database restart, a firewall's
idle timeout) is replaced before anyone uses it, and a busy one is not pinged on every
transaction."""

from __future__ import annotations

from sqlalchemy import text

from models.db import PING_AFTER_IDLE, make_engine


def test_a_connection_killed_while_idle_is_replaced_and_a_busy_one_is_not_pinged(
    pg_only_url: str,
) -> None:
    pg_url = pg_only_url
    now = [0.0]
    engine = make_engine(pg_url, monotonic=lambda: now[0], pool_size=1, max_overflow=0)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return bool(real_ping(dbapi_connection))

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    killer = make_engine(pg_url)
    try:
        with engine.connect() as conn:
            first = conn.scalar(text("SELECT pg_backend_pid()"))
        now[0] += PING_AFTER_IDLE / 2
        with engine.connect() as conn:  # back in use at once: the same connection, no ping
            assert conn.scalar(text("SELECT pg_backend_pid()")) == first
        assert pings == []

        with killer.connect() as conn:  # the server drops it while it rests in the pool
            assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        now[0] += PING_AFTER_IDLE * 5
        with engine.begin() as conn:  # the next transaction still works, on a new connection
            second = conn.scalar(text("SELECT pg_backend_pid()"))
        assert second != first
        assert len(pings) == 1
    finally:
        killer.dispose()
        engine.dispose()
