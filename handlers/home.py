"""App Home: each participant's cockpit, published on app_home_opened and after each change.

It shows programs and roles, current matches, pause/resume, and every field the bot uses
for matching ("what mentorbot knows about you") with Edit and Forget-me; admins also see
their programs' headline numbers. Built from the database each time, so it is never stale.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View
from sqlalchemy.orm import Session

from handlers import copy
from handlers.context import Deps
from handlers.enroll_form import DAY_NAMES, FREQUENCIES, LEVELS, notice
from handlers.enrollment import forget, open_form, status_text
from handlers.errors import user_message
from handlers.ids import Action, Callback
from handlers.notify import tell_in_dm
from models import enrollment as store
from models.admins import is_admin
from models.errors import DomainError
from models.matches import list_open_match_ids
from models.program_admin import count_enrolled
from models.programs import list_programs
from models.tables import Enrollment, Person, Program, ProgramAdmin
from models.taxonomy import list_skills
from models.workspace import get_person, get_workspace

if TYPE_CHECKING:  # the registry imports this module
    from handlers.registry import Registrar

log = logging.getLogger("mentorbot.home")
MAX_BLOCKS = 100


def _button(text: str, action: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=text, action_id=action, value=value, style=style)


def _minutes(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def knows_about(s: Session, enrollment: Enrollment, program: Program) -> str:
    names = {k.id: k.name for k in list_skills(s, program.id)}
    offered = [
        f"{names.get(k.skill_id, '?')} ({'expert' if k.level >= 3 else 'experienced'})"
        for k in enrollment.skills
        if k.kind == "offer"
    ]
    goals = [names.get(k.skill_id, "?") for k in enrollment.skills if k.kind == "seek"]
    manager = s.get(Person, enrollment.manager_id) if enrollment.manager_id else None
    lines = [
        f"• Role: {enrollment.role}",
        f"• Skills you offer: {', '.join(offered) or 'none'}",
        f"• Goals: {', '.join(goals) or 'none'}",
        f"• Your goal in your words: {enrollment.free_text_goal or '—'}",
        f"• Job level: {LEVELS.get(enrollment.seniority or 0, '—')}",
        f"• Department: {enrollment.department or '—'}",
        f"• Manager: {f'<@{manager.slack_user_id}>' if manager else '—'}",
        f"• Working days: {', '.join(DAY_NAMES[d] for d in enrollment.working_days)}, "
        f"{_minutes(enrollment.work_start_minute)} to {_minutes(enrollment.work_end_minute)} "
        f"({enrollment.timezone})",
        f"• Languages: {', '.join(enrollment.languages) or '—'}",
        f"• Meetings: {FREQUENCIES.get(enrollment.meeting_frequency_days or 0, 'as agreed')}",
        f"• Mentees at most: {enrollment.capacity}" if enrollment.capacity else "",
        f"• Never matched with: {len(enrollment.never_match)} people (only you see this)",
        f"• Consent given: {enrollment.consent_at:%d %b %Y}",
    ]
    return "\n".join(line for line in lines if line)


def home_view(s: Session, person: Person, at: datetime, is_global_admin: bool) -> View:
    at_blocks: list[Block] = [HeaderBlock(text=copy.HOME_TITLE)]
    enrollments = store.list_enrollments(s, person.id)
    now_text = status_text(s, person, at) if enrollments else ""
    if not enrollments:
        programs = list_programs(s, person.workspace_id, open_only=True)
        if programs:
            at_blocks.append(SectionBlock(text=copy.HOME_NOT_ENROLLED))
            # One actions block per Join button: action_ids must be unique within a block,
            # and every one of them is answered by the one HOME_JOIN listener.
            at_blocks += [
                ActionsBlock(
                    elements=[
                        _button(f"Join {p.name}"[:75], Action.HOME_JOIN, str(p.id), "primary")
                    ]
                )
                for p in programs[:5]
            ]
        else:
            at_blocks.append(SectionBlock(text=copy.HOME_NO_PROGRAMS))
    else:
        at_blocks.append(SectionBlock(text=now_text[:2900]))
        paused = any(e.status == "paused" for e in enrollments)
        at_blocks.append(
            ActionsBlock(
                elements=[
                    _button("Resume", Action.HOME_RESUME, "resume", "primary")
                    if paused
                    else _button(f"Pause {copy.HOME_PAUSE_WEEKS} weeks", Action.HOME_PAUSE, "pause")
                ]
            )
        )
        for enrollment in enrollments:
            program = s.get_one(Program, enrollment.program_id)
            at_blocks += [
                DividerBlock(),
                SectionBlock(text=f"{copy.HOME_KNOWS}\n*{program.name}*"),
                SectionBlock(text=knows_about(s, enrollment, program)[:2900]),
                ActionsBlock(
                    elements=[
                        _button("Edit", Action.HOME_EDIT, str(program.id)),
                        _button("Forget me", Action.HOME_FORGET, "forget", "danger"),
                    ]
                ),
            ]
    admin_of = [
        pid
        for (pid,) in s.query(ProgramAdmin.program_id).filter(ProgramAdmin.person_id == person.id)
    ]
    if is_global_admin or admin_of:
        programs = [
            p for p in list_programs(s, person.workspace_id) if is_global_admin or p.id in admin_of
        ]
        lines = []
        for p in programs:
            counts = count_enrolled(s, p.id)
            open_matches = len(
                {
                    m
                    for e in s.query(Enrollment).filter(Enrollment.program_id == p.id)
                    for m in list_open_match_ids(s, e.person_id, p.id)
                }
            )
            lines.append(
                copy.HOME_ADMIN_LINE.format(
                    program=p.name,
                    slug=p.slug,
                    mentors=counts.get("mentor", 0) + counts.get("both", 0),
                    mentees=counts.get("mentee", 0) + counts.get("both", 0),
                    open=open_matches,
                )
            )
        at_blocks += [
            DividerBlock(),
            SectionBlock(text=(copy.HOME_ADMIN + "\n" + ("\n".join(lines) or "—"))[:2900]),
        ]
    return View(type="home", blocks=at_blocks[:MAX_BLOCKS])


def publish_home(deps: Deps, client: WebClient, team_id: str, user_id: str) -> None:
    if not user_id or not team_id:
        return
    with deps.sessions.begin() as s:
        workspace = get_workspace(s, team_id)
        person = get_person(s, workspace.id, user_id) if workspace else None
        if workspace is None or person is None:
            from models.workspace import ensure_person, ensure_workspace

            workspace = ensure_workspace(s, team_id, deps.clock())
            person = ensure_person(s, workspace.id, user_id, deps.clock())
        admin = user_id in deps.global_admins or is_admin(s, team_id, user_id)
        view = home_view(s, person, deps.clock(), admin)
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as err:
        log.warning("views.publish for %s failed: %s", user_id, err.response.get("error"))


def _who(body: dict[str, Any]) -> tuple[str, str]:
    user = body.get("user") or {}
    team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
    return team, str(user.get("id") or "")


def handle_event_home_opened(deps: Deps) -> Callable[..., None]:
    def listener(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(deps, client, str(body.get("team_id") or ""), str(event.get("user") or ""))

    return listener


def _program_value(body: dict[str, Any]) -> int | None:
    raw = str(((body.get("actions") or [{}])[0] or {}).get("value") or "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def handle_action_open_form(deps: Deps, *, editing: bool) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team, user = _who(body)
        program_id = _program_value(body)
        try:
            why = open_form(
                deps,
                client,
                team_id=team,
                user_id=user,
                trigger_id=str(body.get("trigger_id") or ""),
                editing=editing,
                program_id=program_id,
            )
        except DomainError as error:
            why = str(error)
        except SlackApiError as err:
            log.warning("could not open the form: %s", err.response.get("error"))
            return
        if why:
            try:
                tell_in_dm(client, user, why)
            except SlackApiError as err:
                log.warning("could not tell %s: %s", user, err.response.get("error"))

    return listener


def handle_action_pause(deps: Deps, *, pausing: bool) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team, user = _who(body)
        at = deps.clock()
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, team)
            person = get_person(s, workspace.id, user) if workspace else None
            if person is None:
                return
            try:
                if pausing:
                    until = at.date() + timedelta(weeks=copy.HOME_PAUSE_WEEKS)
                    store.pause(s, person, until, at=at)
                else:
                    store.resume(s, person, at=at)
            except DomainError:
                pass  # nothing to pause: the republished Home shows the real state
        publish_home(deps, client, team, user)

    return listener


def handle_action_forget(deps: Deps) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        view = notice("Forget me", copy.FORGET_CONFIRM).to_dict()
        view.update(
            callback_id=Callback.FORGET_ME, submit={"type": "plain_text", "text": copy.FORGET_YES}
        )
        try:
            client.views_open(trigger_id=str(body.get("trigger_id") or ""), view=view)
        except SlackApiError as err:
            log.warning("could not open forget-me: %s", err.response.get("error"))

    return listener


def handle_view_forget(deps: Deps) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        team, user = _who(body)
        at = deps.clock()
        try:
            with deps.sessions.begin() as s:
                workspace = get_workspace(s, team)
                person = get_person(s, workspace.id, user) if workspace else None
                if person is not None and person.forgotten_at is None:
                    forget(s, person, at)
        except Exception as error:  # the modal must still close with an answer
            ack(response_action="update", view=notice("Forget me", user_message(error)).to_dict())
            return
        ack(response_action="update", view=notice("Forget me", copy.FORGOTTEN).to_dict())
        publish_home(deps, client, team, user)

    return listener


def register(registrar: Registrar, deps: Deps) -> None:
    registrar.event("app_home_opened", handle_event_home_opened(deps))
    registrar.action(Action.HOME_JOIN, handle_action_open_form(deps, editing=False))
    registrar.action(Action.INVITE_JOIN, handle_action_open_form(deps, editing=False))
    registrar.action(Action.HOME_EDIT, handle_action_open_form(deps, editing=True))
    registrar.action(Action.HOME_PAUSE, handle_action_pause(deps, pausing=True))
    registrar.action(Action.HOME_RESUME, handle_action_pause(deps, pausing=False))
    registrar.action(Action.HOME_FORGET, handle_action_forget(deps))
    registrar.view(Callback.FORGET_ME, handle_view_forget(deps))
