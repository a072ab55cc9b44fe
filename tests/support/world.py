"""Base factories: rows for a workspace, program, people, enrollments and matches.

They insert rows directly, so a test of one feature does not depend on another feature's
flow. Features keep their richer factories in their own modules next to this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.tables import Enrollment, Match, MatchMember, Person, Program, Round, Workspace
from testkit.slack import FakeSlack

TEAM = "T0000TEST"
ADMIN_CHANNEL = "CADMIN0001"
PROGRAM_CHANNEL = "CPROGRAM01"


def arrange_channels(fake: FakeSlack, *members: str) -> None:
    """The program's admin and program channels as Slack has them, the bot invited to both:
    public, since the settings modal's channels_select offers public channels only."""
    fake.add_channel(ADMIN_CHANNEL, "mentoring-admins", members=members)
    fake.add_channel(PROGRAM_CHANNEL, "mentoring", members=members)


def make_workspace(s: Session, at: datetime, team_id: str = TEAM) -> Workspace:
    workspace = Workspace(slack_team_id=team_id, name="Test", created_at=at)
    s.add(workspace)
    s.flush()
    return workspace


def make_program(s: Session, workspace: Workspace, at: datetime, **values: Any) -> Program:
    fields: dict[str, Any] = {
        "slug": "eng",
        "name": "Engineering mentoring",
        "format": "one_on_one",
        "timezone": "UTC",
        "weights": {},
        "settings": {},
        "admin_channel_id": ADMIN_CHANNEL,
        "created_at": at,
        "updated_at": at,
    }
    fields.update(values)
    program = Program(workspace_id=workspace.id, **fields)
    s.add(program)
    s.flush()
    return program


def make_person(
    s: Session, workspace: Workspace, slack_user_id: str, at: datetime, **values: Any
) -> Person:
    fields: dict[str, Any] = {"name": slack_user_id.lower(), "tz": "UTC", "hr_attributes": {}}
    fields.update(values)
    person = Person(
        workspace_id=workspace.id,
        slack_user_id=slack_user_id,
        created_at=at,
        updated_at=at,
        **fields,
    )
    s.add(person)
    s.flush()
    return person


def make_enrollment(
    s: Session, program: Program, person: Person, role: str, at: datetime, **values: Any
) -> Enrollment:
    fields: dict[str, Any] = {
        "capacity": 2 if role in ("mentor", "both") else 0,
        "timezone": person.tz or "UTC",
        "languages": [],
        "preferences": {},
        "working_days": [0, 1, 2, 3, 4],
    }
    fields.update(values)
    enrollment = Enrollment(
        program_id=program.id,
        person_id=person.id,
        role=role,
        consent_at=at,
        created_at=at,
        updated_at=at,
        **fields,
    )
    s.add(enrollment)
    s.flush()
    return enrollment


def make_round(s: Session, program: Program, at: datetime, **values: Any) -> Round:
    fields: dict[str, Any] = {"kind": "manual", "status": "announced", "stats": {}}
    fields.update(values)
    round_ = Round(program_id=program.id, created_at=at, **fields)
    s.add(round_)
    s.flush()
    return round_


def make_match(
    s: Session,
    round_: Round,
    members: Sequence[tuple[Enrollment, str]],
    at: datetime,
    **values: Any,
) -> Match:
    """A match of (enrollment, member role) pairs, active from `at` unless told otherwise."""
    fields: dict[str, Any] = {
        "state": "active",
        "score": 0.5,
        "breakdown": {},
        "reasons": [],
        "started_at": at,
    }
    fields.update(values)
    match = Match(round_id=round_.id, program_id=round_.program_id, created_at=at, **fields)
    s.add(match)
    s.flush()
    for enrollment, role in members:
        s.add(
            MatchMember(
                match_id=match.id,
                person_id=enrollment.person_id,
                round_id=round_.id,
                enrollment_id=enrollment.id,
                role=role,
            )
        )
    s.flush()
    s.expire(match, ["members"])
    return match
