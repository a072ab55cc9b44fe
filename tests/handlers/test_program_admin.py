"""Programs through Slack: create and edit in a modal, list, and program admins."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Mentorbot
from handlers.enroll_form import V
from handlers.ids import Block, Callback
from models.tables import AuditEntry, Person, Program, ProgramAdmin, Skill
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.world import ADMIN_CHANNEL


def _text(value: str) -> dict[str, Any]:
    return {V: {"type": "plain_text_input", "value": value}}


def _pick(value: str) -> dict[str, Any]:
    return {V: {"type": "static_select", "selected_option": {"value": value}}}


def _settings(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        Block.P_NAME: _text("Engineering mentoring"),
        Block.P_FORMAT: _pick("one_on_one"),
        Block.P_SCHEDULE: _text("every 4 weeks on Monday at 10:00"),
        Block.P_TIMEZONE: _text("Europe/Berlin"),
        Block.P_CADENCE: _text("14"),
        Block.P_WEEKS: _text("12"),
        Block.P_CAPACITY: _text("2"),
        Block.P_CAPACITY_MAX: _text("3"),
        Block.P_APPROVAL: _pick("yes"),
        Block.P_ADMIN_CHANNEL: {V: {"type": "channels_select", "selected_channel": ADMIN_CHANNEL}},
        Block.P_CHANNEL: {V: {"type": "channels_select", "selected_channel": None}},
        Block.P_SKILLS: _text("Kubernetes, Pricing"),
    }
    values.update(overrides)
    return values


@pytest.fixture(autouse=True)
def _admin_channel(fake_slack: FakeSlack) -> None:
    """The admin channel the settings pick: private, with mentorbot invited."""
    fake_slack.add_channel("CADMIN0001", "mentoring-admins", private=True, members=[ADMIN])


def _drain(bot: Mentorbot) -> None:
    for _ in range(5):
        if bot.deliverer.run_once().sent == 0:
            return


def test_admin_creates_edits_and_lists_a_program(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user(ADMIN)
    slack.command(ADMIN, "admin program create")
    (opened,) = fake_slack.state.views.values()
    assert opened["callback_id"] == Callback.PROGRAM_SETTINGS
    meta = opened["private_metadata"]

    answer = ack_json(
        slack.submit(ADMIN, Callback.PROGRAM_SETTINGS, _settings(), private_metadata=meta)
    )
    assert answer == {}
    with bot.sessions.begin() as s:
        program = s.scalars(select(Program)).one()
        assert program.schedule_rrule == "FREQ=WEEKLY;INTERVAL=4;BYDAY=MO;BYHOUR=10;BYMINUTE=0"
        assert (program.slug, program.timezone, program.admin_channel_id) == (
            "engineering-mentoring",
            "Europe/Berlin",
            ADMIN_CHANNEL,
        )
        skills = s.scalars(select(Skill.name).where(Skill.program_id == program.id)).all()
        assert len(skills) == 60  # 58 shipped + the two added
        assert {"Kubernetes", "Pricing", "System design"} <= set(skills)
        admins = s.scalars(select(Person.slack_user_id).join(ProgramAdmin)).all()
        assert admins == [ADMIN]
        assert s.scalars(select(AuditEntry.action)).all() == ["program.create"]
    _drain(bot)
    (dm,) = fake_slack.messages_in(fake_slack.dm_channel(ADMIN))
    assert "/mentor join engineering-mentoring" in dm.text
    assert "every 4 weeks on Monday at 10:00" in dm.text

    slack.command(ADMIN, "admin program edit")
    edit = list(fake_slack.state.views.values())[-1]
    assert "every 4 weeks on Monday at 10:00" in json.dumps(edit["blocks"])
    ack_json(
        slack.submit(
            ADMIN,
            Callback.PROGRAM_SETTINGS,
            _settings(**{Block.P_SCHEDULE: _text("every month on the first Tuesday at 9am")}),
            private_metadata=edit["private_metadata"],
        )
    )
    listing = ack_json(slack.command(ADMIN, "admin program list"))["text"]
    assert "every month on the first Tuesday at 09:00" in listing
    assert "0 mentors, 0 mentees" in listing


def test_invalid_settings_are_shown_next_to_each_field(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    bad = _settings(
        **{
            Block.P_NAME: _text(""),
            Block.P_SCHEDULE: _text("sometimes"),
            Block.P_TIMEZONE: _text("Mars/Olympus"),
            Block.P_CADENCE: _text("0"),
            Block.P_CAPACITY: _text("3"),
            Block.P_CAPACITY_MAX: _text("2"),
        }
    )
    fake_slack.add_user(ADMIN)
    slack.command(ADMIN, "admin program create")  # the errors must name the modal's inputs
    answer = ack_json(slack.submit(ADMIN, Callback.PROGRAM_SETTINGS, bad, private_metadata="{}"))
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {
        Block.P_NAME,
        Block.P_SCHEDULE,
        Block.P_TIMEZONE,
        Block.P_CADENCE,
        Block.P_CAPACITY_MAX,
    }
    assert "every 4 weeks on Monday at 10:00" in answer["errors"][Block.P_SCHEDULE]
    with bot.sessions.begin() as s:
        assert s.scalars(select(Program)).all() == []


def test_program_admins_are_added_and_removed_by_mention(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("UBOB000001", "bob")
    ack_json(slack.submit(ADMIN, Callback.PROGRAM_SETTINGS, _settings(), private_metadata="{}"))
    assert "Use `/mentor admin add" in ack_json(slack.command(ADMIN, "admin add bob"))["text"]
    # typed as a person types it; Slack delivers <@UBOB000001|bob> (app.yaml should_escape)
    assert "is now an admin" in ack_json(slack.command(ADMIN, "admin add @bob"))["text"]
    assert "already" in ack_json(slack.command(ADMIN, "admin add @bob"))["text"]
    # Bob may now run admin commands; removed, he may not
    assert (
        "Engineering mentoring"
        in ack_json(slack.command("UBOB000001", "admin program list"))["text"]
    )
    assert "no longer" in ack_json(slack.command(ADMIN, "admin remove @bob"))["text"]
    assert (
        "only program admins" in ack_json(slack.command("UBOB000001", "admin program list"))["text"]
    )
    with bot.sessions.begin() as s:
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["program.create", "admin.add", "admin.remove"]


@pytest.mark.parametrize(
    ("channel", "private", "bot_member", "error"),
    [
        ("CPUBLIC001", False, True, "Choose a private channel"),
        ("CSECRET001", True, False, "not in that channel"),
    ],
)
def test_a_public_channel_or_one_without_the_bot_is_refused_as_admin_channel(
    bot: Mentorbot,
    slack: SlackDriver,
    fake_slack: FakeSlack,
    channel: str,
    private: bool,
    bot_member: bool,
    error: str,
) -> None:
    """The picker offers private channels only; a crafted submission naming another channel
    (previews name people) is refused next to the field and stores nothing."""
    fake_slack.add_channel(channel, private=private, bot_member=bot_member)
    fake_slack.tolerate("channel_not_found")  # Slack's answer for a private one the bot is not in
    crafted = _settings(
        **{
            Block.P_ADMIN_CHANNEL: {
                V: {"type": "conversations_select", "selected_conversation": channel}
            }
        }
    )
    answer = ack_json(
        slack.submit(ADMIN, Callback.PROGRAM_SETTINGS, crafted, private_metadata="{}")
    )
    assert answer["response_action"] == "errors"
    assert error in answer["errors"][Block.P_ADMIN_CHANNEL]
    with bot.sessions.begin() as s:
        assert s.scalars(select(Program)).all() == []


def test_workspace_admins_name_workspace_admins_who_run_every_program(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    ack_json(slack.submit(ADMIN, Callback.PROGRAM_SETTINGS, _settings(), private_metadata="{}"))
    carol, dave = "UCAROL0001", "UDAVE00001"
    assert "only program admins" in ack_json(slack.command(carol, "admin program create"))["text"]
    said = ack_json(slack.command(ADMIN, f"admin add <@{carol}> --workspace"))["text"]
    assert "now a workspace admin" in said
    # every program is now hers, and so is creating one
    assert "Engineering mentoring" in ack_json(slack.command(carol, "admin program list"))["text"]
    slack.command(carol, "admin program create")
    opened = [v["callback_id"] for v in fake_slack.state.views.values()]
    assert opened == [Callback.PROGRAM_SETTINGS]
    # a program admin may add program admins, but not name a workspace admin
    assert "now an admin" in ack_json(slack.command(carol, f"admin add <@{dave}>"))["text"]
    refused = ack_json(slack.command(dave, f"admin add <@{dave}> --workspace"))["text"]
    assert "only workspace admins" in refused
    assert "only workspace admins" in ack_json(slack.command(dave, "admin program create"))["text"]
    removed = ack_json(slack.command(ADMIN, f"admin remove <@{carol}> --workspace"))["text"]
    assert "no longer a workspace admin" in removed
    assert "only program admins" in ack_json(slack.command(carol, "admin program list"))["text"]
    with bot.sessions.begin() as s:
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == [
        "program.create",
        "workspace_admin.add",
        "admin.add",
        "workspace_admin.remove",
    ]
