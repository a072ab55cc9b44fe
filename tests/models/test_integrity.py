"""Integrity that lives in the database: duplicates and impossible values are refused."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.events import claim_event
from models.tables import Enrollment, Match, MatchMember, Person, Program, Round, Workspace
from tests.support.clock import FrozenClock


def _world(s: Session, now: datetime) -> tuple[Program, Person]:
    workspace = Workspace(slack_team_id="T1", created_at=now)
    s.add(workspace)
    s.flush()
    person = Person(workspace_id=workspace.id, slack_user_id="U1", created_at=now, updated_at=now)
    program = Program(
        workspace_id=workspace.id, slug="eng", name="Eng", created_at=now, updated_at=now
    )
    s.add_all([person, program])
    s.flush()
    return program, person


def _enrollment(program: Program, person: Person, now: datetime, **kw: object) -> Enrollment:
    values: dict[str, object] = {
        "program_id": program.id,
        "person_id": person.id,
        "role": "mentee",
        "consent_at": now,
        "created_at": now,
        "updated_at": now,
    }
    values.update(kw)
    return Enrollment(**values)


def test_one_enrollment_per_person_and_program(engine: Engine, clock: FrozenClock) -> None:
    now = clock()
    with Session(engine) as s:
        program, person = _world(s, now)
        s.add(_enrollment(program, person, now))
        s.flush()
        s.add(_enrollment(program, person, now, role="mentor"))
        with pytest.raises(IntegrityError):
            s.flush()


@pytest.mark.parametrize(
    "bad",
    [
        {"role": "boss"},
        {"capacity": -1},
        {"work_start_minute": 600, "work_end_minute": 540},
        {"status": "gone"},
    ],
)
def test_impossible_enrollment_values_are_refused(
    engine: Engine, clock: FrozenClock, bad: dict[str, object]
) -> None:
    now = clock()
    with Session(engine) as s:
        program, person = _world(s, now)
        s.add(_enrollment(program, person, now, **bad))
        with pytest.raises(IntegrityError):
            s.flush()


@pytest.mark.parametrize("role", ["mentee", "peer"])
def test_a_mentee_or_peer_is_at_most_once_per_round(
    engine: Engine, clock: FrozenClock, role: str
) -> None:
    now = clock()
    with Session(engine) as s:
        program, person = _world(s, now)
        round_ = Round(program_id=program.id, kind="manual", created_at=now)
        s.add(round_)
        s.flush()
        first = Match(round_id=round_.id, program_id=program.id, created_at=now)
        second = Match(round_id=round_.id, program_id=program.id, created_at=now)
        s.add_all([first, second])
        s.flush()
        s.add(MatchMember(match_id=first.id, person_id=person.id, round_id=round_.id, role=role))
        s.flush()
        s.add(MatchMember(match_id=second.id, person_id=person.id, round_id=round_.id, role=role))
        with pytest.raises(IntegrityError):
            s.flush()


def test_a_mentor_may_take_several_mentees_in_one_round(engine: Engine, clock: FrozenClock) -> None:
    now = clock()
    with Session(engine) as s:
        program, person = _world(s, now)
        round_ = Round(program_id=program.id, kind="manual", created_at=now)
        s.add(round_)
        s.flush()
        matches = [Match(round_id=round_.id, program_id=program.id, created_at=now) for _ in "ab"]
        s.add_all(matches)
        s.flush()
        for match in matches:
            s.add(
                MatchMember(
                    match_id=match.id, person_id=person.id, round_id=round_.id, role="mentor"
                )
            )
        s.flush()
        assert len(s.query(MatchMember).filter_by(person_id=person.id).all()) == 2


def test_an_event_id_is_claimed_once(engine: Engine, clock: FrozenClock) -> None:
    with Session(engine) as s, s.begin():
        assert claim_event(s, "Ev1", clock())
        assert not claim_event(s, "Ev1", clock())
    with Session(engine) as s, s.begin():
        assert not claim_event(s, "Ev1", clock())
        assert claim_event(s, "Ev2", clock())
