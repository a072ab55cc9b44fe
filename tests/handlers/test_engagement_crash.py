"""A bot process SIGKILLed in the middle of a nudge run, then restarted: each check-in and
each first-meeting nudge is stored once and reaches its pair exactly once.

The killed process runs the engagement job and delivery at once, as the leader does; the
kill lands when Slack receives the Nth post (N varies), so it falls at different points of
the job and of delivery. Before the restart, no check-in exists without its message.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from bot.app import Mentorbot
from bot.jobs import run_engagement
from bot.work import drain
from flows.rounds import start_round
from handlers.pacing import Pacer
from models.tables import CheckIn, OutboxMessage
from testkit.slack import FakeSlack
from tests.handlers.test_round_faults import _until_done
from tests.support.clock import FrozenClock
from tests.support.crash import kill_when
from tests.support.rounds_world import make_rounds_world

PAIRS = 24
STARTED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
JOB_AT = STARTED + timedelta(days=14, minutes=30)  # the check-in and the 10-day nudge are due
DELIVER_AT = JOB_AT + timedelta(minutes=31)  # just after 10:00, when both land


def _posted_keys(fake: FakeSlack) -> Counter[str]:
    with fake.lock:
        return Counter(
            str(((m.metadata or {}).get("event_payload") or {}).get("key", ""))
            for m in fake.state.messages
        )


@pytest.mark.parametrize("posts_before_kill", [0, 9, 30])
def test_killed_nudge_run_neither_loses_nor_repeats(
    bot: Mentorbot,
    engine: Engine,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    posts_before_kill: int,
) -> None:
    bot.deliverer.pacer = Pacer(scale=10_000)
    clock.set(STARTED)
    with bot.sessions.begin() as s:
        world = make_rounds_world(
            s,
            clock(),
            pairs=PAIRS,
            fake=fake_slack,
            approval_required=False,
            mentee_tz="UTC",
            mentor_tz="UTC",
        )
    with bot.sessions.begin() as s:
        start_round(s, world.program_id, at=clock())
    drain(bot.sessions, clock)
    _until_done(bot, clock, bot.deliverer.run_once)  # the intros
    intros = sum(_posted_keys(fake_slack).values())

    arrived, release = fake_slack.hold("chat.postMessage", after=posts_before_kill)
    clock.set(DELIVER_AT)  # Slack stamps the worker's posts on the worker's clock
    kill_when(
        arrived,
        "tests.support.engage_worker",
        engine.url.render_as_string(hide_password=False),
        fake_slack.api_url,
        JOB_AT.isoformat(),
        DELIVER_AT.isoformat(),
    )

    with bot.sessions() as s:  # nothing half-written: each check-in has its message queued
        checkins = s.scalar(select(func.count()).select_from(CheckIn)) or 0
        queued = s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.key.like("match:%:checkin:1"))
        )
    assert 0 < checkins <= PAIRS
    assert queued == checkins
    posts = len(fake_slack.calls_to("chat.postMessage"))
    release.set()  # Slack finishes the post it was holding when the process died
    while len(fake_slack.calls_to("chat.postMessage")) == posts:  # stamped on the worker's clock
        arrived.wait(0.01)

    clock.set(JOB_AT)  # the restarted leader runs the job again, then delivers
    run_engagement(bot.sessions, bot.deps.clock)
    clock.set(DELIVER_AT)
    _until_done(bot, clock, bot.deliverer.run_once)

    keys = _posted_keys(fake_slack)
    assert sum(keys.values()) == intros + 2 * PAIRS
    assert max(keys.values()) == 1  # no message twice
    with bot.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CheckIn)) == PAIRS
        assert set(s.scalars(select(OutboxMessage.state))) == {"sent"}
        for match_id in s.scalars(select(CheckIn.match_id)):
            assert keys[f"match:{match_id}:checkin:1"] == 1
            assert keys[f"match:{match_id}:first-nudge"] == 1
