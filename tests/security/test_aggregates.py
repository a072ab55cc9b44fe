"""No aggregate reveals a group under 5 people, directly or by difference, on any surface.

The rule itself (flows.disclosure) is checked for every way a hidden cell could be worked
back out; then the attacks that worked before it: keep-going answers counted as pulse
respondents, small states and reasons beside an exact total, a CSV end reason joining to a
named pair, and the same figures on every surface (Slack, chart, retro, command line).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from bot.app import Mentorbot
from bot.cli import main
from flows import notices
from flows.disclosure import (
    HIDDEN,
    Figure,
    K,
    count,
    guarded_means,
    partition,
    pooled_shares,
    share,
)
from flows.reports import post_report, program_figures
from flows.rounds import start_round
from handlers.insight import report_lines
from handlers.pacing import Pacer
from models import engagement
from models.clock import system_clock
from models.matches import end_match
from models.reports import matches_csv
from models.tables import Match, MatchMember, OutboxMessage, Program
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_rounds_world
from tests.support.work import settle

counts = st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 30), min_size=1)


def _hidden_sum(cells: dict[str, int], shown: dict[str, Figure]) -> int:
    return sum(n for key, n in cells.items() if shown[key].hidden)


@given(counts)
def test_a_partition_never_leaves_a_small_group_to_subtraction(cells: dict[str, int]) -> None:
    """Every cell shown is 0 or at least K, and the total minus the shown cells is 0 or at
    least K; when every cell is hidden what is left is the total, itself under the rule."""
    shown = partition(cells)
    for key, figure in shown.items():
        if figure.shown:
            assert figure.value == cells[key]
            assert cells[key] == 0 or cells[key] >= K
    hidden = _hidden_sum(cells, shown)
    if all(f.hidden for f in shown.values()):
        assert count(hidden) == HIDDEN or hidden >= K
    else:
        assert hidden == 0 or hidden >= K


@given(st.integers(0, 40), st.integers(0, 40))
def test_a_share_hides_when_either_side_is_a_small_group(part: int, rest: int) -> None:
    figure = share(part, part + rest)
    if figure.shown:
        assert part == 0 or part >= K
        assert rest == 0 or rest >= K


@given(
    st.dictionaries(st.sampled_from("abcdef"), st.tuples(st.integers(0, 12), st.integers(0, 12)))
)
def test_pooled_segments_show_only_groups_that_pass_and_a_pool_that_passes(
    raw: dict[str, tuple[int, int]],
) -> None:
    groups = {name: (part, part + rest) for name, (part, rest) in raw.items()}
    shown = dict(pooled_shares(groups, "other"))
    named = {name: f for name, f in shown.items() if name != "other"}
    for name, figure in named.items():
        assert not share(*groups[name]).hidden
        assert figure == share(*groups[name])
    pooled = [g for name, g in groups.items() if name not in named]
    if pooled:  # what subtraction could reach is the pool, and the pool itself passes
        part, whole = sum(p for p, _ in pooled), sum(w for _, w in pooled)
        assert shown["other"] == share(part, whole)
        assert not shown["other"].hidden or not named


def test_round_pulses_hide_together_until_their_respondents_are_five() -> None:
    cells = {
        1: ([4.0] * 6, [f"p{i}" for i in range(6)]),
        2: ([1.0], ["q"]),  # one respondent: hidden, and the others then give it away...
        3: ([5.0] * 7, [f"r{i}" for i in range(7)]),
    }
    shown = guarded_means(cells)
    assert shown[2] == HIDDEN
    assert shown[1] == HIDDEN  # ...so the round with fewest respondents hides with it
    assert shown[3] == Figure(5.0)


def _world(bot: Mentorbot, fake: FakeSlack, clock: FrozenClock, pairs: int) -> int:
    bot.deliverer.pacer = Pacer(scale=10_000)
    fake.add_user(ADMIN)
    with bot.sessions.begin() as s:
        world = make_rounds_world(s, clock(), pairs=pairs, fake=fake, approval_required=False)
    clock.advance(days=3)
    with bot.sessions.begin() as s:
        start_round(s, world.program_id, at=clock())
    settle(bot)
    return world.program_id


def _mentees(bot: Mentorbot) -> list[tuple[int, int]]:
    with bot.sessions.begin() as s:
        return list(
            s.execute(
                select(MatchMember.match_id, MatchMember.person_id).where(
                    MatchMember.role == "mentee"
                )
            ).all()
        )


def test_keep_going_answers_are_not_pulse_respondents(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    """Four keep-going answers and one pulse used to put one person's rating in the report."""
    program_id = _world(bot, fake_slack, clock, pairs=5)
    (first, *others) = _mentees(bot)
    with bot.sessions.begin() as s:
        for match_id, person_id in others:
            survey = engagement.survey(
                s, match_id, person_id, "keep_going", 1, clock(), timedelta(days=7)
            )
            assert survey is not None
            assert engagement.respond(s, survey.id, person_id, clock(), keep_going=True)
        survey = engagement.survey(s, first[0], first[1], "first", 0, clock(), timedelta(days=7))
        assert survey is not None
        engagement.respond(s, survey.id, first[1], clock(), value_rating=1, progress_rating=1)
        report = program_figures(s, s.get_one(Program, program_id), clock())
    assert report.pulse_value == HIDDEN
    assert report.pulse_progress == HIDDEN
    assert all(r.pulse == HIDDEN for r in report.trend)


