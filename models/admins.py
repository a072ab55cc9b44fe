"""Who administers what: workspace admins (MENTORBOT_ADMINS and those they name) administer
every program in their workspace; a program admin administers only their own programs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import Person, ProgramAdmin, WorkspaceAdmin
from models.workspace import find_person


@dataclass(frozen=True)
class Authority:
    """What one person may administer in one workspace."""

    workspace: bool = False  # every program of the workspace, and its admins
    programs: frozenset[int] = frozenset()  # the programs they administer themselves

    def over(self, program_id: int | None) -> bool:
        """Whether they administer this program (of their own workspace)."""
        return self.workspace or (program_id is not None and program_id in self.programs)

    @property
    def any(self) -> bool:
        return self.workspace or bool(self.programs)


NOBODY = Authority()
EVERYWHERE = Authority(workspace=True)


def authority(
    s: Session, slack_team_id: str, slack_user_id: str, *, global_admins: frozenset[str]
) -> Authority:
    """The requester's authority in the workspace of the request."""
    if not slack_user_id:
        return NOBODY
    if slack_user_id in global_admins:
        return EVERYWHERE
    person = find_person(s, slack_team_id, slack_user_id)
    if person is None:
        return NOBODY
    if s.get(WorkspaceAdmin, (person.workspace_id, person.id)) is not None:
        return EVERYWHERE
    return Authority(programs=frozenset(admin_program_ids(s, person.id)))


def admin_program_ids(s: Session, person_id: int) -> list[int]:
    return list(
        s.scalars(select(ProgramAdmin.program_id).where(ProgramAdmin.person_id == person_id))
    )


def add_admin(s: Session, program_id: int, person_id: int, at: datetime) -> bool:
    """Make the person an admin of the program; False if they already were."""
    if s.get(ProgramAdmin, (program_id, person_id)) is not None:
        return False
    s.add(ProgramAdmin(program_id=program_id, person_id=person_id, added_at=at))
    s.flush()
    return True


def remove_admin(s: Session, program_id: int, person_id: int) -> bool:
    admin = s.get(ProgramAdmin, (program_id, person_id))
    if admin is None:
        return False
    s.delete(admin)
    s.flush()
    return True


def add_workspace_admin(s: Session, person: Person, at: datetime) -> bool:
    """Make the person an admin of every program in their workspace; False if they were."""
    if s.get(WorkspaceAdmin, (person.workspace_id, person.id)) is not None:
        return False
    s.add(WorkspaceAdmin(workspace_id=person.workspace_id, person_id=person.id, added_at=at))
    s.flush()
    return True


def remove_workspace_admin(s: Session, person: Person) -> bool:
    admin = s.get(WorkspaceAdmin, (person.workspace_id, person.id))
    if admin is None:
        return False
    s.delete(admin)
    s.flush()
    return True


def list_admin_ids(s: Session, program_id: int) -> list[str]:
    """Slack user ids of the program's own admins."""
    return list(
        s.scalars(
            select(Person.slack_user_id)
            .join(ProgramAdmin, ProgramAdmin.person_id == Person.id)
            .where(ProgramAdmin.program_id == program_id)
            .order_by(Person.slack_user_id)
        )
    )


def workspace_admin_ids(s: Session, workspace_id: int) -> list[str]:
    """Slack user ids of the people named admins of every program in the workspace."""
    return list(
        s.scalars(
            select(Person.slack_user_id)
            .join(WorkspaceAdmin, WorkspaceAdmin.person_id == Person.id)
            .where(WorkspaceAdmin.workspace_id == workspace_id)
            .order_by(Person.slack_user_id)
        )
    )
