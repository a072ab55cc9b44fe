"""Who administers what: program admins stored per program (global admins come from settings)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.tables import Person, ProgramAdmin, Workspace


def is_admin(s: Session, slack_team_id: str, slack_user_id: str) -> bool:
    """True if the person administers at least one program in the workspace."""
    found = s.scalar(
        select(ProgramAdmin.program_id)
        .join(Person, Person.id == ProgramAdmin.person_id)
        .join(Workspace, Workspace.id == Person.workspace_id)
        .where(Workspace.slack_team_id == slack_team_id, Person.slack_user_id == slack_user_id)
        .limit(1)
    )
    return found is not None


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
