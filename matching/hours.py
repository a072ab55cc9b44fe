"""Mentors' time: what one match costs a month, the room under a person's cap, and the
admins' utilisation figures with small groups pooled so none can be singled out.

A mentor's load this month is the larger of the hours already logged (meetings recorded by
check-ins, micro sessions held) and the hours their running matches are expected to take,
so a cap holds both before the meetings happen and after an unusually busy month.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

DAYS_PER_MONTH = 30.0
MIN_GROUP = 5


def match_hours_per_month(meeting_minutes: int, cadence_days: int) -> float:
    """Hours a month one running match is expected to take its mentor."""
    return meeting_minutes / 60 * DAYS_PER_MONTH / max(cadence_days, 1)


def month_start(at: datetime) -> datetime:
    """The first instant of `at`'s calendar month, in UTC (caps are per calendar month)."""
    moment = at.astimezone(UTC)
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Budget:
    """One person's monthly hours: the cap that applies (None: none), logged and committed."""

    cap: float | None
    logged: float = 0.0
    committed: float = 0.0

    @property
    def load(self) -> float:
        return max(self.logged, self.committed)

    @property
    def spare(self) -> float | None:
        return None if self.cap is None else max(0.0, self.cap - self.load)

    def fits(self, hours: float) -> bool:
        """Whether `hours` more stay within the cap (always, without one)."""
        spare = self.spare
        return spare is None or hours <= spare + 1e-9

    def places(self, per_match: float) -> int | None:
        """How many more matches of `per_match` hours a month fit; None without a cap."""
        spare = self.spare
        if spare is None:
            return None
        if per_match <= 0:
            return None
        return math.floor(spare / per_match + 1e-9)

    @property
    def used_share(self) -> float | None:
        return None if not self.cap else self.load / self.cap


@dataclass(frozen=True)
class Utilisation:
    """Admins' view of mentors' hours this month; `suppressed` when under MIN_GROUP mentors."""

    mentors: int
    hours: float
    capped: int  # mentors with a cap
    mean_share: float | None  # mean load / cap among capped mentors (None: suppressed/none)
    at_cap: int | None  # capped mentors at or over their cap (None: suppressed)
    groups: Mapping[str, float]  # group -> mean share, groups of MIN_GROUP or more only
    suppressed: bool


def pool_small_groups(
    groups: Mapping[str, Sequence[float]], k: int = MIN_GROUP, other: str = "other"
) -> dict[str, list[float]]:
    """Groups of fewer than k are pooled into `other`; while the pool holds 1..k-1 people
    the smallest shown group joins it too, so no hidden group is total minus shown ones."""
    shown = {name: list(values) for name, values in groups.items() if len(values) >= k}
    pool = [v for name, values in groups.items() if len(values) < k for v in values]
    while 0 < len(pool) < k and shown:
        smallest = min(shown, key=lambda name: (len(shown[name]), name))
        pool += shown.pop(smallest)
    if pool:
        if len(pool) < k:
            return {}  # everyone together is still too few to show anything
        shown[other] = pool
    return shown


def utilisation(
    budgets: Sequence[Budget], groups: Mapping[str, Sequence[int]] | None = None
) -> Utilisation:
    """Mentors' hours against their caps; `groups` maps a group name to budget indices."""
    hours = sum(b.logged for b in budgets)
    capped = [b for b in budgets if b.cap]
    if len(budgets) < MIN_GROUP:
        return Utilisation(len(budgets), hours, len(capped), None, None, {}, True)
    shares = [b.used_share or 0.0 for b in capped]
    by_group: dict[str, float] = {}
    if groups:
        capped_groups = {
            name: [budgets[i].used_share or 0.0 for i in indices if budgets[i].cap]
            for name, indices in groups.items()
        }
        pooled = pool_small_groups({n: v for n, v in capped_groups.items() if v})
        by_group = {name: statistics.mean(values) for name, values in pooled.items()}
    enough = len(capped) >= MIN_GROUP
    return Utilisation(
        mentors=len(budgets),
        hours=hours,
        capped=len(capped),
        mean_share=statistics.mean(shares) if enough else None,
        at_cap=sum(1 for b in capped if b.cap is not None and b.load >= b.cap - 1e-9)
        if enough
        else None,
        groups=by_group if enough else {},
        suppressed=False,
    )
