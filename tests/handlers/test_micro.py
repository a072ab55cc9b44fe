"""Micro-mentoring through the real app: ask, the best available expert, decline, suggest,
accept, the conversation, and the one question afterwards; and who is never asked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import Mentorbot
from bot.jobs import expire_micro_offers
from handlers.forms import V
from handlers.ids import Action, Block, Callback
from models.hours import logged_hours
from models.tables import Enrollment, MicroOffer, MicroRequest, NeverMatch, Person
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
from tests.support.work import settle
from tests.support.world import make_match, make_program, make_round, make_workspace

ASKER = "UASKER001"
BEST, SECOND, THIRD = "UEXPERT01", "UEXPERT02", "UEXPERT03"
NEVER, PAUSED, CAPPED, FAR = "UNEVER001", "UPAUSED01", "UCAPPED01", "UFARAWAY1"
NOT_ASKED = (NEVER, PAUSED, CAPPED, FAR)


@dataclass
class World:
    program_id: int
    skills: dict[str, int]


def _world(bot: Mentorbot, fake: FakeSlack, at: datetime) -> World:
    fake.add_user(ADMIN, real_name="Ada Admin")
    seat(fake, ADMIN_CHANNEL, ADMIN)
    with bot.sessions.begin() as s:
        workspace = make_workspace(s, at, team_id=TEAM_ID)
        program = make_program(s, workspace, at)
        skills = make_skills(s, program, at)
        python = (("python", 3),)
        asker = join(
            s, fake, program, ASKER, "mentee", at, skills, seeks=("sql",), name="Ann Asker"
        )
        join(s, fake, program, BEST, "mentor", at, skills, offers=python, name="Bea Best")
        join(
            s,
            fake,
            program,
            SECOND,
            "mentor",
            at,
            skills,
            offers=python,
            name="Cy Second",
            tz="Europe/Berlin",
        )
        join(
            s, fake, program, THIRD, "mentor", at, skills, offers=(("python", 2),), name="Di Third"
        )
        never = join(s, fake, program, NEVER, "mentor", at, skills, offers=python, name="Ned Never")
        s.add(NeverMatch(enrollment_id=asker.id, person_id=never.person_id))
        join(
            s,
            fake,
            program,
            PAUSED,
            "mentor",
            at,
            skills,
            offers=python,
            name="Pat Paused",
            status="paused",
            paused_until=(at + timedelta(days=30)).date(),
        )
        capped = join(
            s,
            fake,
            program,
            CAPPED,
            "both",
            at,
            skills,
            offers=python,
            name="Cap Capped",
            hours_cap=2,
        )
        busy_mentee = join(s, fake, program, "UMENTEE09", "mentee", at, skills, seeks=("python",))
        # a running match takes ~2.1 hours a month: Cap has no room under a 2-hour cap
        make_match(s, make_round(s, program, at), [(capped, "mentor"), (busy_mentee, "mentee")], at)
        join(
            s,
            fake,
            program,
            FAR,
            "mentor",
            at,
            skills,
            offers=python,
            name="Fay Far",
            tz="Pacific/Honolulu",
            work_start_minute=9 * 60,
            work_end_minute=10 * 60,
        )
        return World(program.id, skills)


def _land(bot: Mentorbot, clock: FrozenClock, hours: float = 1) -> None:
    """Time moves on to when the bot's own messages land (10:00 local), and they go out."""
    clock.advance(hours=hours)
    settle(bot)


def _proposal(fake: FakeSlack, user: str) -> Message:
    found = [m for m in dms(fake, user) if Action.MICRO_ACCEPT in action_ids(m)]
    assert len(found) == 1, [m.text for m in dms(fake, user)]
    return found[0]


def _click(slack: SlackDriver, fake: FakeSlack, user: str, message: Message, action: str) -> None:
    slack.action(
        user,
        action,
        button(message, action),
        channel_id=fake.dm_channel(user),
        message_ts=message.ts,
    )


