"""Round schedules in time: the latest slot that is due, and the next one to come.

An RRULE is read in the program's zone from the program's creation, so BYHOUR=10 means 10:00
there across daylight-saving changes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr


def latest_due_slot(
    rule: str, timezone: str, created_at: datetime, now: datetime
) -> datetime | None:
    """The most recent slot of the schedule at or before `now` (UTC), None before the first.

    Slots missed while the bot was down collapse into the latest one: a restart runs it once
    rather than replaying every missed round.
    """
    start = created_at.astimezone(ZoneInfo(timezone)).replace(second=0, microsecond=0)
    slot = rrulestr(rule, dtstart=start).before(now.astimezone(ZoneInfo(timezone)), inc=True)
    return None if slot is None else slot.astimezone(UTC)


def next_slot(rule: str, timezone: str, created_at: datetime, now: datetime) -> datetime | None:
    """The first slot of the schedule after `now` (UTC), read like latest_due_slot."""
    start = created_at.astimezone(ZoneInfo(timezone)).replace(second=0, microsecond=0)
    slot = rrulestr(rule, dtstart=start).after(now.astimezone(ZoneInfo(timezone)), inc=False)
    return None if slot is None else slot.astimezone(UTC)
