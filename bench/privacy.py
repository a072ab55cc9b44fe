"""Benchmark: `python -m bench.privacy [--rows 100000] [--database-url URL]`.

Forget-me runs inside the request that confirms it, so it must finish well inside Slack's
3 seconds however much the outbox holds; the retention job runs every ten minutes over the
whole outbox. This fills an outbox with `rows` messages (a month of a large program: DMs to
many people, their names in the payloads, a share already pruned), then times one person's
forget-me and one retention pass, each in its own transaction, and prints the figures.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from bot.migrate import upgrade
from flows import enrollment, retention
from models.db import SessionFactory, make_engine, make_session_factory
from models.tables import OutboxMessage, Person, Workspace

AT = datetime(2026, 12, 1, 9, tzinfo=UTC)
TEAM = "TBENCH"
PEOPLE = 2000


def _fill(sessions: SessionFactory, rows: int) -> None:
    with sessions.begin() as s:
        workspace = Workspace(slack_team_id=TEAM, created_at=AT)
        s.add(workspace)
        s.flush()
        s.execute(
            insert(Person),
            [
                {
                    "workspace_id": workspace.id,
                    "slack_user_id": f"U{n:09d}",
                    "name": f"person{n}",
                    "real_name": f"Person Number{n}",
                    "hr_attributes": {},
                    "is_bot": False,
                    "is_guest": False,
                    "is_deleted": False,
                    "created_at": AT,
                    "updated_at": AT,
                }
                for n in range(PEOPLE)
            ],
        )
        batch = []
        for n in range(rows):
            a, b = f"U{n % PEOPLE:09d}", f"U{(n * 7 + 1) % PEOPLE:09d}"
            sent = n % 10 != 0
            batch.append(
                {
                    "workspace_id": workspace.id,
                    "key": f"bench:{n}",
                    "method": "chat.postMessage",
                    "kind": None,
                    "conversation": f"users:{a},{b}",
                    "payload": {} if n % 3 == 0 else {"text": f"Meet Person Number{n % PEOPLE}"},
                    "state": "sent" if sent else "pending",
                    "attempts": 1 if sent else 0,
                    "next_attempt_at": AT - timedelta(days=n % 40),
                    "created_at": AT - timedelta(days=n % 40),
                    "sent_at": AT - timedelta(days=n % 40) if sent else None,
                }
            )
            if len(batch) == 5000:
                s.execute(insert(OutboxMessage), batch)
                batch = []
        if batch:
            s.execute(insert(OutboxMessage), batch)


def run(rows: int, database_url: str | None) -> int:
    tmp = tempfile.TemporaryDirectory()
    url = database_url or f"sqlite:///{tmp.name}/privacy.db"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    started = time.perf_counter()
    _fill(sessions, rows)
    print(f"outbox: {rows} messages to {PEOPLE} people ({time.perf_counter() - started:.1f} s)")
    key = b"bench key of the forget-me hashes"
    for who in ("U000000042", "U000001999"):
        started = time.perf_counter()
        with sessions.begin() as s:
            assert enrollment.forget(s, TEAM, who, key=key, at=AT)
        print(f"forget-me of {who}, one transaction: {time.perf_counter() - started:.3f} s")
    started = time.perf_counter()
    with sessions.begin() as s:
        pruned = retention.prune(s, at=AT, payloads_kept=timedelta(days=30))
    print(
        f"retention pass: {pruned.payloads} payloads emptied in "
        f"{time.perf_counter() - started:.3f} s"
    )
    started = time.perf_counter()
    with sessions.begin() as s:
        again = retention.prune(s, at=AT, payloads_kept=timedelta(days=30))
    print(f"next pass: {again.payloads} emptied in {time.perf_counter() - started:.3f} s")
    engine.dispose()
    tmp.cleanup()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.privacy", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    return run(args.rows, args.database_url)


if __name__ == "__main__":
    sys.exit(main())
