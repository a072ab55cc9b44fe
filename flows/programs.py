"""Programs as admins run them: create and edit one from the settings modal, list them,
add and remove admins; every change is audited and confirmed once.

Every admin command finds its program through `administered`, which knows only the programs
the requester administers: an admin of one program can name another and is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from flows import notices
from flows.disclosure import Figure, count
from flows.notify import Reader, ToPeople, emit
from matching.landing import Hours
from models import taxonomy
from models.admins import (
    Authority,
    add_admin,
    add_workspace_admin,
    remove_admin,
    remove_workspace_admin,
)
from models.audit import record
from models.enrollment import count_enrolled
from models.errors import InvalidError, NotAllowedError, NotFoundError
from models.program_admin import ProgramSettings, create_program, options_of, update_program
from models.programs import list_programs, resolve_program
from models.states import Role
from models.tables import Program, Skill
from models.taxonomy import add_skill
from models.workspace import ensure_person, ensure_workspace, get_workspace

ADDED_CLUSTER = "Added by admins"


class NotAdminOfError(NotAllowedError):
    """The requester does not administer the program their request names."""

    def __init__(self, program_name: str) -> None:
        super().__init__(program_name)
        self.program_name = program_name


def administered(
    s: Session,
    workspace_id: int,
    name: str | None,
    authority: Authority,
    *,
    open_only: bool = False,
) -> Program:
    """The program an admin command names, or the only one the requester administers.

    Naming a program of someone else's is refused (NotAdminOfError), never quietly
    answered; unnamed, only the requester's own programs are considered.
    """
    if name:
        program = resolve_program(s, workspace_id, name, open_only=open_only)
        if not authority.over(program.id):
            raise NotAdminOfError(program.name)
        return program
    return resolve_program(s, workspace_id, None, open_only=open_only, among=authority.over)


def administered_choices(s: Session, team_id: str, authority: Authority) -> list[tuple[int, str]]:
    """(id, name) of the programs the requester administers, for a picker."""
    workspace = get_workspace(s, team_id)
    if workspace is None:
        return []
    return [(p.id, p.name) for p in list_programs(s, workspace.id) if authority.over(p.id)]


def program_in_workspace(s: Session, team_id: str, program_id: int) -> int | None:
    """The program's id if it belongs to this Slack workspace (what an admin modal acts on)."""
    workspace = get_workspace(s, team_id)
    program = s.get(Program, program_id)
    if workspace is None or program is None or program.workspace_id != workspace.id:
        return None
    return program.id


@dataclass(frozen=True)
class ProgramRow:
    name: str
    slug: str
    format: str
    status: str
    mentors: Figure  # through flows.disclosure, like every number admins see
    mentees: Figure
    peers: Figure
    schedule_rrule: str | None


def list_rows(s: Session, team_id: str, authority: Authority, at: datetime) -> list[ProgramRow]:
    """The programs the requester administers."""
    workspace = ensure_workspace(s, team_id, at)
    rows = []
    for p in list_programs(s, workspace.id):
        if not authority.over(p.id):
            continue
        counts = count_enrolled(s, p.id)
        rows.append(
            ProgramRow(
                name=p.name,
                slug=p.slug,
                format=p.format,
                status=p.status,
                mentors=count(counts.get(Role.MENTOR, 0) + counts.get(Role.BOTH, 0)),
                mentees=count(counts.get(Role.MENTEE, 0) + counts.get(Role.BOTH, 0)),
                peers=count(counts.get(Role.PEER, 0)),
                schedule_rrule=p.schedule_rrule,
            )
        )
    return rows


def program_to_edit(
    s: Session, team_id: str, name: str | None, authority: Authority, at: datetime
) -> tuple[int, ProgramSettings]:
    """The named program's id and settings, for the settings modal."""
    workspace = ensure_workspace(s, team_id, at)
    p = administered(s, workspace.id, name, authority)
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
    program_name: str | None  # None: workspace admin


