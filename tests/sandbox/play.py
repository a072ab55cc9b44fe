"""A program lived in the sandbox as its people would: what both sandbox tests play.

Values are built the way Slack sends a modal's state (testkit.forms for the join form).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from handlers.forms import V
from handlers.ids import Block
from sandbox import people

START = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # a Monday afternoon in Europe
ADMIN = people.ADMIN
ADMINS = people.ADMIN_CHANNEL
GENERAL = "C0GENERAL"
MENTOR, MENTEE, OTHER_MENTEE = "UMAYA00001", "UNINA00001", "USAM000001"


def text(value: str) -> dict[str, Any]:
    return {V: {"type": "plain_text_input", "value": value}}


def number(value: str) -> dict[str, Any]:
    return {V: {"type": "number_input", "value": value}}


def pick(value: str) -> dict[str, Any]:
    return {V: {"type": "static_select", "selected_option": {"value": value}}}


def program_values(name: str = "Engineering mentoring") -> dict[str, dict[str, Any]]:
    """The settings modal filled in: check-ins every two weeks (the default), approval on,
    the admins' channel."""
    return {
        Block.P_NAME: text(name),
        Block.P_FORMAT: pick("one_on_one"),
        Block.P_SCHEDULE: text(""),
        Block.P_TIMEZONE: text("Europe/London"),
        Block.P_CADENCE: number("14"),
        Block.P_WEEKS: number("12"),
        Block.P_CAPACITY: number("2"),
        Block.P_CAPACITY_MAX: number("3"),
        Block.P_APPROVAL: pick("yes"),
        Block.P_ADMIN_CHANNEL: {
            V: {"type": "conversations_select", "selected_conversation": ADMINS}
        },
        Block.P_CHANNEL: {V: {"type": "channels_select", "selected_channel": None}},
        Block.P_SKILLS: text(""),
    }


def option_values(view: dict[str, Any], block_id: str) -> list[str]:
    """The values a select in the view offers, groups flattened."""
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    element = block["element"]
    groups = element.get("option_groups") or [{"options": element.get("options") or []}]
    return [str(o["value"]) for g in groups for o in g["options"]]


def buttons(item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for block in item.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("type") == "button":
                yield {**element, "block_id": block.get("block_id", "")}
        accessory = block.get("accessory") or {}
        if accessory.get("type") == "button":
            yield {**accessory, "block_id": block.get("block_id", "")}


def button(item: dict[str, Any], action_id: str) -> dict[str, Any] | None:
    return next((b for b in buttons(item) if b.get("action_id") == action_id), None)
