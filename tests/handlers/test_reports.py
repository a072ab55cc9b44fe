"""Admin insight: the report's numbers, suppression of small groups, the CSV, the CLI."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.app import Mentorbot
from bot.cli import main
from handlers.pacing import Pacer
from handlers.rounds import start_round
from models import engagement
from models.reports import SUPPRESSED, program_report
from models.tables import Enrollment, Match, MatchMember, Program
from tests.conftest import ADMIN
from tests.fakes.slack import FakeSlack
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_rounds_world
from tests.support.slack_requests import SlackDriver, ack_json

PAIRS = 6


def _world(bot: Mentorbot, fake: FakeSlack, clock: FrozenClock) -> int:
    bot.deliverer.pacer = Pacer(scale=10_000)
    fake.add_user(ADMIN)
    with bot.sessions.begin() as s:
        world = make_rounds_world(s, clock(), pairs=PAIRS, fake=fake, approval_required=False)
    clock.advance(days=3)
    with bot.sessions.begin() as s:
        start_round(s, world.program_id, at=clock())
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
        report = program_report(s, program, clock())
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
    assert (report.mentors, report.mentees) == (roles["mentor"], roles["mentee"])
    assert report.matches == started == PAIRS
    assert (report.matched_seekers, report.seekers) == (PAIRS, PAIRS)
    assert report.median_days_to_match == "3"
    assert report.pulse_value == SUPPRESSED  # four people answered: no average shown
    assert report.mentor_utilisation == "100%"

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
        report = program_report(s, s.get_one(Program, program_id), clock())
    assert report.pulse_value == "4.4"  # five people: (4 x 5 + 2) / 5


def test_admin_report_and_export_go_to_the_admin_channel_only(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock)
    answer = ack_json(slack.command(ADMIN, "admin report"))
    assert "<#CADMIN0001>" in answer["text"]
    for _ in range(5):
        bot.deliverer.run_once()
    (posted,) = [m for m in fake_slack.messages_in("CADMIN0001") if "Report for" in m.text]
    assert "Enrolled: 6 mentors, 6 mentees" in posted.text

    slack.command(ADMIN, "admin export")
    (upload,) = fake_slack.state.files.values()
    assert upload["channel"] == "CADMIN0001"
    (content,) = fake_slack.state.uploads.values()
    rows = list(csv.reader(io.StringIO(content.decode())))
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
    assert main(["report", "nope"]) == 1