def set_admin(
    s: Session,
    team_id: str,
    actor: str,
    target: str,
    program_name: str | None,
    authority: Authority,
    *,
    adding: bool,
    at: datetime,
    workspace_wide: bool = False,
    program_id: int | None = None,
) -> AdminChange:
    """Add or remove a program admin (an admin of that program may), or a workspace admin
    (only a workspace admin may). The program is named, picked by id (the modal), or the
    requester's only one."""
    workspace = ensure_workspace(s, team_id, at)
    if workspace_wide:
        if not authority.workspace:
            raise NotAllowedError("workspace")
        program: Program | None = None
    elif program_id is not None:
        program = s.get(Program, program_id)
        if program is None or program.workspace_id != workspace.id:
            raise NotFoundError("program")
        if not authority.over(program.id):
            raise NotAdminOfError(program.name)
    else:
        program = administered(s, workspace.id, program_name, authority)
    person = ensure_person(s, workspace.id, target, at)
    if program is None:
        changed = (
            add_workspace_admin(s, person, at) if adding else remove_workspace_admin(s, person)
        )
    elif adding:
        changed = add_admin(s, program.id, person.id, at)
    else:
        changed = remove_admin(s, program.id, person.id)
    if changed:
        verb = "add" if adding else "remove"
        record(
            s,
            action=f"admin.{verb}" if program else f"workspace_admin.{verb}",
            at=at,
            workspace_id=workspace.id,
            actor_slack_user_id=actor,
            target=f"program:{program.id}" if program else f"workspace:{workspace.id}",
            details={"person": target},
        )
    return AdminChange(changed, program.name if program else None)


@dataclass(frozen=True)
class SkillChange:
    program_name: str
    skill: str
    into: str | None  # the skill it was merged into; None when retired
    profiles: int  # how many profiles it was in


class SkillAskedAboutError(InvalidError):
    """Experts were asked about the skill: retiring it would erase those asks."""


class SameSkillError(InvalidError):
    """A skill merged into itself."""


class SkillNotFoundError(InvalidError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.known = known


def _skill(s: Session, program: Program, name: str) -> Skill:
    found = taxonomy.find_skill(s, program.id, name)
    if found is None:
        known = [k.name for k in taxonomy.list_skills(s, program.id)]
        raise SkillNotFoundError(name, known)
    return found


def change_skill(
    s: Session,
    team_id: str,
    actor: str,
    program_name: str | None,
    authority: Authority,
    name: str,
    *,
    into: str | None,
    at: datetime,
) -> SkillChange:
    """Merge a skill into another (everyone who had it keeps their choice under the other
    name) or retire it (it leaves the form and every profile). Admins of the program may."""
    workspace = ensure_workspace(s, team_id, at)
    program = administered(s, workspace.id, program_name, authority)
    source = _skill(s, program, name)
    source_name = source.name
    if into is None:
        if taxonomy.asked_about(s, source.id):
            raise SkillAskedAboutError(source_name)
        profiles = taxonomy.retire_skill(s, source)
        merged_into = None
    else:
        target = _skill(s, program, into)
        if target.id == source.id:
            raise SameSkillError(source_name)
        merged_into = target.name
        profiles = taxonomy.merge_skill(s, source, target)
    record(
        s,
        action="skill.merge" if into is not None else "skill.retire",
        at=at,
        workspace_id=workspace.id,
        actor_slack_user_id=actor,
        target=f"program:{program.id}",
        details={"skill": source_name, "into": merged_into, "profiles": profiles},
    )
    return SkillChange(program.name, source_name, merged_into, profiles)


def skills_of(
    s: Session, team_id: str, program_name: str | None, authority: Authority
) -> tuple[str, list[tuple[str, list[str]]]]:
    """The program's skills by cluster, for its admins."""
    workspace = get_workspace(s, team_id)
    if workspace is None:
        raise NotFoundError("workspace")
    program = administered(s, workspace.id, program_name, authority)
    clusters: dict[str, list[str]] = {}
    for skill in taxonomy.list_skills(s, program.id):
        clusters.setdefault(skill.cluster, []).append(skill.name)
    return program.name, sorted(clusters.items())
