"""Goals and milestones: a mentee's SMART goals, the steps toward them, progress from pulses.

Goals belong to the enrollment (they outlive a rematch); progress is what the mentee says in
a pulse, stored on the goal and in the private response, never shown to the mentor as a
rating.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import Enrollment, Goal, Match, Milestone

PROGRESS_STEPS = (0, 25, 50, 75, 100)
SETS_GOALS = ("mentee", "both", "peer")  # roles that set goals (mentors do not)


def list_goals(s: Session, enrollment_id: int) -> list[Goal]:
    query = select(Goal).where(Goal.enrollment_id == enrollment_id, Goal.status != "dropped")
    return list(s.scalars(query.order_by(Goal.id)))


def has_goals(s: Session, program_id: int, person_id: int) -> bool:
    """Whether the person has a current goal in the program: one query, where loading the
    enrollment and its goals (with their skills, never-match rows and milestones) took four
    or five; every new match asks it once."""
    found = s.scalar(
        select(Goal.id)
        .join(Enrollment, Enrollment.id == Goal.enrollment_id)
        .where(
            Enrollment.program_id == program_id,
            Enrollment.person_id == person_id,
            Enrollment.role.in_(SETS_GOALS),
            Goal.status != "dropped",
        )
        .limit(1)
    )
    return found is not None


def goals_in_match(s: Session, match_id: int, person_id: int) -> list[Goal]:
    """The person's current goals in the match's program (empty for mentors)."""
    match = s.get(Match, match_id)
    if match is None:
        return []
    enrollment = s.scalar(
        select(Enrollment).where(
            Enrollment.program_id == match.program_id, Enrollment.person_id == person_id
        )
    )
    if enrollment is None or enrollment.role not in SETS_GOALS:
        return []
    return list_goals(s, enrollment.id)


def milestones(s: Session, goal_id: int) -> list[Milestone]:
    return list(
        s.scalars(select(Milestone).where(Milestone.goal_id == goal_id).order_by(Milestone.id))
    )


def set_milestones(s: Session, goal: Goal, titles: Sequence[str]) -> None:
    """Keep the milestones still listed (and whether they are done), add new, drop the rest."""
    wanted = [t for t in (" ".join(t.split())[:300] for t in titles) if t]
    existing = {m.title: m for m in milestones(s, goal.id)}
    for title, row in existing.items():
        if title not in wanted:
            s.delete(row)
    for title in wanted:
        if title not in existing:
            s.add(Milestone(goal_id=goal.id, title=title))
    s.flush()


def record_progress(
    s: Session, person_id: int, progress: Mapping[int, int], at: datetime
) -> dict[str, int]:
    """Apply a pulse's per-goal progress to the person's own goals; what was applied."""
    applied: dict[str, int] = {}
    for goal_id, value in progress.items():
        goal = s.get(Goal, goal_id)
        enrollment = s.get(Enrollment, goal.enrollment_id) if goal else None
        if goal is None or enrollment is None or enrollment.person_id != person_id:
            continue
        if value not in PROGRESS_STEPS or goal.status == "dropped":
            continue
        goal.progress = value
        if value == 100 and goal.status != "done":
            goal.status, goal.completed_at = "done", at
        elif value < 100 and goal.status == "done":
            goal.status, goal.completed_at = "open", None
        applied[str(goal_id)] = value
    s.flush()
    return applied
