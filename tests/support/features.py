"""Helpers for the issue-25 features' tests: people in a program, what a person sees.

`seat` arranges a channel as Slack has it (the bot invited, its members in it) when the
Slack fake keeps channels, so these tests read the same against the strict fake.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.tables import Enrollment, EnrollmentSkill, Person, Program, Workspace
from testkit.slack import FakeSlack, Message
from tests.support.world import make_enrollment, make_person

ADMIN_CHANNEL = "CADMIN0001"
PROGRAM_CHANNEL = "CPROGRAM01"


def seat(fake: FakeSlack, channel_id: str, *members: str) -> None:
    """The channel exists, the bot is in it, and so are `members` (when the fake keeps
    channels; the lenient fake posts anywhere)."""
    add = getattr(fake, "add_channel", None)
    if add is not None:
        add(channel_id, channel_id.lower(), members=members)


def join(
    s: Session,
    fake: FakeSlack | None,
    program: Program,
    slack_user_id: str,
    role: str,
    at: datetime,
    skills: dict[str, int],
    *,
    offers: Iterable[tuple[str, int]] = (),
    seeks: Iterable[str] = (),
    name: str | None = None,
    tz: str = "Europe/London",
    person: dict[str, Any] | None = None,
    **values: Any,
) -> Enrollment:
    """A person (known to Slack when `fake` is given) enrolled with these skills."""
    real = name or slack_user_id.title()
    workspace = s.get_one(Workspace, program.workspace_id)
    found = (
        s.query(Person).filter_by(workspace_id=workspace.id, slack_user_id=slack_user_id).first()
    )
    who = found or make_person(
        s, workspace, slack_user_id, at, tz=tz, real_name=real, **(person or {})
    )
    if fake is not None:
        fake.add_user(slack_user_id, real_name=real, tz=tz)
    fields: dict[str, Any] = {"timezone": tz}
    fields.update(values)
    enrollment = make_enrollment(s, program, who, role, at, **fields)
    for slug, level in offers:
        s.add(
            EnrollmentSkill(
                enrollment_id=enrollment.id, skill_id=skills[slug], kind="offer", level=level
            )
        )
    for slug in seeks:
        s.add(
            EnrollmentSkill(
                enrollment_id=enrollment.id, skill_id=skills[slug], kind="seek", level=2
            )
        )
    s.flush()
    s.expire(enrollment, ["skills"])
    return enrollment


def seen(message: Message) -> str:
    """Everything a person reads in a message: its text and every text in its blocks."""
    parts = [message.text]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.blocks or [])
    return "\n".join(parts)


def dms(fake: FakeSlack, *users: str) -> list[Message]:
    """Messages in the DM (one user) or group DM (several) of these people."""
    return fake.messages_in(fake.dm_channel(*users))


def everything_seen_by(fake: FakeSlack, user: str) -> str:
    """All a person could read: every DM or group DM they are in, and every ephemeral to them."""
    out = []
    with fake.lock:
        for message in fake.state.messages:
            channel = message.channel
            if channel == f"D{user}" or (
                channel.startswith("G") and user in channel[1:].split("-")
            ):
                out.append(seen(message))
        out += [json.dumps(e) for e in fake.state.ephemerals if e.get("user") == user]
    return "\n".join(out)


def button(message: Message, action_id: str) -> str:
    for block in message.blocks or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return str(element.get("value", ""))
    raise AssertionError(f"no {action_id} button in {message.text!r}")


def action_ids(message: Message) -> list[str]:
    return [
        str(e.get("action_id"))
        for b in message.blocks or []
        for e in b.get("elements", [])
        if isinstance(e, dict) and e.get("action_id")
    ]


def last_view(fake: FakeSlack, callback_id: str | None = None) -> dict[str, Any]:
    views = [
        v
        for v in fake.state.views.values()
        if callback_id is None or v.get("callback_id") == callback_id
    ]
    assert views, f"no view {callback_id}"
    return views[-1]


def responses(fake: FakeSlack) -> list[str]:
    return [str(r.get("text")) for r in fake.state.responses]