def test_small_states_reasons_and_rates_hide_with_what_would_give_them_away(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    """Seven matches: one forgotten, one left, five running. No figure tells about the one."""
    program_id = _world(bot, fake_slack, clock, pairs=7)
    with bot.sessions.begin() as s:
        ids = list(s.scalars(select(Match.id).order_by(Match.id)))
        end_match(s, ids[0], at=clock(), reason="forgotten")
        end_match(s, ids[1], at=clock(), reason="left")
        first = s.get_one(Match, ids[2])
        engagement.record_meeting(s, first, clock())  # one pair of seven met: not shown
        report = program_figures(s, s.get_one(Program, program_id), clock())
        exported = matches_csv(s, s.get_one(Program, program_id))
    states = dict(report.states)
    assert states["ended"] == HIDDEN
    assert states["active"] == HIDDEN  # else 7 - active = the two ended ones
    assert report.matches == Figure(7)
    assert report.end_reasons == ()  # their total (ended) is hidden, so are they
    assert report.first_meeting_14d == HIDDEN
    text = "\n".join(report_lines(report))
    assert "forgotten" not in text
    assert "left 1" not in text
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert "end_reason" not in rows[0]
    assert "forgotten" not in exported


def test_every_figure_a_notice_carries_came_through_the_rule() -> None:
    """The report's and the retro's values hold Figures only (and names), never a raw count,
    so a surface cannot show a number the rule did not pass."""

    def numbers(cls: type) -> list[str]:
        out = []
        for field in dataclasses.fields(cls):
            kind = str(field.type)
            if kind in ("int", "float") and field.name not in ("round_id", "days_on"):
                out.append(f"{cls.__name__}.{field.name}")
        return out

    for cls in (
        notices.ReportFigures,
        notices.RetroFigures,
        notices.RoundFigures,
        notices.GapFigures,
        notices.RetentionFigures,
    ):
        assert numbers(cls) == [], cls
    # days_on is the retro's age, round_id an id: neither counts people
    assert {f.name for f in dataclasses.fields(notices.ReportPosted)} >= {"report"}
    assert "lines" not in {f.name for f in dataclasses.fields(notices.RoundRetro)}


def test_slack_the_chart_and_the_command_line_show_the_same_figures(
    bot: Mentorbot,
    engine: Engine,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    program_id = _world(bot, fake_slack, clock, pairs=6)
    mentees = _mentees(bot)
    with bot.sessions.begin() as s:  # four answer: the round's pulse must be a gap
        for match_id, person_id in mentees[:4]:
            survey = engagement.survey(
                s, match_id, person_id, "first", 0, clock(), timedelta(days=7)
            )
            assert survey is not None
            engagement.respond(s, survey.id, person_id, clock(), value_rating=5, progress_rating=5)
        program = s.get_one(Program, program_id)
        expected = report_lines(program_figures(s, program, clock()), escape=str)
    with bot.sessions.begin() as s:
        post_report(s, program_id, request="r1", at=clock())
    with bot.sessions() as s:
        kinds = {m.kind: m.payload for m in s.scalars(select(OutboxMessage))}
    chart = notices.load("report_chart", kinds["report_chart"])
    assert isinstance(chart, notices.ReportChart)
    assert [p.pulse for p in chart.points] == [None]  # hidden in the report, a gap here
    posted = notices.load("report", kinds["report"])
    assert isinstance(posted, notices.ReportPosted)
    assert report_lines(posted.report, escape=str) == expected

    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["report", "eng"]) == 0
    with bot.sessions.begin() as s:  # the command line reads the real time
        now = report_lines(
            program_figures(s, s.get_one(Program, program_id), system_clock()), escape=str
        )
    assert capsys.readouterr().out.splitlines() == now
    assert any("not shown" in line for line in expected)
