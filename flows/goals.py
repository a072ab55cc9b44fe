"""Goals: a mentee's SMART goals and milestones, shown to them and (without ratings) to their
mentor, saved from the goals modal, and the survey `/mentor feedback` opens.

Progress is what the mentee says in a private pulse: the mentee sees it; the mentor sees the
goals, measures, dates and steps, never the progress figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from models import enrollment as enrollments
from models import goals as store
from models.matches import list_open_match_ids
from models.states import GoalStatus, MemberRole, Role
from models.tables import Enrollment, Goal, Match, Person
from models.workspace import find_person

MAX_GOALS = 3
MAX_MILESTONES = 10
SEEKING = (Role.MENTEE, Role.BOTH, Role.PEER)


@dataclass(frozen=True)
class GoalLine:
    title: str
    measure: str | None
    target_date: date | None
    progress: int | None  # None when shown to someone other than its owner
    milestones: tuple[str, ...]


@dataclass(frozen=True)
class GoalsView:
    mine: tuple[GoalLine, ...] | None  # None: not a mentee anywhere
    theirs: tuple[tuple[str, tuple[GoalLine, ...]], ...]  # (mentee's Slack id, goals)


def _line(s: Session, goal: Goal, *, own: bool) -> GoalLine:
    return GoalLine(
        title=goal.title,
        measure=goal.measure,
        target_date=goal.target_date,
        progress=goal.progress if own else None,
        milestones=tuple(m.title for m in store.milestones(s, goal.id)),
    )


def view(s: Session, team_id: str, user_id: str) -> GoalsView | None:
    person = find_person(s, team_id, user_id)
    if person is None:
        return None
    mine: list[GoalLine] | None = None
    theirs: list[tuple[str, tuple[GoalLine, ...]]] = []
    for e in enrollments.list_enrollments(s, person.id):
        if e.role in SEEKING:
            mine = (mine or []) + [_line(s, g, own=True) for g in store.list_goals(s, e.id)]
        if e.role == Role.MENTEE:
            continue
        for match_id in list_open_match_ids(s, person.id, e.program_id):
            match = s.get_one(Match, match_id)
            for member in match.members:
                if member.person_id == person.id or member.role != MemberRole.MENTEE:
                    continue
                other = s.get_one(Person, member.person_id)
                mentee = enrollments.get_enrollment(s, e.program_id, other.id)
                goals = store.list_goals(s, mentee.id) if mentee else []
                theirs.append((other.slack_user_id, tuple(_line(s, g, own=False) for g in goals)))
    if mine is None and not theirs:
        return GoalsView(None, ())
    return GoalsView(tuple(mine) if mine is not None else None, tuple(theirs))


def _mentee_enrollment(s: Session, team_id: str, user_id: str) -> Enrollment | None:
    person = find_person(s, team_id, user_id)
    if person is None:
        return None
    return next((e for e in enrollments.list_enrollments(s, person.id) if e.role in SEEKING), None)


def current(s: Session, team_id: str, user_id: str) -> tuple[GoalLine, ...] | None:
    """The mentee's goals for the goals modal, or None when they are no mentee."""
    enrollment = _mentee_enrollment(s, team_id, user_id)
    if enrollment is None:
        return None
    return tuple(_line(s, g, own=True) for g in store.list_goals(s, enrollment.id))


@dataclass(frozen=True)
class GoalInput:
    title: str
    measure: str | None
    target_date: date | None
    milestones: tuple[str, ...]


def save(s: Session, team_id: str, user_id: str, wanted: Sequence[GoalInput], at: datetime) -> bool:
    """Replace the mentee's goals with `wanted` (keeping progress of goals kept in place);
    False when the person is no mentee."""
    enrollment = _mentee_enrollment(s, team_id, user_id)
    if enrollment is None:
        return False
    existing = store.list_goals(s, enrollment.id)
    match_ids = list_open_match_ids(s, enrollment.person_id, enrollment.program_id)
    for i, item in enumerate(wanted[:MAX_GOALS]):
        goal = existing[i] if i < len(existing) else None
        if goal is None:
            goal = Goal(
                enrollment_id=enrollment.id, created_at=at, progress=0, status=GoalStatus.OPEN
            )
            s.add(goal)
        goal.title, goal.measure, goal.target_date = item.title, item.measure, item.target_date
        goal.match_id = match_ids[0] if match_ids else None
        s.flush()
        store.set_milestones(s, goal, item.milestones)
    for goal in existing[len(wanted) :]:
        goal.status = GoalStatus.DROPPED
    return True
