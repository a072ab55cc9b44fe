"""Exactly-once handling of Slack events: claim an event id inside the handler's transaction.

The claim is part of the same unit of work as the event's effects, so a delivery that
crashed half-way is retried in full, and a retry of a finished one changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from models.db import insert_new
from models.tables import ProcessedEvent


def claim_event(s: Session, event_id: str, at: datetime) -> bool:
    """True if this event id is new (and is now claimed); False if it was handled before."""
    return insert_new(s, ProcessedEvent, "event_id", event_id=event_id, received_at=at)


def prune_claims(s: Session, prefix: str, before: datetime) -> int:
    """Forget claims under `prefix` made before `before` (replay keys outlive their window)."""
    result = s.execute(
        delete(ProcessedEvent).where(
            ProcessedEvent.event_id.startswith(prefix, autoescape=True),
            ProcessedEvent.received_at < before,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
