"""Goals in Slack: `/mentor goals` shows them (a mentor sees their mentees' goals, never the
ratings) and lets a mentee set up to three SMART goals in a modal; `/mentor feedback` opens
the person's open survey. Goals are stored per enrollment so they outlive a rematch.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from dateutil import parser as dateparser
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import copy
from handlers.commands import CommandRequest, CommandRouter, CommandTools, Reply
from handlers.context import Deps
from handlers.engagement import pulse_form, survey_goals
from handlers.enroll_form import V
from handlers.ids import Action, Block, Callback
from models import enrollment as enrollments
from models import goals
from models.matches import list_open_match_ids
from models.tables import Enrollment, Goal, Match, Person, PulseResponse, PulseSurvey
from models.workspace import get_person, get_workspace

if TYPE_CHECKING:  # the registry imports this module
    from handlers.registry import Registrar

MAX_GOALS = 3


def _line(s: Session, goal: Goal) -> str:
    target = f", by {goal.target_date:%d %b %Y}" if goal.target_date else ""
    measure = f" (measured by: {goal.measure})" if goal.measure else ""
    steps = goals.milestones(s, goal.id)
    listed = "".join(f"\n    ◦ {m.title}" for m in steps)
    return f"• {goal.title}{measure}{target}: {goal.progress}%{listed}"


def goals_text(s: Session, person: Person) -> str:
    lines: list[str] = []
    for e in enrollments.list_enrollments(s, person.id):
        if e.role in ("mentee", "both", "peer"):
            mine = goals.list_goals(s, e.id)
            lines.append(copy.GOALS_HEADER + " (yours)")
            lines += [_line(s, g) for g in mine] or ["• none yet"]
        for match_id in list_open_match_ids(s, person.id, e.program_id):
            match = s.get_one(Match, match_id)
            for member in match.members:
                if member.person_id == person.id or member.role != "mentee" or e.role == "mentee":
                    continue
                other = s.get_one(Person, member.person_id)
                theirs = s.scalar(
                    select(Enrollment).where(
                        Enrollment.program_id == e.program_id, Enrollment.person_id == other.id
                    )
                )
                theirs_goals = goals.list_goals(s, theirs.id) if theirs else []
                lines.append(f"{copy.GOALS_HEADER} of <@{other.slack_user_id}>")
                lines += [_line(s, g) for g in theirs_goals] or ["• none yet"]
    return "\n".join(lines) or copy.GOALS_NONE


def goals_form(current: list[Goal], steps: dict[int, list[str]]) -> View:
    blocks: list[Any] = [
        SectionBlock(text="Up to three goals: what, how you'll measure it, by when, and the steps.")
    ]
    for n in range(1, MAX_GOALS + 1):
        goal = current[n - 1] if n <= len(current) else None
        blocks += [
            InputBlock(
                block_id=f"{Block.GOAL_TITLE}{n}",
                label=f"Goal {n}",
                optional=n > 1,
                element=PlainTextInputElement(
                    action_id=V, max_length=300, initial_value=goal.title if goal else None
                ),
            ),
            InputBlock(
                block_id=f"{Block.GOAL_MEASURE}{n}",
                label="How you'll measure it",
                optional=True,
                element=PlainTextInputElement(
                    action_id=V,
                    max_length=500,
                    initial_value=(goal.measure if goal else None) or None,
                ),
            ),
            InputBlock(
                block_id=f"{Block.GOAL_DATE}{n}",
                label="Target date",
                optional=True,
                element=PlainTextInputElement(
                    action_id=V,
                    max_length=30,
                    placeholder="2027-03-31",
                    initial_value=f"{goal.target_date:%Y-%m-%d}"
                    if goal and goal.target_date
                    else None,
                ),
            ),
            InputBlock(
                block_id=f"{Block.GOAL_MILESTONES}{n}",
                label="Milestones, one per line",
                optional=True,
                element=PlainTextInputElement(
                    action_id=V,
                    multiline=True,
                    max_length=1500,
                    initial_value="\n".join(steps.get(goal.id, [])) if goal else None,
                ),
            ),
        ]
    return View(
        type="modal",
        callback_id=Callback.GOALS,
        title="Your goals",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    )


def _mentee_enrollment(s: Session, team_id: str, user_id: str) -> Enrollment | None:
    workspace = get_workspace(s, team_id)
    person = get_person(s, workspace.id, user_id) if workspace else None
    if person is None:
        return None
    return next(
        (
            e
            for e in enrollments.list_enrollments(s, person.id)
            if e.role in ("mentee", "both", "peer")
        ),
        None,
    )


def handle_command_goals(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        with deps.sessions.begin() as s:
            enrollment = _mentee_enrollment(s, request.team_id, request.slack_user_id)
            if enrollment is None or (request.words and request.words[0].lower() == "show"):
                workspace = get_workspace(s, request.team_id)
                person = get_person(s, workspace.id, request.slack_user_id) if workspace else None
                return Reply(goals_text(s, person) if person else copy.GOALS_MENTEE_ONLY)
            view = _form(s, enrollment.id)
        tools.ack_now()
        tools.client.views_open(trigger_id=request.trigger_id, view=view)
        return None

    return handle


def _form(s: Session, enrollment_id: int) -> View:
    current = goals.list_goals(s, enrollment_id)
    return goals_form(
        current, {g.id: [m.title for m in goals.milestones(s, g.id)] for g in current}
    )


def handle_action_goals_open(deps: Deps) -> Callable[..., None]:
    """The "Set my goals" button in the invitation sent when a match starts."""

    def listener(ack: Any, body: dict[str, Any], client: Any, respond: Any) -> None:
        ack()
        user = body.get("user") or {}
        team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
        with deps.sessions.begin() as s:
            enrollment = _mentee_enrollment(s, team, str(user.get("id") or ""))
            view = _form(s, enrollment.id) if enrollment else None
        if view is None:
            respond(text=copy.GOALS_MENTEE_ONLY, response_type="ephemeral", replace_original=False)
            return
        try:
            client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)
        except SlackApiError as error:
            respond(
                text=copy.SLACK_REFUSED.format(error=error.response.get("error")),
                response_type="ephemeral",
                replace_original=False,
            )

    return listener


def _read(values: dict[str, Any], block: str) -> str:
    raw = ((values.get(block) or {}).get(V) or {}).get("value")
    return " ".join(raw.split()) if isinstance(raw, str) else ""


def handle_view_goals(deps: Deps) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        values = (view.get("state") or {}).get("values") or {}
        values = values if isinstance(values, dict) else {}
        at = deps.clock()
        errors: dict[str, str] = {}
        wanted: list[tuple[str, str | None, date | None, list[str]]] = []
        for n in range(1, MAX_GOALS + 1):
            title = _read(values, f"{Block.GOAL_TITLE}{n}")[:300]
            raw_date = _read(values, f"{Block.GOAL_DATE}{n}")
            target: date | None = None
            if raw_date:
                try:
                    target = dateparser.parse(raw_date, default=datetime(at.year, 1, 1)).date()  # noqa: DTZ001
                except (ValueError, OverflowError):
                    target = None
                if target is None or target <= at.date():
                    errors[f"{Block.GOAL_DATE}{n}"] = copy.ERR_GOAL_DATE
            raw_steps = ((values.get(f"{Block.GOAL_MILESTONES}{n}") or {}).get(V) or {}).get(
                "value"
            )
            steps = raw_steps.splitlines()[:10] if isinstance(raw_steps, str) else []
            if title:
                measure = _read(values, f"{Block.GOAL_MEASURE}{n}")[:500] or None
                wanted.append((title, measure, target, steps))
        if not wanted:
            errors[f"{Block.GOAL_TITLE}1"] = copy.ERR_GOAL_FIRST
        if errors:
            ack(response_action="errors", errors=errors)
            return
        user = body.get("user") or {}
        team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
        with deps.sessions.begin() as s:
            enrollment = _mentee_enrollment(s, team, str(user.get("id") or ""))
            if enrollment is None:
                ack(
                    response_action="errors",
                    errors={f"{Block.GOAL_TITLE}1": copy.GOALS_MENTEE_ONLY},
                )
                return
            existing = goals.list_goals(s, enrollment.id)
            match_ids = list_open_match_ids(s, enrollment.person_id, enrollment.program_id)
            for i, (title, measure, target, steps) in enumerate(wanted):
                goal = existing[i] if i < len(existing) else None
                if goal is None:
                    goal = Goal(
                        enrollment_id=enrollment.id, created_at=at, progress=0, status="open"
                    )
                    s.add(goal)
                goal.title, goal.measure, goal.target_date = title, measure, target
                goal.match_id = match_ids[0] if match_ids else None
                s.flush()
                goals.set_milestones(s, goal, steps)
            for goal in existing[len(wanted) :]:
                goal.status = "dropped"
        ack()

    return listener


def handle_command_feedback(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        at = deps.clock()
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, request.team_id)
            person = get_person(s, workspace.id, request.slack_user_id) if workspace else None
            open_survey = None
            if person is not None:
                for row in s.scalars(
                    select(PulseSurvey)
                    .where(
                        PulseSurvey.person_id == person.id,
                        PulseSurvey.expires_at > at,
                        PulseSurvey.kind.in_(("first", "monthly", "final")),
                    )
                    .order_by(PulseSurvey.id.desc())
                ):
                    if s.get(PulseResponse, row.id) is None:
                        open_survey = (row.id, row.kind == "final")
                        break
        if open_survey is None:
            return Reply(copy.FEEDBACK_NONE)
        tools.ack_now()
        with deps.sessions() as s:
            view = pulse_form(*open_survey, survey_goals(s, open_survey[0]))
        tools.client.views_open(trigger_id=request.trigger_id, view=view)
        return None

    return handle


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("goals",), handle_command_goals(deps))
    router.add(("feedback",), handle_command_feedback(deps))
    registrar.view(Callback.GOALS, handle_view_goals(deps))
    registrar.action(Action.GOALS_OPEN, handle_action_goals_open(deps))
