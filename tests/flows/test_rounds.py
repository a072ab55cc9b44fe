"""Round orchestration on both databases: who is eligible, what is stored, slots run once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, select

from flows.rounds import run_newcomers, run_round, snapshot
from matching.schedule import latest_due_slot
from models.db import make_session_factory
from models.tables import (
    Enrollment,
    Match,
    MatchMember,
    NeverMatch,
    OutboxMessage,
    Person,
    Program,
    Round,
)
from tests.support.clock import FrozenClock
from tests.support.rounds_world import enroll, make_rounds_world
from tests.support.world import make_match, make_person, make_round


def _count(engine: Engine, table: type) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def test_round_stores_proposed_matches_with_reasons_and_aggregate_stats(
    engine: Engine, clock: FrozenClock
) -> None:
    sessions = make_session_factory(engine)
    with sessions.begin() as s:
        world = make_rounds_world(s, clock(), pairs=3)
    with sessions.begin() as s:
        outcome = run_round(s, world.program_id, at=clock())
    assert outcome is not None
    assert outcome.status == "proposed"
    assert len(outcome.match_ids) == 3
    with sessions.begin() as s:
        matches = s.scalars(select(Match).order_by(Match.id)).all()
        assert {m.state for m in matches} == {"proposed"}
        for m in matches:
            roles = sorted(member.role for member in m.members)
            assert roles == ["mentee", "mentor"]
            assert m.reasons
            assert 0 < m.score <= 1
            assert set(m.breakdown) >= {"goal", "overlap"}
        stats = s.get_one(Round, outcome.round_id).stats
    assert stats["matches"] == 3
    assert stats["unmatched"] == 0
    assert sum(stats["scores"]["buckets"].values()) == 3
    # aggregates only: no names or ids of people in the stored stats
    assert "Mentee" not in str(stats)
    assert "UMENTEE" not in str(stats)


def test_same_schedule_slot_twice_is_a_no_op(engine: Engine, clock: FrozenClock) -> None:
    sessions = make_session_factory(engine)
    with sessions.begin() as s:
        world = make_rounds_world(s, clock(), pairs=2)
    slot = datetime(2026, 11, 23, 10, tzinfo=UTC)
    with sessions.begin() as s:
        assert run_round(s, world.program_id, at=clock(), kind="scheduled", scheduled_for=slot)
    with sessions.begin() as s:
        again = run_round(s, world.program_id, at=clock(), kind="scheduled", scheduled_for=slot)
    assert again is None
    assert _count(engine, Round) == 1
    assert _count(engine, Match) == 2


def test_dry_run_stores_the_round_but_no_matches(engine: Engine, clock: FrozenClock) -> None:
    sessions = make_session_factory(engine)
    with sessions.begin() as s:
        world = make_rounds_world(s, clock(), pairs=2)
    with sessions.begin() as s:
        outcome = run_round(s, world.program_id, at=clock(), dry_run=True)
    assert outcome is not None
    assert outcome.status == "dry_run"
    assert outcome.stats["matches"] == 2
    assert len(outcome.pairs) == 2
    assert _count(engine, Match) == 0
    assert _count(engine, OutboxMessage) == 0


def test_eligibility_pauses_deleted_people_and_running_matches(
    engine: Engine, clock: FrozenClock
) -> None:
    sessions = make_session_factory(engine)
    at = clock()
    with sessions.begin() as s:
        world = make_rounds_world(s, at, pairs=4)
        program = s.get_one(Program, world.program_id)
        rows = {
            p.slack_user_id: e
            for e, p in s.execute(
                select(Enrollment, Person).join(Person, Person.id == Enrollment.person_id)
            ).all()
        }
        rows["UMENTEE000"].status = "paused"
        rows["UMENTEE000"].paused_until = date(2026, 12, 24)  # still paused
        rows["UMENTEE001"].status = "paused"
        rows["UMENTEE001"].paused_until = date(2026, 11, 1)  # pause is over
        s.get_one(Person, rows["UMENTEE002"].person_id).is_deleted = True
        # mentor 3 already mentors someone with their only slot; mentee 3 is held by it
        old = make_round(s, program, at - timedelta(days=30))
        make_match(s, old, [(rows["UMENTOR003"], "mentor"), (rows["UMENTEE003"], "mentee")], at)
        snap = snapshot(s, program, at)
        keys = {e.person_id for e in snap.enrollments.values()}
        ids = {uid: rows[uid].person_id for uid in rows}
    assert ids["UMENTEE000"] not in keys
    assert ids["UMENTEE001"] in keys
    assert ids["UMENTEE002"] not in keys
    assert ids["UMENTEE003"] not in keys
    assert ids["UMENTOR003"] not in keys


def test_past_pairs_never_match_and_reporting_lines_are_kept_apart(
    engine: Engine, clock: FrozenClock
) -> None:
    sessions = make_session_factory(engine)
    at = clock()
    with sessions.begin() as s:
        world = make_rounds_world(s, at, pairs=1, settings={"repeat_window_days": 90})
        program = s.get_one(Program, world.program_id)
        rows = {
            p.slack_user_id: e
            for e, p in s.execute(
                select(Enrollment, Person).join(Person, Person.id == Enrollment.person_id)
            ).all()
        }
        old = make_round(s, program, at - timedelta(days=60))
        make_match(
            s,
            old,
            [(rows["UMENTOR000"], "mentor"), (rows["UMENTEE000"], "mentee")],
            at - timedelta(days=60),
            state="ended",
        )
    with sessions.begin() as s:
        outcome = run_round(s, world.program_id, at=at)
    assert outcome is not None
    assert outcome.match_ids == ()
    assert set(outcome.stats["unmatched_reasons"]) == {"constraints"}

    # a second mentor for python: excluded by the mentee's never-match list
    with sessions.begin() as s:
        program = s.get_one(Program, world.program_id)
        workspace_id = program.workspace_id
        from models.tables import Workspace

        workspace = s.get_one(Workspace, workspace_id)
        other = make_person(s, workspace, "UMENTOR099", at, tz="Europe/London")
        enroll(s, program, other, "mentor", at, world.skill_ids, offers=("python",), capacity=1)
        mentee = s.scalar(
            select(Enrollment).where(Enrollment.person_id == rows["UMENTEE000"].person_id)
        )
        assert mentee is not None
        s.add(NeverMatch(enrollment_id=mentee.id, person_id=other.id))
    with sessions.begin() as s:
        outcome = run_round(s, world.program_id, at=at)
    assert outcome is not None
    assert outcome.match_ids == ()

    # the exclusion lifted, but the mentor is the mentee's manager's manager
    with sessions.begin() as s:
        s.execute(NeverMatch.__table__.delete())
        boss = make_person(s, workspace, "UBOSS0001", at, manager_id=other.id)
        s.get_one(Person, rows["UMENTEE000"].person_id).manager_id = boss.id
    with sessions.begin() as s:
        outcome = run_round(s, world.program_id, at=at)
    assert outcome is not None
    assert outcome.match_ids == ()
    # once the repeat window is over, the old pair may meet again
    with sessions.begin() as s:
        outcome = run_round(s, world.program_id, at=at + timedelta(days=40))
    assert outcome is not None
    assert len(outcome.match_ids) == 1


def test_newcomers_meet_spare_capacity_only_after_the_first_round(
    engine: Engine, clock: FrozenClock
) -> None:
    sessions = make_session_factory(engine)
    at = clock()
    with sessions.begin() as s:
        world = make_rounds_world(s, at, pairs=2)
        program = s.get_one(Program, world.program_id)
        mentor = s.scalars(select(Enrollment).where(Enrollment.role == "mentor")).first()
        assert mentor is not None
        mentor.capacity = 2  # one spare slot after the round
    with sessions.begin() as s:
        assert run_newcomers(s, world.program_id, at=at) is None  # nothing before a round
        assert run_round(s, world.program_id, at=at)
    later = clock.advance(hours=2)
    with sessions.begin() as s:
        from models.tables import Workspace

        program = s.get_one(Program, world.program_id)
        workspace = s.get_one(Workspace, program.workspace_id)
        newcomer = make_person(s, workspace, "UNEWCOMER1", later, tz="America/New_York")
        enroll(s, program, newcomer, "mentee", later, world.skill_ids, seeks=("python",))
    with sessions.begin() as s:
        outcome = run_newcomers(s, world.program_id, at=later)
    assert outcome is not None
    assert len(outcome.match_ids) == 1
    with sessions.begin() as s:
        assert run_newcomers(s, world.program_id, at=later) is None  # tried once only


def test_schedule_slots_follow_the_program_zone() -> None:
    rule = "FREQ=WEEKLY;INTERVAL=4;BYDAY=MO;BYHOUR=10;BYMINUTE=0"
    created = datetime(2026, 10, 1, 8, 17, 33, tzinfo=UTC)
    # Monday 2026-11-23 10:00 in New York is 15:00 UTC (after the DST change)
    before = latest_due_slot(
        rule, "America/New_York", created, datetime(2026, 11, 23, 14, tzinfo=UTC)
    )
    due = latest_due_slot(rule, "America/New_York", created, datetime(2026, 11, 23, 15, tzinfo=UTC))
    assert due == datetime(2026, 11, 23, 15, tzinfo=UTC)
    assert before == datetime(2026, 10, 26, 14, tzinfo=UTC)  # four weeks earlier, in EDT
    assert latest_due_slot(rule, "UTC", created, datetime(2026, 10, 2, tzinfo=UTC)) is None


def test_two_rounds_of_one_program_at_once_place_nobody_twice(
    engine: Engine, clock: FrozenClock
) -> None:
    """The scheduled job, an admin's command and a Re-run racing: one round proposes, the
    other is told a round is waiting; nobody is in two matches, no mentor over capacity."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from flows.rounds import RoundPendingError, start_round
    from models.db import make_engine as engine_for

    sessions = make_session_factory(engine)
    with sessions.begin() as s:
        world = make_rounds_world(s, clock(), pairs=6)
    url = engine.url.render_as_string(hide_password=False)
    engines = [engine_for(url) for _ in range(3)]
    barrier = Barrier(3)

    def race(own: Engine) -> str:
        barrier.wait(timeout=30)
        try:
            with make_session_factory(own).begin() as s:
                start_round(s, world.program_id, at=clock())
        except RoundPendingError:
            return "refused"
        return "proposed"

    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = sorted(pool.map(race, engines))
    for own in engines:
        own.dispose()
    assert outcomes == ["proposed", "refused", "refused"]
    with sessions() as s:
        members = s.execute(
            select(MatchMember.person_id, MatchMember.role)
            .join(Match, Match.id == MatchMember.match_id)
            .where(Match.state == "proposed")
        ).all()
    seekers = [person for person, role in members if role == "mentee"]
    assert len(seekers) == len(set(seekers)) == 6
    mentors = [person for person, role in members if role == "mentor"]
    assert len(mentors) == len(set(mentors))  # capacity 1 each