def test_an_ask_goes_to_the_best_available_expert_and_on_to_a_conversation(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock())
    said = ack_json(slack.command(ASKER, "ask python how to profile a slow service"))["text"]
    assert "I'm asking the best available expert in *Python*" in said
    _land(bot, clock)

    first = _proposal(fake_slack, BEST)
    text = seen(first)
    assert "<@UASKER001> would like a 30-minute conversation about *Python*" in text
    assert "*What it's about*: how to profile a slow service" in text
    assert "<!date^" in text  # times in both working hours, shown in the reader's zone
    for user in (SECOND, THIRD, *NOT_ASKED):
        assert dms(fake_slack, user) == []

    # the best expert can't: the next one is asked, and the asker hears nothing about it
    _click(slack, fake_slack, BEST, first, Action.MICRO_DECLINE)
    _land(bot, clock, hours=24)
    second = _proposal(fake_slack, SECOND)
    assert dms(fake_slack, ASKER) == []

    # the second suggests someone else: that person is asked, with who suggested them
    _click(slack, fake_slack, SECOND, second, Action.MICRO_SUGGEST)
    modal = [
        v for v in fake_slack.state.views.values() if v["callback_id"] == Callback.MICRO_SUGGEST
    ]
    assert len(modal) == 1
    slack.submit(
        SECOND,
        Callback.MICRO_SUGGEST,
        {Block.MICRO_PERSON: {V: {"type": "users_select", "selected_user": THIRD}}},
        private_metadata=modal[0]["private_metadata"],
    )
    _land(bot, clock, hours=24)
    third = _proposal(fake_slack, THIRD)
    assert "<@UEXPERT02> thought of you for this." in seen(third)
    # the ask the suggestion came from gave way to a note (its buttons are gone)
    assert "Thank you for suggesting someone" in json.dumps(fake_slack.state.responses)

    # a yes opens the conversation between the two, with times that fit both
    _click(slack, fake_slack, THIRD, third, Action.MICRO_ACCEPT)
    settle(bot)
    intro = dms(fake_slack, ASKER, THIRD)
    assert len(intro) == 1
    assert "<@UEXPERT03> has 30 minutes for <@UASKER001> about *Python*" in seen(intro[0])
    # the same button again changes nothing
    slack.action(THIRD, Action.MICRO_ACCEPT, button(third, Action.MICRO_ACCEPT))
    settle(bot)
    assert len(dms(fake_slack, ASKER, THIRD)) == 1

    # one question afterwards, a few days on (Monday 10:00), in the asker's working hours
    clock.advance(days=2)
    settle(bot)
    assert dms(fake_slack, ASKER) == []
    clock.advance(days=3)
    settle(bot)
    followup = dms(fake_slack, ASKER)
    assert len(followup) == 1
    assert "How was your conversation with <@UEXPERT03> about *Python*?" in seen(followup[0])
    slack.action(ASKER, Action.MICRO_HELPED, button(followup[0], Action.MICRO_HELPED))
    with bot.sessions.begin() as s:
        request = s.scalars(select(MicroRequest)).one()
        assert (request.state, request.outcome) == ("done", "helped")
        third_id = s.scalars(select(Person.id).where(Person.slack_user_id == THIRD)).one()
        assert logged_hours(s, [third_id])[third_id] == 0.5  # the session counts as given time

    # nobody the rules rule out was ever told anything
    for user in NOT_ASKED:
        assert everything_seen_by(fake_slack, user) == ""

    # the program's report counts micro-mentoring as its own kind
    slack.command(ADMIN, "admin report", channel_id=ADMIN_CHANNEL)
    settle(bot)
    report = [seen(m) for m in fake_slack.messages_in(ADMIN_CHANNEL) if "Report for" in m.text]
    # one ask is a group of one: counted, never shown
    assert any(
        "Micro-mentoring: asked not shown, accepted not shown, held not shown, nobody free"
        " not shown; found helpful: not shown"
        in r
        and "fewer than 5 people" in r
        for r in report
    ), report
    assert world.program_id


def test_nobody_free_is_said_kindly_and_no_expert_is_bothered(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock())
    with bot.sessions.begin() as s:
        for user in (BEST, SECOND, THIRD):
            for e in _enrollments(s, user):
                e.status, e.paused_until = "paused", (clock() + timedelta(days=9)).date()
    said = ack_json(slack.command(ASKER, "ask Python"))["text"]
    assert "Nobody who offers *Python* in Engineering mentoring has time" in said
    _land(bot, clock)
    for user in (ASKER, BEST, SECOND, THIRD, *NOT_ASKED):
        assert dms(fake_slack, user) == []
    with bot.sessions.begin() as s:
        assert s.scalars(select(MicroRequest.state)).one() == "unavailable"
        assert s.scalars(select(MicroOffer)).all() == []


def _enrollments(s: Session, user: str) -> list[Enrollment]:
    return list(
        s.scalars(
            select(Enrollment)
            .join(Person, Person.id == Enrollment.person_id)
            .where(Person.slack_user_id == user)
        )
    )


def test_an_unanswered_ask_moves_on_and_an_unknown_skill_gets_suggestions(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock())
    said = ack_json(slack.command(ASKER, "ask pyth"))["text"]
    assert "I don't know a skill called `pyth`" in said
    assert "`Python`" in said
    slack.command(ASKER, "ask python")
    _land(bot, clock)
    assert len(dms(fake_slack, BEST)) == 1
    clock.advance(days=1)
    assert expire_micro_offers(bot.sessions, clock) == 0
    clock.advance(days=1, hours=1)
    assert expire_micro_offers(bot.sessions, clock) == 1
    _land(bot, clock, hours=24)
    assert len(dms(fake_slack, SECOND)) == 1
    # the lapsed ask's button is now out of date
    slack.action(BEST, Action.MICRO_ACCEPT, button(dms(fake_slack, BEST)[0], Action.MICRO_ACCEPT))
    assert "This ask has moved on" in json.dumps(fake_slack.state.responses[-1])


