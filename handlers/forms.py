"""Reading modal submissions and building their inputs: every form's helpers in one place.

Every input's action id is V, so a submitted value reads as state[block][V]. Readers are
defensive (a submission is untrusted input): a missing or mistyped field reads as empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ChannelSelectElement,
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)

from models.text import clean as clean

V = "v"  # the action id of every input, so values read as state[block][V]


# --- reading --------------------------------------------------------------------------------


def field_of(state: Mapping[str, Any], block: str) -> Mapping[str, Any]:
    entry = state.get(block)
    value = entry.get(V) if isinstance(entry, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def selected(state: Mapping[str, Any], block: str) -> str | None:
    option = field_of(state, block).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) else None


def selected_many(state: Mapping[str, Any], block: str) -> list[str]:
    options = field_of(state, block).get("selected_options")
    if not isinstance(options, list):
        return []
    return [
        o["value"] for o in options if isinstance(o, Mapping) and isinstance(o.get("value"), str)
    ]


def typed(state: Mapping[str, Any], block: str) -> str:
    """What was typed into a text input, cleaned and stripped ("" when empty or missing)."""
    value = field_of(state, block).get("value")
    return clean(value).strip() if isinstance(value, str) else ""


def typed_raw(state: Mapping[str, Any], block: str) -> str | None:
    """What was typed, cleaned but with its lines and spaces as they were."""
    value = field_of(state, block).get("value")
    return clean(value) if isinstance(value, str) else None


def one_line(state: Mapping[str, Any], block: str) -> str:
    """Typed text with runs of white space (newlines included) folded to one space."""
    return " ".join(typed(state, block).split())


def users(state: Mapping[str, Any], block: str) -> list[str]:
    found = field_of(state, block).get("selected_users")
    return [u for u in found if isinstance(u, str)] if isinstance(found, list) else []


def user(state: Mapping[str, Any], block: str) -> str | None:
    found = field_of(state, block).get("selected_user")
    return found if isinstance(found, str) and found else None


def channel(state: Mapping[str, Any], block: str) -> str | None:
    value = field_of(state, block)
    found = value.get("selected_channel") or value.get("selected_conversation")
    return found if isinstance(found, str) and found else None


def date_picked(state: Mapping[str, Any], block: str) -> str | None:
    found = field_of(state, block).get("selected_date")
    return found if isinstance(found, str) and found else None


def number(state: Mapping[str, Any], block: str) -> str | None:
    """A number_input's value (as typed), or a plain text input's."""
    found = field_of(state, block).get("value")
    return found.strip() if isinstance(found, str) and found.strip() else None


def ints(values: Sequence[str], allowed: set[int]) -> list[int] | None:
    """The values as ints, or None when any is not a number or not allowed."""
    out: list[int] = []
    for raw in values:
        try:
            n = int(raw)
        except ValueError:
            return None
        if n not in allowed:
            return None
        out.append(n)
    return out


def rating(state: Mapping[str, Any], block: str, top: int) -> int | None:
    raw = selected(state, block)
    return int(raw) if raw is not None and raw.isdigit() and int(raw) <= top else None


# --- building -------------------------------------------------------------------------------


def option(value: str, label: str) -> Option:
    return Option(value=value, label=label[:75])


def select(options: Sequence[Option], initial: str | None, placeholder: str) -> StaticSelectElement:
    chosen = next((o for o in options if o.value == initial), None)
    return StaticSelectElement(
        action_id=V, placeholder=placeholder, options=list(options), initial_option=chosen
    )


def text_input(
    block: str,
    label: str,
    initial: str | None,
    *,
    optional: bool = False,
    hint: str | None = None,
    max_length: int = 200,
    multiline: bool = False,
    placeholder: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=V,
            initial_value=initial or None,
            max_length=max_length,
            multiline=multiline,
            placeholder=placeholder,
        ),
    )


def choice(block: str, label: str, options: Mapping[str, str], initial: str) -> InputBlock:
    opts = [option(k, v) for k, v in options.items()]
    return InputBlock(block_id=block, label=label, element=select(opts, initial, "Choose"))


def channel_input(block: str, label: str, initial: str | None, *, optional: bool) -> InputBlock:
    return InputBlock(
        block_id=block,
        label=label,
        optional=optional,
        element=ChannelSelectElement(action_id=V, initial_channel=initial),
    )


def private_channel_input(
    block: str, label: str, initial: str | None, *, optional: bool, hint: str | None = None
) -> InputBlock:
    """A picker that offers private channels only (Slack filters the list itself)."""
    return InputBlock(
        block_id=block,
        label=label,
        optional=optional,
        hint=hint,
        element=ConversationSelectElement(
            action_id=V,
            initial_conversation=initial,
            filter=ConversationFilter(include=["private"], exclude_bot_users=True),
        ),
    )
