"""HR roster import: upsert people's HR attributes and fill enrollment gaps, idempotently.

Rows arrive already resolved to Slack user ids (the CLI looks emails up); this module
checks each field, records rejected rows with a reason, and writes only what changed.
What a person set themselves in their profile (department, job level, time zone on their
enrollment) is kept unless `overwrite` is asked for. Nothing is written about someone who
asked to be forgotten until they enroll again (their row reads as unchanged, so the import's
summary does not tell the operator who asked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateparser
from sqlalchemy.orm import Session

from models import enrollment as enrollments
from models.forgetting import may_hold_hr_data
from models.tables import Program
from models.text import clean
from models.workspace import ensure_person

FIELDS = (
    "email",
    "department",
    "job_level",
    "manager_email",
    "location",
    "timezone",
    "start_date",
    "leave_date",
)


@dataclass
class ImportResult:
    rows: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _date(raw: str) -> date | None:
    if not raw:
        return None
    return dateparser.parse(raw, default=datetime(2000, 1, 1)).date()  # noqa: DTZ001


def check_row(row: dict[str, str]) -> tuple[dict[str, object], str | None]:
    """The row's values, or the reason it is rejected."""
    row = {name: clean(value) for name, value in row.items()}
    email = row.get("email", "").strip().lower()
    if "@" not in email or len(email) > 320:
        return {}, "no valid email"
    values: dict[str, object] = {"email": email}
    level = row.get("job_level", "").strip()
    if level:
        if not level.isdigit() or not 1 <= int(level) <= 7:
            return {}, f"job level {level[:10]!r} is not 1-7"
        values["job_level"] = int(level)
    zone = row.get("timezone", "").strip()
    if zone:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            return {}, f"unknown time zone {zone[:40]!r}"
        values["tz"] = zone
    for name in ("start_date", "leave_date"):
        try:
            values[name] = _date(row.get(name, "").strip())
        except (ValueError, OverflowError):
            return {}, f"{name.replace('_', ' ')} {row.get(name, '')[:20]!r} is not a date"
    for name, limit in (("department", 200), ("location", 200)):
        text = " ".join(row.get(name, "").split())
        if len(text) > limit:
            return {}, f"{name} is longer than {limit} characters"
        values[name] = text or None
    return values, None


def apply_row(
    s: Session,
    program: Program,
    slack_user_id: str,
    values: dict[str, object],
    manager_id: int | None,
    at: datetime,
    *,
    overwrite: bool,
    forget_key: bytes | None = None,
) -> bool:
    """Upsert one person; True if anything changed."""
    if not may_hold_hr_data(s, program.workspace_id, forget_key, slack_user_id):
        return False
    person = ensure_person(s, program.workspace_id, slack_user_id, at)
    changed = False
    wanted = {
        "email": values.get("email"),
        "department": values.get("department"),
        "job_level": values.get("job_level"),
        "location": values.get("location"),
        "start_date": values.get("start_date"),
        "leave_date": values.get("leave_date"),
        "manager_id": manager_id,
    }
    if values.get("tz") and (overwrite or not person.tz):
        wanted["tz"] = values["tz"]
    for name, value in wanted.items():
        if value is not None and getattr(person, name) != value:
            setattr(person, name, value)
            changed = True
    enrollment = enrollments.get_enrollment(s, program.id, person.id)
    if enrollment is not None:
        fills = {"department": values.get("department"), "seniority": values.get("job_level")}
        for name, value in fills.items():
            current = getattr(enrollment, name)
            if value is not None and (overwrite or current is None) and current != value:
                setattr(enrollment, name, value)
                changed = True
    if changed:
        person.updated_at = at
    s.flush()
    return changed


def manager_id_for(
    s: Session, workspace_id: int, slack_user_id: str, at: datetime, forget_key: bytes | None
) -> int | None:
    """The person id of a row's manager; None for a manager who asked to be forgotten."""
    if not may_hold_hr_data(s, workspace_id, forget_key, slack_user_id):
        return None
    return ensure_person(s, workspace_id, slack_user_id, at).id
