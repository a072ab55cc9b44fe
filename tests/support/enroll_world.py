"""Enrollment factories: an open program with the default taxonomy, and a filled-in modal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.ids import Callback
from models.tables import Skill
from models.taxonomy import seed_default_skills
from testkit.forms import form_state as form_state
from testkit.slack import TEAM_ID, FakeSlack
from tests.support.world import make_program, make_workspace

RULE = "FREQ=WEEKLY;INTERVAL=4;BYDAY=MO;BYHOUR=10;BYMINUTE=0"


@dataclass(frozen=True)
class EnrollWorld:
    workspace_id: int
    program_id: int
    skills: dict[str, int]  # name -> id


def make_enroll_world(s: Session, at: datetime, **program: Any) -> EnrollWorld:
    workspace = make_workspace(s, at, team_id=TEAM_ID)
    values: dict[str, Any] = {"schedule_rrule": RULE, "timezone": "Europe/Berlin"}
    values.update(program)
    made = make_program(s, workspace, at, **values)
    seed_default_skills(s, made.id, at)
    skills = {k.name: k.id for k in s.scalars(select(Skill).where(Skill.program_id == made.id))}
    return EnrollWorld(workspace.id, made.id, skills)


def opened_form(fake: FakeSlack) -> dict[str, Any]:
    """The last enrollment modal the bot opened or updated."""
    forms = [v for v in fake.state.views.values() if v.get("callback_id") == Callback.JOIN]
    assert forms, "no enrollment modal was opened"
    return forms[-1]


def metadata(form: dict[str, Any]) -> str:
    return str(form["private_metadata"])


def program_of(form: dict[str, Any]) -> int:
    return int(json.loads(metadata(form))["program_id"])
