"""Goals in Slack: `/mentor goals` shows them (a mentor sees their mentees' goals, never the
ratings) and lets a mentee set up to three SMART goals in a modal; `/mentor feedback` opens
the person's open survey. Goals are stored per enrollment so they outlive a rematch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import DatePickerElement, InputBlock, SectionBlock
from slack_sdk.models.views import View

from flows import engagement
from flows import goals as flow
from flows.goals import MAX_GOALS, MAX_MILESTONES, GoalInput, GoalLine, GoalsView
from handlers import copy
from handlers.commands import CommandRequest, CommandRouter, mentioned_user
from handlers.context import Deps
from handlers.forms import V, clean, date_picked, one_line, text_input, typed_raw
from handlers.ids import Action, Block, Callback
from handlers.listen import Answer, Registrar, Request, open_view, reply, tell, then
from handlers.surveys import pulse_form
from handlers.text import cut, esc, mention
from models.workspace import find_person_id

MAX_TITLE = 300
MAX_MEASURE = 500
# Slack refuses a message over 40,000 characters (msg_too_long) and nobody reads a wall that
# long: past this, a mentor of many mentees gets titles only, and one mentee's in full on asking.
MAX_TEXT = 12_000
SHORT_TITLE = 120


def goal_lines(goal: GoalLine) -> list[str]:
    target = copy.GOAL_BY.format(date=f"{goal.target_date:%d %b %Y}") if goal.target_date else ""
    measure = copy.GOAL_MEASURED.format(measure=esc(goal.measure)) if goal.measure else ""
    progress = copy.GOAL_PROGRESS.format(n=goal.progress) if goal.progress is not None else ""
    head = f"• {esc(goal.title)}{measure}{target}{progress}"
    return [head, *(f"    ◦ {esc(m)}" for m in goal.milestones)]


def short_line(goal: GoalLine) -> str:
    target = copy.GOAL_BY.format(date=f"{goal.target_date:%d %b %Y}") if goal.target_date else ""
    progress = copy.GOAL_PROGRESS.format(n=goal.progress) if goal.progress is not None else ""
    steps = copy.GOAL_STEPS.format(n=len(goal.milestones)) if goal.milestones else ""
    return f"• {cut(esc(goal.title), SHORT_TITLE)}{target}{progress}{steps}"


def goals_text(view: GoalsView) -> str:
    """Everyone's goals in full when that fits in a message; otherwise titles only, and how to
    see one mentee's in full."""
    full = _goals_text(view, goal_lines)
    if len(full) <= MAX_TEXT:
        return full
    short = _goals_text(view, lambda g: [short_line(g)])
    return cut(short, MAX_TEXT - len(copy.GOALS_SHORTENED) - 1) + "\n" + copy.GOALS_SHORTENED


def _goals_text(view: GoalsView, lines_of: Callable[[GoalLine], list[str]]) -> str:
    lines: list[str] = []
    if view.mine is not None:
        lines.append(copy.GOALS_HEADER + copy.GOALS_YOURS)
        lines += [line for g in view.mine for line in lines_of(g)] or [copy.GOALS_NONE_YET]
    for mentee, goals in view.theirs:
        lines.append(copy.GOALS_OF.format(user=mention(mentee)))
        lines += [line for g in goals for line in lines_of(g)] or [copy.GOALS_NONE_YET]
    return "\n".join(lines) or copy.GOALS_NONE


def only_mentee(view: GoalsView, slack_user_id: str) -> GoalsView:
    """One mentee's goals, as `/mentor goals show @mentee` shows them."""
    return GoalsView(None, tuple(t for t in view.theirs if t[0] == slack_user_id))


def goals_form(current: Sequence[GoalLine]) -> View:
    blocks: list[Any] = [SectionBlock(text=copy.GOALS_FORM_INTRO)]
    for n in range(1, MAX_GOALS + 1):
        goal = current[n - 1] if n <= len(current) else None
        blocks += [
            text_input(
                f"{Block.GOAL_TITLE}{n}",
                copy.GOAL_LABEL.format(n=n),
                goal.title if goal else None,
                optional=n > 1,
                max_length=MAX_TITLE,
            ),
            text_input(
                f"{Block.GOAL_MEASURE}{n}",
                copy.GOAL_MEASURE_LABEL,
                goal.measure if goal else None,
                optional=True,
                max_length=MAX_MEASURE,
            ),
            InputBlock(
                block_id=f"{Block.GOAL_DATE}{n}",
                label=copy.GOAL_DATE_LABEL,
                optional=True,
                element=DatePickerElement(
                    action_id=V,
                    initial_date=f"{goal.target_date:%Y-%m-%d}"
                    if goal and goal.target_date
                    else None,
                ),
            ),
            text_input(
                f"{Block.GOAL_MILESTONES}{n}",
                copy.GOAL_MILESTONES_LABEL.format(n=MAX_MILESTONES),
                "\n".join(goal.milestones) if goal else None,
                optional=True,
                multiline=True,
                max_length=1500,
            ),
        ]
    return View(
        type="modal",
        callback_id=Callback.GOALS,
        title=copy.GOALS_TITLE,
        submit=copy.FORM_SAVE,
        close=copy.CANCEL,
        blocks=blocks,
    )


