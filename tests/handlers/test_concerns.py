"""Concerns through the real app: raised from a match message, seen by the program's admins
only (never by the partner, nor by an admin in the match), acknowledged, acted on, audited.

Who sees what: the reporter sees their acknowledgment and any reply; the program's own
admins who are not in the match see the report with its words; the partner, an admin in
the match and admins of other programs see nothing of it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import Mentorbot
from bot.jobs import run_engagement
from handlers.forms import V
from handlers.ids import Action, Block, Callback
from models.tables import AuditEntry, Concern, Match, OutboxMessage, Person, ProgramAdmin
from testkit.requests import SlackDriver, ack_json
from testkit.slack import TEAM_ID, FakeSlack, Message
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.features import (
    ADMIN_CHANNEL,
    action_ids,
    button,
    dms,
    everything_seen_by,
    join,
    seat,
    seen,
)
from tests.support.rounds_world import make_skills
from tests.support.work import live_through, settle
from tests.support.world import make_match, make_program, make_round, make_workspace

MENTEE, MENTOR = "UMENTEE01", "UMENTOR01"
PROGRAM_ADMIN = "UPADMIN01"
OTHER_ADMIN = "UOADMIN01"  # an admin of another program only
WORDS = "My mentor shared what I told them in confidence with my team."


@dataclass
class World:
    match_id: int
    program_id: int


def _world(
    bot: Mentorbot, fake: FakeSlack, at: datetime, *, mentor_is_admin: bool = False
) -> World:
    fake.add_user(ADMIN, real_name="Ada Admin")
    seat(fake, ADMIN_CHANNEL, ADMIN, MENTOR)
    with bot.sessions.begin() as s:
        workspace = make_workspace(s, at, team_id=TEAM_ID)
        program = make_program(s, workspace, at)
        other = make_program(s, workspace, at, slug="sales", name="Sales mentoring")
        skills = make_skills(s, program, at)
        mentee = join(
            s, fake, program, MENTEE, "mentee", at, skills, seeks=("python",), name="Mo Mentee"
        )
        mentor = join(
            s,
            fake,
            program,
            MENTOR,
            "mentor",
            at,
            skills,
            offers=(("python", 3),),
            name="Al Mentor",
        )
        admin = join(s, fake, program, PROGRAM_ADMIN, "mentor", at, skills, name="Pia Admin")
        other_admin = join(s, fake, other, OTHER_ADMIN, "mentor", at, {}, name="Ole Other")
        s.add(ProgramAdmin(program_id=program.id, person_id=admin.person_id, added_at=at))
        s.add(ProgramAdmin(program_id=other.id, person_id=other_admin.person_id, added_at=at))
        if mentor_is_admin:
            s.add(ProgramAdmin(program_id=program.id, person_id=mentor.person_id, added_at=at))
        match = make_match(
            s,
            make_round(s, program, at),
            [(mentor, "mentor"), (mentee, "mentee")],
            at,
            started_at=at - timedelta(days=20),
            ends_at=at + timedelta(days=60),
        )
        return World(match.id, program.id)


def _raise(
    slack: SlackDriver, fake: FakeSlack, world: World, *, reply: bool = True
) -> dict[str, Any]:
    # the button sits on the pair's own messages; clicking it opens a modal for the clicker
    slack.action(
        MENTEE,
        Action.CONCERN_OPEN,
        json.dumps({"match_id": world.match_id}),
        channel_id=fake.dm_channel(MENTEE, MENTOR),
    )
    modal = [v for v in fake.state.views.values() if v.get("callback_id") == Callback.CONCERN]
    assert len(modal) == 1
    assert "Only the admins of the program read this" in json.dumps(modal[0])
    values = {
        Block.CONCERN_ABOUT: {
            "type": "static_select",
            "selected_option": {"value": f"m:{world.match_id}"},
        },
        Block.CONCERN_CATEGORY: {
            "type": "static_select",
            "selected_option": {"value": "confidentiality"},
        },
        Block.CONCERN_TEXT: {"type": "plain_text_input", "value": WORDS},
        Block.CONCERN_WANTS_REPLY: {
            "type": "checkboxes",
            "selected_options": [{"value": "yes"}] if reply else [],
        },
    }
    return ack_json(
        slack.submit(
            MENTEE,
            Callback.CONCERN,
            {block: {V: value} for block, value in values.items()},
            private_metadata=modal[0]["private_metadata"],
        )
    )


def _report(fake: FakeSlack, admin: str) -> Message:
    found = [m for m in dms(fake, admin) if "A concern in" in m.text]
    assert len(found) == 1
    return found[0]


def test_a_concern_reaches_the_programs_admins_and_never_the_partner(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock())
    answer = _raise(slack, fake_slack, world)
    assert answer["response_action"] == "update"
    assert "went privately to the program's admin" in json.dumps(answer["view"])
    settle(bot)

    report = _report(fake_slack, PROGRAM_ADMIN)
    text = seen(report)
    assert "raised privately by <@UMENTEE01>" in text
    assert "<@UMENTOR01>" in text
    assert WORDS in text
    assert {Action.CONCERN_PAUSE, Action.CONCERN_END, Action.CONCERN_REPLY} <= set(
        action_ids(report)
    )
    ack = [m for m in dms(fake_slack, MENTEE) if "passed your concern" in m.text]
    assert len(ack) == 1
    assert "Nobody in your match is told" in ack[0].text
    # the partner sees nothing of it anywhere, and neither does another program's admin
    for user in (MENTOR, OTHER_ADMIN):
        assert WORDS not in everything_seen_by(fake_slack, user)
        assert "concern" not in everything_seen_by(fake_slack, user).lower()
    assert fake_slack.messages_in(ADMIN_CHANNEL) == []  # not the channel: the partner may be in it
    with bot.sessions.begin() as s:
        concern = s.scalars(select(Concern)).one()
        trail = s.scalars(select(AuditEntry).where(AuditEntry.target == f"concern:{concern.id}"))
        assert [(e.action, e.actor_slack_user_id) for e in trail] == [("concern.raise", None)]


def test_an_admin_in_the_match_is_not_told_and_the_workspace_admins_step_in(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock(), mentor_is_admin=True)
    with bot.sessions.begin() as s:
        # only the mentor (who is in the match) administers the program now
        rows = s.scalars(select(ProgramAdmin).where(ProgramAdmin.program_id == world.program_id))
        for row in rows:
            if row.person_id != _person(s, MENTOR):
                s.delete(row)
    _raise(slack, fake_slack, world)
    settle(bot)
    assert WORDS not in everything_seen_by(fake_slack, MENTOR)
    assert WORDS in seen(_report(fake_slack, ADMIN))  # the workspace admin (MENTORBOT_ADMINS)
    # and the mentor cannot act on it, even with the button's value in hand
    with bot.sessions.begin() as s:
        concern_id = s.scalars(select(Concern.id)).one()
    slack.action(MENTOR, Action.CONCERN_END, json.dumps({"concern_id": concern_id}))
    assert "Only admins of this program who are not in the match" in json.dumps(
        fake_slack.state.responses[-1]
    )
    with bot.sessions.begin() as s:
        assert s.get_one(Match, world.match_id).state == "active"


def _person(s: Session, user: str) -> int:
    return int(s.scalars(select(Person.id).where(Person.slack_user_id == user)).one())


def test_admins_pause_reply_and_end_kindly_and_every_step_is_in_the_trail(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock())
    _raise(slack, fake_slack, world)
    settle(bot)
    report = _report(fake_slack, PROGRAM_ADMIN)
    value = button(report, Action.CONCERN_PAUSE)

    # an admin of another program is refused, even holding the button's value
    slack.action(OTHER_ADMIN, Action.CONCERN_PAUSE, value)
    assert "only admins of" in json.dumps(fake_slack.state.responses[-1]).lower()

    slack.action(PROGRAM_ADMIN, Action.CONCERN_PAUSE, value)
    with bot.sessions.begin() as s:
        assert s.get_one(Match, world.match_id).paused_at == clock()
    # a paused match gets no check-ins: the pair is simply left alone
    before = len(dms(fake_slack, MENTOR, MENTEE))
    clock.advance(days=15)
    run_engagement(bot.sessions, bot.deps.clock)
    clock.advance(days=1)
    settle(bot)
    assert len(dms(fake_slack, MENTOR, MENTEE)) == before

    # a private reply to the reporter
    slack.action(PROGRAM_ADMIN, Action.CONCERN_REPLY, value)
    modal = [
        v for v in fake_slack.state.views.values() if v.get("callback_id") == Callback.CONCERN_REPLY
    ]
    assert len(modal) == 1
    slack.submit(
        PROGRAM_ADMIN,
        Callback.CONCERN_REPLY,
        {
            Block.CONCERN_REPLY_TEXT: {
                V: {"type": "plain_text_input", "value": "Thank you. I'll talk to them this week."}
            }
        },
        private_metadata=modal[0]["private_metadata"],
    )
    settle(bot)
    replies = [m for m in dms(fake_slack, MENTEE) if "replied about your concern" in m.text]
    assert len(replies) == 1
    assert "I'll talk to them this week" in replies[0].text
    assert "talk to them" not in everything_seen_by(fake_slack, MENTOR)

    # ending it kindly: both get the same words as any other ending, nobody is told why
    slack.action(PROGRAM_ADMIN, Action.CONCERN_END, value)
    live_through(bot, clock)  # the endings land in each reader's hours
    for user in (MENTOR, MENTEE):
        ended = [m for m in dms(fake_slack, user) if "has come to an end" in m.text]
        assert len(ended) == 1
    slack.action(PROGRAM_ADMIN, Action.CONCERN_RESOLVE, value)
    with bot.sessions.begin() as s:
        concern = s.scalars(select(Concern)).one()
        assert concern.state == "resolved"
        trail = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.target == f"concern:{concern.id}")
            .order_by(AuditEntry.id)
        )
        assert [(e.action, e.actor_slack_user_id) for e in trail] == [
            ("concern.raise", None),
            ("concern.pause", PROGRAM_ADMIN),
            ("concern.reply", PROGRAM_ADMIN),
            ("concern.end", PROGRAM_ADMIN),
            ("concern.resolve", PROGRAM_ADMIN),
        ]
        assert all(WORDS not in json.dumps(e.details) for e in trail)


def test_the_admins_list_shows_only_their_programs_concerns(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock())
    _raise(slack, fake_slack, world)
    mine = ack_json(slack.command(PROGRAM_ADMIN, "admin concerns"))["text"]
    assert "in *Engineering mentoring* (confidentiality)" in mine
    assert WORDS not in mine
    theirs = ack_json(slack.command(OTHER_ADMIN, "admin concerns"))["text"]
    assert theirs == "No open concerns in the programs you run."
    refused = ack_json(slack.command(MENTOR, "admin concerns"))["text"]
    assert "only program admins" in refused


def test_every_match_message_carries_the_concern_button(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    from flows import notices
    from handlers.messages import render

    members = (
        notices.IntroMember(MENTOR, "Al", "mentor", None, "UTC", ()),
        notices.IntroMember(MENTEE, "Mo", "mentee", None, "UTC", ("Python",)),
    )
    about_match = [
        notices.MatchIntro(1, 7, "P", members, ("r",), (), 14, 12, None),
        notices.CheckInAsk(7, 1, 3, clock().date()),
        notices.FirstMeetingNudge(7, 10, ()),
        notices.GoalsInvite(7, 1, "P"),
        notices.KeepGoingAsk(7, 1, 1, 4, "P"),
        notices.PulseAsk(7, 4, "P"),
        notices.PulseReminder(7, 4, "P"),
        notices.FinalSurvey(7, 4, "P"),
        notices.MentorInvite(7, 1, "P"),
        notices.CompletedThanks(7, "P"),
        notices.MatchEnded(7, 1, "P"),
    ]
    for notice in about_match:
        blocks = render(notice)["blocks"]
        values = [
            e.get("value")
            for b in blocks
            for e in b.get("elements", [])
            if e.get("action_id") == Action.CONCERN_OPEN
        ]
        assert values == [json.dumps({"match_id": 7}, separators=(",", ":"))], notice.KIND


def test_forget_me_erases_the_reporters_words(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock())
    _raise(slack, fake_slack, world)
    slack.action(MENTOR, Action.FORGET_ME_CONFIRM, "forget")  # the partner leaves: words go
    with bot.sessions.begin() as s:
        concern = s.scalars(select(Concern)).one()
        assert concern.text is None
        assert not any(WORDS in json.dumps(m.payload) for m in _outbox(s))
    slack.action(MENTEE, Action.FORGET_ME_CONFIRM, "forget")  # the reporter: the report goes
    with bot.sessions.begin() as s:
        assert s.scalars(select(Concern)).all() == []


def _outbox(s: Session) -> list[OutboxMessage]:
    return list(s.scalars(select(OutboxMessage)).all())
