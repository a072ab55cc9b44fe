"""When a message the bot sends on its own lands, and when a new pair could first meet.

One rule for every self-initiated message: its reader's next 10:00 on a working day in their
own zone. A group DM lands at the first of its members' 10:00s that lies inside everyone's
hours; failing that, at the first moment everyone is working; and when the members share no
working time at all in the next two weeks, at the earliest member's 10:00.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from matching.timing import (
    next_local_time,
    pattern_of,
    suggest_slots,
    working_intervals,
    zone,
)

LANDING_HOUR = 10
MEETING = timedelta(minutes=30)
WINDOW = timedelta(days=14)


@dataclass(frozen=True)
class Hours:
    """A reader's working week: their zone, ISO weekdays 0=Mon..6=Sun, and local minutes."""

    timezone: str
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start_minute: int = 9 * 60
    end_minute: int = 17 * 60


def in_hours(hours: Hours, moment: datetime) -> bool:
    local = moment.astimezone(zone(hours.timezone))
    minute = local.hour * 60 + local.minute
    return local.weekday() in hours.working_days and hours.start_minute <= minute < hours.end_minute


def landing_time(readers: Sequence[Hours], after: datetime) -> datetime:
    """10:00 on a working day for one reader; for several, a time inside all their hours."""
    if not readers:
        return after
    tens: list[datetime] = []
    for hours in readers:
        moment = after
        for _ in range(3):  # each member's next three 10:00s: a two-week window in all
            moment = next_local_time(
                hours.timezone,
                hours.working_days or (0, 1, 2, 3, 4),
                LANDING_HOUR,
                after_utc=moment,
            )
            tens.append(moment)
    tens.sort()
    if len(readers) == 1:
        return tens[0]
    for moment in tens:
        if all(in_hours(hours, moment) for hours in readers):
            return moment
    shared = _shared_start(readers, after)
    return shared if shared is not None else tens[0]


def _shared_start(readers: Sequence[Hours], after: datetime) -> datetime | None:
    """The first moment after `after`, on a quarter hour, when every reader is working."""
    end = after + WINDOW
    spans = working_intervals(pattern_of(readers[0]), after, end)
    for hours in readers[1:]:
        theirs = working_intervals(pattern_of(hours), after, end)
        spans = [
            (max(a, c), min(b, d)) for a, b in spans for c, d in theirs if max(a, c) < min(b, d)
        ]
    for begin, finish in sorted(spans):
        start = _quarter(max(begin, after))
        if start < finish:
            return start
    return None


def _quarter(moment: datetime) -> datetime:
    seconds = 15 * 60
    stamp = -(-moment.timestamp() // seconds) * seconds
    return datetime.fromtimestamp(stamp, tz=moment.tzinfo)


def meeting_slots(members: Sequence[Hours], start: datetime, n: int = 3) -> list[datetime]:
    """Up to `n` first-meeting starts in the next 7 days inside every member's hours.

    suggest_slots weighs two people; for a circle or a trio, the first two's candidates
    are kept only where everyone else is working too.
    """
    if len(members) < 2:
        return []
    first, second, *others = members
    candidates = suggest_slots(first, second, start, days=7, n=n if not others else 40)
    if not others:
        return candidates
    end = start + timedelta(days=8)
    busy = [working_intervals(pattern_of(m), start, end) for m in others]
    fitting = [
        slot
        for slot in candidates
        if all(any(b <= slot and slot + MEETING <= e for b, e in spans) for spans in busy)
    ]
    return fitting[:n]


def paced_finish(landings: dict[datetime, int], per_minute: float) -> datetime | None:
    """When the last of these messages goes out if each needs one call of a rate-limited
    method (`per_minute`), sent in order of landing: a queue drained at that pace."""
    if not landings:
        return None
    step = timedelta(minutes=1) / per_minute
    free = min(landings)
    for moment in sorted(landings):
        free = max(free, moment) + step * landings[moment]
    return free
