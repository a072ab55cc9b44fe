"""What the leader would do between two requests: intents, then the outbox, until quiet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bot.app import Mentorbot
from bot.work import drain
from models.tables import OutboxMessage


def settle(bot: Mentorbot, *, limit: int = 200, passes: int = 20) -> int:
    """Run due intents and deliver due messages until nothing more goes out; how many sent."""
    sent = 0
    for _ in range(passes):
        drain(bot.sessions, bot.deps.clock)
        report = bot.deliverer.run_once(limit=limit)
        sent += report.sent
        if report.sent == 0 and report.retried == 0 and report.cancelled == 0:
            break
    return sent


def live_through(bot: Mentorbot, clock: Any, *, days: int = 14) -> int:
    """Settle, then step the clock to each queued message's landing time and settle again,
    until nothing is queued (or `days` have passed): everything decided now, delivered."""
    sent = settle(bot)
    limit = clock() + timedelta(days=days)
    for _ in range(1000):
        due = next_due(bot)
        if due is None or due > limit:
            break
        if due > clock():
            clock.set(due)
        sent += settle(bot)
    return sent


def _pending_times(bot: Mentorbot) -> tuple[Any, Any]:
    with bot.sessions() as s:
        row = s.execute(
            select(
                func.min(OutboxMessage.next_attempt_at), func.max(OutboxMessage.next_attempt_at)
            ).where(OutboxMessage.state == "pending")
        ).one()
    return row[0], row[1]


def land_all(bot: Mentorbot, clock: Any) -> None:
    """Step the clock to the moment every queued message is due (the last landing time)."""
    _, last = _pending_times(bot)
    if last is not None and last > clock():
        clock.set(last)


def next_due(bot: Mentorbot) -> Any:
    """When the soonest queued message is due (None: nothing queued)."""
    return _pending_times(bot)[0]
