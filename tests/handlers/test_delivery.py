"""The outbox worker: delivered once, in order, paced by Slack, recovered after a crash."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import Mentorbot
from models import outbox
from models.tables import OutboxMessage, Workspace
from models.workspace import ensure_workspace
from testkit.slack import TEAM_ID, FakeSlack
from tests.support.clock import FrozenClock

# Two channels the bot was invited to, as a program's admin and program channels are.
C1 = "C0PROGRAM01"
C2 = "C0OTHERPRG1"


@pytest.fixture(autouse=True)
def channels(fake_slack: FakeSlack) -> None:
    fake_slack.add_channel(C1, "mentoring")
    fake_slack.add_channel(C2, "mentoring-admins")


@pytest.fixture
def workspace_id(bot: Mentorbot, clock: FrozenClock) -> int:
    with bot.sessions.begin() as s:
        return ensure_workspace(s, TEAM_ID, clock()).id


def queue(bot: Mentorbot, workspace_id: int, key: str, conversation: str, text: str) -> bool:
    with bot.sessions.begin() as s:
        return outbox.enqueue(
            s,
            workspace_id=workspace_id,
            key=key,
            conversation=conversation,
            payload={"text": text},
            at=bot.deps.clock(),
        )


def states(bot: Mentorbot) -> dict[str, str]:
    with bot.sessions() as s:
        return {m.key: m.state for m in s.scalars(select(OutboxMessage))}


def test_group_dm_is_opened_and_posted_once(
    bot: Mentorbot, fake_slack: FakeSlack, workspace_id: int
) -> None:
    fake_slack.add_user("U1")
    fake_slack.add_user("U2")
    assert queue(bot, workspace_id, "intro:1", outbox.dm_to("U2", "U1"), "Meet your match")
    assert not queue(bot, workspace_id, "intro:1", outbox.dm_to("U1", "U2"), "again")
    report = bot.deliverer.run_once()
    assert report.sent == 1
    channel = fake_slack.dm_channel("U1", "U2")
    [message] = fake_slack.messages_in(channel)
    assert message.text == "Meet your match"
    assert message.metadata["event_payload"]["key"] == "intro:1"
    assert bot.deliverer.run_once().sent == 0
    assert len(fake_slack.messages_in(channel)) == 1
    with bot.sessions() as s:
        row = s.scalars(select(OutboxMessage)).one()
        assert (row.state, row.slack_channel, row.slack_ts) == ("sent", channel, message.ts)


def test_a_dm_is_opened_once_and_its_channel_reused_by_later_messages(
    bot: Mentorbot, fake_slack: FakeSlack, workspace_id: int
) -> None:
    fake_slack.add_user("U1")
    fake_slack.add_user("U2")
    for n, members in enumerate([("U1",), ("U1", "U2"), ("U1",), ("U2", "U1")]):
        queue(bot, workspace_id, f"m:{n}", outbox.dm_to(*members), f"message {n}")
        assert bot.deliverer.run_once().sent == 1
    opened = [c.args["users"] for c in fake_slack.calls_to("conversations.open")]
    assert sorted(opened) == ["U1", "U1,U2"]  # each conversation once, not once a message
    assert [m.text for m in fake_slack.messages_in(fake_slack.dm_channel("U1"))] == [
        "message 0",
        "message 2",
    ]
    assert [m.text for m in fake_slack.messages_in(fake_slack.dm_channel("U1", "U2"))] == [
        "message 1",
        "message 3",
    ]


def test_a_reused_channel_slack_no_longer_knows_is_opened_afresh(
    bot: Mentorbot, fake_slack: FakeSlack, workspace_id: int, clock: FrozenClock
) -> None:
    fake_slack.add_user("U1")
    queue(bot, workspace_id, "m:0", outbox.dm_to("U1"), "first")
    bot.deliverer.run_once()
    fake_slack.inject("chat.postMessage", error="channel_not_found")
    queue(bot, workspace_id, "m:1", outbox.dm_to("U1"), "second")
    report = bot.deliverer.run_once()
    assert (report.sent, report.failed, report.retried) == (0, 0, 1)  # not given up on
    clock.advance(seconds=5)
    assert bot.deliverer.run_once().sent == 1
    assert len(fake_slack.calls_to("conversations.open")) == 2
    texts = [m.text for m in fake_slack.messages_in(fake_slack.dm_channel("U1"))]
    assert texts == ["first", "second"]


def test_rate_limit_waits_for_retry_after_then_delivers(
    bot: Mentorbot, fake_slack: FakeSlack, workspace_id: int, clock: FrozenClock
) -> None:
    fake_slack.add_user("U1")
    queue(bot, workspace_id, "k1", C1, "hello")
    fake_slack.inject("chat.postMessage", status=429, retry_after=7)
    assert bot.deliverer.run_once().retried == 1
    clock.advance(seconds=6)
    assert bot.deliverer.run_once().sent == 0
    assert fake_slack.messages_in(C1) == []
    clock.advance(seconds=1)
    assert bot.deliverer.run_once().sent == 1
    assert [m.text for m in fake_slack.messages_in(C1)] == ["hello"]


def test_server_errors_back_off_and_keep_order_per_conversation(
    bot: Mentorbot, fake_slack: FakeSlack, workspace_id: int, clock: FrozenClock
) -> None:
    queue(bot, workspace_id, "a", C1, "first")
    queue(bot, workspace_id, "b", C1, "second")
    queue(bot, workspace_id, "c", C2, "other channel")
    fake_slack.inject("chat.postMessage", status=503)
    report = bot.deliverer.run_once()
    # "second" must not overtake "first"; another conversation is not held up.
    assert (report.retried, report.sent) == (1, 1)
    assert [m.text for m in fake_slack.messages_in(C2)] == ["other channel"]
    assert fake_slack.messages_in(C1) == []
    clock.advance(seconds=5)
    bot.deliverer.run_once()
    assert [m.text for m in fake_slack.messages_in(C1)] == ["first", "second"]


def test_crash_after_slack_accepted_does_not_post_twice(
    bot: Mentorbot, fake_slack: FakeSlack, workspace_id: int
) -> None:
    queue(bot, workspace_id, "k1", C1, "only once")
    # Simulate a process that died after Slack accepted the post but before marking it.
    with bot.sessions.begin() as s:
        [pending] = outbox.list_due(s, bot.deps.clock())
        assert outbox.claim_attempt(s, pending, at=bot.deps.clock()) is not None
    bot.client.chat_postMessage(
        channel=C1,
        text="only once",
        metadata={"event_type": "mentorbot_message", "event_payload": {"key": "k1"}},
    )
    report = bot.deliverer.run_once()
    assert (report.sent, report.recovered) == (0, 1)
    assert len(fake_slack.messages_in(C1)) == 1
    assert states(bot) == {"k1": "sent"}


def test_the_check_after_a_crash_reads_only_the_attempts_window_and_the_bots_own_posts(
    bot: Mentorbot, fake_slack: FakeSlack, workspace_id: int, clock: FrozenClock
) -> None:
    """Pairs talk in their group DM; the bot may read it only to find its own post, in the
    few minutes around the attempt whose outcome it does not know, with a small limit."""
    queue(bot, workspace_id, "k1", C1, "only once")
    with bot.sessions.begin() as s:
        [pending] = outbox.list_due(s, bot.deps.clock())
        assert outbox.claim_attempt(s, pending, at=clock()) is not None
    attempt = clock()
    bot.client.chat_postMessage(
        channel=C1,
        text="only once",
        metadata={"event_type": "mentorbot_message", "event_payload": {"key": "k1"}},
    )
    clock.advance(minutes=30)  # the pair talks on; the worker restarts later
    for n in range(40):
        bot.client.chat_postMessage(channel=C1, text=f"people talking {n}")
    fake_slack.reset_calls()

    report = bot.deliverer.run_once()

    assert (report.sent, report.recovered) == (0, 1)
    [read] = fake_slack.calls_to("conversations.history")
    assert read.args["channel"] == C1
    oldest, latest = float(read.args["oldest"]), float(read.args["latest"])
    assert attempt.timestamp() - 180 <= oldest <= attempt.timestamp()
    assert attempt.timestamp() <= latest <= attempt.timestamp() + 180
    assert int(read.args["limit"]) <= 30
    assert len([m for m in fake_slack.messages_in(C1) if m.text == "only once"]) == 1


def test_crash_before_slack_call_sends_on_restart(
    bot: Mentorbot, fake_slack: FakeSlack, workspace_id: int
) -> None:
    queue(bot, workspace_id, "k1", C1, "eventually")
    with bot.sessions.begin() as s:
        [pending] = outbox.list_due(s, bot.deps.clock())
        assert outbox.claim_attempt(s, pending, at=bot.deps.clock()) is not None
    assert bot.deliverer.run_once().sent == 1
    assert [m.text for m in fake_slack.messages_in(C1)] == ["eventually"]


def test_deactivated_user_fails_the_message_and_calls_the_hook(
    bot: Mentorbot, fake_slack: FakeSlack, workspace_id: int
) -> None:
    fake_slack.add_user("U1")
    fake_slack.add_user("U2", deleted=True)
    seen: list[tuple[str, str]] = []
    bot.deliverer.on_failure = lambda message, notice, error: seen.append((message.key, error))
    queue(bot, workspace_id, "intro", outbox.dm_to("U1", "U2"), "hi")
    report = bot.deliverer.run_once()
    assert report.failed == 1
    assert seen == [("intro", "user_disabled")]
    assert states(bot) == {"intro": "failed"}
    assert bot.deliverer.run_once().failed == 0


def test_revoked_token_stops_the_workspace_without_retrying(
    bot: Mentorbot, fake_slack: FakeSlack, workspace_id: int, clock: FrozenClock
) -> None:
    queue(bot, workspace_id, "a", C1, "one")
    queue(bot, workspace_id, "b", C2, "two")
    fake_slack.inject("chat.postMessage", error="token_revoked")
    bot.deliverer.run_once()
    calls = len(fake_slack.calls_to("chat.postMessage"))
    assert calls == 1
    clock.advance(timedelta(hours=1))
    bot.deliverer.run_once()
    assert len(fake_slack.calls_to("chat.postMessage")) == calls
    with bot.sessions() as s:
        assert s.scalars(select(Workspace)).one().token_revoked_at is not None
    assert set(states(bot).values()) == {"pending"}
