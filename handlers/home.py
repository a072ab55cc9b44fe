"""App Home: each participant's cockpit, published on app_home_opened and after each change.

It shows programs and roles, current matches, pause/resume, and every field the bot uses
for matching ("what mentorbot knows about you") with Edit and Forget-me; admins also see
their programs' headline numbers. Built afresh each time, so it is never stale.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from flows import enrollment as flow
from handlers import copy
from handlers.context import Deps
from handlers.enroll_form import notice
from handlers.ids import Action, Callback
from handlers.join import open_form
from handlers.listen import Answer, Registrar, Request, Slack, then
from handlers.payloads import ProgramRef, decode
from handlers.publish import publish
from models.errors import DomainError

log = logging.getLogger("mentorbot.home")


def handle_event_home_opened(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        if request.event.get("tab", "home") != "home":
            return Answer()
        return then(publish(deps, request.team_id, request.slack_user_id))

    return handle


def handle_action_open_form(deps: Deps, *, editing: bool) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(ProgramRef, request.value)
        return then(
            open_form(
                deps,
                team_id=request.team_id,
                user_id=request.slack_user_id,
                trigger_id=request.trigger_id,
                editing=editing,
                program_id=ref.program_id if ref else None,
            )
        )

    return handle


def handle_action_pause(deps: Deps, *, pausing: bool) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        at = deps.clock()
        try:
            with deps.sessions.begin() as s:
                person = flow.me(s, request.team_id, request.slack_user_id)
                if pausing:
                    until = at.date() + timedelta(weeks=copy.HOME_PAUSE_WEEKS)
                    flow.pause(s, person, until, at=at)
                else:
                    flow.resume(s, person, at=at)
        except DomainError:
            pass  # nothing to pause: the republished Home shows the real state
        return then(publish(deps, request.team_id, request.slack_user_id))

    return handle


def forget_modal() -> View:
    return View(
        type="modal",
        callback_id=Callback.FORGET_ME,
        title=copy.HOME_FORGET,
        submit=copy.FORGET_YES,
        close=copy.FORGET_NO,
        blocks=[SectionBlock(text=copy.FORGET_CONFIRM)],
    )


def handle_action_forget(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        def open_(slack: Slack) -> None:
            slack.client.views_open(trigger_id=request.trigger_id, view=forget_modal())

        return then(open_)

    return handle


def handle_view_forget(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        with deps.sessions.begin() as s:
            forgotten = flow.forget(
                s, request.team_id, request.slack_user_id, key=deps.forget_key, at=deps.clock()
            )
        text = copy.FORGOTTEN if forgotten else copy.FORGET_NOTHING
        return Answer(
            ack={"response_action": "update", "view": notice(copy.HOME_FORGET, text).to_dict()},
            after=(publish(deps, request.team_id, request.slack_user_id),),
        )

    return handle


def register(registrar: Registrar, deps: Deps) -> None:
    registrar.event("app_home_opened", handle_event_home_opened(deps))
    registrar.action(Action.HOME_JOIN, handle_action_open_form(deps, editing=False))
    registrar.action(Action.INVITE_JOIN, handle_action_open_form(deps, editing=False))
    registrar.action(Action.HOME_EDIT, handle_action_open_form(deps, editing=True))
    registrar.action(Action.HOME_PAUSE, handle_action_pause(deps, pausing=True))
    registrar.action(Action.HOME_RESUME, handle_action_pause(deps, pausing=False))
    registrar.action(Action.HOME_FORGET, handle_action_forget(deps))
    registrar.view(Callback.FORGET_ME, handle_view_forget(deps))
