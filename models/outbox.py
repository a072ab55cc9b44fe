"""The outbox: Slack messages decided in a transaction, delivered after it commits.

`enqueue` is idempotent on its key, so a retried job or event that decides the same
message again adds nothing; delivery lives in handlers.delivery. A row holds either a notice
(`kind` + its data, rendered at delivery) or a ready Slack payload (`kind` NULL).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.orm import Session, aliased

from models.db import insert_new
from models.states import OutboxState
from models.tables import OutboxMessage, Workspace


@dataclass(frozen=True)
class PendingMessage:
    id: int
    workspace_id: int
    key: str
    method: str
    kind: str | None
    conversation: str
    payload: dict[str, Any]
    attempts: int
    match_id: int | None
    slack_channel: str | None
    # When the latest attempt began (None before the first, or on rows older than the column).
    attempted_at: datetime | None = None
    created_at: datetime | None = None


# Why a queued message was rightly never sent (its `last_error` once cancelled).
MATCH_ENDED = "match ended"  # about a match that ended before it could land
FORGOTTEN = "forgotten"  # to or about a person who asked to be forgotten


def dm_to(*slack_user_ids: str) -> str:
    """The conversation of a DM (one user) or group DM (several) opened at delivery."""
    return "users:" + ",".join(sorted(slack_user_ids))


def enqueue(
    s: Session,
    *,
    workspace_id: int,
    key: str,
    conversation: str,
    payload: dict[str, Any],
    at: datetime,
    method: str = "chat.postMessage",
    kind: str | None = None,
    priority: int = 1,
    match_id: int | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue a message; False when a message with this key was queued before."""
    return insert_new(
        s,
        OutboxMessage,
        "key",
        workspace_id=workspace_id,
        key=key,
        method=method,
        kind=kind,
        priority=priority,
        conversation=conversation,
        payload=payload,
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=not_before or at,
        match_id=match_id,
        created_at=at,
    )


def list_due(s: Session, now: datetime, limit: int = 50) -> list[PendingMessage]:
    rows = s.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.priority, OutboxMessage.id)
        .limit(limit)
    ).all()
    return [
        PendingMessage(
            id=r.id,
            workspace_id=r.workspace_id,
            key=r.key,
            method=r.method,
            kind=r.kind,
            conversation=r.conversation,
            payload=dict(r.payload),
            attempts=r.attempts,
            match_id=r.match_id,
            slack_channel=r.slack_channel,
            attempted_at=r.attempted_at,
            created_at=r.created_at,
        )
        for r in rows
    ]


def mark_sent(
    s: Session, message_id: int, *, channel: str | None, ts: str | None, at: datetime
) -> None:
    s.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            state=OutboxState.SENT, slack_channel=channel, slack_ts=ts, sent_at=at, last_error=None
        )
    )


def remember_channel(s: Session, message_id: int, channel: str | None) -> None:
    s.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id).values(slack_channel=channel)
    )


@dataclass(frozen=True)
class Claim:
    """An attempt counted for one message: the message as it goes out (its channel settled
    when that needs no Slack call), and whether that channel was borrowed from an earlier
    message to the same members."""

    message: PendingMessage
    borrowed: bool


def claim_attempt(s: Session, message: PendingMessage, *, at: datetime) -> Claim | None:
    """Count an attempt, and when it began, before the Slack call, so a crash mid-call is
    known on restart and the next attempt knows the only window its post can be in; None
    when somebody counted one since the message was read (compare-and-set), so two senders
    never make the same attempt.

    A first chat.postMessage attempt also settles its channel in the same statement (so it
    is remembered before anything is posted): a channel is its own; a DM borrows the channel
    an earlier message to the same members went to (the same members always get the same
    DM or group DM), so it need not be opened again. A retry never borrows: it must find
    its own post. One UPDATE … RETURNING where reading, counting and remembering took three.
    """
    values: dict[str, Any] = {"attempts": OutboxMessage.attempts + 1, "attempted_at": at}
    target = message.conversation
    borrowing = False
    first_post = message.attempts == 0 and message.method == "chat.postMessage"
    if first_post and message.slack_channel is None:
        if target.startswith("users:"):
            earlier = aliased(OutboxMessage)
            values["slack_channel"] = (
                select(earlier.slack_channel)
                .where(
                    earlier.workspace_id == message.workspace_id,
                    earlier.conversation == target,
                    earlier.slack_channel.is_not(None),
                )
                .order_by(earlier.id.desc())
                .limit(1)
                .scalar_subquery()
            )
            borrowing = True
        else:
            values["slack_channel"] = target
    claimed = s.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.state == OutboxState.PENDING,
            OutboxMessage.attempts == message.attempts,
        )
        .values(**values)
        .returning(OutboxMessage.slack_channel)
    ).first()
    if claimed is None:
        return None
    channel = claimed[0]
    if channel == message.slack_channel:  # nothing settled (none known, or a retry)
        return Claim(message, False)
    return Claim(replace(message, slack_channel=channel), borrowing)


def mark_retry(s: Session, message_id: int, *, error: str, at: datetime, delay: timedelta) -> None:
    s.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(last_error=error[:200], next_attempt_at=at + delay)
    )


def mark_failed(s: Session, message_id: int, *, error: str) -> None:
    s.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(state=OutboxState.FAILED, last_error=error[:200])
    )


def pending_until(s: Session, match_id: int, kind: str) -> datetime | None:
    """When the last still-queued message of this kind about the match is due (None: none)."""
    return s.scalar(
        select(func.max(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.match_id == match_id,
            OutboxMessage.kind == kind,
            OutboxMessage.state == "pending",
        )
    )


def exists(s: Session, key: str) -> bool:
    """Whether a message with this key was ever queued (sent or not)."""
    return s.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None


def mark_cancelled(s: Session, message_id: int, *, reason: str) -> None:
    s.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == OutboxState.PENDING)
        .values(state=OutboxState.CANCELLED, last_error=reason[:200])
    )


def cancel_for_match(s: Session, match_id: int, *, keep_kinds: frozenset[str]) -> int:
    """Cancel what is still queued about a match, but for the kinds that may follow its end;
    how many rows were cancelled."""
    query = update(OutboxMessage).where(
        OutboxMessage.match_id == match_id, OutboxMessage.state == OutboxState.PENDING
    )
    if keep_kinds:
        query = query.where(
            OutboxMessage.kind.is_(None) | OutboxMessage.kind.not_in(sorted(keep_kinds))
        )
    done = s.execute(query.values(state=OutboxState.CANCELLED, last_error=MATCH_ENDED))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def revoked_workspaces(s: Session) -> set[int]:
    """Workspaces whose token stopped working: nothing is sent to them."""
    return set(s.scalars(select(Workspace.id).where(Workspace.token_revoked_at.is_not(None))))


def mark_revoked(s: Session, workspace_id: int, at: datetime) -> None:
    workspace = s.get(Workspace, workspace_id)
    if workspace is not None and workspace.token_revoked_at is None:
        workspace.token_revoked_at = at


def prune_payloads(s: Session, before: datetime) -> int:
    """Empty the payload of every message delivered (or given up on) before `before`; the
    row, its key and its channel stay. How many payloads were emptied."""
    done_at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.next_attempt_at)
    result = s.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.state.in_((OutboxState.SENT, OutboxState.FAILED, OutboxState.CANCELLED)),
            OutboxMessage.next_attempt_at < before,  # through ix_outbox_due
            done_at < before,
            cast(OutboxMessage.payload, Text) != "{}",
        )
        .values(payload={})
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
