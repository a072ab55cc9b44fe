"""Round schedules in words: "every 4 weeks on Monday at 10:00" to an RRULE and back.

Admins type a schedule; the program stores an RRULE read in its own zone (see
matching.schedule.latest_due_slot). A raw RRULE ("FREQ=...") is accepted too, after dateutil
has checked it, so nothing the parser cannot express is out of reach.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dateutil.rrule import rrulestr

DAYS = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "eight": 8, "other": 2}
EXAMPLE = "every 4 weeks on Monday at 10:00"

_PATTERN = re.compile(
    r"^every\s+(?:(?P<n>\d+|one|two|three|four|six|eight|other)\s+)?"
    r"(?P<unit>weeks?|months?)\s+on\s+(?:the\s+)?(?:(?P<ord>first|second|third|fourth|last)\s+)?"
    r"(?P<days>[a-z,\s]+?)\s+at\s+(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ampm>am|pm)?$"
)


class ScheduleError(ValueError):
    pass


def _day(word: str) -> str:
    word = word.strip().lower().rstrip("s")
    for name, code in DAYS.items():
        if len(word) >= 3 and name.startswith(word):
            return code
    raise ScheduleError(f"I don't know the day `{word[:20]}`.")


def parse_schedule(text: str) -> str:
    """An RRULE for the words, or ScheduleError saying what to write instead."""
    text = " ".join(text.strip().split())
    if text.upper().startswith("FREQ="):
        try:
            rrulestr(text, dtstart=datetime(2026, 1, 1, tzinfo=UTC))
        except (ValueError, TypeError) as err:
            raise ScheduleError(f"That RRULE is not valid ({err}).") from None
        return text.upper()
    found = _PATTERN.match(text.lower())
    if not found:
        raise ScheduleError(f"Write it like `{EXAMPLE}`.")
    raw_n = found["n"] or "1"
    interval = int(raw_n) if raw_n.isdigit() else NUMBERS[raw_n]
    if not 1 <= interval <= 52:
        raise ScheduleError("Choose an interval between 1 and 52.")
    hour, minute = int(found["h"]), int(found["m"] or 0)
    if found["ampm"]:
        if not 1 <= hour <= 12:
            raise ScheduleError("Use an hour from 1 to 12 with am/pm.")
        hour = hour % 12 + (12 if found["ampm"] == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ScheduleError("Use a time like 10:00 or 2pm.")
    days = [_day(d) for d in re.split(r",|\band\b", found["days"]) if d.strip()]
    monthly = found["unit"].startswith("month")
    if found["ord"] and not monthly:
        raise ScheduleError("Say `every month on the first Monday at 10:00` for monthly rounds.")
    if monthly and len(days) != 1:
        raise ScheduleError("A monthly round happens on one day.")
    byday = (
        ",".join(f"{ORDINALS[found['ord']] if found['ord'] else 1}{d}" for d in days)
        if monthly
        else ",".join(days)
    )
    freq = "MONTHLY" if monthly else "WEEKLY"
    return f"FREQ={freq};INTERVAL={interval};BYDAY={byday};BYHOUR={hour};BYMINUTE={minute}"


def describe_schedule(rule: str | None) -> str:
    """The RRULE in the words an admin would type (or the rule itself if unusual)."""
    if not rule:
        return "no schedule (rounds run when an admin asks)"
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p)
    names = {v: k.capitalize() for k, v in DAYS.items()}
    try:
        interval = int(parts.get("INTERVAL", "1"))
        time = f"{int(parts['BYHOUR']):02d}:{int(parts.get('BYMINUTE', '0')):02d}"
        days = parts["BYDAY"].split(",")
    except (KeyError, ValueError):
        return rule
    if parts.get("FREQ") == "WEEKLY":
        unit = "week" if interval == 1 else f"{interval} weeks"
        return f"every {unit} on {', '.join(names.get(d, d) for d in days)} at {time}"
    if parts.get("FREQ") == "MONTHLY" and len(days) == 1 and days[0][:-2].lstrip("-").isdigit():
        n = int(days[0][:-2])
        ordinal = {v: k for k, v in ORDINALS.items()}.get(n, str(n))
        unit = "month" if interval == 1 else f"{interval} months"
        return f"every {unit} on the {ordinal} {names.get(days[0][-2:], days[0])} at {time}"
    return rule