def read_goals(values: Mapping[str, Any], today: date) -> tuple[list[GoalInput], dict[str, str]]:
    errors: dict[str, str] = {}
    wanted: list[GoalInput] = []
    for n in range(1, MAX_GOALS + 1):
        title = clean(one_line(values, f"{Block.GOAL_TITLE}{n}"))
        raw_date = date_picked(values, f"{Block.GOAL_DATE}{n}")
        target: date | None = None
        if raw_date:
            try:
                target = date.fromisoformat(raw_date)
            except ValueError:
                target = None
            if target is None or target <= today:
                errors[f"{Block.GOAL_DATE}{n}"] = copy.ERR_GOAL_DATE
        raw_steps = typed_raw(values, f"{Block.GOAL_MILESTONES}{n}") or ""
        steps = [clean(" ".join(line.split())) for line in raw_steps.splitlines()]
        steps = [step for step in steps if step]
        if len(steps) > MAX_MILESTONES:
            errors[f"{Block.GOAL_MILESTONES}{n}"] = copy.ERR_MILESTONES.format(
                n=MAX_MILESTONES, given=len(steps)
            )
        if title:
            measure = clean(one_line(values, f"{Block.GOAL_MEASURE}{n}"))
            wanted.append(
                GoalInput(
                    cut(title, MAX_TITLE),
                    cut(measure, MAX_MEASURE) or None,
                    target,
                    tuple(cut(step, 300) for step in steps),
                )
            )
    if not wanted:
        errors[f"{Block.GOAL_TITLE}1"] = copy.ERR_GOAL_FIRST
    return wanted, errors


def handle_command_goals(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        showing = bool(request.words) and request.words[0].lower() == "show"
        with deps.sessions.begin() as s:
            current = None if showing else flow.current(s, request.team_id, request.slack_user_id)
            if current is None:
                view = flow.view(s, request.team_id, request.slack_user_id)
                if view is None or (view.mine is None and not view.theirs):
                    return reply(copy.GOALS_MENTEE_ONLY)
                named = mentioned_user(request.words[1]) if len(request.words) > 1 else None
                if showing and len(request.words) > 1:
                    if named is None or not only_mentee(view, named).theirs:
                        return reply(copy.GOALS_NOT_YOUR_MENTEE)
                    view = only_mentee(view, named)
                return reply(goals_text(view))
        return then(open_view(request.trigger_id, goals_form(current)))

    return handle


def handle_action_goals_open(deps: Deps) -> Callable[[Request], Answer]:
    """The "Set my goals" button in the invitation sent when a match starts."""

    def handle(request: Request) -> Answer:
        with deps.sessions.begin() as s:
            current = flow.current(s, request.team_id, request.slack_user_id)
        if current is None:
            return then(tell(copy.GOALS_MENTEE_ONLY))
        return then(open_view(request.trigger_id, goals_form(current)))

    return handle


def handle_view_goals(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        at = deps.clock()
        wanted, errors = read_goals(request.values, at.date())
        if errors:
            return Answer(ack={"response_action": "errors", "errors": errors})
        with deps.sessions.begin() as s:
            saved = flow.save(s, request.team_id, request.slack_user_id, wanted, at)
        if not saved:
            return Answer(
                ack={
                    "response_action": "errors",
                    "errors": {f"{Block.GOAL_TITLE}1": copy.GOALS_MENTEE_ONLY},
                }
            )
        return Answer()

    return handle


def handle_command_feedback(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        at = deps.clock()
        with deps.sessions.begin() as s:
            person_id = find_person_id(s, request.team_id, request.slack_user_id)
            form = engagement.latest_open_pulse(s, person_id, at)
        if form is None:
            return reply(copy.FEEDBACK_NONE)
        return then(open_view(request.trigger_id, pulse_form(form)))

    return handle


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("goals",), handle_command_goals(deps))
    router.add(("feedback",), handle_command_feedback(deps))
    registrar.view(Callback.GOALS, handle_view_goals(deps))
    registrar.action(Action.GOALS_OPEN, handle_action_goals_open(deps))
