"""Forget-me leaves nothing that identifies the person, and a way back that starts afresh.

A person takes part in every way the bot remembers (enrollment, HR roster, admin of a
program, a round they ran, an intro, goals and milestones, a check-in, a pulse comment, a
message still queued to them, someone else's never-match list), then asks to be forgotten
through Slack. Every column of every table is then read and searched for their Slack id,
name, email and each text they typed.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import Mentorbot
from flows import notices
from flows.notify import Reader, ToChannel, ToPeople, emit
from handlers.forms import V
from handlers.ids import Action, Block, Callback
from matching.landing import Hours
from models import engagement, hr_import
from models.forgetting import audit_actor
from models.tables import (
    AuditEntry,
    Base,
    Enrollment,
    Match,
    MatchMember,
    NeverMatch,
    OutboxMessage,
    Person,
    Program,
    ProgramAdmin,
)
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.enroll_world import (
    EnrollWorld,
    form_state,
    make_enroll_world,
    metadata,
    opened_form,
)
from tests.support.work import live_through, settle

ZELDA = "UZELDA0001"
MONA = "UMONA00001"
NINA = "UNINA00001"
ADMIN_CHANNEL = "CADMIN0001"
# Every trace of Zelda: her Slack id, names, email and everything she typed contain one.
NEEDLES = (ZELDA.lower(), "zelda", "quixote", "zqx")


def _join(slack: SlackDriver, fake: FakeSlack, user: str, **answers: Any) -> None:
    slack.command(user, "join")
    form = opened_form(fake)
    answer = slack.submit(
        user,
        Callback.JOIN,
        form_state(**answers),
        private_metadata=metadata(form),
        view_id=form["id"],
    )
    assert "errors" not in ack_json(answer), answer.body  # saved ("You're in", or a new page)


def _world(bot: Mentorbot, fake: FakeSlack, clock: FrozenClock) -> EnrollWorld:
    fake.add_user(
        ZELDA,
        "zeldaq",
        real_name="Zelda Quixote",
        email="zelda.quixote@example.com",
        tz="Europe/Berlin",
    )
    fake.add_user(MONA, real_name="Mona Lind", tz="Europe/Berlin")
    fake.add_user(NINA, real_name="Nina Berg", tz="Europe/Berlin")
    fake.add_user(ADMIN, real_name="Ada Admin")
    fake.add_channel(ADMIN_CHANNEL, private=True, members=[ADMIN, ZELDA])
    with bot.sessions.begin() as s:
        return make_enroll_world(s, clock(), admin_channel_id=ADMIN_CHANNEL)


def _preview_value(fake: FakeSlack) -> str:
    for message in reversed(fake.messages_in(ADMIN_CHANNEL)):
        for block in message.blocks or []:
            for element in block.get("elements", []):
                if element.get("action_id") == Action.ROUND_APPROVE:
                    return str(element["value"])
    raise AssertionError("no preview with an Approve button")


def _zelda_match(s: Session) -> Match:
    return s.scalars(
        select(Match)
        .join(MatchMember, MatchMember.match_id == Match.id)
        .join(Person, Person.id == MatchMember.person_id)
        .where(Person.slack_user_id == ZELDA, Match.state == "active")
    ).one()


def _take_part_everywhere(
    bot: Mentorbot, slack: SlackDriver, fake: FakeSlack, clock: FrozenClock
) -> EnrollWorld:
    world = _world(bot, fake, clock)
    sql = world.skills["SQL"]
    _join(slack, fake, MONA, role="mentor", expert=[sql], capacity=2, languages="English")
    _join(
        slack,
        fake,
        ZELDA,
        role="mentee",
        goals=[sql],
        free_goal="ZQX lead the data platform",
        department="ZQX Guild",
        languages="English, ZQXish",
    )
    _join(slack, fake, NINA, role="mentee", goals=[sql], never=[ZELDA], department="Data")
    with bot.sessions.begin() as s:  # the HR roster knows her too
        program = s.get_one(Program, world.program_id)
        assert hr_import.apply_row(
            s,
            program,
            ZELDA,
            {
                "email": "zelda.quixote@example.com",
                "department": "ZQX Records",
                "location": "ZQX City",
                "start_date": date(2020, 1, 6),
            },
            None,
            clock(),
            overwrite=False,
            forget_key=bot.deps.forget_key,
        )
    assert "now an admin" in ack_json(slack.command(ADMIN, f"admin add <@{ZELDA}>"))["text"]
    # as an admin she runs a round (audited, an intent) and the preview names her
    slack.command(ZELDA, "admin round", channel_id=ADMIN_CHANNEL)
    settle(bot)
    slack.action(ADMIN, Action.ROUND_APPROVE, _preview_value(fake), channel_id=ADMIN_CHANNEL)
    settle(bot)  # the intros, with her name and goals
    goals = {
        f"{Block.GOAL_TITLE}1": {V: {"type": "plain_text_input", "value": "ZQX goal one"}},
        f"{Block.GOAL_MEASURE}1": {V: {"type": "plain_text_input", "value": "ZQX measure"}},
        f"{Block.GOAL_MILESTONES}1": {V: {"type": "plain_text_input", "value": "ZQX step"}},
    }
    assert ack_json(slack.submit(ZELDA, Callback.GOALS, goals)) == {}
    with bot.sessions.begin() as s:
        match = _zelda_match(s)
        zelda = s.scalars(select(Person).where(Person.slack_user_id == ZELDA)).one()
        checkin = engagement.open_checkin(s, match, 1, clock())
        survey = engagement.survey(s, match.id, zelda.id, "first", 0, clock(), timedelta(days=7))
        assert checkin is not None
        assert survey is not None
        checkin_id, survey_id, match_id = checkin.id, survey.id, match.id
        # still queued when she asks: a reminder to her, and a notice naming her to admins
        emit(
            s,
            notices.PulseReminder(match_id, survey_id, "Engineering mentoring"),
            to=ToPeople((Reader(ZELDA, Hours("Europe/Berlin")),)),
            workspace_id=world.workspace_id,
            at=clock(),
            not_before=clock() + timedelta(days=3),
        )
        emit(
            s,
            notices.RoundDecision(999, "discarded", ZELDA, "Engineering mentoring"),
            to=ToChannel(ADMIN_CHANNEL),
            workspace_id=world.workspace_id,
            at=clock(),
            not_before=clock() + timedelta(days=3),
        )
    slack.action(ZELDA, Action.CHECKIN_MET, json.dumps({"checkin_id": checkin_id}))
    pulse = {
        Block.PULSE_VALUE: {V: {"type": "static_select", "selected_option": {"value": "4"}}},
        Block.PULSE_PROGRESS: {V: {"type": "static_select", "selected_option": {"value": "4"}}},
        Block.PULSE_COMMENT: {V: {"type": "plain_text_input", "value": "ZQX between us"}},
    }
    meta = json.dumps({"survey_id": survey_id})
    assert slack.submit(ZELDA, Callback.PULSE, pulse, private_metadata=meta).body == ""
    return world


def _traces(s: Session) -> list[str]:
    """Every (table, column) whose value holds one of the needles, read row by row."""
    found = []
    for table in Base.metadata.sorted_tables:
        for row in s.execute(select(table)).mappings():
            for column, value in row.items():
                text = (
                    json.dumps(value, ensure_ascii=False, default=str)
                    if isinstance(value, dict | list)
                    else str(value)
                ).lower()
                found += [f"{table.name}.{column}: {n}" for n in NEEDLES if n in text]
    return found


def test_forget_me_leaves_no_trace_in_any_column_of_any_table(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _take_part_everywhere(bot, slack, fake_slack, clock)
    with bot.sessions.begin() as s:
        before = _traces(s)
        tables = {trace.split(".")[0] for trace in before}
        # the scan sees her everywhere she was, so an empty scan afterwards means something
        assert tables >= {
            "people",
            "enrollments",
            "goals",
            "milestones",
            "pulse_responses",
            "outbox",
            "audit_log",
            "intents",
            "matches",
        }, tables

    assert "cannot be undone" in ack_json(slack.command(ZELDA, "forget-me"))["text"]
    slack.action(ZELDA, Action.FORGET_ME_CONFIRM, "forget")
    settle(bot)  # and whatever follows: the partner told
    slack.event({"type": "app_home_opened", "user": ZELDA, "channel": "D0HOME", "tab": "home"})

    with bot.sessions.begin() as s:
        assert _traces(s) == []
        tombstone = s.scalars(select(Person).where(Person.forgotten_at.is_not(None))).one()
        assert tombstone.forgotten_key is not None
        assert (
            s.scalars(select(ProgramAdmin).where(ProgramAdmin.person_id == tombstone.id)).all()
            == []
        )
        # queued messages to her are cancelled; the admins' one goes without her name
        pending = s.scalars(select(OutboxMessage).where(OutboxMessage.state == "pending")).all()
        # (others' intros and endings wait for their readers' hours; none names her)
        decisions = [m for m in pending if m.kind == "round_decision"]
        assert [(m.kind, m.payload["by_slack_user_id"]) for m in decisions] == [
            ("round_decision", "a former participant")
        ]
        # the audit log keeps who did what as a keyed hash only an auditor with the key matches
        actors = set(s.scalars(select(AuditEntry.actor_slack_user_id)))
        assert audit_actor(bot.deps.forget_key, ZELDA) in actors
        # her partner's history is intact but anonymous: the match, its end, no reasons
        (match,) = s.scalars(select(Match).where(Match.end_reason == "forgotten")).all()
        assert match.reasons == []
        assert {m.person_id for m in match.members} >= {tombstone.id}
    live_through(bot, clock)  # her partner is told in their own hours
    mona_dms = fake_slack.messages_in(fake_slack.dm_channel(MONA))
    ended = [m for m in mona_dms if "come to an end" in m.text]
    assert ended
    assert not any(ZELDA in m.text or "Zelda" in m.text for m in ended)
    status = ack_json(slack.command(MONA, "status"))["text"]
    assert "zelda" not in status.lower()

    # asked again: nothing was left, and she is told so
    slack.action(ZELDA, Action.FORGET_ME_CONFIRM, "forget")
    assert "nothing" in str(fake_slack.state.responses[-1].get("text")).lower()


def test_a_forgotten_person_rejoins_afresh_and_is_matched_like_anyone_new(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _take_part_everywhere(bot, slack, fake_slack, clock)
    slack.action(ZELDA, Action.FORGET_ME_CONFIRM, "forget")
    settle(bot)
    with bot.sessions.begin() as s:  # an HR import writes nothing back without consent
        program = s.get_one(Program, world.program_id)
        roster = {"email": "zelda.quixote@example.com", "department": "ZQX Records"}
        assert not hr_import.apply_row(
            s,
            program,
            ZELDA,
            roster,
            None,
            clock(),
            overwrite=False,
            forget_key=bot.deps.forget_key,
        )
        assert (
            hr_import.manager_id_for(s, program.workspace_id, ZELDA, clock(), bot.deps.forget_key)
            is None
        )
        assert _traces(s) == []

    # Nina edits her profile meanwhile: the form cannot show someone forgotten, and saving
    # it does not drop her exclusion of them
    slack.command(NINA, "profile")
    form = opened_form(fake_slack)
    assert "~" not in json.dumps(form["blocks"])
    answer = slack.submit(
        NINA,
        Callback.JOIN,
        form_state(role="mentee", goals=[world.skills["SQL"]], department="Data"),
        private_metadata=metadata(form),
        view_id=form["id"],
    )
    assert "errors" not in ack_json(answer), answer.body  # saved ("You're in", or a new page)

    clock.advance(days=1)
    _join(slack, fake_slack, ZELDA, role="mentee", goals=[world.skills["SQL"]], department="Data")
    assert "now an admin" not in ack_json(slack.command(ZELDA, "admin program list"))["text"]
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    settle(bot)
    slack.action(ADMIN, Action.ROUND_APPROVE, _preview_value(fake_slack), channel_id=ADMIN_CHANNEL)
    live_through(bot, clock)  # intros land in their readers' hours
    with bot.sessions.begin() as s:
        zelda = s.scalars(select(Person).where(Person.slack_user_id == ZELDA)).one()
        assert zelda.forgotten_at is None
        match = _zelda_match(s)  # matched, with Mona again: the old pair is not held against her
        assert {m.person_id for m in match.members} - {zelda.id}
        # Nina's "never match me with" still names her: a protection of Nina's, kept
        nina = s.scalars(select(Person).where(Person.slack_user_id == NINA)).one()
        assert _never_of(s, nina.id) == {zelda.id}
        # and the roster may write again now that she consented afresh
        program = s.get_one(Program, world.program_id)
        assert hr_import.apply_row(
            s,
            program,
            ZELDA,
            {"email": "zelda.quixote@example.com", "department": "Data"},
            None,
            clock(),
            overwrite=False,
            forget_key=bot.deps.forget_key,
        )
    intro = fake_slack.messages_in(fake_slack.dm_channel(MONA, ZELDA))
    assert intro, "introduced again in the pair's group DM"


def _never_of(s: Session, person_id: int) -> set[int]:
    return set(
        s.scalars(
            select(NeverMatch.person_id)
            .join(Enrollment, Enrollment.id == NeverMatch.enrollment_id)
            .where(Enrollment.person_id == person_id)
        )
    )
