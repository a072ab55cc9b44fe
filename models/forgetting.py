"""Forget-me: erase everything that identifies a person, in every table, in one transaction.

The person row stays as an anonymous tombstone, so partners' history and round counts keep
their shape, holding a keyed hash of the Slack id instead of the id. With the key (a setting,
never in the database) an HR import can tell it must not write to them, and exclusions
others made of them still hold should they join again; without the key it names no one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, delete, or_, select, update
from sqlalchemy.orm import Session

from models import concerns, micro
from models.audit import record
from models.outbox import FORGOTTEN
from models.states import OutboxState
from models.tables import (
    AuditEntry,
    CheckInAnswer,
    Enrollment,
    Goal,
    Intent,
    Match,
    MatchMember,
    Milestone,
    NeverMatch,
    OutboxMessage,
    Person,
    ProgramAdmin,
    PulseResponse,
    PulseSurvey,
    WorkspaceAdmin,
)

SOMEONE = "a former participant"  # what a pending message says instead of their name
FORGOTTEN_CONVERSATION = "forgotten"
SHORTEST_TRACE = 3  # typed text shorter than this is no trace worth searching for
# Every column of the person row that says who they are (the id itself is replaced).
PERSON_COLUMNS = (
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
)


def keyed_hash(key: bytes, slack_user_id: str) -> str:
    """HMAC-SHA256 of a Slack user id: the same id always gives the same hash."""
    return hmac.new(key, slack_user_id.encode(), hashlib.sha256).hexdigest()


def audit_actor(key: bytes | None, slack_user_id: str) -> str:
    """What the audit log keeps of a forgotten actor: a keyed hash an auditor holding the key
    can still match, or nothing linkable without one."""
    return "h:" + (keyed_hash(key, slack_user_id)[:30] if key else "forgotten")


def tombstone_id(person_id: int) -> str:
    """The forgotten person's stand-in for a Slack id: unique, and no one's id."""
    return f"~{person_id}"


@dataclass(frozen=True)
class Traces:
    """What identifies the person wherever it was copied: their id, names and typed text."""

    slack_user_id: str
    names: tuple[str, ...]
    texts: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return (self.slack_user_id, *self.names, *self.texts)


def traces(s: Session, person: Person) -> Traces:
    enrollment_ids = list(s.scalars(select(Enrollment.id).where(Enrollment.person_id == person.id)))
    texts: list[str | None] = [person.email]
    # A department or a language is shared by many and names no one; scrubbing "English"
    # from others' messages would only garble them. What they wrote themselves goes.
    for e in s.scalars(select(Enrollment).where(Enrollment.person_id == person.id)):
        texts += [e.free_text_goal]
    goals = list(s.scalars(select(Goal).where(Goal.enrollment_id.in_(enrollment_ids))))
    texts += [t for g in goals for t in (g.title, g.measure)]
    texts += list(
        s.scalars(select(Milestone.title).where(Milestone.goal_id.in_([g.id for g in goals])))
    )
    texts += list(
        s.scalars(
            select(PulseResponse.comment)
            .join(PulseSurvey, PulseSurvey.id == PulseResponse.survey_id)
            .where(PulseSurvey.person_id == person.id)
        )
    )
    names = {n for n in (person.name, person.real_name) if n and len(n) >= SHORTEST_TRACE}
    kept = {t for t in texts if t and len(t) >= SHORTEST_TRACE} - names
    return Traces(person.slack_user_id, tuple(sorted(names)), tuple(sorted(kept)))


def _walk(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_walk(v, change) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, change) for k, v in value.items()}
    return value


def _replacer(traces: Traces, instead: str) -> Callable[[str], str]:
    words = [re.escape(t) for t in (*traces.names, *traces.texts)]
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)") if words else None

    def change(text: str) -> str:
        text = text.replace(traces.slack_user_id, instead)
        return pattern.sub(SOMEONE, text) if pattern is not None else text

    return change


def _fragments(strings: Iterable[str]) -> list[str]:
    """Each string as it reads inside stored JSON (escapes included), for a LIKE search."""
    return [json.dumps(value)[1:-1] for value in strings]


def _addressed(conversation: str, slack_user_id: str) -> bool:
    return slack_user_id in conversation.removeprefix("users:").split(",")


def _scrub_outbox(s: Session, person: Person, found: Traces, match_ids: set[int]) -> None:
    """Messages to them are cancelled or emptied; messages about them to others lose their
    name (or, when about a match they were in, are cancelled); sent payloads are emptied."""
    payload = cast(OutboxMessage.payload, Text)
    conditions = [OutboxMessage.conversation.contains(found.slack_user_id, autoescape=True)]
    conditions += [payload.contains(f, autoescape=True) for f in _fragments(found.all)]
    rows = s.scalars(
        select(OutboxMessage).where(
            OutboxMessage.workspace_id == person.workspace_id, or_(*conditions)
        )
    )
    change = _replacer(found, SOMEONE)
    for row in rows:
        pending = row.state == OutboxState.PENDING
        if _addressed(row.conversation, found.slack_user_id):
            if pending:
                row.state, row.last_error = OutboxState.CANCELLED, FORGOTTEN
            row.payload = {}
            row.conversation = FORGOTTEN_CONVERSATION
            row.slack_channel = None
            continue
        scrubbed = _walk(row.payload, change)
        if scrubbed == row.payload:
            continue  # a name inside another word: not about them
        if pending and row.match_id not in match_ids:
            row.payload = scrubbed  # an admin's preview still goes, without them
            continue
        if pending:
            row.state, row.last_error = OutboxState.CANCELLED, FORGOTTEN
        row.payload = {}


def _rewrite(
    s: Session,
    model: type[Intent] | type[AuditEntry],
    column: str,
    workspace_id: int,
    fragment: str,
    change: Callable[[str], str],
) -> None:
    """Rewrite every string of a JSON column, in the workspace's rows that hold `fragment`."""
    stored = cast(getattr(model, column), Text)
    for row in s.scalars(
        select(model).where(
            model.workspace_id == workspace_id, stored.contains(fragment, autoescape=True)
        )
    ):
        setattr(row, column, _walk(getattr(row, column), change))


