"""Mentors' hours as stored: meetings recorded by check-ins, micro sessions held, and caps.

A check-in that any member answered "we met" is one meeting of the program's length for
the match's mentor, counted in the month of its first "met"; a micro session the asker says
took place counts its minutes for the expert. A person's own cap (the lowest they set in
any current enrollment) overrides the program's default; neither means no cap.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.states import HELD_OUTCOMES, RUNNING_MATCH_STATES, MemberRole, MicroState
from models.tables import (
    CheckIn,
    CheckInAnswer,
    Enrollment,
    Match,
    MatchMember,
    MicroRequest,
    Program,
)

DEFAULT_MEETING_MINUTES = 60
DEFAULT_MICRO_MINUTES = 30
MAX_CAP = 200


def _setting(program: Program, name: str) -> Any:
    return (program.settings or {}).get(name)


def meeting_minutes(program: Program) -> int:
    value = _setting(program, "meeting_minutes")
    return value if isinstance(value, int) and 5 <= value <= 240 else DEFAULT_MEETING_MINUTES


def micro_minutes(program: Program) -> int:
    value = _setting(program, "micro_minutes")
    return value if isinstance(value, int) and 5 <= value <= 240 else DEFAULT_MICRO_MINUTES


def default_cap(program: Program) -> int | None:
    """The program's monthly hours cap for people who set none themselves."""
    value = _setting(program, "hours_cap")
    return value if isinstance(value, int) and 1 <= value <= MAX_CAP else None


def _programs(s: Session, ids: Iterable[int]) -> dict[int, Program]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {p.id: p for p in s.scalars(select(Program).where(Program.id.in_(wanted)))}


def met_checkins(
    s: Session, person_ids: Iterable[int], since: datetime | None, until: datetime | None
) -> list[tuple[int, int, datetime]]:
    """(mentor person id, program id, when first reported met) of each met check-in."""
    ids = list(set(person_ids))
    if not ids:
        return []
    first_met = func.min(CheckInAnswer.answered_at)
    query = (
        select(MatchMember.person_id, Match.program_id, first_met)
        .select_from(CheckIn)
        .join(CheckInAnswer, CheckInAnswer.checkin_id == CheckIn.id)
        .join(Match, Match.id == CheckIn.match_id)
        .join(MatchMember, MatchMember.match_id == Match.id)
        .where(
            MatchMember.person_id.in_(ids),
            MatchMember.role == MemberRole.MENTOR,
            CheckInAnswer.answer == "met",
        )
        .group_by(MatchMember.person_id, Match.program_id, CheckIn.id)
    )
    if since is not None:
        query = query.having(first_met >= since)
    if until is not None:
        query = query.having(first_met < until)
    return [(int(p), int(prog), when) for p, prog, when in s.execute(query)]


def held_micro(
    s: Session, person_ids: Iterable[int], since: datetime | None, until: datetime | None
) -> list[tuple[int, int, int]]:
    """(expert person id, program id, minutes) of each micro session held."""
    ids = list(set(person_ids))
    if not ids:
        return []
    query = select(MicroRequest.expert_id, MicroRequest.program_id, MicroRequest.minutes).where(
        MicroRequest.expert_id.in_(ids),
        MicroRequest.state == MicroState.DONE,
        MicroRequest.outcome.in_(HELD_OUTCOMES),
    )
    if since is not None:
        query = query.where(MicroRequest.done_at >= since)
    if until is not None:
        query = query.where(MicroRequest.done_at < until)
    return [(int(p), int(prog), int(m)) for p, prog, m in s.execute(query) if p is not None]


def logged_hours(
    s: Session,
    person_ids: Iterable[int],
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[int, float]:
    """Hours each person gave as a mentor or expert in [since, until) (all time: None)."""
    ids = list(set(person_ids))
    meetings = met_checkins(s, ids, since, until)
    micro = held_micro(s, ids, since, until)
    programs = _programs(s, {p for _, p, _ in meetings})
    out: dict[int, float] = defaultdict(float)
    for person_id, program_id, _ in meetings:
        out[person_id] += meeting_minutes(programs[program_id]) / 60
    for person_id, _, minutes in micro:
        out[person_id] += minutes / 60
    return {person_id: out.get(person_id, 0.0) for person_id in ids}


def running_as_mentor(s: Session, person_ids: Iterable[int]) -> list[tuple[int, Program]]:
    """(person id, program) of each running match (all programs) the person mentors."""
    ids = list(set(person_ids))
    if not ids:
        return []
    rows = s.execute(
        select(MatchMember.person_id, Match.program_id)
        .join(Match, Match.id == MatchMember.match_id)
        .where(
            MatchMember.person_id.in_(ids),
            MatchMember.role == MemberRole.MENTOR,
            Match.state.in_(RUNNING_MATCH_STATES),
        )
    ).all()
    programs = _programs(s, {program_id for _, program_id in rows})
    return [(int(person_id), programs[program_id]) for person_id, program_id in rows]


def accepted_micro_minutes(s: Session, person_ids: Iterable[int]) -> dict[int, int]:
    """Minutes of micro sessions each person accepted that have not been held yet."""
    ids = list(set(person_ids))
    if not ids:
        return {}
    out: Counter[int] = Counter()
    for person_id, minutes in s.execute(
        select(MicroRequest.expert_id, MicroRequest.minutes).where(
            MicroRequest.expert_id.in_(ids), MicroRequest.state == MicroState.ACCEPTED
        )
    ):
        if person_id is not None:
            out[int(person_id)] += int(minutes)
    return dict(out)


def own_caps(s: Session, person_ids: Iterable[int]) -> dict[int, int]:
    """The lowest monthly cap each person set themselves in a current enrollment."""
    ids = list(set(person_ids))
    if not ids:
        return {}
    rows = s.execute(
        select(Enrollment.person_id, func.min(Enrollment.hours_cap))
        .where(
            Enrollment.person_id.in_(ids),
            Enrollment.status != "left",
            Enrollment.hours_cap.is_not(None),
        )
        .group_by(Enrollment.person_id)
    )
    return {int(p): int(cap) for p, cap in rows if cap is not None}


def caps(s: Session, program: Program, person_ids: Iterable[int]) -> dict[int, int | None]:
    """The cap that applies to each person in this program: their own, else its default."""
    ids = list(set(person_ids))
    own = own_caps(s, ids)
    fallback = default_cap(program)
    return {person_id: own.get(person_id, fallback) for person_id in ids}