def test_the_home_button_asks_through_a_modal(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock())
    slack.action(ASKER, Action.HOME_ASK, "ask")
    modal = [
        v for v in fake_slack.state.views.values() if v.get("callback_id") == Callback.MICRO_ASK
    ]
    assert len(modal) == 1
    assert "Python" in json.dumps(modal[0])
    choice = f"{world.program_id}:{world.skills['python']}"
    answer = ack_json(
        slack.submit(
            ASKER,
            Callback.MICRO_ASK,
            {
                Block.MICRO_SKILL: {
                    V: {"type": "static_select", "selected_option": {"value": choice}}
                },
                Block.MICRO_TOPIC: {V: {"type": "plain_text_input", "value": "flame graphs"}},
            },
        )
    )
    assert answer["response_action"] == "update"
    assert "best available expert in *Python*" in json.dumps(answer["view"])
    _land(bot, clock)
    assert "flame graphs" in seen(dms(fake_slack, BEST)[0])
    # a second ask about the same skill while one is under way is not sent twice
    said = ack_json(slack.command(ASKER, "ask python"))["text"]
    assert "already have an ask about *Python*" in said


def test_forget_me_takes_the_asks_and_the_offers_with_it(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock())
    slack.command(ASKER, "ask python")
    slack.command(SECOND, "ask leadership")  # nobody offers it (or near it): no offers
    with bot.sessions.begin() as s:
        assert len(s.scalars(select(MicroRequest)).all()) == 2
        assert len(s.scalars(select(MicroOffer)).all()) == 1
    slack.action(ASKER, Action.FORGET_ME_CONFIRM, "forget")
    slack.action(BEST, Action.FORGET_ME_CONFIRM, "forget")
    with bot.sessions.begin() as s:
        asks = s.scalars(select(MicroRequest)).all()
        assert [a.asker_id for a in asks] == [_person_id(s, SECOND)]
        assert s.scalars(select(MicroOffer)).all() == []


def _person_id(s: Session, user: str) -> int:
    return int(s.scalars(select(Person.id).where(Person.slack_user_id == user)).one())


def test_micro_figures_never_tell_about_fewer_than_five_directly_or_by_subtraction(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock())
    at = clock()
    # 9 asks: 6 accepted (all held: of the first five, 4 found it helpful, 1 not),
    # 2 with nobody free, 1 open
    with bot.sessions.begin() as s:
        asker = _person_id(s, ASKER)
        outcomes = ["not_helped"] + ["helped"] * 5
        for i, outcome in enumerate(outcomes):
            s.add(
                MicroRequest(
                    program_id=world.program_id,
                    asker_id=asker,
                    skill_id=world.skills["python"],
                    state="done",
                    created_at=at,
                    accepted_at=at,
                    done_at=at + timedelta(minutes=i),
                    outcome=outcome,
                )
            )
        _asks(s, world, asker, at, ("unavailable", "unavailable", "asking"))
    # 2 with nobody free and 1 open are hidden together, and so is the 6 they would give
    # away from 9 asked; 4 of the first 5 held found it helpful would tell that 1 did not
    assert _micro_line(bot, slack, fake_slack, clock).endswith(
        "asked 9, accepted not shown, held not shown, nobody free not shown;"
        " found helpful: not shown"
    )
    with bot.sessions.begin() as s:
        _asks(s, world, asker, at, ("unavailable",) * 5 + ("asking",) * 5)
    assert _micro_line(bot, slack, fake_slack, clock).endswith(
        "asked 19, accepted 6, held 6, nobody free 7; found helpful: not shown"
    )


def _asks(s: Session, world: World, asker: int, at: datetime, states: tuple[str, ...]) -> None:
    for state in states:
        s.add(
            MicroRequest(
                program_id=world.program_id,
                asker_id=asker,
                skill_id=world.skills["python"],
                state=state,
                created_at=at,
            )
        )


def _micro_line(bot: Mentorbot, slack: SlackDriver, fake: FakeSlack, clock: FrozenClock) -> str:
    clock.advance(minutes=1)
    slack.command(ADMIN, "admin report", channel_id=ADMIN_CHANNEL)
    settle(bot)
    report = [seen(m) for m in fake.messages_in(ADMIN_CHANNEL) if "Report for" in m.text]
    return next(line for line in report[-1].split("\n") if "Micro-mentoring" in line)
