"""Entry points: forged, tampered, unsigned, stale and replayed requests change nothing.

Each case sends a request that would otherwise run a round (database writes, a preview
posted to Slack) and checks the three things a reviewer cares about: the answer is 401,
no row anywhere changed, and no Web API call or response_url post was made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from slack_bolt import BoltRequest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.app import Mentorbot
from bot.jobs import apply_retention
from models.tables import Base, ProcessedEvent
from testkit.requests import SlackDriver, ack_json, sign
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_rounds_world

ADMIN_CHANNEL = "CADMIN0001"
FORM = "application/x-www-form-urlencoded"


def _row_counts(s: Session) -> dict[str, int]:
    return {
        table.name: int(s.scalar(select(func.count()).select_from(table)) or 0)
        for table in Base.metadata.sorted_tables
    }


def _setup(bot: Mentorbot, slack: SlackDriver, fake: FakeSlack, clock: FrozenClock) -> str:
    fake.add_user(ADMIN, real_name="Ada Admin")
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock(), pairs=2, fake=fake)
    return slack.payloads.slash_command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)


Tamper = Callable[[str], tuple[str, dict[str, str]]]


def _forged(body: str) -> tuple[str, dict[str, str]]:
    return body, sign(body, secret="not-the-signing-secret")


def _tampered(body: str) -> tuple[str, dict[str, str]]:
    headers = sign(body)
    return body.replace("admin+round", "admin+round+--dry-run"), headers


def _unsigned(body: str) -> tuple[str, dict[str, str]]:
    return body, {}


def _no_timestamp(body: str) -> tuple[str, dict[str, str]]:
    headers = sign(body)
    del headers["x-slack-request-timestamp"]
    return body, headers


def _stale(body: str) -> tuple[str, dict[str, str]]:
    return body, sign(body, timestamp=int(time.time()) - 5 * 60 - 1)


def _future(body: str) -> tuple[str, dict[str, str]]:
    return body, sign(body, timestamp=int(time.time()) + 5 * 60 + 1)


def _garbled_signature(body: str) -> tuple[str, dict[str, str]]:
    headers = sign(body)
    headers["x-slack-signature"] = "v0=" + "0" * 64
    return body, headers


@pytest.mark.parametrize(
    "tamper",
    [_forged, _tampered, _unsigned, _no_timestamp, _stale, _future, _garbled_signature],
    ids=lambda f: f.__name__.strip("_"),
)
def test_bad_signatures_are_401_and_change_nothing(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock, tamper: Tamper
) -> None:
    body = _setup(bot, slack, fake_slack, clock)
    with bot.sessions.begin() as s:
        before = _row_counts(s)
    calls_before = len(fake_slack.calls)

    body, headers = tamper(body)
    response = bot.app.dispatch(BoltRequest(body=body, headers={"content-type": FORM, **headers}))

    assert response.status == 401
    with bot.sessions.begin() as s:
        assert _row_counts(s) == before
    assert len(fake_slack.calls) == calls_before
    assert fake_slack.state.responses == []


def test_a_replayed_request_inside_the_window_runs_once(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    body = _setup(bot, slack, fake_slack, clock)
    headers = {"content-type": FORM, **sign(body)}
    first = bot.app.dispatch(BoltRequest(body=body, headers=dict(headers)))
    with bot.sessions.begin() as s:
        after_first = _row_counts(s)
    responses = len(fake_slack.state.responses)
    calls = len(fake_slack.calls)

    second = bot.app.dispatch(BoltRequest(body=body, headers=dict(headers)))

    assert first.status == 200
    assert second.status == 200
    assert after_first["intents"] == 1  # the round it asked for, recorded before the ack
    with bot.sessions.begin() as s:
        assert _row_counts(s) == after_first
    assert len(fake_slack.state.responses) == responses
    assert len(fake_slack.calls) == calls

    # The same words sent again as a new request (new signature) are a new command.
    again = slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    assert "Matching" in ack_json(again)["text"]
    with bot.sessions.begin() as s:
        assert _row_counts(s)["intents"] == 2


def test_replay_keys_are_forgotten_after_the_window_but_event_ids_are_kept(
    bot: Mentorbot, slack: SlackDriver, clock: FrozenClock
) -> None:
    slack.command("UANYONE001", "help")
    with bot.sessions.begin() as s:
        s.add(ProcessedEvent(event_id="Ev0001", received_at=clock()))
    clock.advance(minutes=11)

    pruned = apply_retention(bot.sessions, bot.deps.clock, timedelta(days=30))
    assert pruned.signatures == 1
    with bot.sessions.begin() as s:
        assert s.scalars(select(ProcessedEvent.event_id)).all() == ["Ev0001"]
