"""Goals in Slack: `/mentor goals` shows them (a mentor sees their mentees' goals, never the
ratings) and lets a mentee set up to three SMART goals in a modal; `/mentor feedback` opens
the person's open survey. Goals are stored per enrollment so they outlive a rematch.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from dateutil import parser as dateparser
from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import copy
from handlers.commands import CommandRequest, CommandRouter, CommandTools, Reply
from handlers.context import Deps
from handlers.engagement import pulse_form
from handlers.enroll_form import V
from handlers.ids import Block, Callback
from models import enrollment as enrollments
from models.matches import list_open_match_ids
from models.tables import Enrollment, Goal, Match, Person, PulseResponse, PulseSurvey
from models.workspace import get_person, get_workspace

if TYPE_CHECKING:  # the registry imports this module
    from handlers.registry import Registrar

MAX_GOALS = 3


def _goals(s: Session, enrollment_id: int) -> list[Goal]:
    query = select(Goal).where(Goal.enrollment_id == enrollment_id, Goal.status != "dropped")
    return list(s.scalars(query.order_by(Goal.id)))


def _line(goal: Goal) -> str:
    target = f", by {goal.target_date:%d %b %Y}" if goal.target_date else ""
    measure = f" (measured by: {goal.measure})" if goal.measure else ""
    return f"• {goal.title}{measure}{target}: {goal.progress}%"


def goals_text(s: Session, person: Person) -> str:
    lines: list[str] = []
    for e in enrollments.list_enrollments(s, person.id):
        if e.role in ("mentee", "both", "peer"):
            mine = _goals(s, e.id)
            lines.append(copy.GOALS_HEADER + " (yours)")
            lines += [_line(g) for g in mine] or ["• none yet"]
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
                goals = _goals(s, theirs.id) if theirs else []
                lines.append(f"{copy.GOALS_HEADER} of <@{other.slack_user_id}>")
                lines += [_line(g) for g in goals] or ["• none yet"]
    return "\n".join(lines) or copy.GOALS_NONE


def goals_form(goals: list[Goal]) -> View:
    blocks: list[Any] = [
        SectionBlock(text="Up to three goals: what, how you'll measure it, by when.")
    ]
    for n in range(1, MAX_GOALS + 1):
        goal = goals[n - 1] if n <= len(goals) else None
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
            view = goals_form(_goals(s, enrollment.id))
        tools.ack_now()
        tools.client.views_open(trigger_id=request.trigger_id, view=view)
        return None

    return handle


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
        wanted: list[tuple[str, str | None, date | None]] = []
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
            if title:
                wanted.append(
                    (title, _read(values, f"{Block.GOAL_MEASURE}{n}")[:500] or None, target)
                )
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
            existing = _goals(s, enrollment.id)
            match_ids = list_open_match_ids(s, enrollment.person_id, enrollment.program_id)
            for i, (title, measure, target) in enumerate(wanted):
                goal = existing[i] if i < len(existing) else None
                if goal is None:
                    goal = Goal(
                        enrollment_id=enrollment.id, created_at=at, progress=0, status="open"
                    )
                    s.add(goal)
                goal.title, goal.measure, goal.target_date = title, measure, target
                goal.match_id = match_ids[0] if match_ids else None
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
        tools.client.views_open(trigger_id=request.trigger_id, view=pulse_form(*open_survey))
        return None

    return handle


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("goals",), handle_command_goals(deps))
    router.add(("feedback",), handle_command_feedback(deps))
    registrar.view(Callback.GOALS, handle_view_goals(deps))
