"""Concerns as stored: the private report, who may act on it, and its audit trail.

The reporter and the program's admins are the only people a concern is ever shown to; an
admin who is a member of the match it is about is not shown it either. The trail is the
audit log (action, who, when; never the text).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.states import ConcernState
from models.tables import AuditEntry, Concern, MatchMember, OutboxMessage, Person, ProgramAdmin


def create(
    s: Session,
    *,
    program_id: int,
    match_id: int | None,
    reporter_id: int,
    category: str,
    text: str,
    wants_reply: bool,
    at: datetime,
) -> Concern:
    row = Concern(
        program_id=program_id,
        match_id=match_id,
        reporter_id=reporter_id,
        category=category,
        text=text,
        wants_reply=wants_reply,
        state=ConcernState.OPEN,
        created_at=at,
        updated_at=at,
    )
    s.add(row)
    s.flush()
    return row


def member_ids(s: Session, match_id: int | None) -> set[int]:
    if match_id is None:
        return set()
    return set(s.scalars(select(MatchMember.person_id).where(MatchMember.match_id == match_id)))


def program_admins(s: Session, program_id: int) -> list[tuple[int, str]]:
    """(person id, Slack user id) of the program's own admins."""
    rows = s.execute(
        select(Person.id, Person.slack_user_id)
        .join(ProgramAdmin, ProgramAdmin.person_id == Person.id)
        .where(ProgramAdmin.program_id == program_id, Person.is_deleted.is_(False))
        .order_by(Person.slack_user_id)
    )
    return [(int(pid), str(uid)) for pid, uid in rows]


def is_program_admin(s: Session, program_id: int, person_id: int) -> bool:
    return s.get(ProgramAdmin, (program_id, person_id)) is not None


def trail(s: Session, concern_id: int) -> list[AuditEntry]:
    """The concern's audit entries, oldest first."""
    return list(
        s.scalars(
            select(AuditEntry)
            .where(AuditEntry.target == f"concern:{concern_id}")
            .order_by(AuditEntry.created_at, AuditEntry.id)
        )
    )


def list_open(s: Session, program_ids: list[int]) -> list[Concern]:
    if not program_ids:
        return []
    return list(
        s.scalars(
            select(Concern)
            .where(Concern.program_id.in_(program_ids), Concern.state == ConcernState.OPEN)
            .order_by(Concern.created_at, Concern.id)
        )
    )


def resolve(s: Session, concern_id: int, at: datetime) -> bool:
    done = s.execute(
        update(Concern)
        .where(Concern.id == concern_id, Concern.state == ConcernState.OPEN)
        .values(state=ConcernState.RESOLVED, resolved_at=at, updated_at=at)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def _drop_messages(s: Session, concern_ids: list[int]) -> None:
    """The outbox rows that carried these concerns (their payloads hold the text)."""
    for concern_id in concern_ids:
        s.execute(delete(OutboxMessage).where(OutboxMessage.key.like(f"concern:{concern_id}:%")))


def forget_person(s: Session, person_id: int) -> None:
    """Forget-me: the person's own reports go (with the messages that carried them); the
    words of reports about a match they were in are erased, the fact of the report stays."""
    own = list(s.scalars(select(Concern.id).where(Concern.reporter_id == person_id)))
    _drop_messages(s, own)
    s.execute(delete(Concern).where(Concern.reporter_id == person_id))
    matches = select(MatchMember.match_id).where(MatchMember.person_id == person_id)
    about = list(s.scalars(select(Concern.id).where(Concern.match_id.in_(matches))))
    _drop_messages(s, about)
    if about:
        s.execute(update(Concern).where(Concern.id.in_(about)).values(text=None))
