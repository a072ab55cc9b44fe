"""The one rule for every number an admin sees: no group under K people, directly or by
difference, in the report, its chart, a round's retro, the command line and the export.

A figure describes a group (the people counted, averaged or split): it is shown only when
that group has at least K members. A share also describes its complement (the matched say
something about the unmatched), so both sides must be empty or at least K. Counts that add
up to a total shown elsewhere are suppressed together, smallest first, until the hidden ones
add up to at least K (complementary suppression): subtraction then only ever reveals a group
of K or more. Averages over rounds follow the same rule through their respondents.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

K = 5

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Figure:
    """One number as it may be shown: a value, hidden (its group is under K), or none yet."""

    value: float | None = None
    hidden: bool = False

    @property
    def shown(self) -> bool:
        return self.value is not None and not self.hidden


NOTHING = Figure()  # nothing to count yet ("n/a")
HIDDEN = Figure(hidden=True)


def small(n: int) -> bool:
    """A group that would single people out: some, but fewer than K."""
    return 0 < n < K


def count(n: int) -> Figure:
    """How many people (or pairs) there are: shown from K on; none at all is shown too."""
    return HIDDEN if small(n) else Figure(float(n))


def share(part: int, whole: int) -> Figure:
    """part / whole, shown only when the part and what is left of the whole are each empty
    or at least K (a share also tells the complement by subtraction)."""
    if whole <= 0:
        return NOTHING
    if small(whole) or small(part) or small(whole - part):
        return HIDDEN
    return Figure(part / whole)


def mean(values: Sequence[float], people: int) -> Figure:
    """The average of answers given by `people` distinct people."""
    if not values:
        return NOTHING
    return HIDDEN if people < K else Figure(statistics.mean(values))


def median(values: Sequence[float]) -> Figure:
    """The median of one value per person."""
    if not values:
        return NOTHING
    return HIDDEN if len(values) < K else Figure(statistics.median(values))


def rate(value: float, people: int) -> Figure:
    """A derived rate over a group (meetings per pair per month, mentor utilisation)."""
    if people <= 0:
        return NOTHING
    return HIDDEN if people < K else Figure(value)


def partition(cells: Mapping[Key, int]) -> dict[Key, Figure]:
    """Counts that add up to a total shown elsewhere: every small cell hidden, then more,
    smallest first, until the hidden cells together are at least K (or all are hidden)."""
    hidden = {key for key, n in cells.items() if small(n)}
    visible = sorted((n, str(key), key) for key, n in cells.items() if key not in hidden and n)
    while hidden and sum(cells[k] for k in hidden) < K and visible:
        hidden.add(visible.pop(0)[2])
    return {key: HIDDEN if key in hidden else Figure(float(n)) for key, n in cells.items()}


def pooled_shares(
    groups: Mapping[str, tuple[int, int]], other: str
) -> tuple[tuple[str, Figure], ...]:
    """A share per group ((part, whole) each), the groups that cannot be shown pooled into
    `other`, which grows, smallest group first, until its own share can be shown."""
    pooled = {name for name, (part, whole) in groups.items() if share(part, whole).hidden}
    visible = sorted((whole, name) for name, (_, whole) in groups.items() if name not in pooled)

    def pool() -> tuple[int, int]:
        return (
            sum(groups[name][0] for name in pooled),
            sum(groups[name][1] for name in pooled),
        )

    while pooled and share(*pool()).hidden and visible:
        pooled.add(visible.pop(0)[1])
    out = [(name, share(*groups[name])) for name in sorted(groups) if name not in pooled]
    if pooled:
        out.append((other, share(*pool())))
    return tuple(out)


def guarded_means(
    cells: Mapping[Key, tuple[Sequence[float], Collection[Hashable]]],
) -> dict[Key, Figure]:
    """Averages of several groups whose answers also make an average shown elsewhere (each
    round's pulse, and the program's): hidden when under K respondents, and then more,
    fewest respondents first, until the hidden ones' respondents together are at least K."""
    figures = {key: mean(values, len(set(people))) for key, (values, people) in cells.items()}
    hidden = {key for key, figure in figures.items() if figure.hidden}

    def respondents() -> int:
        return len({person for key in hidden for person in cells[key][1]})

    visible = sorted(
        (len(set(cells[key][1])), str(key), key) for key, f in figures.items() if f.shown
    )
    while hidden and respondents() < K and visible:
        hidden.add(visible.pop(0)[2])
    return {key: HIDDEN if key in hidden else figures[key] for key in cells}
