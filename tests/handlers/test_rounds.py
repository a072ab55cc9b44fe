"""Rounds through the real app: run, preview, approve once, intros, vanished members."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.app import Mentorbot
from bot.jobs import install_jobs
from bot.scheduler import LeaderScheduler
from bot.work import drain
from handlers.ids import Action
from models.tables import Match, OutboxMessage, Program, Round
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.rounds_world import RoundsWorld, make_rounds_world
from tests.support.work import live_through

ADMIN_CHANNEL = "CADMIN0001"


def _world(bot: Mentorbot, fake: FakeSlack, clock: FrozenClock, **values: Any) -> RoundsWorld:
    fake.add_user(ADMIN, real_name="Ada Admin")
    with bot.sessions.begin() as s:
        return make_rounds_world(s, clock(), pairs=2, fake=fake, **values)


def _drain(bot: Mentorbot, clock: FrozenClock) -> None:
    """Deliver everything queued, each message at its landing time (intros wait for hours)."""
    live_through(bot, clock)


def _preview(fake: FakeSlack) -> Any:
    previews = _previews(fake)
    assert len(previews) == 1
    return previews[0]


def _previews(fake: FakeSlack) -> list[Any]:
    return [m for m in fake.messages_in(ADMIN_CHANNEL) if m.text.startswith(("*Round", "*Dry"))]


def _button_value(message: Any, action_id: str) -> str:
    for block in message.blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button")


def _responses(fake: FakeSlack) -> list[str]:
    return [str(r.get("text")) for r in fake.state.responses]


def test_admin_runs_round_approves_once_and_each_pair_gets_one_intro(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    said = ack_json(slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL))["text"]
    assert "the preview will be in" in said
    _drain(bot, clock)
    preview = _preview(fake_slack)
    assert "2 matches" in preview.text
    body = json.dumps(preview.blocks)
    for needle in ("Scores:", "Fairness flags", "Sample of matches", "Mentor 0"):
        assert needle in body
    value = _button_value(preview, Action.ROUND_APPROVE)

    fake_slack.add_members(ADMIN_CHANNEL, "UMENTEE000")  # someone who is not an admin
    slack.action("UMENTEE000", Action.ROUND_APPROVE, value, channel_id=ADMIN_CHANNEL)
    refusals = fake_slack.calls_to("chat.postEphemeral")
    assert [c.args["user"] for c in refusals] == ["UMENTEE000"]
    assert "only program admins" in refusals[0].args["text"]
    with bot.sessions.begin() as s:
        assert s.scalars(select(Round.status)).one() == "proposed"

    slack.action(ADMIN, Action.ROUND_APPROVE, value, channel_id=ADMIN_CHANNEL)
    slack.action(ADMIN, Action.ROUND_APPROVE, value, channel_id=ADMIN_CHANNEL)
    assert any("already approved" in t for t in _responses(fake_slack))
    approved_at = clock()
    _drain(bot, clock)
    for mentor, mentee in zip(world.mentors, world.mentees, strict=True):
        intros = fake_slack.messages_in(fake_slack.dm_channel(mentor, mentee))
        assert len(intros) == 1
        intro = json.dumps(intros[0].blocks)
        assert f"<@{mentor}>" in intro
        assert "Why you two" in intro
        assert "hopes to work on" in intro
        # each slot shown in both readers' zones (London and New York are 5 hours apart)
        slots = [b for b in intros[0].blocks if "Three times" in json.dumps(b)]
        lines = slots[0]["text"]["text"].splitlines()[1:]
        assert len(lines) == 3
        for line in lines:
            assert "<!date^" in line
            london = line.split("Mentor ")[1].split(" · ")[0]
            newyork = line.split("Mentee ")[1]
            assert int(london.split(":")[0][-2:]) - int(newyork.split(":")[0][-2:]) == 5
        actions = [e.get("action_id") for b in intros[0].blocks for e in b.get("elements", [])]
        assert Action.SCHEDULED in actions
        assert Action.NOT_A_GOOD_FIT in actions
    with bot.sessions.begin() as s:
        matches = s.scalars(select(Match)).all()
        assert {m.state for m in matches} == {"active"}
        assert all(m.ends_at is not None and m.started_at == approved_at for m in matches)
        assert s.scalars(select(Round.status)).one() == "announced"


def test_dry_run_sends_nothing_to_participants(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock)
    slack.command(ADMIN, "admin round eng --dry-run", channel_id=ADMIN_CHANNEL)
    _drain(bot, clock)
    preview = _preview(fake_slack)
    assert "Dry run" in preview.text
    assert "round_approve" not in json.dumps(preview.blocks)
    assert fake_slack.calls_to("conversations.open") == []
    assert {m.channel for m in fake_slack.state.messages} == {ADMIN_CHANNEL}


def test_round_only_from_the_admin_channel(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock)
    said = ack_json(slack.command(ADMIN, "admin round", channel_id="C0GENERAL"))["text"]
    assert "from its admin channel" in said
    with bot.sessions.begin() as s:
        assert s.scalars(select(Round)).all() == []


def test_non_admin_cannot_run_a_round(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock)
    text = ack_json(slack.command("UMENTEE000", "admin round", channel_id=ADMIN_CHANNEL))["text"]
    assert "only program admins" in text


def test_discard_tells_nobody_and_rerun_makes_a_new_preview(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock)
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    _drain(bot, clock)
    value = _button_value(_preview(fake_slack), Action.ROUND_RERUN)
    slack.action(ADMIN, Action.ROUND_RERUN, value, channel_id=ADMIN_CHANNEL)
    _drain(bot, clock)
    previews = _previews(fake_slack)
    assert len(previews) == 2
    second = _button_value(previews[1], Action.ROUND_DISCARD)
    slack.action(ADMIN, Action.ROUND_DISCARD, second, channel_id=ADMIN_CHANNEL)
    _drain(bot, clock)
    with bot.sessions.begin() as s:
        assert sorted(s.scalars(select(Round.status))) == ["discarded", "discarded"]
        assert {m.state for m in s.scalars(select(Match))} == {"cancelled"}
    assert fake_slack.calls_to("conversations.open") == []


def test_program_without_approval_introduces_at_once(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock, approval_required=False)
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    _drain(bot, clock)
    for mentor, mentee in zip(world.mentors, world.mentees, strict=True):
        assert len(fake_slack.messages_in(fake_slack.dm_channel(mentor, mentee))) == 1


def test_vanished_member_cancels_the_match_kindly_and_is_counted(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock, approval_required=False)
    install_jobs(bot, LeaderScheduler(bot))
    fake_slack.state.users[world.mentees[0]].deleted = True
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    _drain(bot, clock)
    mentor = world.mentors[0]
    assert fake_slack.messages_in(fake_slack.dm_channel(mentor, world.mentees[0])) == []
    kindly = fake_slack.messages_in(fake_slack.dm_channel(mentor))
    assert len(kindly) == 1
    assert "first in line" in kindly[0].text
    assert (
        len(fake_slack.messages_in(fake_slack.dm_channel(world.mentors[1], world.mentees[1]))) == 1
    )
    with bot.sessions.begin() as s:
        states = sorted((m.state, m.end_reason or "") for m in s.scalars(select(Match)))
        assert states == [("active", ""), ("cancelled", "vanished")]
        assert s.scalars(select(Round.stats)).one()["vanished"] == 1
        # the one who stays is first in line next time; the one who vanished is gone
        from models.tables import Enrollment, Person

        people = {p.slack_user_id: p for p in s.scalars(select(Person))}
        stays = s.scalars(select(Enrollment).where(Enrollment.person_id == people[mentor].id)).one()
        assert stays.priority
        assert stays.waiting_since is not None
        assert people[world.mentees[0]].is_deleted


def test_member_deleted_before_approval_is_cancelled_without_a_slack_call(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    _drain(bot, clock)
    from models.tables import Person

    with bot.sessions.begin() as s:
        person = s.scalars(select(Person).where(Person.slack_user_id == world.mentees[0])).one()
        person.is_deleted = True
    slack.action(
        ADMIN, Action.ROUND_APPROVE, _button_value(_preview(fake_slack), Action.ROUND_APPROVE)
    )
    _drain(bot, clock)
    with bot.sessions.begin() as s:
        assert s.scalars(select(Round.stats)).one()["vanished"] == 1
        keys = list(s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.contains("intro"))))
        assert len(keys) == 1
        assert s.get_one(Program, world.program_id).name in json.dumps(
            fake_slack.messages_in(fake_slack.dm_channel(world.mentors[0]))[0].text
        )


def test_a_rate_limited_preview_is_posted_once_after_retry_after(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock)
    fake_slack.inject("chat.postMessage", status=429, retry_after=5)
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    drain(bot.sessions, clock)  # the leader matches; the preview is queued
    assert bot.deliverer.run_once().retried == 1
    clock.advance(seconds=5)
    _drain(bot, clock)  # the retry first reads the channel's history for its own post
    assert _preview(fake_slack).text
    with bot.sessions.begin() as s:
        assert s.scalars(select(OutboxMessage.state)).all() == ["sent"]