def forget_person(s: Session, person: Person, *, key: bytes | None, at: datetime) -> None:
    """Erase the person everywhere; the caller has ended their open matches already."""
    found = traces(s, person)
    slack_user_id = person.slack_user_id
    match_ids = set(
        s.scalars(select(MatchMember.match_id).where(MatchMember.person_id == person.id))
    )
    if match_ids:  # reasons say who wants what: the partner's history keeps no name
        s.execute(update(Match).where(Match.id.in_(match_ids)).values(reasons=[]))
    _scrub_outbox(s, person, found, match_ids)
    fragment = _fragments([slack_user_id])[0]
    _rewrite(
        s,
        Intent,
        "data",
        person.workspace_id,
        fragment,
        lambda text: "" if text == slack_user_id else text,  # nobody to tell, should it fail
    )
    actor = audit_actor(key, slack_user_id)
    s.execute(
        update(AuditEntry)
        .where(
            AuditEntry.workspace_id == person.workspace_id,
            AuditEntry.actor_slack_user_id == slack_user_id,
        )
        .values(actor_slack_user_id=actor)
    )
    _rewrite(
        s,
        AuditEntry,
        "details",
        person.workspace_id,
        fragment,
        lambda text: text.replace(slack_user_id, actor),
    )
    concerns.forget_person(s, person.id)
    micro.forget_person(s, person.id)
    s.execute(delete(ProgramAdmin).where(ProgramAdmin.person_id == person.id))
    s.execute(delete(WorkspaceAdmin).where(WorkspaceAdmin.person_id == person.id))
    s.execute(delete(Enrollment).where(Enrollment.person_id == person.id))
    s.execute(delete(PulseSurvey).where(PulseSurvey.person_id == person.id))
    s.execute(delete(CheckInAnswer).where(CheckInAnswer.person_id == person.id))
    for column in PERSON_COLUMNS:
        setattr(person, column, None)
    person.hr_attributes = {}
    person.slack_user_id = tombstone_id(person.id)
    person.forgotten_key = keyed_hash(key, slack_user_id) if key else None
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


def forgotten_ids(
    s: Session, workspace_id: int, key: bytes | None, slack_user_id: str
) -> list[int]:
    """The tombstones of this Slack user in the workspace (several if forgotten twice)."""
    if key is None:
        return []
    return list(
        s.scalars(
            select(Person.id).where(
                Person.workspace_id == workspace_id,
                Person.forgotten_key == keyed_hash(key, slack_user_id),
            )
        )
    )


def carry_over_exclusions(s: Session, person: Person, key: bytes | None) -> int:
    """Someone forgotten joined again: exclusions others made of them (never-match lists,
    "my manager") apply to them again, since those protect the others. How many moved."""
    moved = 0
    for old in forgotten_ids(s, person.workspace_id, key, person.slack_user_id):
        mine = select(NeverMatch.enrollment_id).where(NeverMatch.person_id == person.id)
        s.execute(
            delete(NeverMatch).where(
                NeverMatch.person_id == old, NeverMatch.enrollment_id.in_(mine)
            )
        )
        for statement in (
            update(NeverMatch).where(NeverMatch.person_id == old).values(person_id=person.id),
            update(Enrollment).where(Enrollment.manager_id == old).values(manager_id=person.id),
            update(Person).where(Person.manager_id == old).values(manager_id=person.id),
        ):
            moved += int(s.execute(statement).rowcount or 0)  # type: ignore[attr-defined]
    if moved:
        s.flush()
    return moved


def may_hold_hr_data(s: Session, workspace_id: int, key: bytes | None, slack_user_id: str) -> bool:
    """Whether an HR import may write about this Slack user: not if they asked to be
    forgotten, until they consent again by enrolling."""
    if not forgotten_ids(s, workspace_id, key, slack_user_id):
        return True
    person = s.scalar(
        select(Person).where(
            Person.workspace_id == workspace_id, Person.slack_user_id == slack_user_id
        )
    )
    if person is None:
        return False
    return s.scalar(select(Enrollment.id).where(Enrollment.person_id == person.id)) is not None
