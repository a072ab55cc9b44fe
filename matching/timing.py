"""Working-hour math in UTC: weekly overlap, shared meeting slots, next local time.

Local working hours are turned into UTC instants per local calendar day with zoneinfo, so a
week in which only one of two zones changes clock (US and UK in March) is counted right.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

WEEK_MINUTES = 7 * 24 * 60


class Availability(Protocol):
    """Anything with a zone and local working days and hours (a Participant fits)."""

    @property
    def timezone(self) -> str: ...
    @property
    def working_days(self) -> tuple[int, ...]: ...
    @property
    def start_minute(self) -> int: ...
    @property
    def end_minute(self) -> int: ...


Pattern = tuple[str, tuple[int, ...], int, int]  # zone, days, start minute, end minute


def pattern_of(person: Availability) -> Pattern:
    return (
        person.timezone,
        tuple(sorted(set(person.working_days))),
        person.start_minute,
        person.end_minute,
    )


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")


def _local(day: date, minute: int, tz: ZoneInfo) -> datetime:
    base = datetime.combine(day, time(0), tzinfo=tz)
    if minute >= 1440:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return base.replace(hour=minute // 60, minute=minute % 60)


def working_intervals(
    pattern: Pattern, start_utc: datetime, end_utc: datetime
) -> list[tuple[datetime, datetime]]:
    """UTC intervals of local working time within [start_utc, end_utc), in order."""
    _require_aware(start_utc, "start_utc")
    _require_aware(end_utc, "end_utc")
    name, days, start_minute, end_minute = pattern
    tz = zone(name)
    first = start_utc.astimezone(tz).date() - timedelta(days=1)
    last = end_utc.astimezone(tz).date() + timedelta(days=1)
    out: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        if day.weekday() in days:
            begin = _local(day, start_minute, tz).astimezone(UTC)
            end = _local(day, end_minute, tz).astimezone(UTC)
            begin, end = max(begin, start_utc), min(end, end_utc)
            if begin < end:
                out.append((begin, end))
        day += timedelta(days=1)
    return out


def common_intervals(
    a: Availability, b: Availability, start_utc: datetime, end_utc: datetime
) -> list[tuple[datetime, datetime]]:
    """UTC intervals inside both people's working hours, in order."""
    left = working_intervals(pattern_of(a), start_utc, end_utc)
    right = working_intervals(pattern_of(b), start_utc, end_utc)
    out: list[tuple[datetime, datetime]] = []
    i = j = 0
    while i < len(left) and j < len(right):
        begin = max(left[i][0], right[j][0])
        end = min(left[i][1], right[j][1])
        if begin < end:
            out.append((begin, end))
        if left[i][1] <= right[j][1]:
            i += 1
        else:
            j += 1
    return out


def weekly_overlap_hours(a: Availability, b: Availability, week_start: datetime) -> float:
    """Hours per week both people are working, for the week starting at `week_start`."""
    spans = common_intervals(a, b, week_start, week_start + timedelta(days=7))
    return sum((end - begin).total_seconds() for begin, end in spans) / 3600


def overlap_per_day(
    a: Availability, b: Availability, week_start: datetime
) -> tuple[float, int, float | None]:
    """(hours a week, days with overlap, hours a day when every such day has the same)."""
    # the week's intervals of each pattern are cached in minutes: intersect those, and only
    # turn each shared stretch's start into a local date (explanations run once per match)
    left = _week_minutes(pattern_of(a), week_start)
    right = _week_minutes(pattern_of(b), week_start)
    by_day: dict[date, float] = {}
    i = j = 0
    while i < len(left) and j < len(right):
        begin, end = max(left[i][0], right[j][0]), min(left[i][1], right[j][1])
        if begin < end:
            day = _local_date(a.timezone, week_start, begin)
            by_day[day] = by_day.get(day, 0.0) + (end - begin) / 60
        if left[i][1] <= right[j][1]:
            i += 1
        else:
            j += 1
    total = sum(by_day.values())
    values = list(by_day.values())
    same = bool(values) and max(values) - min(values) < 0.25
    return total, len(values), (total / len(values) if same else None)


@lru_cache(maxsize=65_536)
def _local_date(timezone: str, week_start: datetime, minute: int) -> date:
    """The local date `minute` minutes after week_start; cached, as a round's shared
    stretches start at a few hundred distinct minutes (the time-zone arithmetic took 1.5 s
    of explaining 90,000 pairs)."""
    return (week_start + timedelta(minutes=minute)).astimezone(zone(timezone)).date()


