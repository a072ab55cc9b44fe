"""`python -m bench.engagement [--live 1000,50000] [--due 200] [--database-url URL]`.

The engagement job with N live matches of which a fixed number are due: the run's time and
how many matches it stepped, for each N. Live matches are idle (their next step is weeks
ahead), as in a big program between check-ins; the due ones have a check-in to ask. Also
the reference: how long merely reading every live match takes, which is what each run cost
before steps were keyed by when they are due.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from bot.jobs import run_engagement
from bot.migrate import upgrade
from models.db import make_engine, make_session_factory
from models.engagement import list_running_matches
from models.tables import (
    CheckIn,
    Enrollment,
    Match,
    MatchMember,
    OutboxMessage,
    Person,
    Program,
    Round,
    Workspace,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
CHUNK = 5_000


def populate(s: Session, live: int, due: int) -> None:
    """`live` running matches, `due` of them with a check-in due now, the rest idle."""
    ws = s.execute(
        insert(Workspace).values(slack_team_id="T0BENCH", created_at=NOW).returning(Workspace.id)
    ).scalar_one()
    program = s.execute(
        insert(Program)
        .values(
            workspace_id=ws,
            slug="bench",
            name="Bench",
            format="one_on_one",
            status="open",
            timezone="UTC",
            meeting_cadence_days=14,
            engagement_weeks=26,
            capacity_default=1,
            capacity_max=2,
            approval_required=False,
            reverse=False,
            match_newcomers=False,
            weights={},
            settings={},
            created_at=NOW,
            updated_at=NOW,
        )
        .returning(Program.id)
    ).scalar_one()
    round_id = s.execute(
        insert(Round)
        .values(program_id=program, kind="manual", status="announced", created_at=NOW, stats={})
        .returning(Round.id)
    ).scalar_one()
    started_idle = NOW - timedelta(days=20)  # met 2 days ago; next check-in in 8 days
    started_due = NOW - timedelta(days=14, minutes=5)  # its first check-in is due now
    for start in range(0, live, CHUNK):
        n = min(CHUNK, live - start)
        people = [
            {
                "workspace_id": ws,
                "slack_user_id": f"U{start + i:07d}{side}",
                "tz": "UTC",
                "hr_attributes": {},
                "created_at": NOW,
                "updated_at": NOW,
            }
            for i in range(n)
            for side in "AB"
        ]
        person_ids = list(s.scalars(insert(Person).returning(Person.id), people))
        enrollments: list[dict[str, Any]] = [
            {
                "program_id": program,
                "person_id": pid,
                "role": "mentor" if k % 2 == 0 else "mentee",
                "status": "active",
                "working_days": [0, 1, 2, 3, 4],
                "work_start_minute": 0,
                "work_end_minute": 1440,
                "timezone": "UTC",
                "languages": [],
                "capacity": 1 if k % 2 == 0 else 0,
                "preferences": {},
                "priority": False,
                "consent_at": NOW,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for k, pid in enumerate(person_ids)
        ]
        enrollment_ids = list(s.scalars(insert(Enrollment).returning(Enrollment.id), enrollments))
        matches = []
        for i in range(n):
            is_due = start + i < due
            began = started_due if is_due else started_idle
            matches.append(
                {
                    "round_id": round_id,
                    "program_id": program,
                    "state": "active",
                    "score": 0.5,
                    "breakdown": {},
                    "reasons": [],
                    "created_at": began,
                    "started_at": began,
                    "first_meeting_at": None if is_due else NOW - timedelta(days=2),
                    "last_meeting_at": None if is_due else NOW - timedelta(days=2),
                    "last_nudge_at": began,
                    "ends_at": began + timedelta(weeks=26),
                    "next_due_at": NOW if is_due else NOW + timedelta(days=8),
                }
            )
        match_ids = list(s.scalars(insert(Match).returning(Match.id), matches))
        members = [
            {
                "match_id": match_ids[i],
                "person_id": person_ids[2 * i + side],
                "round_id": round_id,
                "enrollment_id": enrollment_ids[2 * i + side],
                "role": "mentor" if side == 0 else "mentee",
            }
            for i in range(n)
            for side in (0, 1)
        ]
        s.execute(insert(MatchMember), members)


def measure(url: str, live: int, due: int) -> dict[str, float]:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    started = time.perf_counter()
    with sessions.begin() as s:
        populate(s, live, due)
    built = time.perf_counter() - started
    started = time.perf_counter()
    with sessions() as s:
        every = len(list_running_matches(s))
    read_all = time.perf_counter() - started
    started = time.perf_counter()
    stepped = run_engagement(sessions, lambda: NOW)
    run = time.perf_counter() - started
    started = time.perf_counter()
    again = run_engagement(sessions, lambda: NOW)
    idle_run = time.perf_counter() - started
    with sessions() as s:
        checkins = s.scalar(select(func.count()).select_from(CheckIn)) or 0
        queued = s.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    engine.dispose()
    return {
        "live": every,
        "built_s": built,
        "stepped": stepped,
        "run_s": run,
        "idle_run_s": idle_run,
        "again": again,
        "checkins": checkins,
        "queued": queued,
        "read_all_s": read_all,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engagement", description=__doc__)
    parser.add_argument("--live", default="1000,50000", help="comma-separated live match counts")
    parser.add_argument("--due", type=int, default=200, help="matches due in each case")
    parser.add_argument("--database-url", help="a PostgreSQL URL (emptied first); default SQLite")
    args = parser.parse_args(argv)
    results = []
    for live in (int(n) for n in args.live.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite:///{tmp}/engagement.db"
            if args.database_url:
                _empty(url)
            r = measure(url, live, args.due)
        results.append(r)
        print(
            f"live {r['live']:>6,}: run {r['run_s'] * 1000:8.1f} ms for {r['stepped']} due "
            f"({r['checkins']} check-ins, {r['queued']} messages queued); a run with nothing "
            f"due {r['idle_run_s'] * 1000:6.1f} ms; reading every live match "
            f"{r['read_all_s'] * 1000:8.1f} ms (built in {r['built_s']:.1f} s)"
        )
    if len(results) >= 2:
        ratio = results[-1]["run_s"] / max(results[0]["run_s"], 1e-9)
        print(f"run time, largest over smallest: {ratio:.2f}x (target: within 2x)")
        return 0 if ratio <= 2.0 else 1
    return 0


def _empty(url: str) -> None:
    from sqlalchemy import text

    from models import Base

    engine = make_engine(url)
    upgrade(engine)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
