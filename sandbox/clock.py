"""The sandbox's time: a clock the bot reads, moved only by the page, and the leader's work.

The bot runs with this clock injected (create_app(clock=...)), so time stands still until a
person moves it. The sandbox is the leader: it runs exactly the jobs `bot.jobs.install_jobs`
gives the production scheduler, every four simulated hours while time is skipped, and
delivers at every moment a queued message is due, so each lands at the time it was meant to.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.app import Mentorbot
from bot.jobs import install_jobs
from bot.scheduler import LeaderScheduler
from models.tables import OutboxMessage

# How often the polling jobs run while time is skipped: messages carry their own landing
# times, so the jobs only find what is due (as in production, where they poll every few minutes).
TICK = timedelta(hours=4)
SETTLE_PASSES = 20


class SandboxClock:
    """A settable clock: what `now` is for the bot, until the page moves it."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when


def next_weekday_at(now: datetime, weekday: int, hour: int) -> datetime:
    """The first `weekday` (0 = Monday) at `hour`:00 UTC strictly after `now`."""
    day = now.astimezone(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return day if day > now else day + timedelta(days=7)


class Leader:
    """The leader's work on the sandbox clock: jobs, intents and the outbox."""

    def __init__(self, bot: Mentorbot, clock: SandboxClock) -> None:
        self.bot, self.clock = bot, clock
        book = LeaderScheduler(bot)  # never started: it only lists the jobs and their order
        install_jobs(bot, book)
        self.deliver: Callable[[], object] = book.jobs[0][2]
        self.jobs = [job for name, _, job in book.jobs if name not in ("outbox", "intents")]
        self.intents = next(job for name, _, job in book.jobs if name == "intents")

    def settle(self) -> int:
        """What the leader does within seconds of a request: due intents, then due messages,
        until nothing more goes out; how many messages were sent."""
        sent = 0
        for _ in range(SETTLE_PASSES):
            self.intents()
            report = self.bot.deliverer.run_once(limit=200)
            sent += report.sent
            if report.sent == 0 and report.retried == 0 and report.cancelled == 0:
                break
        return sent

    def tick(self) -> None:
        """Every periodic job once (rounds, newcomers, engagement, retros, …), then settle."""
        for job in self.jobs:
            job()
        self.settle()

    def next_delivery(self) -> datetime | None:
        """When the next queued message is due, if any."""
        with self.bot.sessions() as s:
            due = s.scalar(
                select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.state == "pending"
                )
            )
        if due is not None and due.tzinfo is None:
            due = due.replace(tzinfo=UTC)  # SQLite hands back naive UTC
        return due

    def skip_to(self, target: datetime, seen: Callable[[], object] = lambda: None) -> None:
        """Live through until `target`: hourly jobs, and every message at its landing time
        (`seen` is called after each stop, so what arrived is stamped with its own time)."""
        self.tick()
        next_job = self.clock() + TICK
        while self.clock() < target:
            due = self.next_delivery()
            stops = [t for t in (next_job, due, target) if t is not None and t > self.clock()]
            self.clock.set(min(stops, default=target))
            if self.clock() >= next_job:
                for job in self.jobs:
                    job()
                next_job = self.clock() + TICK
            self.settle()
            seen()
        self.tick()
