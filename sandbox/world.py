"""The sandbox assembled: fake Slack, the real bot over HTTP, the clock, the leader's work.

Everything binds to 127.0.0.1 and the bot's only Slack is the fake (SLACK_API_URL), with a
token and signing secret generated per start; data goes to a throwaway SQLite file unless a
database URL is given. All acting is serialised by one lock: a person's request, the work
the leader would do right after it, and clock skips never interleave, so what the page shows
after an answer is what the bot has done.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import Mentorbot, create_app
from bot.migrate import upgrade
from bot.settings import Settings
from handlers.pacing import Pacer
from models.db import make_engine
from sandbox import people
from sandbox.clock import Leader, SandboxClock, next_weekday_at
from sandbox.person import Actor, Where
from sandbox.surfaces import seen_by
from sandbox.timeline import Timeline
from testkit.serve import serve
from testkit.slack import FakeSlack

# Slack's rate tiers paced 1000 times faster: the fake has no limits, and a skip of weeks
# delivers hundreds of messages that would otherwise wait on the real tiers' minutes.
PACE_SCALE = 1000.0
SKIPS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}


def first_monday(now: datetime) -> datetime:
    """Where the sandbox's time starts: the coming Monday 14:00 UTC, when London, Berlin,
    Rome and New York are all at work (intros between them land at once)."""
    return next_weekday_at(now, 0, 14)


@dataclass
class Sandbox:
    fake: FakeSlack
    bot: Mentorbot
    clock: SandboxClock
    leader: Leader
    timeline: Timeline
    actor: Actor
    bot_url: str
    after: ThreadPoolExecutor
    _stops: list[Any] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    # -- reading ---------------------------------------------------------------------------
    def state(self, user: str, channel: str | None) -> dict[str, Any]:
        with self.lock:
            seen = seen_by(self.timeline, user, channel)
            due = self.leader.next_delivery()
            return {
                **seen,
                "now": self.clock().isoformat(),
                "next_delivery": due.isoformat() if due else None,
                "refused": list(self.fake.violations),
            }

    def file(self, file_id: str) -> tuple[str, bytes] | None:
        with self.fake.lock:
            info = self.fake.state.files.get(file_id)
            data = self.fake.state.uploads.get(file_id)
        if info is None or data is None:
            return None
        return str(info.get("filename", file_id)), data

    # -- acting ----------------------------------------------------------------------------
    def _then_settle(self, result: dict[str, Any]) -> dict[str, Any]:
        self.after.submit(lambda: None).result(timeout=30)  # after-ack work has run
        self.leader.settle()
        self.timeline.sync()
        return result

    def command(self, user: str, text: str, channel: str) -> dict[str, Any]:
        with self.lock:
            return self._then_settle(self.actor.command(user, text, channel))

    def action(
        self, user: str, action: dict[str, Any], where: Where, values: dict[str, Any] | None
    ) -> dict[str, Any]:
        with self.lock:
            return self._then_settle(self.actor.action(user, action, where, values))

    def submit(self, user: str, view_id: str, values: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            return self._then_settle(self.actor.submit(user, view_id, values))

    def close(self, user: str, view_id: str) -> None:
        with self.lock:
            self.timeline.close(user, view_id)

    def open_home(self, user: str) -> dict[str, Any]:
        with self.lock:
            return self._then_settle(self.actor.open_home(user))

    def skip(self, how: str) -> datetime:
        """Move the bot's time on ("monday", "hour", "day", "week" or "next" delivery),
        doing the leader's work on the way; the new now."""
        with self.lock:
            now = self.clock()
            if how == "monday":
                target = next_weekday_at(now, 0, 10)
            elif how == "next":
                target = self.leader.next_delivery() or now
            else:
                target = now + SKIPS[how]
            self.leader.skip_to(max(target, now), self.timeline.sync)
            self.timeline.sync()
            return self.clock()

    def stop(self) -> None:
        for stop in reversed(self._stops):
            stop()


def start(database_url: str | None = None, *, at: datetime | None = None) -> Sandbox:
    """A running sandbox (the bot's HTTP server and the fake on loopback ports)."""
    stops: list[Any] = []
    if database_url is None:
        folder = tempfile.TemporaryDirectory(prefix="mentorbot-sandbox-")
        stops.append(folder.cleanup)
        database_url = f"sqlite:///{Path(folder.name) / 'sandbox.db'}"
    fake = FakeSlack()
    fake.bot_token = "xoxb-sandbox-" + secrets.token_hex(12)
    fake.start()
    stops.append(fake.stop)
    people.seed(fake)
    engine = make_engine(database_url)
    stops.append(engine.dispose)
    upgrade(engine)
    clock = SandboxClock(at or first_monday(datetime.now(UTC)))
    secret = secrets.token_hex(16)
    settings = Settings(
        database_url=database_url,
        slack_api_url=fake.api_url,
        bot_token=fake.bot_token,
        signing_secret=secret,
        admins=frozenset({people.ADMIN}),
    )
    # One after-ack worker: waiting on a no-op behind it means every earlier step has run.
    after = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-after-ack")
    stops.append(after.shutdown)
    bot = create_app(settings, clock=clock, engine=engine, after_executor=after)
    bot.deliverer.pacer = Pacer(scale=PACE_SCALE)
    url, stop_server = serve(bot, threads=4)
    stops.append(stop_server)
    timeline = Timeline(fake, clock)
    sandbox = Sandbox(
        fake=fake,
        bot=bot,
        clock=clock,
        leader=Leader(bot, clock),
        timeline=timeline,
        actor=Actor(fake, timeline, url, secret),
        bot_url=url,
        after=after,
        _stops=stops,
    )
    return sandbox
