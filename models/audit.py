"""The audit log: who did what to what, for every admin action and every deletion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.tables import AuditEntry


def record(
    s: Session,
    *,
    action: str,
    at: datetime,
    workspace_id: int | None = None,
    actor_slack_user_id: str | None = None,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    s.add(
        AuditEntry(
            workspace_id=workspace_id,
            actor_slack_user_id=actor_slack_user_id,
            action=action,
            target=target,
            details=details or {},
            created_at=at,
        )
    )
