"""Matches over their life: who is in one, and ending one without fault.

Ending is the one path every feature shares (leave, forget-me, a deactivated user, a
vanished user at intro time, the stall ladder, "Not a good fit"): the match closes, the
members who stay are queued first for their next match, and nobody is told why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, lazyload

from models.states import OPEN_MATCH_STATES, EnrollmentStatus
from models.tables import Enrollment, Match, MatchMember, Person, Program

OPEN_STATES = OPEN_MATCH_STATES


@dataclass(frozen=True)
class Remaining:
    """A member who stays after a match ends, to be told kindly."""

    person_id: int
    slack_user_id: str
    workspace_id: int


@dataclass(frozen=True)
class EndedMatch:
    match_id: int
    program_id: int
    program_name: str
    state: str
    remaining: tuple[Remaining, ...]


@dataclass(frozen=True)
class Member:
    person_id: int
    slack_user_id: str
    role: str
    tz: str
    working_days: tuple[int, ...]
    start_minute: int
    end_minute: int
    paused: bool


def list_members(s: Session, match_id: int) -> list[Member]:
    """The match's members with what timing needs: one query of plain columns (this runs for
    every live match on every engagement step, so it must not load whole rows)."""
    rows = s.execute(
        select(
            MatchMember.person_id,
            MatchMember.role,
            Person.slack_user_id,
            Person.tz,
            Enrollment.timezone,
            Enrollment.working_days,
            Enrollment.work_start_minute,
            Enrollment.work_end_minute,
            Enrollment.status,
        )
        .join(Person, Person.id == MatchMember.person_id)
        .join(Match, Match.id == MatchMember.match_id)
        .outerjoin(
            Enrollment,
            (Enrollment.program_id == Match.program_id)
            & (Enrollment.person_id == MatchMember.person_id),
        )
        .where(MatchMember.match_id == match_id)
    ).all()
    out = [
        Member(
            person_id=person_id,
            slack_user_id=slack_user_id,
            role=role,
            tz=zone or person_tz or "UTC",
            working_days=tuple(days) if status is not None else (0, 1, 2, 3, 4),
            start_minute=start if status is not None else 9 * 60,
            end_minute=end if status is not None else 17 * 60,
            paused=status == "paused",
        )
        for person_id, role, slack_user_id, person_tz, zone, days, start, end, status in rows
    ]
    return sorted(out, key=lambda m: (m.role != "mentor", m.person_id))


def list_open_match_ids(s: Session, person_id: int, program_id: int | None = None) -> list[int]:
    """The person's matches that are still running (proposed, active or stalled)."""
    query = (
        select(Match.id)
        .join(MatchMember, MatchMember.match_id == Match.id)
        .where(MatchMember.person_id == person_id, Match.state.in_(OPEN_STATES))
        .order_by(Match.id)
    )
    if program_id is not None:
        query = query.where(Match.program_id == program_id)
    return list(s.scalars(query))


def end_match(
    s: Session,
    match_id: int,
    *,
    at: datetime,
    reason: str,
    leaving_person_ids: frozenset[int] = frozenset(),
    state: str = "ended",
) -> EndedMatch | None:
    """End an open match without fault; None when it had already ended (a retry).

    `reason` is a coarse code kept for aggregate reports only ('no_fault', 'left',
    'deactivated', 'vanished', 'forgotten'); `state` is 'ended', or 'cancelled' for a
    match that never started. Members not in `leaving_person_ids` whose enrollment is still
    active are queued first for the next round (priority, waiting since now).
    """
    ended = s.execute(
        update(Match)
        .where(Match.id == match_id, Match.state.in_(OPEN_STATES))
        .values(state=state, ended_at=at, end_reason=reason)
    )
    if ended.rowcount != 1:  # type: ignore[attr-defined]
        return None
    match = s.get(Match, match_id)
    assert match is not None
    program = s.get(Program, match.program_id)
    assert program is not None
    remaining: list[Remaining] = []
    for member in sorted(match.members, key=lambda m: m.person_id):
        if member.person_id in leaving_person_ids:
            continue
        person = s.get(Person, member.person_id)
        if person is None or person.is_deleted:
            continue
        enrollment = s.scalar(
            select(Enrollment).where(
                Enrollment.program_id == match.program_id,
                Enrollment.person_id == member.person_id,
            )
        )
        if enrollment is not None and enrollment.status != EnrollmentStatus.LEFT:
            enrollment.priority = True
            enrollment.waiting_since = at
            enrollment.updated_at = at
        remaining.append(Remaining(person.id, person.slack_user_id, person.workspace_id))
    s.flush()
    return EndedMatch(match.id, program.id, program.name, state, tuple(remaining))


def get_with_program(s: Session, match_id: int) -> tuple[Match, Program] | None:
    """The match and its program in one query, its members left unloaded (callers read
    them as plain rows with what they need)."""
    found = s.execute(
        select(Match, Program)
        .join(Program, Program.id == Match.program_id)
        .where(Match.id == match_id)
        .options(lazyload(Match.members))
    ).first()
    return None if found is None else (found[0], found[1])


def is_open(s: Session, match_id: int) -> bool:
    """Whether the match is still proposed, active or stalled (not ended in any way)."""
    state = s.scalar(select(Match.state).where(Match.id == match_id))
    return state in OPEN_MATCH_STATES
