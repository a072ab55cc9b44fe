"""Admin insight: the report's numbers, suppression of small groups, the CSV, the CLI."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.app import Mentorbot
from bot.cli import main
from bot.jobs import post_retros
from flows.disclosure import HIDDEN, Figure
from flows.reports import program_figures
from flows.rounds import start_round
from handlers.insight import report_lines
from handlers.pacing import Pacer
from models import engagement
from models.tables import Enrollment, Match, MatchMember, OutboxMessage, Person, Program, Round
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_rounds_world
from tests.support.work import settle

PAIRS = 6


def _world(bot: Mentorbot, fake: FakeSlack, clock: FrozenClock) -> int:
    bot.deliverer.pacer = Pacer(scale=10_000)
    fake.add_user(ADMIN)
    with bot.sessions.begin() as s:
        world = make_rounds_world(s, clock(), pairs=PAIRS, fake=fake, approval_required=False)
    clock.advance(days=3)
    with bot.sessions.begin() as s:
        start_round(s, world.program_id, at=clock())
    settle(bot)
    return world.program_id


def _answer(bot: Mentorbot, clock: FrozenClock, people: int, rating: int) -> None:
    """`people` mentees each answer one pulse with `rating`."""
    with bot.sessions.begin() as s:
        rows = s.execute(
            select(MatchMember.match_id, MatchMember.person_id).where(MatchMember.role == "mentee")
        ).all()[:people]
        for match_id, person_id in rows:
            survey = engagement.survey(
                s, match_id, person_id, "first", 0, clock(), timedelta(days=7)
            )
            assert survey is not None
            engagement.respond(
                s, survey.id, person_id, clock(), value_rating=rating, progress_rating=3
            )


def test_report_numbers_match_an_independent_count_and_small_groups_are_hidden(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    program_id = _world(bot, fake_slack, clock)
    _answer(bot, clock, 4, 5)
    with bot.sessions.begin() as s:
        program = s.get_one(Program, program_id)
        report = program_figures(s, program, clock())
        roles = dict(
            s.execute(
                select(Enrollment.role, func.count())
                .where(Enrollment.program_id == program_id)
                .group_by(Enrollment.role)
            ).all()
        )
        started = s.scalar(
            select(func.count()).select_from(Match).where(Match.started_at.is_not(None))
        )
    assert (report.mentors, report.mentees) == (
        Figure(roles["mentor"]),
        Figure(roles["mentee"]),
    )
    assert report.matches == Figure(started) == Figure(PAIRS)
    assert (report.matched, report.match_rate) == (Figure(PAIRS), Figure(1.0))
    assert report.median_days_to_match == Figure(3)
    assert report.pulse_value == HIDDEN  # four people answered: no average shown
    assert report.mentor_utilisation == Figure(1.0)

    _answer(bot, clock, 0, 0)
    with bot.sessions.begin() as s:
        rows = s.execute(
            select(MatchMember.match_id, MatchMember.person_id).where(MatchMember.role == "mentor")
        ).all()
        for match_id, person_id in rows[:1]:
            survey = engagement.survey(
                s, match_id, person_id, "first", 0, clock(), timedelta(days=7)
            )
            assert survey is not None
            engagement.respond(s, survey.id, person_id, clock(), value_rating=2, progress_rating=3)
        report = program_figures(s, s.get_one(Program, program_id), clock())
    assert report.pulse_value == Figure(4.4)  # five people: (4 x 5 + 2) / 5


def test_admin_report_and_export_go_to_the_admin_channel_only(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock)
    said = slack.command(ADMIN, "admin report")
    assert said.status == 200
    assert "<#CADMIN0001>" in ack_json(said)["text"]
    settle(bot)
    (posted,) = [m for m in fake_slack.messages_in("CADMIN0001") if "Report for" in m.text]
    assert "Enrolled: 6 mentors, 6 mentees" in posted.text
    (chart,) = fake_slack.state.files.values()
    assert chart["channel"] == "CADMIN0001"
    (image,) = fake_slack.state.uploads.values()
    assert image.startswith(b"\x89PNG")
    (asked,) = fake_slack.calls_to("files.getUploadURLExternal")
    assert "latest 100%" in asked.args["alt_txt"]  # one round, every mentee matched

    slack.command(ADMIN, "admin export")
    settle(bot)
    uploads = list(fake_slack.state.files.values())
    assert len(uploads) == 2
    assert uploads[1]["channel"] == "CADMIN0001"
    content = list(fake_slack.state.uploads.values())[1]
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads it as UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0] == "match_id"
    assert len(rows) == PAIRS + 1
    assert "only program admins" in ack_json(slack.command("UMENTEE000", "admin export"))["text"]


def test_report_on_the_command_line_with_a_csv(
    bot: Mentorbot,
    engine: Engine,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    _world(bot, fake_slack, clock)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    target = tmp_path / "matches.csv"
    assert main(["report", "eng", "--csv", str(target)]) == 0
    out = capsys.readouterr().out
    assert "Enrolled: 6 mentors, 6 mentees" in out
    assert len(target.read_text().splitlines()) == PAIRS + 1
    raw = target.read_bytes()  # as Excel and LibreOffice open it: a BOM says UTF-8
    assert raw.startswith(b"\xef\xbb\xbfmatch_id,")
    assert raw.count(b"\r\n") == PAIRS + 1
    assert main(["report", "nope"]) == 1


def test_a_round_retro_is_posted_once_one_cadence_period_after_the_round(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    program_id = _world(bot, fake_slack, clock)
    with bot.sessions.begin() as s:
        cadence = s.get_one(Program, program_id).meeting_cadence_days
        first = s.scalars(select(Match).where(Match.program_id == program_id)).first()
        assert first is not None
        engagement.record_meeting(s, first, clock())
    clock.advance(days=cadence - 1)
    assert post_retros(bot.sessions, bot.deps.clock) == 0  # not yet
    clock.advance(days=1)
    assert post_retros(bot.sessions, bot.deps.clock) == 1
    assert post_retros(bot.sessions, bot.deps.clock) == 0  # once
    settle(bot)
    assert not [m for m in fake_slack.messages_in("CADMIN0001") if "Round retro" in m.text]
    clock.advance(hours=1)  # the bot's own post to the admins waits for 10:00 on a weekday
    settle(bot)
    (retro,) = [m for m in fake_slack.messages_in("CADMIN0001") if "Round retro" in m.text]
    assert f"Mentees matched: {PAIRS} of {PAIRS} (100%)" in retro.text
    # one pair of six met: that share would tell about one pair, and about the other five
    assert f"Pairs who have met: not shown of {PAIRS}" in retro.text
    assert "Pulse value (1-5): n/a" in retro.text
    with bot.sessions() as s:
        keys = s.scalars(select(OutboxMessage.key).where(OutboxMessage.key.like("round:%:retro")))
        assert len(list(keys)) == 1
        (round_,) = s.scalars(select(Round).where(Round.program_id == program_id))
        assert round_.retro_sent_at is not None


def test_retention_compares_participants_with_everyone_else_once_hr_data_is_in(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    program_id = _world(bot, fake_slack, clock)
    with bot.sessions.begin() as s:
        program = s.get_one(Program, program_id)
        assert program_figures(s, program, clock()).retention is None  # no HR import yet
        begun = program.created_at.date()
        participants = list(
            s.scalars(select(Person).join(Enrollment, Enrollment.person_id == Person.id))
        )
        for i, person in enumerate(participants):  # 12 people, 5 leave during the program
            person.start_date = date(2020, 1, 1)
            person.leave_date = begun + timedelta(days=1) if i < 5 else None
        for i in range(10):  # 10 others, 5 leave; one more left before the program began
            s.add(
                Person(
                    workspace_id=program.workspace_id,
                    slack_user_id=f"UOTHER{i}",
                    start_date=date(2021, 1, 1),
                    leave_date=begun + timedelta(days=2) if i < 5 else None,
                    hr_attributes={},
                    created_at=clock(),
                    updated_at=clock(),
                )
            )
        s.add(
            Person(
                workspace_id=program.workspace_id,
                slack_user_id="UGONE",
                start_date=date(2019, 1, 1),
                leave_date=begun - timedelta(days=1),
                hr_attributes={},
                created_at=clock(),
                updated_at=clock(),
            )
        )
        s.flush()
        clock.advance(days=30)
        lines = report_lines(program_figures(s, program, clock()))
    assert "participants 58% of 12, non-participants 50% of 10" in "\n".join(lines)
