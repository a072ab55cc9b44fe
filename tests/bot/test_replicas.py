"""Three replica processes on one database: one sender, the leader killed, a quick handover.

The replicas are real processes running the production scheduler and outbox worker; the
leader is SIGKILLed while Slack holds one of its calls. Every intro must arrive exactly
once, and another replica must finish the work within the lease time plus a renewal.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from bot.app import Mentorbot
from bot.scheduler import LEASE_NAME
from models.tables import Lease
from testkit.slack import FakeSlack
from tests.handlers.test_round_faults import _announce, _exactly_once, _pending
from tests.support.clock import FrozenClock
from tests.support.replica import LEASE_TTL

ROOT = Path(__file__).resolve().parents[2]
REPLICAS = 3


def _leader_pid(bot: Mentorbot) -> int:
    with bot.sessions() as s:
        holder = s.scalars(select(Lease.holder).where(Lease.name == LEASE_NAME)).one()
    return int(holder.split(":")[1])


def test_killing_the_leader_hands_over_and_nothing_is_lost_or_repeated(
    bot: Mentorbot, engine: Engine, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _announce(bot, fake_slack, clock)
    fake_slack.clock = lambda: datetime.now(UTC)  # the replicas live in real time
    arrived, release = fake_slack.hold("chat.postMessage")
    replicas = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.replica",
                engine.url.render_as_string(hide_password=False),
                fake_slack.api_url,
            ],
            cwd=ROOT,
            env={**os.environ},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(REPLICAS)
    ]
    try:
        assert arrived.wait(timeout=60), "no replica ever sent anything"
        leader = _leader_pid(bot)
        assert leader in {p.pid for p in replicas}
        os.kill(leader, signal.SIGKILL)
        killed_at = time.monotonic()
        release.set()  # Slack finishes the call the dead leader made
        idle = threading.Event()  # waiting on other processes: real time is what is measured
        while _pending(bot) and time.monotonic() - killed_at < 60:
            idle.wait(0.1)
        handover = time.monotonic() - killed_at
        assert _pending(bot) == 0, "the survivors never finished the outbox"
        assert _leader_pid(bot) != leader
    finally:
        for p in replicas:
            p.kill()
            p.wait(timeout=20)
    _exactly_once(bot, fake_slack)
    print(f"handover after SIGKILL of the leader: {handover:.1f} s")
    assert handover < LEASE_TTL.total_seconds() + 10
