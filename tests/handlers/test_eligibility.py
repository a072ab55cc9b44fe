"""Program eligibility through the real app: refused at join with a kind message, re-read on
HR import and at each round, and someone who moved out of scope told once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.app import Mentorbot
from bot.cli import main
from flows.rounds import snapshot
from handlers.ids import Callback
from models.tables import Enrollment, Person, Program, Skill
from testkit.requests import SlackDriver
from testkit.slack import TEAM_ID, FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.enroll_world import form_state
from tests.support.features import ADMIN_CHANNEL, dms, join, responses, seat, seen
from tests.support.rounds_world import make_skills
from tests.support.work import settle
from tests.support.world import make_person, make_program, make_workspace

RULES = {"departments": ["Engineering", "Data"], "min_tenure_months": 6}
OPEN_TO = "*Engineering mentoring* is open to people in Engineering or Data; people with at"
NEWBIE, OUTSIDER, INSIDER = "UNEWBIE01", "USALES001", "UENGINE01"


def _world(bot: Mentorbot, fake: FakeSlack, at: datetime) -> int:
    fake.add_user(ADMIN, real_name="Ada Admin")
    seat(fake, ADMIN_CHANNEL, ADMIN)
    with bot.sessions.begin() as s:
        workspace = make_workspace(s, at, team_id=TEAM_ID)
        program = make_program(s, workspace, at, settings={"eligibility": RULES})
        make_skills(s, program, at)
        for user, hr in (
            (NEWBIE, {"department": "Engineering", "start_date": at.date() - timedelta(days=40)}),
            (OUTSIDER, {"department": "Sales", "start_date": date(2020, 1, 1)}),
            (INSIDER, {"start_date": date(2020, 1, 1)}),  # no department on file: the form asks
        ):
            make_person(s, workspace, user, at, real_name=user.title(), **hr)
            fake.add_user(user, real_name=user.title(), tz="UTC")
        return program.id


def test_someone_outside_the_rules_is_told_kindly_at_join_and_nothing_is_stored(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    program_id = _world(bot, fake_slack, clock())
    for user in (NEWBIE, OUTSIDER):
        slack.command(user, "join")
        said = responses(fake_slack)[-1]
        assert OPEN_TO in said, said
        assert "least 6 months at the company. From what I know" in said
        assert "This says nothing about you" in said
    assert not [v for v in fake_slack.state.views.values() if v.get("callback_id") == Callback.JOIN]

    # someone whose department the form asks for: a department outside the rules is refused
    slack.command(INSIDER, "join")
    form = [v for v in fake_slack.state.views.values() if v.get("callback_id") == Callback.JOIN]
    assert len(form) == 1
    meta = form[0]["private_metadata"]
    refused = json.loads(
        slack.submit(
            INSIDER,
            Callback.JOIN,
            form_state(goals=[_skill(bot, program_id)], department="Sales"),
            private_metadata=meta,
        ).body
    )
    assert refused["response_action"] == "update"
    assert OPEN_TO in json.dumps(refused["view"])
    with bot.sessions.begin() as s:
        assert s.scalars(select(Enrollment)).all() == []
    slack.submit(
        INSIDER,
        Callback.JOIN,
        form_state(goals=[_skill(bot, program_id)], department="data"),
        private_metadata=meta,
        view_id="VSECOND",
    )
    with bot.sessions.begin() as s:
        assert len(s.scalars(select(Enrollment)).all()) == 1


def _skill(bot: Mentorbot, program_id: int) -> int:
    with bot.sessions.begin() as s:
        return int(
            s.scalars(
                select(Skill.id).where(Skill.program_id == program_id, Skill.slug == "python")
            ).one()
        )


def test_an_hr_import_that_moves_someone_out_tells_them_once_and_rounds_leave_them_out(
    bot: Mentorbot,
    engine: Engine,
    slack: SlackDriver,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    at = clock()
    program_id = _world(bot, fake_slack, at)
    with bot.sessions.begin() as s:
        program = s.get_one(Program, program_id)
        skills = _skills(s, program_id)
        join(
            s,
            None,
            program,
            INSIDER,
            "mentee",
            at,
            skills,
            seeks=("python",),
            department="Engineering",
        )
        join(
            s,
            fake_slack,
            program,
            "UMENTOR01",
            "mentor",
            at,
            skills,
            offers=(("python", 3),),
            person={"department": "Data", "start_date": date(2019, 1, 1)},
        )
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    roster = tmp_path / "roster.csv"
    roster.write_text("email,department\nuengine01@example.com,Sales\n")
    for _ in range(2):  # the same roster twice: told once
        assert main(["import", str(roster), "--program", "eng"]) == 0
        assert "1 enrolled people are outside the program's eligibility rules (told once)" in (
            capsys.readouterr().out
        )
    clock.set(datetime.now(UTC) + timedelta(days=3))  # the import ran on the real clock
    settle(bot)
    told = [m for m in dms(fake_slack, INSIDER) if "outside it" in m.text]
    assert len(told) == 1
    assert "won't be matched in it again" in seen(told[0])

    # the round's snapshot leaves them out (and says how many) without telling them again
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    settle(bot)
    preview = next(m for m in fake_slack.messages_in(ADMIN_CHANNEL) if m.text.startswith("*Round"))
    assert "Outside the program's rules (not matched, told once): 1" in seen(preview)
    assert "0 matches" in preview.text
    assert len([m for m in dms(fake_slack, INSIDER) if "outside it" in m.text]) == 1


def _skills(s: Session, program_id: int) -> dict[str, int]:
    return {k.slug: k.id for k in s.scalars(select(Skill).where(Skill.program_id == program_id))}


def test_a_round_tells_someone_who_moved_out_once_and_welcomes_them_back_in(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    at = clock()
    program_id = _world(bot, fake_slack, at)
    with bot.sessions.begin() as s:
        program = s.get_one(Program, program_id)
        skills = _skills(s, program_id)
        join(
            s,
            None,
            program,
            INSIDER,
            "mentee",
            at,
            skills,
            seeks=("python",),
            department="Engineering",
        )
        join(
            s,
            fake_slack,
            program,
            "UMENTOR01",
            "mentor",
            at,
            skills,
            offers=(("python", 3),),
            person={"department": "Data", "start_date": date(2019, 1, 1)},
        )
        s.scalars(select(Person).where(Person.slack_user_id == INSIDER)).one().department = "Sales"
    for _ in range(2):
        slack.command(ADMIN, "admin round --dry-run", channel_id=ADMIN_CHANNEL)
        settle(bot)
    assert dms(fake_slack, INSIDER) == []  # a dry run tells nobody anything
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    settle(bot)
    clock.advance(hours=1)  # the note lands at 10:00 in their zone
    settle(bot)
    assert len([m for m in dms(fake_slack, INSIDER) if "outside it" in m.text]) == 1
    with bot.sessions.begin() as s:
        e = s.scalars(select(Enrollment).where(Enrollment.role == "mentee")).one()
        assert e.out_of_scope_at is not None
        s.scalars(select(Person).where(Person.slack_user_id == INSIDER)).one().department = "Data"
        snap = snapshot(s, s.get_one(Program, program_id), clock(), tell=True)
        assert snap.out_of_scope == 0
        assert s.get_one(Enrollment, e.id).out_of_scope_at is None
