"""Scheduled rounds: a due slot runs once, even across restarts; the CLI runs one now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from bot.app import Mentorbot, create_app
from bot.cli import main
from bot.jobs import run_due_rounds, run_newcomers
from models.tables import Match, OutboxMessage, Program, Round, Workspace
from testkit.slack import FakeSlack
from tests.conftest import InlineExecutor, make_settings
from tests.support.clock import FrozenClock
from tests.support.rounds_world import enroll, make_rounds_world
from tests.support.work import settle
from tests.support.world import make_person

RULE = "FREQ=WEEKLY;INTERVAL=4;BYDAY=MO;BYHOUR=10;BYMINUTE=0"


def _restart(fake: FakeSlack, engine: Engine, clock: FrozenClock) -> Mentorbot:
    url = engine.url.render_as_string(hide_password=False)
    return create_app(
        make_settings(fake, url), clock=clock, engine=engine, after_executor=InlineExecutor()
    )


def test_due_slot_runs_once_and_a_missed_slot_once_after_restart(
    bot: Mentorbot, fake_slack: FakeSlack, engine: Engine, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 10, 1, 8, tzinfo=UTC))
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock(), pairs=2, schedule_rrule=RULE, timezone="Europe/Berlin")
    # every fourth week from the program's creation: Monday 2026-10-26 10:00 Berlin, which
    # is 09:00 UTC once summer time has ended the day before
    clock.set(datetime(2026, 10, 26, 8, 59, tzinfo=UTC))
    assert run_due_rounds(bot.sessions, bot.deps.clock) == []
    clock.set(datetime(2026, 10, 26, 9, 0, 30, tzinfo=UTC))
    assert len(run_due_rounds(bot.sessions, bot.deps.clock)) == 1
    assert run_due_rounds(bot.sessions, bot.deps.clock) == []
    other = _restart(fake_slack, engine, clock)
    assert run_due_rounds(other.sessions, other.deps.clock) == []
    # down from before the next slot (2026-11-23 10:00 Berlin = 09:00 UTC) until after it
    clock.set(datetime(2026, 11, 23, 13, tzinfo=UTC))
    restarted = _restart(fake_slack, engine, clock)
    assert len(run_due_rounds(restarted.sessions, restarted.deps.clock)) == 1
    assert run_due_rounds(restarted.sessions, restarted.deps.clock) == []
    assert run_due_rounds(bot.sessions, bot.deps.clock) == []
    with bot.sessions.begin() as s:
        slots = sorted(s.scalars(select(Round.scheduled_for)))
        assert slots == [
            datetime(2026, 10, 26, 9, tzinfo=UTC),
            datetime(2026, 11, 23, 9, tzinfo=UTC),
        ]
        previews = s.scalars(
            select(OutboxMessage.key).where(OutboxMessage.key.endswith(":preview"))
        ).all()
        assert len(previews) == 2


def test_newcomer_job_introduces_a_late_joiner_within_the_hour(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    with bot.sessions.begin() as s:
        world = make_rounds_world(s, clock(), pairs=1, approval_required=False, fake=fake_slack)
        program = s.get_one(Program, world.program_id)
        from models.tables import Enrollment

        for e in s.scalars(select(Enrollment).where(Enrollment.role == "mentor")):
            e.capacity = 2
    from flows.rounds import start_round

    with bot.sessions.begin() as s:
        start_round(s, world.program_id, at=clock())
    later = clock.advance(minutes=30)
    with bot.sessions.begin() as s:
        from models.tables import Workspace

        program = s.get_one(Program, world.program_id)
        workspace = s.get_one(Workspace, program.workspace_id)
        person = make_person(s, workspace, "UNEWBIE01", later, tz="America/New_York")
        enroll(s, program, person, "mentee", later, world.skill_ids, seeks=("python",))
    fake_slack.add_user("UNEWBIE01", tz="America/New_York")
    assert run_newcomers(bot.sessions, bot.deps.clock) == 1
    assert run_newcomers(bot.sessions, bot.deps.clock) == 0
    settle(bot)
    intro = fake_slack.dm_channel("UMENTOR000", "UNEWBIE01")
    assert fake_slack.messages_in(intro) == []  # 04:30 in New York: the intro waits
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))  # 10:00 in New York, 15:00 in London
    settle(bot)
    assert len(fake_slack.messages_in(intro)) == 1  # the same working day it was matched


def test_cli_round_runs_a_dry_run_and_a_real_round(
    bot: Mentorbot,
    engine: Engine,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock(), pairs=2)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["round", "eng", "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert main(["round", "nope"]) == 1
    assert main(["round", "Engineering mentoring"]) == 0
    assert "2 matches" in capsys.readouterr().out
    with bot.sessions.begin() as s:
        assert sorted(s.scalars(select(Round.status))) == ["dry_run", "proposed"]
        assert len(s.scalars(select(Match)).all()) == 2


def test_unreadable_schedule_is_skipped(bot: Mentorbot, clock: FrozenClock) -> None:
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock() - timedelta(days=30), pairs=1, schedule_rrule="FREQ=NEVER")
    assert run_due_rounds(bot.sessions, bot.deps.clock) == []


def test_two_replicas_running_the_same_slot_at_once_store_one_round(
    bot: Mentorbot, fake_slack: FakeSlack, engine: Engine, clock: FrozenClock
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from models.db import make_engine

    clock.set(datetime(2026, 10, 1, 8, tzinfo=UTC))
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock(), pairs=2, schedule_rrule=RULE, timezone="Europe/Berlin")
    clock.set(datetime(2026, 10, 26, 9, 30, tzinfo=UTC))
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(3)]
    replicas = [
        create_app(make_settings(fake_slack, url), clock=clock, engine=own) for own in engines
    ]
    with ThreadPoolExecutor(max_workers=3) as pool:
        started = list(pool.map(lambda r: run_due_rounds(r.sessions, r.deps.clock), replicas))
    assert sorted(len(ids) for ids in started) == [0, 0, 1]
    with bot.sessions.begin() as s:
        assert len(s.scalars(select(Round)).all()) == 1
        assert len(s.scalars(select(Match)).all()) == 2
    for own in engines:
        own.dispose()


def test_a_revoked_workspace_runs_no_scheduled_round(bot: Mentorbot, clock: FrozenClock) -> None:
    clock.set(datetime(2026, 10, 1, 8, tzinfo=UTC))
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock(), pairs=2, schedule_rrule=RULE, timezone="Europe/Berlin")
        for workspace in s.scalars(select(Workspace)):
            workspace.token_revoked_at = clock()
    clock.set(datetime(2026, 10, 26, 9, 0, 30, tzinfo=UTC))
    assert run_due_rounds(bot.sessions, bot.deps.clock) == []
    assert run_newcomers(bot.sessions, bot.deps.clock) == 0
    with bot.sessions.begin() as s:
        assert s.scalars(select(OutboxMessage)).all() == []
