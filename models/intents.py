"""Intents: what an acknowledged request asked for, kept until the leader has done it.

A listener commits its intent in the transaction it acks after; the leader's job performs
each intent in one transaction that also marks it done, so a crash at any instant either
leaves it pending (done again, whole) or done (never again). Failures back off and give up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.db import insert_new, is_postgres
from models.states import IntentState
from models.tables import Intent

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class PendingIntent:
    id: int
    kind: str
    key: str
    data: dict[str, Any]
    attempts: int


def submit(
    s: Session, *, key: str, kind: str, data: dict[str, Any], at: datetime, workspace_id: int | None
) -> bool:
    """Record an intent; False when one with this key was recorded before (a double click)."""
    return insert_new(
        s,
        Intent,
        "key",
        workspace_id=workspace_id,
        key=key,
        kind=kind,
        data=data,
        state=IntentState.PENDING,
        attempts=0,
        next_attempt_at=at,
        created_at=at,
    )


def list_due(s: Session, now: datetime, limit: int = 20) -> list[int]:
    return list(
        s.scalars(
            select(Intent.id)
            .where(Intent.state == IntentState.PENDING, Intent.next_attempt_at <= now)
            .order_by(Intent.id)
            .limit(limit)
        )
    )


def claim(s: Session, intent_id: int) -> PendingIntent | None:
    """The intent, locked for this transaction, if it is still pending."""
    query = select(Intent).where(Intent.id == intent_id, Intent.state == IntentState.PENDING)
    if is_postgres(s.get_bind()):
        query = query.with_for_update(skip_locked=True)
    row = s.scalar(query)
    if row is None:
        return None
    return PendingIntent(row.id, row.kind, row.key, dict(row.data), row.attempts)


def mark_done(s: Session, intent_id: int, at: datetime) -> None:
    s.execute(
        update(Intent)
        .where(Intent.id == intent_id)
        .values(state=IntentState.DONE, done_at=at, last_error=None)
    )


def record_failure(s: Session, intent_id: int, error: str, at: datetime) -> bool:
    """Count a failed attempt; True when it gave up (and is now failed)."""
    row = s.get(Intent, intent_id)
    if row is None or row.state != IntentState.PENDING:
        return False
    row.attempts += 1
    row.last_error = error[:200]
    if row.attempts >= MAX_ATTEMPTS:
        row.state = IntentState.FAILED
        return True
    row.next_attempt_at = at + timedelta(seconds=min(600, 5 * 2**row.attempts))
    return False


def get(s: Session, intent_id: int) -> PendingIntent | None:
    row = s.get(Intent, intent_id)
    if row is None:
        return None
    return PendingIntent(row.id, row.kind, row.key, dict(row.data), row.attempts)


def state_of(s: Session, key: str) -> str | None:
    return s.scalar(select(Intent.state).where(Intent.key == key))


def again_now(s: Session, intent_id: int, at: datetime) -> None:
    """A long intent did one part: the next part runs on the next pass (not a failure)."""
    s.execute(update(Intent).where(Intent.id == intent_id).values(next_attempt_at=at))
