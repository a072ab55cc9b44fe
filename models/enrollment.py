"""Enrollment: joining a program, editing the profile, pausing, leaving.

Validation of what a person typed lives in handlers (it speaks the modal's language); these
functions keep the rules the database cannot (roles per format, capacity within the
program's bounds) and own every write, so a retried submission changes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models.engagement import wake_person
from models.errors import InvalidError, NotFoundError
from models.matches import list_open_match_ids
from models.states import OPEN_MATCH_STATES, ProgramStatus, Role
from models.tables import (
    Enrollment,
    EnrollmentSkill,
    Match,
    MatchMember,
    NeverMatch,
    Person,
    Program,
)

MENTOR_ROLES = ("mentor", "both")
MENTEE_ROLES = ("mentee", "both")
MAX_HOURS_CAP = 200


@dataclass(frozen=True)
class Profile:
    """Everything a person tells the bot when enrolling, already parsed.

    Every field but the skills and the never-match list is an Enrollment column of the same
    name, stored and read back by name: a new one is a field here, a column and a migration.
    """

    role: str = Role.MENTEE
    offered: tuple[tuple[int, int], ...] = ()  # (skill id, level 1-3)
    sought: tuple[int, ...] = ()
    free_text_goal: str | None = None
    seniority: int | None = None
    department: str | None = None
    manager_id: int | None = None
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    work_start_minute: int = 9 * 60
    work_end_minute: int = 17 * 60
    timezone: str = "UTC"
    languages: tuple[str, ...] = ()
    meeting_frequency_days: int | None = 14
    capacity: int = 0
    hours_cap: int | None = None  # at most this many mentoring hours a month, all programs
    never_match: tuple[int, ...] = ()  # person ids


# Profile fields kept in their own tables, not as Enrollment columns.
NOT_COLUMNS = frozenset({"offered", "sought", "never_match"})


def column_fields() -> list[str]:
    return [f.name for f in fields(Profile) if f.name not in NOT_COLUMNS]


def profile_of(enrollment: Enrollment) -> Profile:
    """The profile as stored: every column by name, and the skills and exclusions."""
    values = {name: getattr(enrollment, name) for name in column_fields()}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return Profile(
        **values,
        offered=tuple((k.skill_id, k.level) for k in enrollment.skills if k.kind == "offer"),
        sought=tuple(k.skill_id for k in enrollment.skills if k.kind == "seek"),
        never_match=tuple(n.person_id for n in enrollment.never_match),
    )


@dataclass(frozen=True)
class Saved:
    enrollment_id: int
    created: bool
    profile: Profile  # as stored: no skills offered or capacity unless the role gives


def roles_for(program: Program) -> tuple[str, ...]:
    return ("peer",) if program.format == "peer" else ("mentor", "mentee", "both")


def get_enrollment(s: Session, program_id: int, person_id: int) -> Enrollment | None:
    return s.scalar(
        select(Enrollment).where(
            Enrollment.program_id == program_id, Enrollment.person_id == person_id
        )
    )


def list_enrollments(s: Session, person_id: int, *, current_only: bool = True) -> list[Enrollment]:
    query = select(Enrollment).where(Enrollment.person_id == person_id)
    if current_only:
        query = query.where(Enrollment.status != "left")
    return list(s.scalars(query.order_by(Enrollment.id)))


def save_profile(
    s: Session, program: Program, person: Person, profile: Profile, *, at: datetime
) -> Saved:
    """Enroll `person` in `program`, or update their enrollment (also after leaving)."""
    if program.status != "open":
        raise InvalidError("*{program}* is not taking new people right now.", program=program.name)
    if profile.role not in roles_for(program):
        raise InvalidError("Choose one of the roles offered.")
    gives = profile.role in MENTOR_ROLES
    if gives and not 1 <= profile.capacity <= program.capacity_max:
        raise InvalidError(f"Mentees at most must be between 1 and {program.capacity_max}.")
    if profile.hours_cap is not None and not 1 <= profile.hours_cap <= MAX_HOURS_CAP:
        raise InvalidError(f"Hours a month must be between 1 and {MAX_HOURS_CAP}.")
    profile = replace(
        profile,
        offered=profile.offered if gives or profile.role == "peer" else (),
        capacity=profile.capacity if gives else 0,
        hours_cap=profile.hours_cap if gives else None,
        never_match=tuple(sorted(set(profile.never_match) - {person.id})),
    )
    enrollment = get_enrollment(s, program.id, person.id)
    created = enrollment is None
    if enrollment is not None:
        # Exclusions of someone since forgotten cannot be shown in the form, so they are
        # not in what it sends back: they stay, should that person join again.
        earlier = [n.person_id for n in enrollment.never_match]
        if enrollment.manager_id is not None:
            earlier.append(enrollment.manager_id)
        gone = forgotten_among(s, earlier)
        profile = replace(
            profile,
            never_match=tuple(sorted(set(profile.never_match) | (gone - {enrollment.manager_id}))),
            manager_id=profile.manager_id
            or (enrollment.manager_id if enrollment.manager_id in gone else None),
        )
    if enrollment is None:
        enrollment = Enrollment(
            program_id=program.id, person_id=person.id, created_at=at, consent_at=at
        )
        s.add(enrollment)
    for name in column_fields():
        value = getattr(profile, name)
        setattr(enrollment, name, list(value) if isinstance(value, tuple) else value)
    enrollment.status = "active" if enrollment.status in (None, "left") else enrollment.status
    enrollment.left_at = None
    enrollment.consent_at = at
    enrollment.updated_at = at
    s.flush()
    # "fetch": the session forgets just the deleted rows; the default would scan every
    # object it holds, so an import of N people in one session would cost N squared
    fetch = {"synchronize_session": "fetch"}
    s.execute(
        delete(EnrollmentSkill).where(EnrollmentSkill.enrollment_id == enrollment.id),
        execution_options=fetch,
    )
    s.execute(
        delete(NeverMatch).where(NeverMatch.enrollment_id == enrollment.id),
        execution_options=fetch,
    )
    s.expire(enrollment, ["skills", "never_match"])
    for skill_id, level in profile.offered:
        s.add(
            EnrollmentSkill(
                enrollment_id=enrollment.id, skill_id=skill_id, kind="offer", level=level
            )
        )
    for skill_id in profile.sought:
        s.add(EnrollmentSkill(enrollment_id=enrollment.id, skill_id=skill_id, kind="seek", level=1))
    for other in profile.never_match:
        s.add(NeverMatch(enrollment_id=enrollment.id, person_id=other))
    if profile.timezone:
        person.tz = profile.timezone
    person.updated_at = at
    s.flush()
    return Saved(enrollment.id, created, profile)


def pause(s: Session, person: Person, until: date, *, at: datetime) -> list[Enrollment]:
    """Pause every current enrollment until `until` (resumed by the job once it passes)."""
    if until <= at.date():
        raise InvalidError(
            "Pick a date in the future, for example `/mentor pause until 2027-01-04`."
        )
    enrollments = list_enrollments(s, person.id)
    if not enrollments:
        raise NotFoundError("You are not enrolled in any program. Try `/mentor join`.")
    for enrollment in enrollments:
        enrollment.status = "paused"
        enrollment.paused_until = until
        enrollment.updated_at = at
    wake_person(s, person.id, at)
    s.flush()
    return enrollments


def resume(s: Session, person: Person, *, at: datetime) -> list[Enrollment]:
    paused = [e for e in list_enrollments(s, person.id) if e.status == "paused"]
    for enrollment in paused:
        enrollment.status = "active"
        enrollment.paused_until = None
        enrollment.updated_at = at
    wake_person(s, person.id, at)
    s.flush()
    return paused


def resume_due(s: Session, *, at: datetime) -> int:
    """Resume every pause whose date has come (the auto-resume job); how many resumed."""
    due = list(
        s.scalars(
            select(Enrollment).where(
                Enrollment.status == "paused", Enrollment.paused_until <= at.date()
            )
        )
    )
    for enrollment in due:
        enrollment.status = "active"
        enrollment.paused_until = None
        enrollment.updated_at = at
        wake_person(s, enrollment.person_id, at)
    s.flush()
    return len(due)


def withdraw(s: Session, enrollment: Enrollment, *, at: datetime) -> list[int]:
    """Mark an enrollment left; the open matches it is in, which the caller ends kindly."""
    enrollment.status = "left"
    enrollment.left_at = at
    enrollment.paused_until = None
    enrollment.updated_at = at
    s.flush()
    return list_open_match_ids(s, enrollment.person_id, enrollment.program_id)


def forgotten_among(s: Session, person_ids: list[int]) -> set[int]:
    """Which of these people asked to be forgotten."""
    if not person_ids:
        return set()
    return set(
        s.scalars(
            select(Person.id).where(Person.id.in_(person_ids), Person.forgotten_at.is_not(None))
        )
    )


def people_slack_ids(s: Session, person_ids: list[int]) -> list[str]:
    """Slack user ids of these people, leaving out anyone forgotten (they have none)."""
    if not person_ids:
        return []
    return list(
        s.scalars(
            select(Person.slack_user_id)
            .where(Person.id.in_(person_ids), Person.forgotten_at.is_(None))
            .order_by(Person.id)
        )
    )


def list_channel_programs(s: Session, workspace_id: int, channel_id: str) -> list[Program]:
    """Open programs whose program channel this is."""
    return list(
        s.scalars(
            select(Program).where(
                Program.workspace_id == workspace_id,
                Program.program_channel_id == channel_id,
                Program.status == ProgramStatus.OPEN,
            )
        )
    )


def match_lines(s: Session, person_id: int, program_id: int) -> list[tuple[int, datetime, str]]:
    """(match id, since, state) of the person's open matches in the program."""
    rows = s.execute(
        select(Match.id, Match.started_at, Match.created_at, Match.state)
        .join(MatchMember, MatchMember.match_id == Match.id)
        .where(
            MatchMember.person_id == person_id,
            Match.program_id == program_id,
            Match.state.in_(OPEN_MATCH_STATES),
        )
        .order_by(Match.id)
    ).all()
    return [(mid, started or created, state) for mid, started, created, state in rows]


def partners(s: Session, match_id: int, person_id: int) -> list[str]:
    """Slack user ids of the other members of a match."""
    return list(
        s.scalars(
            select(Person.slack_user_id)
            .join(MatchMember, MatchMember.person_id == Person.id)
            .where(MatchMember.match_id == match_id, MatchMember.person_id != person_id)
            .order_by(Person.id)
        )
    )


def count_enrolled(s: Session, program_id: int) -> dict[str, int]:
    rows = s.execute(
        select(Enrollment.role, func.count())
        .where(Enrollment.program_id == program_id, Enrollment.status != "left")
        .group_by(Enrollment.role)
    )
    return {str(role): int(n) for role, n in rows}


def count_open_matches(s: Session, program_id: int) -> int:
    return int(
        s.scalar(
            select(func.count())
            .select_from(Match)
            .where(Match.program_id == program_id, Match.state.in_(OPEN_MATCH_STATES))
        )
        or 0
    )
