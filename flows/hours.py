"""Mentors' hours as rounds, micro-mentoring and admins need them: budgets and utilisation.

A budget is this calendar month's hours for one person across all programs (logged by
check-ins and micro sessions, and expected from their running matches) against the cap
that applies in the program at hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows import disclosure, notices
from matching.hours import Budget, match_hours_per_month, month_start, utilisation
from models import hours as store
from models.states import GIVING_ROLES
from models.tables import Enrollment, Person, Program


def per_match(program: Program) -> float:
    """Hours a month one new match in this program is expected to take its mentor."""
    return match_hours_per_month(store.meeting_minutes(program), program.meeting_cadence_days)


def budgets(
    s: Session, program: Program, person_ids: Iterable[int], at: datetime
) -> dict[int, Budget]:
    ids = list(set(person_ids))
    if not ids:
        return {}
    cap = store.caps(s, program, ids)
    logged = store.logged_hours(s, ids, month_start(at))
    committed: dict[int, float] = defaultdict(float)
    for person_id, running in store.running_as_mentor(s, ids):
        committed[person_id] += per_match(running)
    for person_id, minutes in store.accepted_micro_minutes(s, ids).items():
        committed[person_id] += minutes / 60
    return {
        person_id: Budget(
            None if cap[person_id] is None else float(cap[person_id] or 0),
            logged.get(person_id, 0.0),
            committed.get(person_id, 0.0),
        )
        for person_id in ids
    }


def figures(s: Session, program: Program, at: datetime) -> notices.HoursFigures:
    """The program's mentors' hours this month against their caps, for its admins."""
    rows = s.execute(
        select(Enrollment.person_id, Enrollment.department, Person.department)
        .join(Person, Person.id == Enrollment.person_id)
        .where(
            Enrollment.program_id == program.id,
            Enrollment.status != "left",
            Enrollment.role.in_(GIVING_ROLES),
        )
        .order_by(Enrollment.person_id)
    ).all()
    people = [int(person_id) for person_id, _, _ in rows]
    found = budgets(s, program, people, at)
    ordered = [found[p] for p in people]
    groups: dict[str, list[int]] = defaultdict(list)
    for index, (_, own, hr) in enumerate(rows):
        groups[own or hr or "unknown"].append(index)
    u = utilisation(ordered, groups)
    # counts of mentors go through the report's rule: a count is shown only when neither
    # it nor what it leaves of its whole (mentors without a cap, capped ones under it)
    # is a group of 1 to 4
    return notices.HoursFigures(
        mentors=u.mentors,
        hours=round(u.hours, 1),
        capped=None if disclosure.share(u.capped, u.mentors).hidden else u.capped,
        mean_share=u.mean_share,
        at_cap=(
            None if u.at_cap is None or disclosure.share(u.at_cap, u.capped).hidden else u.at_cap
        ),
        groups=tuple(sorted(u.groups.items())),
        suppressed=u.suppressed,
    )
