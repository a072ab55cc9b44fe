"""Benchmark: `python -m bench.announce [--pairs N] [--scale S] [--database-url URL]`.

Announces a real round of N pairs (default 5,000) through the outbox against a loopback
Slack fake that enforces Slack's rate tiers (conversations.open Tier 3, 50 a minute;
chat.postMessage one a second per channel and a workspace-wide cap), while slash commands
go through the real HTTP server. Time is scaled by S (default 100) on both sides — the
fake's windows and the bot's clock and pacer — so 100 Slack-minutes take one real minute;
rates are reported in Slack time against the tier, so the ratio is the honest one.
Prints deliveries, duplicates, losses, achieved vs allowed rate, 429s, p99 command ack.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.kit import SIGNING_SECRET, command_body, percentile, post_signed, rate_limited_slack
from bot.app import Mentorbot, create_app
from bot.migrate import upgrade
from bot.settings import Settings
from bot.work import drain
from flows.rounds import start_round
from handlers.pacing import TIER_PER_MINUTE, Pacer
from models.db import make_engine, make_session_factory
from models.tables import (
    Enrollment,
    EnrollmentSkill,
    OutboxMessage,
    Person,
    Program,
    Skill,
    Workspace,
)
from testkit.serve import serve

# Intros land at their readers' next 10:00 (matching.landing); in these zones 10:00 is 10:00
# UTC in November and the round is queued before it, so Slack's tiers are all that paces it.
ZONES = ("Europe/London", "Europe/Lisbon", "Europe/Dublin", "Atlantic/Reykjavik")
LANDING = datetime(2026, 11, 23, 10, tzinfo=UTC)  # a Monday's 10:00 in all of them
SKILLS = ("python", "sql", "leadership", "design", "testing", "ops", "data", "product")


class ScaledClock:
    """Slack time: starts at `start` and runs `scale` times faster than the wall clock."""

    def __init__(self, start: datetime, scale: float) -> None:
        self.start = start
        self.scale = scale
        self.origin = time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.origin) * self.scale)

    def jump_to(self, moment: datetime) -> None:
        """Carry on from `moment`, never back: the time skipped held nothing to do."""
        self.start, self.origin = max(moment, self()), time.monotonic()


def _populate(bot: Mentorbot, pairs: int, at: datetime, team_id: str) -> int:
    with bot.sessions.begin() as s:
        workspace = Workspace(slack_team_id=team_id, name="Bench", created_at=at)
        s.add(workspace)
        s.flush()
        program = Program(
            workspace_id=workspace.id,
            slug="bench",
            name="Bench mentoring",
            approval_required=False,
            admin_channel_id="CADMINBENCH",
            settings={},
            weights={},
            created_at=at,
            updated_at=at,
        )
        s.add(program)
        s.flush()
        skills = []
        for slug in SKILLS:
            skill = Skill(
                program_id=program.id, slug=slug, name=slug.title(), cluster="all", created_at=at
            )
            s.add(skill)
            skills.append(skill)
        s.flush()
        for i in range(pairs * 2):
            mentor = i % 2 == 0
            zone = ZONES[(i // 2) % len(ZONES)]
            person = Person(
                workspace_id=workspace.id,
                slack_user_id=f"U{'M' if mentor else 'E'}{i:07d}",
                real_name=f"Person {i}",
                tz=zone,
                hr_attributes={},
                created_at=at,
                updated_at=at,
            )
            s.add(person)
            s.flush()
            enrollment = Enrollment(
                program_id=program.id,
                person_id=person.id,
                role="mentor" if mentor else "mentee",
                capacity=1 if mentor else 0,
                seniority=5 if mentor else 1,
                timezone=zone,
                working_days=[0, 1, 2, 3, 4],
                languages=[],
                preferences={},
                consent_at=at,
                created_at=at,
                updated_at=at,
            )
            s.add(enrollment)
            s.flush()
            s.add(
                EnrollmentSkill(
                    enrollment_id=enrollment.id,
                    skill_id=skills[(i // 2) % len(skills)].id,
                    kind="offer" if mentor else "seek",
                    level=3 if mentor else 2,
                )
            )
        return program.id


def _users(fake: Any, bot: Mentorbot) -> None:
    with bot.sessions() as s:
        for user_id, zone in s.execute(select(Person.slack_user_id, Person.tz)).all():
            fake.add_user(user_id, tz=zone)


def _send_commands(url: str, stop: threading.Event, acks: list[float]) -> None:
    """A slash command every 50 ms through the real HTTP server; ack time per command."""
    n = 0
    while not stop.is_set():
        n += 1
        status, seconds, _ = post_signed(url, command_body("UBENCHUSER", "help", n))
        if status == 200:
            acks.append(seconds)
        stop.wait(0.05)


def run(pairs: int, scale: float, database_url: str | None) -> int:
    from testkit.slack import BOT_TOKEN, TEAM_ID

    fake = rate_limited_slack(scale).start()
    fake.add_channel("CADMINBENCH", "mentoring-admins")  # the program's, bot invited
    workdir = tempfile.mkdtemp(prefix="bench-announce-")
    url = database_url or f"sqlite:///{Path(workdir) / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    clock = ScaledClock(LANDING - timedelta(hours=12), scale)  # the set-up, before the round
    settings = Settings(
        database_url=url,
        slack_api_url=fake.api_url,
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
    )
    bot = create_app(settings, clock=clock, engine=engine)
    bot.deliverer.pacer = Pacer(scale=scale)

    t0 = time.perf_counter()
    program_id = _populate(bot, pairs, clock(), TEAM_ID)
    _users(fake, bot)
    t1 = time.perf_counter()
    sessions = make_session_factory(engine)
    clock.jump_to(LANDING - timedelta(hours=8))  # queueing 5,000 intros takes ~2 Slack-hours
    with sessions.begin() as s:
        outcome = start_round(s, program_id, at=clock())
    assert outcome is not None
    drain(sessions, clock)  # the leader's part: the intros are queued in batches
    clock.jump_to(LANDING - timedelta(seconds=1))  # the intros wait for 10:00, and only that
    matched = len(outcome.match_ids)
    t2 = time.perf_counter()
    print(
        f"setup: {pairs * 2} people in {t1 - t0:.1f}s; "
        f"round + {matched} intros queued in {t2 - t1:.1f}s"
    )

    command_url, close = serve(bot)
    stop = threading.Event()
    acks: list[float] = []
    sender = threading.Thread(target=_send_commands, args=(command_url, stop, acks), daemon=True)
    sender.start()
    started = time.monotonic()
    while True:
        bot.deliverer.run_once(limit=400)
        with sessions() as s:
            pending = s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.state == "pending")
            )
        if not pending:
            break
        stop.wait(0.01)
    elapsed = time.monotonic() - started
    stop.set()
    sender.join(timeout=5)
    close()

    keys: list[str] = []
    with fake.lock:
        for message in fake.state.messages:
            key = str(((message.metadata or {}).get("event_payload") or {}).get("key", ""))
            if ":intro:" in key:
                keys.append(key)
        opens = [c.at for c in fake.calls if c.method == "conversations.open"]
    with sessions() as s:
        failed = s.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "failed")
        )
    distinct = len(set(keys))
    slack_minutes = elapsed * scale / 60
    achieved = distinct / slack_minutes if slack_minutes else 0.0
    allowed = float(TIER_PER_MINUTE["t3"])  # one conversations.open per intro
    p99 = percentile(acks, 0.99) * 1000 if acks else float("nan")
    print(f"pairs matched:        {matched}")
    print(f"intros delivered:     {distinct}")
    print(f"duplicates:           {len(keys) - distinct}")
    print(f"losses:               {matched - distinct}  (failed outbox rows: {failed})")
    print(
        f"elapsed:              {elapsed:.1f}s real = "
        f"{slack_minutes:.1f} Slack-minutes (scale {scale:g})"
    )
    print(
        f"achieved rate:        {achieved:.1f} intros/min vs allowed {allowed:.0f}/min "
        f"(conversations.open, Tier 3) = {achieved / allowed:.0%}"
    )
    print(f"conversations.open:   {len(opens)} calls; 429 answers from the fake: {fake.limited}")
    print(
        f"slash command acks:   {len(acks)} sent meanwhile; p50 "
        f"{statistics.median(acks) * 1000:.1f} ms, p99 {p99:.1f} ms"
        if acks
        else "slash command acks:   none"
    )
    if fake.violations:
        print(f"Slack method reference violations: {sorted(set(fake.violations))[:5]}")
    fake.stop()
    engine.dispose()
    ok = len(keys) == distinct == matched and achieved / allowed >= 0.9 and p99 < 100
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.announce")
    parser.add_argument("--pairs", type=int, default=5000)
    parser.add_argument("--scale", type=float, default=100.0)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    return run(args.pairs, args.scale, args.database_url)


if __name__ == "__main__":
    sys.exit(main())
