"""Creating and editing programs: the settings an admin chooses, checked and stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.admins import add_admin
from models.enrollment import count_enrolled as count_enrolled
from models.errors import InvalidError
from models.tables import Program
from models.taxonomy import seed_default_skills, slugify


@dataclass(frozen=True)
class ProgramSettings:
    name: str
    format: str
    schedule_rrule: str | None
    timezone: str
    meeting_cadence_days: int
    engagement_weeks: int
    capacity_default: int
    capacity_max: int
    approval_required: bool
    admin_channel_id: str | None
    program_channel_id: str | None
    # Program.settings keys the modal owns (eligibility, reverse rule, hours cap, thanks);
    # None removes a key. Every other setting is kept as it was.
    options: dict[str, Any] = field(default_factory=dict)


# The Program.settings keys the settings modal sets.
MODAL_OPTIONS = ("eligibility", "reverse_rule", "hours_cap", "thanks")


def options_of(program: Program) -> dict[str, Any]:
    settings = program.settings or {}
    return {name: settings[name] for name in MODAL_OPTIONS if name in settings}


def _apply(program: Program, settings: ProgramSettings, at: datetime) -> None:
    for name, value in settings.__dict__.items():
        if name != "options":
            setattr(program, name, value)
    merged = dict(program.settings or {})
    for name, value in settings.options.items():
        if value is None or value == {}:
            merged.pop(name, None)
        else:
            merged[name] = value
    program.settings = merged  # reassigned so the JSON change is written
    program.updated_at = at


def create_program(
    s: Session, workspace_id: int, settings: ProgramSettings, creator_id: int, at: datetime
) -> Program:
    """A new open program with the default taxonomy; its creator is its first admin."""
    slug = slugify(settings.name) or "program"
    taken = s.scalar(
        select(Program.id).where(Program.workspace_id == workspace_id, Program.slug == slug)
    )
    if taken is not None:
        raise InvalidError(f"There is already a program called `{slug}`.")
    program = Program(
        workspace_id=workspace_id,
        slug=slug,
        status="open",
        weights={},
        settings={},
        created_at=at,
    )
    _apply(program, settings, at)
    s.add(program)
    s.flush()
    seed_default_skills(s, program.id, at)
    add_admin(s, program.id, creator_id, at)
    return program


def update_program(s: Session, program: Program, settings: ProgramSettings, at: datetime) -> None:
    _apply(program, settings, at)
    s.flush()
