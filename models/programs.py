"""Programs: finding the one a command names."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import InvalidError, NotFoundError
from models.states import ProgramFormat, ReverseRule
from models.tables import Program


def is_reverse(program: Program) -> bool:
    """Reverse mentoring: the format, or the older per-program switch."""
    return program.reverse or program.format == ProgramFormat.REVERSE


def junior_mentors_only(program: Program) -> bool:
    """A reverse program whose rule is that a mentor must be more junior than their mentee."""
    return is_reverse(program) and (program.settings or {}).get("reverse_rule") == ReverseRule.MUST


def list_programs(s: Session, workspace_id: int, *, open_only: bool = False) -> list[Program]:
    query = select(Program).where(Program.workspace_id == workspace_id).order_by(Program.name)
    if open_only:
        query = query.where(Program.status == "open")
    return list(s.scalars(query))


def resolve_program(
    s: Session,
    workspace_id: int,
    name: str | None,
    *,
    open_only: bool = False,
    among: Callable[[int], bool] | None = None,
) -> Program:
    """The program named by slug or name (case-insensitive), or the only one when unnamed;
    unnamed, only the programs whose id `among` accepts are considered."""
    programs = list_programs(s, workspace_id, open_only=open_only)
    if name:
        wanted = name.strip().lower()
        for program in programs:
            if wanted in (program.slug.lower(), program.name.lower()):
                return program
        known = ", ".join(f"`{p.slug}`" for p in programs) or "none yet"
        raise NotFoundError(
            "There is no program called `{name}`. Programs: {known}.", name=name[:60], known=known
        )
    if among is not None:
        programs = [p for p in programs if among(p.id)]
        if not programs:
            raise NotFoundError("There is no program here that you administer.")
    if not programs:
        raise NotFoundError("There is no mentoring program here yet. Ask an admin to create one.")
    if len(programs) > 1:
        known = ", ".join(f"`{p.slug}`" for p in programs)
        raise InvalidError(f"Which program? Name one of: {known}.")
    return programs[0]
