"""Emit notices into the outbox: who they go to, when they may land, and cancelling them.

The landing rule is applied here, once, for every notice: a reply goes now; a message the bot
sends on its own lands at its reader's next 10:00 on a working day (a group DM: at a time
inside every member's hours; a channel: 10:00 on a weekday in the program's zone).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from flows.notices import KINDS, Landing, Notice, dump
from matching.landing import Hours, landing_time
from models import outbox


@dataclass(frozen=True)
class Reader:
    """A person a DM goes to, with the hours their messages must land in."""

    slack_user_id: str
    hours: Hours


@dataclass(frozen=True)
class ToPeople:
    """A DM to one person, or a group DM to several (opened at delivery)."""

    readers: tuple[Reader, ...]

    @property
    def conversation(self) -> str:
        return outbox.dm_to(*(r.slack_user_id for r in self.readers))


@dataclass(frozen=True)
class ToChannel:
    channel_id: str
    timezone: str = "UTC"

    @property
    def conversation(self) -> str:
        return self.channel_id


Audience = ToPeople | ToChannel

CLOSING_KINDS = frozenset(
    kind for kind, cls in KINDS.items() if issubclass(cls, Notice) and cls.CLOSING
)


def lands_at(notice: Notice | type[Notice], to: Audience, at: datetime) -> datetime:
    """When `notice` (or any notice of its kind) may first be sent to `to`, decided at `at`."""
    if notice.LANDING is Landing.NOW:
        return at
    if isinstance(to, ToChannel):
        return landing_time([Hours(to.timezone)], at)
    return landing_time([r.hours for r in to.readers], at)


def emit(
    s: Session,
    notice: Notice,
    *,
    to: Audience,
    workspace_id: int,
    at: datetime,
    not_before: datetime | None = None,
) -> bool:
    """Queue `notice`; False when a notice with its key was queued before (a rerun)."""
    return outbox.enqueue(
        s,
        workspace_id=workspace_id,
        key=notice.key,
        kind=notice.KIND,
        conversation=to.conversation,
        payload=dump(notice),
        method=notice.METHOD,
        priority=notice.PRIORITY,
        at=at,
        match_id=notice.about_match,
        not_before=not_before or lands_at(notice, to, at),
    )


def emitted(s: Session, notice_key: str) -> bool:
    """Whether a notice with this key was ever queued (sent or not)."""
    return outbox.exists(s, notice_key)


def cancel_about_match(s: Session, match_id: int) -> int:
    """An ended match: drop everything still queued about it except what may follow an end."""
    return outbox.cancel_for_match(s, match_id, keep_kinds=CLOSING_KINDS)


def readers(people: Sequence[tuple[str, Hours]]) -> ToPeople:
    return ToPeople(tuple(Reader(user, hours) for user, hours in people))
