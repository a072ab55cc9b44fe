"""Mentors' hours through the real app: meetings reported in check-ins count, a monthly cap
(the program's default, a person's own) is honoured by rounds, and admins see utilisation
only for groups of five or more."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import Mentorbot
from bot.jobs import run_engagement
from handlers.ids import Action
from models.hours import logged_hours
from models.tables import Enrollment, Match, MatchMember, Person, Program
from testkit.requests import SlackDriver
from testkit.slack import TEAM_ID, FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.features import ADMIN_CHANNEL, button, dms, join, seat, seen
from tests.support.rounds_world import make_skills
from tests.support.work import settle
from tests.support.world import make_match, make_program, make_round, make_workspace

PYTHON = (("python", 3),)


def _program(bot: Mentorbot, fake: FakeSlack, at: datetime, **settings: object) -> int:
    fake.add_user(ADMIN, real_name="Ada Admin")
    seat(fake, ADMIN_CHANNEL, ADMIN)
    with bot.sessions.begin() as s:
        workspace = make_workspace(s, at, team_id=TEAM_ID)
        program = make_program(s, workspace, at, settings=dict(settings))
        make_skills(s, program, at)
        return program.id


def _skills(s: Session, program_id: int) -> dict[str, int]:
    from models.tables import Skill

    return {k.slug: k.id for k in s.scalars(select(Skill).where(Skill.program_id == program_id))}


def test_a_meeting_reported_in_a_check_in_counts_for_the_mentor(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    at = clock()
    program_id = _program(bot, fake_slack, at, meeting_minutes=45)
    with bot.sessions.begin() as s:
        program = s.get_one(Program, program_id)
        skills = _skills(s, program_id)
        mentor = join(
            s, fake_slack, program, "UMENTOR01", "mentor", at, skills, offers=PYTHON, hours_cap=6
        )
        mentee = join(s, fake_slack, program, "UMENTEE01", "mentee", at, skills, seeks=("python",))
        make_match(
            s,
            make_round(s, program, at),
            [(mentor, "mentor"), (mentee, "mentee")],
            at - timedelta(days=15),
        )
        mentor_id = mentor.person_id
    run_engagement(bot.sessions, bot.deps.clock)
    clock.advance(hours=1)
    settle(bot)
    ask = next(m for m in dms(fake_slack, "UMENTOR01", "UMENTEE01") if "did you two meet" in m.text)
    slack.action("UMENTEE01", Action.CHECKIN_MET, button(ask, Action.CHECKIN_MET))
    slack.action("UMENTOR01", Action.CHECKIN_MET, button(ask, Action.CHECKIN_MET))  # one meeting
    with bot.sessions.begin() as s:
        assert logged_hours(s, [mentor_id]) == {mentor_id: 0.75}
    impact = seen_command(slack, "UMENTOR01", "impact")
    assert "Hours given: 0.75 in all, 0.75 this month (your cap: 6 a month)" in impact


def seen_command(slack: SlackDriver, user: str, text: str) -> str:
    from testkit.requests import ack_json

    return str(ack_json(slack.command(user, text))["text"])


def _busy_world(bot: Mentorbot, fake: FakeSlack, at: datetime, *, own_cap: int | None) -> int:
    """Busy already mentors someone (about 2.1 hours a month); Free has no running match.
    Two newcomers want Python."""
    program_id = _program(bot, fake, at, hours_cap=10)
    with bot.sessions.begin() as s:
        program = s.get_one(Program, program_id)
        skills = _skills(s, program_id)
        busy = join(
            s,
            fake,
            program,
            "UBUSY0001",
            "mentor",
            at,
            skills,
            offers=PYTHON,
            capacity=2,
            hours_cap=own_cap,
            seniority=5,
        )
        join(
            s,
            fake,
            program,
            "UFREE0001",
            "mentor",
            at,
            skills,
            offers=PYTHON,
            capacity=1,
            seniority=5,
        )
        old = join(s, fake, program, "UOLDMENTE", "mentee", at, skills, seeks=("python",))
        make_match(
            s,
            make_round(s, program, at - timedelta(days=30)),
            [(busy, "mentor"), (old, "mentee")],
            at - timedelta(days=20),
        )
        for user in ("UNEW00001", "UNEW00002"):
            join(s, fake, program, user, "mentee", at, skills, seeks=("python",), seniority=1)
    return program_id


def _new_pairs(bot: Mentorbot) -> set[tuple[str, str]]:
    with bot.sessions.begin() as s:
        rows = s.execute(
            select(MatchMember.match_id, MatchMember.role, Person.slack_user_id)
            .join(Person, Person.id == MatchMember.person_id)
            .join(Match, Match.id == MatchMember.match_id)
            .where(Match.state == "proposed")
        ).all()
    found: dict[int, dict[str, str]] = {}
    for match_id, role, user in rows:
        found.setdefault(match_id, {})[role] = user
    return {(m["mentor"], m["mentee"]) for m in found.values()}


def test_a_round_gives_no_mentee_to_someone_at_their_own_hours_cap(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _busy_world(bot, fake_slack, clock(), own_cap=3)  # their own 3 hours beat the program's 10
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    settle(bot)
    pairs = _new_pairs(bot)
    assert len(pairs) == 1
    assert {mentor for mentor, _ in pairs} == {"UFREE0001"}
    preview = next(m for m in fake_slack.messages_in(ADMIN_CHANNEL) if m.text.startswith("*Round"))
    assert "fewer places because of their monthly hours cap: 1" in seen(preview)


def test_without_a_cap_of_their_own_the_programs_default_applies(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _busy_world(bot, fake_slack, clock(), own_cap=None)  # 10 hours: room for two more matches
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    settle(bot)
    assert {mentor for mentor, _ in _new_pairs(bot)} == {"UFREE0001", "UBUSY0001"}


def test_admins_see_utilisation_only_from_five_mentors(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    at = clock()
    program_id = _program(bot, fake_slack, at, hours_cap=4)
    with bot.sessions.begin() as s:
        program = s.get_one(Program, program_id)
        skills = _skills(s, program_id)
        for i in range(4):
            _mentor(s, fake_slack, program, i, at, department="Platform")
    slack.command(ADMIN, "admin report", channel_id=ADMIN_CHANNEL)
    settle(bot)
    assert "Mentor hours this month: shown from 5 mentors" in _report(fake_slack)[-1]
    with bot.sessions.begin() as s:
        program = s.get_one(Program, program_id)
        join(
            s,
            fake_slack,
            program,
            "UMENTOR04",
            "mentor",
            at,
            skills,
            offers=PYTHON,
            department="Data",
        )
        busy = s.scalars(
            select(Enrollment)
            .join(Person, Person.id == Enrollment.person_id)
            .where(Person.slack_user_id == "UMENTOR00")
        ).one()
        mentee = join(s, fake_slack, program, "UMENTEE01", "mentee", at, skills, seeks=("python",))
        make_match(s, make_round(s, program, at), [(busy, "mentor"), (mentee, "mentee")], at)
    clock.advance(minutes=1)
    slack.command(ADMIN, "admin report", channel_id=ADMIN_CHANNEL)
    settle(bot)
    report = _report(fake_slack)[-1]
    assert (
        "from 5 mentors; against their caps (with one: 5): 11% used on average;"
        " at or over their cap: 0" in report
    )
    # departments of fewer than five are pooled so that none can be worked out
    assert "by department: other 11%" in report
    assert "Platform" not in report.split("by department")[1]


def test_no_count_of_mentors_tells_about_fewer_than_five_by_subtraction(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    at = clock()
    program_id = _program(bot, fake_slack, at)  # no default cap: only people's own
    with bot.sessions.begin() as s:
        program = s.get_one(Program, program_id)
        skills = _skills(s, program_id)
        mentors = [
            _mentor(s, fake_slack, program, i, at, hours_cap=None if i == 5 else 4)
            for i in range(6)
        ]
        # two running matches (~2.1 h a month each) put one mentor at their 4-hour cap
        for n in range(2):
            mentee = join(
                s, fake_slack, program, f"UMENTEE0{n}", "mentee", at, skills, seeks=("python",)
            )
            make_match(
                s, make_round(s, program, at), [(mentors[0], "mentor"), (mentee, "mentee")], at
            )
    slack.command(ADMIN, "admin report", channel_id=ADMIN_CHANNEL)
    settle(bot)
    report = _report(fake_slack)[-1]
    # 5 of 6 with a cap would tell that 1 has none; 1 of 5 at the cap is a group of one
    assert (
        "from 6 mentors; against their caps (with one: not shown): 21% used on average;"
        " at or over their cap: not shown" in report
    ), report
    assert "would tell about fewer than 5 people" in report


def _mentor(
    s: Session, fake: FakeSlack, program: Program, i: int, at: datetime, **profile: object
) -> Enrollment:
    """UMENTOR0<i>, offering Python."""
    skills = _skills(s, program.id)
    return join(s, fake, program, f"UMENTOR0{i}", "mentor", at, skills, offers=PYTHON, **profile)


def _report(fake: FakeSlack) -> list[str]:
    return [seen(m) for m in fake.messages_in(ADMIN_CHANNEL) if "Report for" in m.text]
