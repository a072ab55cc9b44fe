"""Enrollment: joining a program, editing the profile, pausing, leaving, forgetting a person.

Validation of what a person typed lives in handlers (it speaks the modal's language); these
functions keep the rules the database cannot (roles per format, capacity within the
program's bounds) and own every write, so a retried submission changes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.audit import record
from models.errors import InvalidError, NotFoundError
from models.matches import list_open_match_ids
from models.tables import (
    CheckInAnswer,
    Enrollment,
    EnrollmentSkill,
    NeverMatch,
    Person,
    Program,
    PulseSurvey,
)

MENTOR_ROLES = ("mentor", "both")
MENTEE_ROLES = ("mentee", "both")


@dataclass(frozen=True)
class Profile:
    """Everything a person tells the bot when enrolling, already parsed."""

    role: str
    offered: tuple[tuple[int, int], ...]  # (skill id, level 1-3)
    sought: tuple[int, ...]
    free_text_goal: str | None
    seniority: int | None
    department: str | None
    manager_id: int | None
    working_days: tuple[int, ...]
    work_start_minute: int
    work_end_minute: int
    timezone: str
    languages: tuple[str, ...]
    meeting_frequency_days: int | None
    capacity: int
    never_match: tuple[int, ...]  # person ids


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
        raise InvalidError(f"*{program.name}* is not taking new people right now.")
    if profile.role not in roles_for(program):
        raise InvalidError("Choose one of the roles offered.")
    gives = profile.role in MENTOR_ROLES
    if gives and not 1 <= profile.capacity <= program.capacity_max:
        raise InvalidError(f"Mentees at most must be between 1 and {program.capacity_max}.")
    profile = replace(
        profile,
        offered=profile.offered if gives or profile.role == "peer" else (),
        capacity=profile.capacity if gives else 0,
        never_match=tuple(sorted(set(profile.never_match) - {person.id})),
    )
    enrollment = get_enrollment(s, program.id, person.id)
    created = enrollment is None
    if enrollment is None:
        enrollment = Enrollment(
            program_id=program.id, person_id=person.id, created_at=at, consent_at=at
        )
        s.add(enrollment)
    enrollment.role = profile.role
    enrollment.status = "active" if enrollment.status in (None, "left") else enrollment.status
    enrollment.left_at = None
    enrollment.seniority = profile.seniority
    enrollment.department = profile.department
    enrollment.manager_id = profile.manager_id
    enrollment.working_days = list(profile.working_days)
    enrollment.work_start_minute = profile.work_start_minute
    enrollment.work_end_minute = profile.work_end_minute
    enrollment.timezone = profile.timezone
    enrollment.languages = list(profile.languages)
    enrollment.meeting_frequency_days = profile.meeting_frequency_days
    enrollment.capacity = profile.capacity
    enrollment.free_text_goal = profile.free_text_goal
    enrollment.consent_at = at
    enrollment.updated_at = at
    s.flush()
    s.execute(delete(EnrollmentSkill).where(EnrollmentSkill.enrollment_id == enrollment.id))
    s.execute(delete(NeverMatch).where(NeverMatch.enrollment_id == enrollment.id))
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
    s.flush()
    return enrollments


def resume(s: Session, person: Person, *, at: datetime) -> list[Enrollment]:
    paused = [e for e in list_enrollments(s, person.id) if e.status == "paused"]
    for enrollment in paused:
        enrollment.status = "active"
        enrollment.paused_until = None
        enrollment.updated_at = at
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


def forget_person_data(s: Session, person: Person, *, at: datetime) -> None:
    """Delete what the person told us and said; scrub the person row; keep counts only.

    Matches stay (as anonymous rows in round statistics) but are ended by the caller first.
    """
    s.execute(delete(Enrollment).where(Enrollment.person_id == person.id))
    s.execute(delete(PulseSurvey).where(PulseSurvey.person_id == person.id))
    s.execute(delete(CheckInAnswer).where(CheckInAnswer.person_id == person.id))
    for column in (
        "name",
        "real_name",
        "email",
        "tz",
        "title",
        "department",
        "job_level",
        "location",
        "start_date",
        "leave_date",
        "manager_id",
    ):
        setattr(person, column, None)
    person.hr_attributes = {}
    person.forgotten_at = at
    person.updated_at = at
    record(
        s,
        action="person.forget",
        at=at,
        workspace_id=person.workspace_id,
        target=f"person:{person.id}",
    )
    s.flush()
