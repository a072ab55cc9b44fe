"""Who administers what: program admins stored per program (global admins come from settings)."""

from __future__ import annotations

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