@lru_cache(maxsize=65_536)
def _week_minutes(pattern: Pattern, week_start: datetime) -> tuple[tuple[int, int], ...]:
    """A pattern's intervals in minutes after week_start; cached because a newcomer's match
    recomputes every roster pattern, and a week's calendar never changes."""
    spans = working_intervals(pattern, week_start, week_start + timedelta(days=7))
    return tuple(
        (
            int((b - week_start).total_seconds() // 60),
            int((e - week_start).total_seconds() // 60),
        )
        for b, e in spans
    )


def interval_table(patterns: Sequence[Pattern], week_start: datetime) -> npt.NDArray[np.int32]:
    """Per pattern, its working intervals as minutes after `week_start`, shape (P, n, 2)."""
    rows = [_week_minutes(pattern, week_start) for pattern in patterns]
    width = max((len(row) for row in rows), default=0) or 1
    table = np.zeros((len(rows), width, 2), dtype=np.int32)
    for index, row in enumerate(rows):
        if row:
            table[index, : len(row)] = row
    return table


def overlap_minutes(
    left: npt.NDArray[np.int32], right: npt.NDArray[np.int32]
) -> npt.NDArray[np.int32]:
    """Shared minutes for every pair of interval lists, shape (len(left), len(right)).

    Intervals of one pattern are disjoint, so the sum of pairwise intersections is exact;
    the cost is P * Q * n^2 with n <= 9, done in row chunks to bound memory.
    """
    out = np.zeros((left.shape[0], right.shape[0]), dtype=np.int32)
    chunk = max(1, 4_000_000 // max(1, right.shape[0] * left.shape[1] * right.shape[1]))
    r_start = right[None, None, :, :, 0]
    r_end = right[None, None, :, :, 1]
    for begin in range(0, left.shape[0], chunk):
        block = left[begin : begin + chunk]
        l_start = block[:, :, None, None, 0]
        l_end = block[:, :, None, None, 1]
        inter = np.minimum(l_end, r_end) - np.maximum(l_start, r_start)
        # shape (rows, n_left, P, n_right) -> sum over both interval axes
        inter = np.moveaxis(inter, 2, 1)
        out[begin : begin + chunk] = np.clip(inter, 0, None).sum(axis=(2, 3))
    return out


def _round_up(moment: datetime, step_minutes: int) -> datetime:
    seconds = step_minutes * 60
    stamp = moment.timestamp()
    rounded = -(-stamp // seconds) * seconds
    return datetime.fromtimestamp(rounded, tz=UTC)


def suggest_slots(
    a: Availability,
    b: Availability,
    start_utc: datetime,
    days: int = 7,
    n: int = 3,
    duration_minutes: int = 30,
) -> list[datetime]:
    """Up to `n` UTC meeting starts inside both people's hours, spread over different days.

    Each slot starts at the first quarter hour of a shared stretch long enough for the
    meeting; days are picked evenly over the window, then extra slots come from later
    stretches of the same days when there are fewer days than `n`.
    """
    _require_aware(start_utc, "start_utc")
    start_utc = start_utc.astimezone(UTC)
    duration = timedelta(minutes=duration_minutes)
    spans = common_intervals(a, b, start_utc, start_utc + timedelta(days=days))
    tz = zone(a.timezone)
    per_day: dict[date, list[datetime]] = {}
    for begin, end in spans:
        slot = _round_up(begin, 15)
        while slot + duration <= end:
            per_day.setdefault(slot.astimezone(tz).date(), []).append(slot)
            slot += timedelta(minutes=max(duration_minutes, 60))
    ordered = [per_day[day] for day in sorted(per_day)]
    if not ordered or n <= 0:
        return []
    chosen: list[datetime] = []
    picks = min(n, len(ordered))
    for i in range(picks):
        chosen.append(ordered[(i * len(ordered)) // picks][0])
    depth = 1
    while len(chosen) < n and any(len(slots) > depth for slots in ordered):
        for slots in ordered:
            if len(slots) > depth and len(chosen) < n:
                chosen.append(slots[depth])
        depth += 1
    return sorted(chosen)


def next_local_time(
    tz: str,
    working_days: Iterable[int],
    hour: int = 10,
    *,
    after_utc: datetime,
    minute: int = 0,
) -> datetime:
    """The first UTC instant after `after_utc` that is hour:minute local on a working day.

    A wall time that does not exist (inside a spring-forward gap) resolves with the offset
    before the change, i.e. to the same instant one hour later on the clock.
    """
    _require_aware(after_utc, "after_utc")
    days = set(working_days)
    if not days or not days <= set(range(7)):
        raise ValueError("working_days must be a non-empty subset of 0..6")
    zone_info = zone(tz)
    day = after_utc.astimezone(zone_info).date()
    for _ in range(15):
        if day.weekday() in days:
            local = datetime.combine(day, time(hour, minute), tzinfo=zone_info)
            candidate = local.astimezone(UTC)
            if candidate > after_utc:
                return candidate
        day += timedelta(days=1)
    raise AssertionError("unreachable: a working day occurs within two weeks")
