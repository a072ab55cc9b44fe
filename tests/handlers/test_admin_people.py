"""Admins picked in a modal: `/mentor admin add` with nobody named opens a users_select and
a program picker offering only the programs the requester runs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Mentorbot
from handlers.forms import V
from handlers.ids import Block, Callback
from models.tables import AuditEntry, Program
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.handlers.test_program_admin import _settings
from tests.support.world import ADMIN_CHANNEL

BOB = "UBOB000001"
CAROL = "UCAROL0001"


@pytest.fixture(autouse=True)
def _admin_channel(fake_slack: FakeSlack) -> None:
    fake_slack.add_channel(ADMIN_CHANNEL, "mentoring-admins", private=True, members=[ADMIN])


def _picked(person: str | None, program: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        Block.ADMIN_PERSON: {V: {"type": "users_select", "selected_user": person}},
        Block.ADMIN_PROGRAM: {V: {"type": "static_select", "selected_option": None}},
    }
    if program is not None:
        values[Block.ADMIN_PROGRAM][V]["selected_option"] = {"value": program}
    return values


def _programs(bot: Mentorbot) -> dict[str, int]:
    with bot.sessions.begin() as s:
        return {p.name: p.id for p in s.scalars(select(Program))}


def test_an_admin_is_picked_in_a_modal_and_told_in_their_dm(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user(ADMIN)
    fake_slack.add_user(BOB, "bob")
    ack_json(slack.submit(ADMIN, Callback.PROGRAM_SETTINGS, _settings(), private_metadata="{}"))
    program_id = _programs(bot)["Engineering mentoring"]
    slack.command(ADMIN, "admin add")
    (form,) = [v for v in fake_slack.state.views.values() if v["callback_id"] == "admin_people"]
    shown = json.dumps(form["blocks"])
    assert '"users_select"' in shown
    assert "Engineering mentoring" in shown
    assert "Every program" in shown  # the requester is a workspace admin
    # nobody picked: said next to the field, nothing changes
    answer = ack_json(slack.submit(ADMIN, Callback.ADMIN_PEOPLE, _picked(None, str(program_id))))
    assert answer["response_action"] == "errors"
    assert Block.ADMIN_PERSON in answer["errors"]
    ack_json(slack.submit(ADMIN, Callback.ADMIN_PEOPLE, _picked(BOB, str(program_id))))
    told = fake_slack.messages_in(fake_slack.dm_channel(ADMIN))
    assert any("is now an admin of *Engineering mentoring*" in m.text for m in told)
    assert "Engineering mentoring" in ack_json(slack.command(BOB, "admin program list"))["text"]
    with bot.sessions.begin() as s:
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["program.create", "admin.add"]


def test_a_program_admin_picks_only_among_their_own_programs(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user(ADMIN)
    fake_slack.add_user(BOB, "bob")
    fake_slack.add_user(CAROL, "carol")
    ack_json(slack.submit(ADMIN, Callback.PROGRAM_SETTINGS, _settings(), private_metadata="{}"))
    slack.command(ADMIN, "admin program create")
    other = _settings(**{Block.P_NAME: {V: {"type": "plain_text_input", "value": "Sales"}}})
    ack_json(slack.submit(ADMIN, Callback.PROGRAM_SETTINGS, other, private_metadata="{}"))
    programs = _programs(bot)
    assert set(programs) == {"Engineering mentoring", "Sales"}
    slack.command(ADMIN, f"admin add <@{BOB}> Sales")
    slack.command(BOB, "admin add")
    (form,) = [
        v
        for v in fake_slack.state.views.values()
        if v["callback_id"] == "admin_people" and "Sales" in json.dumps(v["blocks"])
    ]
    shown = json.dumps(form["blocks"])
    assert "Engineering mentoring" not in shown
    assert "Every program" not in shown
    # a crafted submission naming the other program is refused and changes nothing
    crafted = _picked(CAROL, str(programs["Engineering mentoring"]))
    slack.submit(BOB, Callback.ADMIN_PEOPLE, crafted)
    assert (
        "Engineering mentoring" not in ack_json(slack.command(CAROL, "admin program list"))["text"]
    )
    everywhere = _picked(CAROL, "workspace")
    slack.submit(BOB, Callback.ADMIN_PEOPLE, everywhere)
    with bot.sessions.begin() as s:
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["program.create", "program.create", "admin.add"]
