"""Filled-in modals: a view's state values exactly as Slack sends them on submit."""

from __future__ import annotations

from typing import Any

from handlers.forms import V
from handlers.ids import Block


def _select(value: str | None) -> dict[str, Any]:
    option = (
        None if value is None else {"value": value, "text": {"type": "plain_text", "text": value}}
    )
    return {"type": "static_select", "selected_option": option}


def _multi(values: list[str]) -> dict[str, Any]:
    return {
        "type": "multi_static_select",
        "selected_options": [
            {"value": v, "text": {"type": "plain_text", "text": v}} for v in values
        ],
    }


def form_state(
    *,
    role: str | None = "mentee",
    expert: list[int] | None = None,
    experienced: list[int] | None = None,
    goals: list[int] | None = None,
    free_goal: str = "",
    seniority: int | None = 3,
    department: str = "Platform",
    manager: str | None = None,
    days: list[int] | None = None,
    start: int = 9 * 60,
    end: int = 17 * 60,
    languages: str = "English",
    frequency: int | None = 14,
    capacity: int | None = 2,
    never: list[str] | None = None,
    consent: bool = True,
) -> dict[str, dict[str, Any]]:
    """view.state.values as Slack sends them for these answers."""
    state = {
        Block.ROLE: _select(role),
        Block.OFFER_EXPERT: _multi([str(i) for i in expert or []]),
        Block.OFFER_EXPERIENCED: _multi([str(i) for i in experienced or []]),
        Block.GOALS: _multi([str(i) for i in goals or []]),
        Block.FREE_GOAL: {"type": "plain_text_input", "value": free_goal or None},
        Block.SENIORITY: _select(None if seniority is None else str(seniority)),
        Block.DEPARTMENT: {"type": "plain_text_input", "value": department or None},
        Block.MANAGER: {"type": "users_select", "selected_user": manager},
        Block.DAYS: {
            "type": "checkboxes",
            "selected_options": [
                {"value": str(d)} for d in (days if days is not None else [0, 1, 2, 3, 4])
            ],
        },
        Block.START: _select(str(start)),
        Block.END: _select(str(end)),
        Block.LANGUAGES: {"type": "plain_text_input", "value": languages or None},
        Block.FREQUENCY: _select(None if frequency is None else str(frequency)),
        Block.CAPACITY: _select(None if capacity is None else str(capacity)),
        Block.NEVER: {"type": "multi_users_select", "selected_users": never or []},
        Block.CONSENT: {
            "type": "checkboxes",
            "selected_options": [{"value": "yes"}] if consent else [],
        },
    }
    return {block: {V: value} for block, value in state.items()}
