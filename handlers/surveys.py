"""The pulse survey's modal: built for one reader's survey, read back into a PulseAnswer.

Answers are private to their author; the modal says so, and reading is defensive.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from flows.engagement import PulseAnswer, PulseForm
from handlers import copy
from handlers.forms import V, clean, rating, selected, typed_raw
from handlers.ids import Block, Callback
from handlers.payloads import SurveyRef, encode
from handlers.text import plain
from models import goals

MAX_COMMENT = 1000


def pulse_form(form: PulseForm) -> View:
    ratings = [Option(value=str(n), label=str(n)) for n in range(1, 6)]
    steps = [Option(value=str(n), label=f"{n}%") for n in goals.PROGRESS_STEPS]
    per_goal = [
        InputBlock(
            block_id=f"{Block.PULSE_GOAL}{goal_id}",
            label=plain(copy.PULSE_GOAL_LABEL.format(title=title), 150),
            element=StaticSelectElement(
                action_id=V,
                options=steps,
                initial_option=next((o for o in steps if o.value == str(progress)), None),
            ),
        )
        for goal_id, title, progress in form.goals
    ]
    blocks: list[Any] = [
        InputBlock(
            block_id=Block.PULSE_VALUE,
            label=copy.PULSE_VALUE_LABEL,
            element=StaticSelectElement(action_id=V, options=ratings),
        ),
        InputBlock(
            block_id=Block.PULSE_PROGRESS,
            label=copy.PULSE_PROGRESS_LABEL,
            element=StaticSelectElement(action_id=V, options=ratings),
        ),
        *per_goal,
    ]
    if form.final:
        blocks.append(
            InputBlock(
                block_id=Block.PULSE_RECOMMEND,
                label=copy.PULSE_RECOMMEND_LABEL,
                element=StaticSelectElement(
                    action_id=V, options=[Option(value=str(n), label=str(n)) for n in range(11)]
                ),
            )
        )
        blocks.append(
            InputBlock(
                block_id=Block.PULSE_KUDOS,
                label=copy.PULSE_KUDOS_LABEL,
                optional=True,
                element=CheckboxesElement(
                    action_id=V, options=[Option(value="yes", label=copy.PULSE_KUDOS_BOX)]
                ),
            )
        )
    blocks.append(
        InputBlock(
            block_id=Block.PULSE_COMMENT,
            label=copy.PULSE_COMMENT_LABEL,
            optional=True,
            element=PlainTextInputElement(action_id=V, multiline=True, max_length=MAX_COMMENT),
        )
    )
    return View(
        type="modal",
        callback_id=Callback.PULSE,
        title=copy.PULSE_TITLE,
        submit=copy.PULSE_SUBMIT,
        close=copy.CANCEL,
        private_metadata=encode(SurveyRef(form.survey_id)),
        blocks=blocks,
    )


def read_pulse(values: Mapping[str, Any], final: bool) -> tuple[PulseAnswer | None, dict[str, str]]:
    """The answers in a submitted pulse, or the errors to show next to each field."""
    errors: dict[str, str] = {}
    value = rating(values, Block.PULSE_VALUE, 5)
    progress = rating(values, Block.PULSE_PROGRESS, 5)
    recommend = rating(values, Block.PULSE_RECOMMEND, 10) if final else None
    if value is None or value < 1:
        errors[Block.PULSE_VALUE] = copy.ERR_RATING
    if progress is None or progress < 1:
        errors[Block.PULSE_PROGRESS] = copy.ERR_RATING
    if final and recommend is None:
        errors[Block.PULSE_RECOMMEND] = copy.ERR_RATING
    progress_by_goal: dict[int, int] = {}
    for block in values:
        if not str(block).startswith(Block.PULSE_GOAL):
            continue
        goal_id, step = str(block)[len(Block.PULSE_GOAL) :], selected(values, block)
        if (
            not goal_id.isdigit()
            or step is None
            or not step.isdigit()
            or int(step) not in goals.PROGRESS_STEPS
        ):
            errors[str(block)] = copy.ERR_RATING
        else:
            progress_by_goal[int(goal_id)] = int(step)
    raw = typed_raw(values, Block.PULSE_COMMENT)
    comment = clean(raw).strip() if raw else None
    if comment and len(comment) > MAX_COMMENT:
        errors[Block.PULSE_COMMENT] = copy.ERR_TOO_LONG.format(n=MAX_COMMENT)
    kudos = (values.get(Block.PULSE_KUDOS) or {}).get(V) or {}
    if errors or value is None or progress is None:
        return None, errors
    return (
        PulseAnswer(
            value=value,
            progress=progress,
            recommend=recommend,
            comment=comment or None,
            goal_progress=progress_by_goal,
            kudos=bool(kudos.get("selected_options")) if isinstance(kudos, Mapping) else False,
        ),
        {},
    )
