"""Who a program is open to: its rules (departments, job levels, tenure, locations) and a verdict.

A rule on a fact nobody knows (no department on file, no start date) is not met: a program
open to "Engineering" cannot assume someone is in it. Before the join form is filled in,
the facts the form itself asks for (department, level) may be left to the form instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

DEPARTMENT = "department"
LOCATION = "location"
LEVEL = "level"
TENURE = "tenure"
RULES = (DEPARTMENT, LEVEL, TENURE, LOCATION)
ASKED_IN_FORM = frozenset({DEPARTMENT, LEVEL})
MAX_NAMES = 20


def _names(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list | tuple):
        return ()
    names = (" ".join(str(v).split()) for v in raw if isinstance(v, str))
    return tuple(dict.fromkeys(n for n in names if n))[:MAX_NAMES]


def _int(raw: Any) -> int | None:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0 else None


@dataclass(frozen=True)
class Rules:
    """Empty fields are no rule; a program with no rules is open to everyone."""

    departments: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    min_level: int | None = None
    max_level: int | None = None
    min_tenure_months: int | None = None

    @classmethod
    def from_settings(cls, raw: Any) -> Rules:
        """The rules stored in Program.settings["eligibility"]; anything garbled reads as none."""
        if not isinstance(raw, Mapping):
            return cls()
        return cls(
            departments=_names(raw.get("departments")),
            locations=_names(raw.get("locations")),
            min_level=_int(raw.get("min_level")),
            max_level=_int(raw.get("max_level")),
            min_tenure_months=_int(raw.get("min_tenure_months")),
        )

    def to_settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.departments:
            out["departments"] = list(self.departments)
        if self.locations:
            out["locations"] = list(self.locations)
        for name in ("min_level", "max_level", "min_tenure_months"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        return out

    @property
    def is_open(self) -> bool:
        return not self.to_settings()

    @property
    def names(self) -> tuple[str, ...]:
        """The rules that apply, in the order they are explained."""
        out = []
        if self.departments:
            out.append(DEPARTMENT)
        if self.min_level is not None or self.max_level is not None:
            out.append(LEVEL)
        if self.min_tenure_months is not None:
            out.append(TENURE)
        if self.locations:
            out.append(LOCATION)
        return tuple(out)


@dataclass(frozen=True)
class Facts:
    """What is known about a person, from their profile and the HR import."""

    department: str | None = None
    location: str | None = None
    level: int | None = None
    start_date: date | None = None


@dataclass(frozen=True)
class Verdict:
    failed: tuple[str, ...] = ()  # rules not met (or not known to be met)

    @property
    def eligible(self) -> bool:
        return not self.failed


def _months_between(start: date, today: date) -> int:
    months = (today.year - start.year) * 12 + today.month - start.month
    return months - (today.day < start.day)


def _same(value: str | None, allowed: tuple[str, ...]) -> bool:
    wanted = {a.casefold() for a in allowed}
    return value is not None and " ".join(value.split()).casefold() in wanted


def check(
    rules: Rules, facts: Facts, today: date, *, unknown_ok: frozenset[str] = frozenset()
) -> Verdict:
    """Which of the program's rules the person does not meet; a rule in `unknown_ok` whose
    fact is unknown is left for later (the form asks for it)."""
    failed: list[str] = []

    def unknown(rule: str) -> bool:
        if rule in unknown_ok:
            return False
        failed.append(rule)
        return True

    if rules.departments:
        if facts.department is None:
            unknown(DEPARTMENT)
        elif not _same(facts.department, rules.departments):
            failed.append(DEPARTMENT)
    if rules.min_level is not None or rules.max_level is not None:
        if facts.level is None:
            unknown(LEVEL)
        elif (rules.min_level is not None and facts.level < rules.min_level) or (
            rules.max_level is not None and facts.level > rules.max_level
        ):
            failed.append(LEVEL)
    if rules.min_tenure_months is not None:
        if facts.start_date is None:
            unknown(TENURE)
        elif _months_between(facts.start_date, today) < rules.min_tenure_months:
            failed.append(TENURE)
    if rules.locations:
        if facts.location is None:
            unknown(LOCATION)
        elif not _same(facts.location, rules.locations):
            failed.append(LOCATION)
    return Verdict(tuple(failed))
