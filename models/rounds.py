"""Rounds and their matches as stored: who is eligible, who is held, what ran when.

The queries behind matching.rounds (which turns them into the engine's plain values) and
the status moves of a round, each conditional so a retried or double-clicked step is a no-op.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as Session  # re-exported for matching.rounds' signatures

from models.matches import OPEN_STATES
from models.tables import (
    Enrollment,
    Goal,
    Match,
    MatchMember,
    Person,
    Program,
    Round,
    Skill,
)
from models.workspace import in_live_workspace

# A discarded round's matches never happened, so they do not count as past pairs.
DISCARDED = "discarded"


def list_eligible_enrollments(s: Session, program: Program, at: datetime) -> list[Enrollment]:
    """Active enrollments (and paused ones whose pause is over) of people still here."""
    today = at.astimezone(UTC).date()
    rows = s.scalars(
        select(Enrollment)
        .join(Person, Person.id == Enrollment.person_id)
        .where(
            Enrollment.program_id == program.id,
            Person.is_deleted.is_(False),
            Person.forgotten_at.is_(None),
            Enrollment.status.in_(("active", "paused")),
        )
        .order_by(Enrollment.id)
    ).all()
    return [
        e
        for e in rows
        if e.status == "active" or (e.paused_until is not None and e.paused_until <= today)
    ]


def get_open_load(s: Session, program_id: int) -> tuple[Counter[int], set[int]]:
    """Mentee slots each mentor (person id) fills in open matches, and who is held as a seeker."""
    rows = s.execute(
        select(MatchMember.match_id, MatchMember.person_id, MatchMember.role)
        .join(Match, Match.id == MatchMember.match_id)
        .where(Match.program_id == program_id, Match.state.in_(OPEN_STATES))
    ).all()
    mentees = Counter(match_id for match_id, _, role in rows if role == "mentee")
    load: Counter[int] = Counter()
    held: set[int] = set()
    for match_id, person_id, role in rows:
        if role == "mentor":
            load[person_id] += mentees.get(match_id, 0)
        else:
            held.add(person_id)
    return load, held


def list_past_pairs(s: Session, program_id: int, since: datetime) -> frozenset[frozenset[int]]:
    """Person-id pairs who were matched in the program since `since` (the repeat window)."""
    rows = s.execute(
        select(MatchMember.match_id, MatchMember.person_id)
        .join(Match, Match.id == MatchMember.match_id)
        .where(
            Match.program_id == program_id,
            Match.created_at >= since,
            (Match.end_reason.is_(None)) | (Match.end_reason != DISCARDED),
        )
    ).all()
    members: dict[int, list[int]] = {}
    for match_id, person_id in rows:
        members.setdefault(match_id, []).append(person_id)
    pairs: set[frozenset[int]] = set()
    for people in members.values():
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                pairs.add(frozenset((a, b)))
    return frozenset(pairs)


def get_managers(s: Session, workspace_id: int) -> dict[int, int | None]:
    rows = s.execute(
        select(Person.id, Person.manager_id).where(Person.workspace_id == workspace_id)
    ).all()
    return dict(rows)


def list_people(s: Session, person_ids: list[int]) -> dict[int, Person]:
    return {p.id: p for p in s.scalars(select(Person).where(Person.id.in_(person_ids)))}


def list_skills(s: Session, program_id: int) -> list[Skill]:
    return list(s.scalars(select(Skill).where(Skill.program_id == program_id).order_by(Skill.id)))


def list_open_goal_titles(s: Session, enrollment_id: int) -> list[str]:
    return list(
        s.scalars(
            select(Goal.title)
            .where(Goal.enrollment_id == enrollment_id, Goal.status == "open")
            .order_by(Goal.id)
        )
    )


def create_round(s: Session, round_: Round) -> bool:
    """Store a new round; False when its schedule slot already has one (here or elsewhere)."""
    if round_.scheduled_for is None:
        s.add(round_)
        s.flush()
        return True
    if slot_taken(s, round_.program_id, round_.scheduled_for):
        return False
    try:
        with s.begin_nested():
            s.add(round_)
            s.flush()
    except IntegrityError:
        return False  # another replica took this slot first
    return True


def slot_taken(s: Session, program_id: int, slot: datetime) -> bool:
    found = s.scalar(
        select(Round.id).where(Round.program_id == program_id, Round.scheduled_for == slot)
    )
    return found is not None


def set_round_status(
    s: Session, round_id: int, *, from_status: str, to_status: str, **values: object
) -> bool:
    """Move a round on only from the expected status, so a double click has one effect."""
    done = s.execute(
        update(Round)
        .where(Round.id == round_id, Round.status == from_status)
        .values(status=to_status, **values)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def discard_round(s: Session, round_id: int, *, at: datetime) -> bool:
    """Throw a proposed round away; its matches never happened."""
    if not set_round_status(s, round_id, from_status="proposed", to_status="discarded"):
        return False
    s.execute(
        update(Match)
        .where(Match.round_id == round_id, Match.state == "proposed")
        .values(state="cancelled", ended_at=at, end_reason=DISCARDED)
    )
    return True


def bump_stat(s: Session, round_id: int, name: str, by: int = 1) -> None:
    round_ = s.get(Round, round_id, with_for_update=True)
    if round_ is None:
        return
    stats = dict(round_.stats or {})
    stats[name] = int(stats.get(name, 0)) + by
    round_.stats = stats  # reassigned so the JSON change is written


def list_proposed_match_ids(s: Session, round_id: int) -> list[int]:
    return list(
        s.scalars(
            select(Match.id)
            .where(Match.round_id == round_id, Match.state == "proposed")
            .order_by(Match.id)
        )
    )


def get_last_round_at(s: Session, program_id: int) -> datetime | None:
    """When the program's last full round (not a dry run, not discarded) ran."""
    return s.scalar(
        select(Round.created_at)
        .where(
            Round.program_id == program_id,
            Round.kind.in_(("scheduled", "manual")),
            Round.status.in_(("proposed", "approved", "announced")),
        )
        .order_by(Round.created_at.desc())
        .limit(1)
    )


def list_scheduled_programs(s: Session) -> list[tuple[int, str, str, datetime]]:
    """(program id, rrule, zone, created_at) of open programs that have a schedule."""
    return [
        (row.id, row.schedule_rrule or "", row.timezone, row.created_at)
        for row in s.scalars(
            select(Program)
            .where(
                Program.status == "open",
                Program.schedule_rrule.is_not(None),
                in_live_workspace(Program.workspace_id),
            )
            .order_by(Program.id)
        )
    ]


def list_newcomer_programs(s: Session) -> list[int]:
    return list(
        s.scalars(
            select(Program.id)
            .where(
                Program.status == "open",
                Program.match_newcomers.is_(True),
                in_live_workspace(Program.workspace_id),
            )
            .order_by(Program.id)
        )
    )


def skill_names(s: Session, program_id: int) -> Mapping[int, str]:
    return {skill.id: skill.name for skill in list_skills(s, program_id)}
