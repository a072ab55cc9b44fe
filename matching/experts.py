"""Micro-mentoring: the best available expert for one short conversation about one skill.

An expert may be asked only when nothing rules them out: never-match either way, a pause,
as many open sessions as they take at once, no room under their monthly hours cap, no
shared language, or no stretch of shared working time long enough in the next week. Among
those left, the most expert comes first, then the one who has given fewest sessions this
month (so the load spreads), then the one sharing most working time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from matching.hours import Budget
from matching.timing import suggest_slots, weekly_overlap_hours

WINDOW_DAYS = 7
SLOTS = 3


@dataclass(frozen=True)
class Asker:
    person_id: int
    timezone: str = "UTC"
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start_minute: int = 9 * 60
    end_minute: int = 17 * 60
    languages: tuple[str, ...] = ()
    never_match: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Expert:
    person_id: int
    name: str
    level: int  # in the asked skill: 3 expert, 2 experienced; 0 a skill in the same area
    timezone: str = "UTC"
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start_minute: int = 9 * 60
    end_minute: int = 17 * 60
    languages: tuple[str, ...] = ()
    never_match: frozenset[int] = frozenset()
    budget: Budget = field(default_factory=lambda: Budget(None))
    paused: bool = False
    open_sessions: int = 0  # micro sessions asked of or accepted by them, not yet over
    max_sessions: int = 1
    sessions_this_month: int = 0


class Unavailable(StrEnum):
    """Why an expert cannot be asked (never said to anyone in a way that names a rule
    about a particular person: an exclusion reads like any other 'not available')."""

    SAME_PERSON = "same_person"
    EXCLUDED = "excluded"
    PAUSED = "paused"
    BUSY = "busy"
    OVER_CAP = "over_cap"
    NO_LANGUAGE = "no_language"
    NO_TIME = "no_time"


@dataclass(frozen=True)
class Candidate:
    expert: Expert
    slots: tuple[datetime, ...]  # meeting starts inside both people's hours, UTC
    overlap_hours: float  # shared working hours in the next week


def _languages_fit(a: Sequence[str], b: Sequence[str]) -> bool:
    if not a or not b:
        return True
    return bool({x.lower() for x in a} & {y.lower() for y in b})


def unavailable(asker: Asker, expert: Expert, *, minutes: int) -> Unavailable | None:
    """The first rule that rules the expert out, without looking at calendars."""
    if expert.person_id == asker.person_id:
        return Unavailable.SAME_PERSON
    if expert.person_id in asker.never_match or asker.person_id in expert.never_match:
        return Unavailable.EXCLUDED
    if expert.paused:
        return Unavailable.PAUSED
    if expert.open_sessions >= expert.max_sessions:
        return Unavailable.BUSY
    if not expert.budget.fits(minutes / 60):
        return Unavailable.OVER_CAP
    if not _languages_fit(asker.languages, expert.languages):
        return Unavailable.NO_LANGUAGE
    return None


def candidate(
    asker: Asker, expert: Expert, *, minutes: int, start: datetime
) -> Candidate | Unavailable:
    """The expert as a candidate with meeting times, or why they cannot be asked."""
    why = unavailable(asker, expert, minutes=minutes)
    if why is not None:
        return why
    slots = suggest_slots(asker, expert, start, days=WINDOW_DAYS, n=SLOTS, duration_minutes=minutes)
    if not slots:
        return Unavailable.NO_TIME
    return Candidate(expert, tuple(slots), weekly_overlap_hours(asker, expert, start))


def rank(
    asker: Asker,
    experts: Iterable[Expert],
    *,
    minutes: int,
    start: datetime,
    exclude: frozenset[int] = frozenset(),
) -> list[Candidate]:
    """Every expert who may be asked now, best first (see the module docstring)."""
    found = [
        c
        for e in experts
        if e.person_id not in exclude
        and isinstance(c := candidate(asker, e, minutes=minutes, start=start), Candidate)
    ]
    return sorted(
        found,
        key=lambda c: (
            -c.expert.level,
            c.expert.sessions_this_month,
            -round(c.overlap_hours, 1),
            c.expert.person_id,
        ),
    )
