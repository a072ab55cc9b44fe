"""Programs as admins run them: create and edit one from the settings modal, list them,
add and remove program admins; every change is audited and confirmed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from flows import notices
from flows.notify import Reader, ToPeople, emit
from matching.landing import Hours
from models.admins import add_admin, remove_admin
from models.audit import record
from models.enrollment import count_enrolled
from models.errors import InvalidError
from models.program_admin import ProgramSettings, create_program, options_of, update_program
from models.programs import list_programs, resolve_program
from models.states import Role
from models.tables import Program
from models.taxonomy import add_skill
from models.workspace import ensure_person, ensure_workspace

ADDED_CLUSTER = "Added by admins"


@dataclass(frozen=True)
class ProgramRow:
    name: str
    slug: str
    format: str
    status: str
    mentors: int
    mentees: int
    peers: int
    schedule_rrule: str | None


def list_rows(s: Session, team_id: str, at: datetime) -> list[ProgramRow]:
    workspace = ensure_workspace(s, team_id, at)
    rows = []
    for p in list_programs(s, workspace.id):
        counts = count_enrolled(s, p.id)
        rows.append(
            ProgramRow(
                name=p.name,
                slug=p.slug,
                format=p.format,
                status=p.status,
                mentors=counts.get(Role.MENTOR, 0) + counts.get(Role.BOTH, 0),
                mentees=counts.get(Role.MENTEE, 0) + counts.get(Role.BOTH, 0),
                peers=counts.get(Role.PEER, 0),
                schedule_rrule=p.schedule_rrule,
            )
        )
    return rows


def program_to_edit(
    s: Session, team_id: str, name: str | None, at: datetime
) -> tuple[int, ProgramSettings]:
    """The named program's id and settings, for the settings modal."""
    workspace = ensure_workspace(s, team_id, at)
    p = resolve_program(s, workspace.id, name)
    return p.id, ProgramSettings(
        name=p.name,
        format=p.format,
        schedule_rrule=p.schedule_rrule,
        timezone=p.timezone,
        meeting_cadence_days=p.meeting_cadence_days,
        engagement_weeks=p.engagement_weeks,
        capacity_default=p.capacity_default,
        capacity_max=p.capacity_max,
        approval_required=p.approval_required,
        admin_channel_id=p.admin_channel_id,
        program_channel_id=p.program_channel_id,
        options=options_of(p),
    )


def save(
    s: Session,
    team_id: str,
    user_id: str,
    program_id: int | None,
    settings: ProgramSettings,
    skills: Sequence[str],
    *,
    version: str,
    at: datetime,
) -> Program:
    """Create (program_id None) or edit a program; the admin is told once per modal."""
    workspace = ensure_workspace(s, team_id, at)
    admin = ensure_person(s, workspace.id, user_id, at)
    if program_id is None:
        program = create_program(s, workspace.id, settings, admin.id, at)
        action = "program.create"
    else:
        found = s.get(Program, program_id)
        if found is None or found.workspace_id != workspace.id:
            raise InvalidError("That program no longer exists.")
        program = found
        update_program(s, program, settings, at)
        action = "program.edit"
    for skill in skills:
        add_skill(s, program.id, skill, ADDED_CLUSTER, at)
    record(
        s,
        action=action,
        at=at,
        workspace_id=workspace.id,
        actor_slack_user_id=user_id,
        target=f"program:{program.id}",
        details={"name": program.name, "skills_added": len(skills)},
    )
    emit(
        s,
        notices.ProgramSaved(
            program.id, action, version, program.name, program.slug, program.schedule_rrule
        ),
        to=ToPeople((Reader(user_id, Hours(admin.tz or "UTC")),)),
        workspace_id=workspace.id,
        at=at,
    )
    return program


@dataclass(frozen=True)
class AdminChange:
    changed: bool
    program_name: str


def set_admin(
    s: Session,
    team_id: str,
    actor: str,
    target: str,
    program_name: str | None,
    *,
    adding: bool,
    at: datetime,
) -> AdminChange:
    workspace = ensure_workspace(s, team_id, at)
    program = resolve_program(s, workspace.id, program_name)
    person = ensure_person(s, workspace.id, target, at)
    if adding:
        changed = add_admin(s, program.id, person.id, at)
    else:
        changed = remove_admin(s, program.id, person.id)
    if changed:
        record(
            s,
            action="admin.add" if adding else "admin.remove",
            at=at,
            workspace_id=workspace.id,
            actor_slack_user_id=actor,
            target=f"program:{program.id}",
            details={"person": target},
        )
    return AdminChange(changed, program.name)
