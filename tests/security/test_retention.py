"""Retention on schedule: delivered payloads, event ids and request signatures are pruned.

The leader's retention job (bot.jobs.apply_retention, installed as "retention") empties a
delivered message's payload once MENTORBOT_RETENTION_DAYS have passed, keeping the row so a
retried decision still finds its key; a message still waiting keeps everything.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from bot.app import Mentorbot, create_app
from bot.jobs import PRUNE_EVERY, apply_retention, install_jobs
from bot.scheduler import LeaderScheduler
from bot.settings import Settings
from models import outbox
from models.tables import OutboxMessage, ProcessedEvent
from models.workspace import ensure_workspace
from testkit.slack import TEAM_ID, FakeSlack
from tests.conftest import make_settings
from tests.support.clock import FrozenClock

DAYS = 30


def _queue(bot: Mentorbot, key: str, text: str, *, later: bool = False) -> None:
    at = bot.deps.clock()
    with bot.sessions.begin() as s:
        outbox.enqueue(
            s,
            workspace_id=ensure_workspace(s, TEAM_ID, at).id,
            key=key,
            conversation="C1",
            payload={"text": text},
            at=at,
            not_before=at + timedelta(days=90) if later else None,
        )


@pytest.fixture(autouse=True)
def _channel(fake_slack: FakeSlack) -> None:
    fake_slack.add_channel("C1", "general")


def _payloads(bot: Mentorbot) -> dict[str, dict[str, object]]:
    with bot.sessions() as s:
        return {m.key: m.payload for m in s.scalars(select(OutboxMessage))}


def test_delivered_payloads_are_emptied_after_the_retention_period_and_not_before(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _queue(bot, "sent", "Alice wants SQL; Bob offers it")
    _queue(bot, "waiting", "for the far future", later=True)
    assert bot.deliverer.run_once().sent == 1
    kept = timedelta(days=DAYS)

    clock.advance(days=DAYS - 1)
    assert apply_retention(bot.sessions, bot.deps.clock, kept).payloads == 0
    assert _payloads(bot)["sent"] == {"text": "Alice wants SQL; Bob offers it"}

    clock.advance(days=1, minutes=1)
    assert apply_retention(bot.sessions, bot.deps.clock, kept).payloads == 1
    assert _payloads(bot) == {"sent": {}, "waiting": {"text": "for the far future"}}
    assert apply_retention(bot.sessions, bot.deps.clock, kept).payloads == 0  # once
    with bot.sessions() as s:  # the row stays: its key still stops a second send
        assert s.scalars(select(OutboxMessage.state).where(OutboxMessage.key == "sent")).one()
    assert not _queued_again(bot)


def _queued_again(bot: Mentorbot) -> bool:
    at = bot.deps.clock()
    with bot.sessions.begin() as s:
        return outbox.enqueue(
            s,
            workspace_id=ensure_workspace(s, TEAM_ID, at).id,
            key="sent",
            conversation="C1",
            payload={"text": "again"},
            at=at,
        )


def test_event_ids_and_request_signatures_are_pruned_after_their_windows(
    bot: Mentorbot, clock: FrozenClock
) -> None:
    with bot.sessions.begin() as s:
        s.add(ProcessedEvent(event_id="sig:abc", received_at=clock()))
        s.add(ProcessedEvent(event_id="Ev0001", received_at=clock()))
    clock.advance(minutes=11)
    pruned = apply_retention(bot.sessions, bot.deps.clock, timedelta(days=DAYS))
    assert (pruned.signatures, pruned.events) == (1, 0)
    clock.advance(days=1)
    pruned = apply_retention(bot.sessions, bot.deps.clock, timedelta(days=DAYS))
    assert (pruned.signatures, pruned.events) == (0, 1)
    with bot.sessions() as s:
        assert s.scalars(select(ProcessedEvent)).all() == []


def test_the_leader_runs_retention_with_the_configured_period(
    fake_slack: FakeSlack, engine: Engine, clock: FrozenClock
) -> None:
    assert Settings.from_env({}).retention_days == DAYS
    assert Settings.from_env({"MENTORBOT_RETENTION_DAYS": "7"}).retention_days == 7
    url = engine.url.render_as_string(hide_password=False)
    bot = create_app(make_settings(fake_slack, url, retention_days=7), clock=clock, engine=engine)
    scheduler = LeaderScheduler(bot)
    install_jobs(bot, scheduler)
    [(every, job)] = [
        (every, job) for name, every, job, _ in scheduler._jobs if name == "retention"
    ]
    assert every == PRUNE_EVERY <= 3600
    _queue(bot, "sent", "names and goals")
    bot.deliverer.run_once()
    clock.advance(days=7, minutes=1)
    job()
    assert _payloads(bot) == {"sent": {}}
