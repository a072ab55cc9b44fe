"""Benchmark: `python -m bench.soak [--people 2000] [--weeks 26] [--database-url URL]`.

A soak: a whole program of N people (shaped like the IBM roster, synthetic beyond it) lived
day by day on a simulated clock through the real bot — rounds every four weeks, the
production engagement job on each working day, every message delivered through the outbox
to a loopback Slack fake, pairs answering as thriving, slow or silent (bench.demo), leavers
leaving. Prints the job's duration per run as the program grows (p50/p99/max), messages
delivered, duplicates and losses (both must be 0), resident memory at the start and end,
database size, and wall time.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.demo import START, simulate, slack_id
from bench.ibm_roster import synthetic_roster
from bench.kit import percentile
from bot.app import create_app
from bot.jobs import run_engagement
from bot.migrate import upgrade
from bot.settings import Settings
from bot.work import drain
from handlers.pacing import Pacer
from models.db import make_engine
from models.tables import Match, OutboxMessage


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class SimClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


CANCELLED_FOR = ("match ended", "forgotten")  # what may cancel a queued message, and why


def unexplained_losses(s: Session, end: datetime) -> int:
    """Messages due before `end` that never reached Slack without a reason to: still waiting
    or failed, cancelled for another reason, or cancelled as "match ended" while their match
    is still open. (A check-in for a pair that ended before it landed is rightly never sent.)"""
    waiting = s.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.state.not_in(("sent", "cancelled")),
            OutboxMessage.next_attempt_at <= end,
        )
    )
    odd = s.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.state == "cancelled",
            OutboxMessage.last_error.is_(None) | OutboxMessage.last_error.not_in(CANCELLED_FOR),
        )
    )
    still_open = s.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .join(Match, Match.id == OutboxMessage.match_id)
        .where(
            OutboxMessage.state == "cancelled",
            OutboxMessage.last_error == "match ended",
            Match.ended_at.is_(None),
        )
    )
    return int(waiting or 0) + int(odd or 0) + int(still_open or 0)


def run(people: int, weeks: int, share: float, database_url: str | None) -> int:
    # The validated Slack fake lives with the tests; the benchmark reuses it.
    from testkit.slack import BOT_TOKEN, FakeSlack

    started = time.perf_counter()
    rss_start = _rss_mb()
    tmp = tempfile.TemporaryDirectory()
    url = database_url or f"sqlite:///{tmp.name}/soak.db"
    engine = make_engine(url)
    upgrade(engine)
    fake = FakeSlack()
    fake.start()
    fake.add_channel("CDEMOADMIN", "mentoring-admins")  # the demo program's, bot invited
    roster = synthetic_roster(people)
    for e in roster:
        fake.add_user(slack_id(e), tz=e.zone)
    clock = SimClock(START)
    bot = create_app(
        Settings(database_url=url, slack_api_url=fake.api_url, bot_token=BOT_TOKEN),
        clock=clock,
        engine=engine,
        verify_token=False,
    )
    bot.deliverer.pacer = Pacer(scale=10_000)  # Slack's pacing is bench_announce's subject
    job_seconds: list[float] = []
    running: list[int] = []
    delivered = 0

    def deliver_until(moment: datetime) -> None:
        nonlocal delivered
        clock.now = moment
        while True:
            sent = bot.deliverer.run_once(limit=500).sent
            delivered += sent
            if sent == 0:
                return

    def step(at: datetime) -> None:
        deliver_until(at - timedelta(minutes=1))  # yesterday's messages, at their times
        clock.now = at
        t0 = time.perf_counter()
        drain(bot.sessions, clock)
        running.append(run_engagement(bot.sessions, clock))
        job_seconds.append(time.perf_counter() - t0)

    try:
        _, tally = simulate(bot.sessions, roster, weeks=weeks, share=share, seed=7, step=step)
        end = START + timedelta(days=weeks * 7 + 2)
        deliver_until(end)
        with bot.sessions() as s:
            states = Counter(
                dict(
                    s.execute(
                        select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
                    ).all()
                )
            )
            cancelled = Counter(
                dict(
                    s.execute(
                        select(OutboxMessage.last_error, func.count())
                        .where(OutboxMessage.state == "cancelled")
                        .group_by(OutboxMessage.last_error)
                    ).all()
                )
            )
            lost = unexplained_losses(s, end)
        with fake.lock:
            keys = Counter(
                str(((m.metadata or {}).get("event_payload") or {}).get("key", ""))
                for m in fake.state.messages
            )
        duplicates = sum(n - 1 for n in keys.values() if n > 1)
        size = (
            Path(url.removeprefix("sqlite:///")).stat().st_size / 2**20
            if url.startswith("sqlite")
            else float("nan")
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"[soak] {people} people ({share:.0%} enrolled), {weeks} weeks, "
            f"{'PostgreSQL' if url.startswith('postgres') else 'SQLite'}: "
            f"{tally.rounds} rounds, {len(job_seconds)} engagement runs"
        )
        print(
            f"  engagement job: p50 {percentile(job_seconds, 0.5) * 1000:.0f} ms, "
            f"p99 {percentile(job_seconds, 0.99) * 1000:.0f} ms, max {max(job_seconds) * 1000:.0f}"
            f" ms; live matches per run: max {max(running)}"
        )
        print(
            f"  messages: queued {sum(states.values())}, delivered {delivered} "
            f"({len(fake.state.messages)} in Slack), duplicates {duplicates}, lost {lost}; "
            f"states {dict(states)}, cancelled because {dict(cancelled)}; conversations opened "
            f"{len(fake.calls_to('conversations.open'))}"
        )
        print(
            f"  answers: check-ins {dict(tally.checkin_answers)}, surveys "
            f"{dict(tally.surveys_answered)}; {tally.leavers_enrolled} enrolled people left"
        )
        print(
            f"  memory: RSS {rss_start:.0f} MB at start, {_rss_mb():.0f} MB at end, peak "
            f"{peak:.0f} MB; database {size:.1f} MB; wall {time.perf_counter() - started:.0f} s"
        )
        print(f"  Web API calls breaking Slack's method reference: {len(fake.violations)}")
        return 0 if duplicates == 0 and lost == 0 and not fake.violations else 1
    finally:
        fake.stop()
        engine.dispose()
        tmp.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--share", type=float, default=1.0, help="share of people enrolled")
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    return run(args.people, args.weeks, args.share, args.database_url)


if __name__ == "__main__":
    sys.exit(main())
