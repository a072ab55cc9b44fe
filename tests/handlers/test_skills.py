"""Admins prune a growing taxonomy: a duplicate merged into another keeps everyone's choice
under the surviving name; a retired skill leaves the form and every profile."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.app import Mentorbot
from models.tables import AuditEntry, EnrollmentSkill, Skill
from models.taxonomy import add_skill
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.handlers.test_enroll import ALICE, BOB, _join, _world
from tests.support.clock import FrozenClock
from tests.support.enroll_world import opened_form


def _skills_of(bot: Mentorbot, user_kind: str) -> dict[str, set[str]]:
    with bot.sessions.begin() as s:
        rows = s.execute(
            select(Skill.name, EnrollmentSkill.enrollment_id)
            .join(EnrollmentSkill, EnrollmentSkill.skill_id == Skill.id)
            .where(EnrollmentSkill.kind == user_kind)
        ).all()
    out: dict[str, set[str]] = {}
    for name, enrollment_id in rows:
        out.setdefault(name, set()).add(str(enrollment_id))
    return out


def test_a_duplicate_is_merged_and_a_skill_retired_and_the_form_follows(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    fake_slack.add_user(ADMIN)
    with bot.sessions.begin() as s:
        k8s = add_skill(s, world.program_id, "K8s", "Added by admins", clock()).id
    # Alice seeks the duplicate, Bob seeks both names: after the merge each has it once
    assert "errors" not in _join(slack, fake_slack, ALICE, role="mentee", goals=[k8s])
    both = [k8s, world.skills["Cloud infrastructure"]]
    assert "errors" not in _join(slack, fake_slack, BOB, role="mentee", goals=both)

    listing = ack_json(slack.command(ADMIN, "admin skills"))["text"]
    assert "K8s" in listing
    assert "Cloud infrastructure" in listing

    said = ack_json(slack.command(ADMIN, 'admin skills merge "k8s" into "cloud  Infrastructure"'))[
        "text"
    ]
    assert "*K8s* is merged into *Cloud infrastructure*" in said
    assert "2 profiles" in said
    sought = _skills_of(bot, "seek")
    assert "K8s" not in sought
    assert len(sought["Cloud infrastructure"]) == 2  # both keep their goal, Bob's once

    said = ack_json(slack.command(ADMIN, 'admin skills retire "Cloud infrastructure"'))["text"]
    assert "retired" in said
    assert "2 profiles" in said
    assert "Cloud infrastructure" not in _skills_of(bot, "seek")
    slack.command(ALICE, "profile")
    form = json.dumps(opened_form(fake_slack)["blocks"])
    assert "Cloud infrastructure" not in form
    assert "K8s" not in form

    unknown = ack_json(slack.command(ADMIN, 'admin skills retire "Cobol 1960"'))["text"]
    assert "no skill called `Cobol 1960`" in unknown
    usage = ack_json(slack.command(ADMIN, "admin skills merge SQL"))["text"]
    assert "Use `/mentor admin skills merge" in usage
    with bot.sessions.begin() as s:
        actions = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("skill.%"))
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["skill.merge", "skill.retire"]


def test_only_the_programs_admins_change_its_skills(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock)
    refused = ack_json(slack.command(ALICE, 'admin skills retire "SQL"'))["text"]
    assert "only program admins" in refused
    with bot.sessions.begin() as s:
        assert s.scalar(select(Skill).where(Skill.name == "SQL")) is not None
