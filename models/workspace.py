"""Workspaces and people: who the bot knows, keyed by Slack team and user id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from models.tables import Person, Workspace


@dataclass(frozen=True)
class PersonView:
    id: int
    workspace_id: int
    slack_user_id: str
    name: str | None
    tz: str | None
    is_deleted: bool


def ensure_workspace(s: Session, slack_team_id: str, at: datetime) -> Workspace:
    workspace = s.scalar(select(Workspace).where(Workspace.slack_team_id == slack_team_id))
    if workspace is None:
        try:  # two requests may create it at once: the loser reads the winner's row
            with s.begin_nested():
                workspace = Workspace(slack_team_id=slack_team_id, created_at=at)
                s.add(workspace)
        except IntegrityError:
            workspace = s.scalars(
                select(Workspace).where(Workspace.slack_team_id == slack_team_id)
            ).one()
    return workspace


def get_workspace(s: Session, slack_team_id: str) -> Workspace | None:
    return s.scalar(select(Workspace).where(Workspace.slack_team_id == slack_team_id))


def get_person(s: Session, workspace_id: int, slack_user_id: str) -> Person | None:
    return s.scalar(
        select(Person).where(
            Person.workspace_id == workspace_id, Person.slack_user_id == slack_user_id
        )
    )


def ensure_person(s: Session, workspace_id: int, slack_user_id: str, at: datetime) -> Person:
    person = get_person(s, workspace_id, slack_user_id)
    if person is None:
        try:  # concurrent requests from one person: the loser reads the winner's row
            with s.begin_nested():
                person = Person(
                    workspace_id=workspace_id,
                    slack_user_id=slack_user_id,
                    created_at=at,
                    updated_at=at,
                    hr_attributes={},
                )
                s.add(person)
        except IntegrityError:
            person = get_person(s, workspace_id, slack_user_id)
            assert person is not None
    return person


def person_view(person: Person) -> PersonView:
    return PersonView(
        id=person.id,
        workspace_id=person.workspace_id,
        slack_user_id=person.slack_user_id,
        name=person.real_name or person.name,
        tz=person.tz,
        is_deleted=person.is_deleted,
    )


def in_live_workspace(workspace_id: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """A filter for jobs: rows of workspaces whose token still works.

    A revoked token (uninstalled app, deactivated workspace) stops every scheduled job for
    that workspace instead of queueing messages nobody can send.
    """
    return workspace_id.in_(select(Workspace.id).where(Workspace.token_revoked_at.is_(None)))


def find_person(s: Session, slack_team_id: str, slack_user_id: str) -> Person | None:
    """The person behind a request (its team and user ids), if the bot knows them."""
    if not slack_team_id or not slack_user_id:
        return None
    return s.scalar(
        select(Person)
        .join(Workspace, Workspace.id == Person.workspace_id)
        .where(Workspace.slack_team_id == slack_team_id, Person.slack_user_id == slack_user_id)
    )


def find_person_id(s: Session, slack_team_id: str, slack_user_id: str) -> int | None:
    person = find_person(s, slack_team_id, slack_user_id)
    return person.id if person else None


def restore_token(s: Session, slack_team_id: str) -> bool:
    """Clear the workspace's revocation mark once Slack accepts its token again; True if set."""
    result = s.execute(
        update(Workspace)
        .where(Workspace.slack_team_id == slack_team_id, Workspace.token_revoked_at.is_not(None))
        .values(token_revoked_at=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
