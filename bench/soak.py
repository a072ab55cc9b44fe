"""Benchmark: `python -m bench.soak [--people 2000] [--weeks 26] [--database-url URL]`.

A soak: a whole program of N people (shaped like the IBM roster, synthetic beyond it) lived
day by day on a simulated clock through the real bot — rounds every four weeks, the
production engagement job on each working day, every message delivered through the outbox
to a loopback Slack fake, pairs answering as thriving, slow or silent (bench.demo), leavers
leaving. Prints the job's duration per run as the program grows (p50/p99/max), messages
delivered, duplicates and losses (both must be 0), resident memory at the start and end,
database size, and wall time.

Slack (the fake) and the outbox's deliverer each run in a process of their own, as Slack
and a second core would: yesterday's messages go out while today's engagement runs, as the
outbox and engagement jobs overlap in production. One process would hold all three behind
one GIL.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

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
from models.outbox import FORGOTTEN, MATCH_ENDED
from models.tables import Match, OutboxMessage


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class SimClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


CANCELLED_FOR = (MATCH_ENDED, FORGOTTEN)  # what may cancel a queued message, and why


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
            OutboxMessage.last_error == MATCH_ENDED,
            Match.ended_at.is_(None),
        )
    )
    return int(waiting or 0) + int(odd or 0) + int(still_open or 0)


@dataclass(frozen=True)
class SlackReport:
    """What the fake Slack saw, counted in its own process."""

    messages: int
    duplicates: int
    opened: int
    violations: int


def _slack(conn: Connection, people: int) -> None:
    """A process for the fake Slack, with the roster's users. ("report",) -> SlackReport."""
    from testkit.slack import FakeSlack

    fake = FakeSlack()
    fake.start()
    fake.add_channel("CDEMOADMIN", "mentoring-admins")  # the demo program's, bot invited
    for e in synthetic_roster(people):
        fake.add_user(slack_id(e), tz=e.zone)
    conn.send(fake.api_url)
    try:
        while conn.recv()[0] == "report":
            with fake.lock:
                keys = Counter(
                    str(((m.metadata or {}).get("event_payload") or {}).get("key", ""))
                    for m in fake.state.messages
                )
                conn.send(
                    SlackReport(
                        messages=len(fake.state.messages),
                        duplicates=sum(n - 1 for n in keys.values() if n > 1),
                        opened=len(fake.calls_to("conversations.open")),
                        violations=len(fake.violations),
                    )
                )
    finally:
        fake.stop()


def _delivery(conn: Connection, url: str, api_url: str) -> None:
    """A process for the outbox's deliverer. ("deliver", moment) -> messages sent by then."""
    from testkit.slack import BOT_TOKEN

    engine = make_engine(url)
    clock = SimClock(START)
    bot = create_app(
        Settings(database_url=url, slack_api_url=api_url, bot_token=BOT_TOKEN),
        clock=clock,
        engine=engine,
        verify_token=False,
    )
    bot.deliverer.pacer = Pacer(scale=10_000)  # Slack's pacing is bench_announce's subject
    conn.send("ready")
    try:
        while (command := conn.recv())[0] == "deliver":
            clock.now = command[1]
            total = 0
            while sent := bot.deliverer.run_once(limit=500).sent:
                total += sent
            conn.send(total)
    finally:
        engine.dispose()


class _Side:
    """The main process's handle on one of the others: one command in flight at a time."""

    def __init__(self, target: Callable[..., None], *args: object) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=target, args=(theirs, *args))
        self.process.start()
        theirs.close()  # so that a crash over there ends a wait here (EOFError), not hangs it
        self.first: object = self.conn.recv()
        self.in_flight = False
        self.answers: list[Any] = []
        self.waited = 0.0  # seconds the simulation stood waiting for this side

    def settle(self) -> None:
        if self.in_flight:
            t0 = time.perf_counter()
            self.answers.append(self.conn.recv())
            self.waited += time.perf_counter() - t0
            self.in_flight = False

    def send(self, *command: object) -> None:
        """Start a command, after the last one finished; its answer lands in `answers`."""
        self.settle()
        self.conn.send(command)
        self.in_flight = True

    def ask(self, *command: object) -> object:
        self.send(*command)
        self.settle()
        return self.answers.pop()

    def stop(self) -> None:
        self.settle()
        self.conn.send(("stop",))
        self.process.join(timeout=60)


def run(people: int, weeks: int, share: float, database_url: str | None) -> int:
    from testkit.slack import BOT_TOKEN

    started = time.perf_counter()
    rss_start = _rss_mb()
    tmp = tempfile.TemporaryDirectory()
    url = database_url or f"sqlite:///{tmp.name}/soak.db"
    engine = make_engine(url)
    upgrade(engine)
    slack = _Side(_slack, people)
    delivery = _Side(_delivery, url, slack.first)
    roster = synthetic_roster(people)
    clock = SimClock(START)
    bot = create_app(
        Settings(database_url=url, slack_api_url=str(slack.first), bot_token=BOT_TOKEN),
        clock=clock,
        engine=engine,
        verify_token=False,
    )
    job_seconds: list[float] = []
    running: list[int] = []

    def delivered() -> int:
        return sum(delivery.answers)

    def step(at: datetime) -> None:
        delivery.send("deliver", at - timedelta(minutes=1))  # yesterday's, at their times
        clock.now = at
        t0 = time.perf_counter()
        drain(bot.sessions, clock)
        running.append(run_engagement(bot.sessions, clock))
        job_seconds.append(time.perf_counter() - t0)
        if at.weekday() == 4 and len(job_seconds) % 20 == 0:  # every four weeks
            # the verdict so far, so that a run cut short still says what it proved: wait
            # for the delivery in flight, then count as at the end
            delivery.settle()
            seen = slack.ask("report")
            assert isinstance(seen, SlackReport)
            with bot.sessions() as s:
                lost = unexplained_losses(s, at - timedelta(minutes=1))
            print(
                f"  [{(at - START).days // 7} weeks, {time.perf_counter() - started:.0f} s] "
                f"live matches stepped {running[-1]}, delivered {delivered()}, "
                f"duplicates {seen.duplicates}, lost {lost}, violations {seen.violations}; "
                f"waited for delivery {delivery.waited:.0f} s",
                flush=True,
            )

    try:
        _, tally = simulate(bot.sessions, roster, weeks=weeks, share=share, seed=7, step=step)
        end = START + timedelta(days=weeks * 7 + 2)
        delivery.send("deliver", end)
        delivery.settle()
        seen = slack.ask("report")
        assert isinstance(seen, SlackReport)
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
        duplicates = seen.duplicates
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
            f"  messages: queued {sum(states.values())}, delivered {delivered()} "
            f"({seen.messages} in Slack), duplicates {duplicates}, lost {lost}; "
            f"states {dict(states)}, cancelled because {dict(cancelled)}; conversations opened "
            f"{seen.opened}"
        )
        print(
            f"  answers: check-ins {dict(tally.checkin_answers)}, surveys "
            f"{dict(tally.surveys_answered)}; {tally.leavers_enrolled} enrolled people left"
        )
        print(
            f"  memory: RSS {rss_start:.0f} MB at start, {_rss_mb():.0f} MB at end, peak "
            f"{peak:.0f} MB; database {size:.1f} MB; wall {time.perf_counter() - started:.0f} s"
        )
        print(f"  Web API calls breaking Slack's method reference: {seen.violations}")
        return 0 if duplicates == 0 and lost == 0 and not seen.violations else 1
    finally:
        delivery.stop()
        slack.stop()
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
