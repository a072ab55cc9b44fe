"""Registers every listener on the Bolt app and remembers what it registered.

The record is what the manifest test compares app.yaml with, so the manifest can never
declare a command, event or shortcut that no code answers, nor miss one that code needs.
Admin-only buttons and views are gated here, in one listener middleware, so no handler can
forget the check and the authorization tests can enumerate every gated id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, App, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import (
    copy,
    engagement,
    enroll_events,
    enrollment,
    goals,
    home,
    program_admin,
    reports,
    rounds,
)
from handlers.commands import CommandRouter
from handlers.context import Deps
from handlers.errors import handle_app_error
from handlers.ids import COMMAND
from handlers.notify import tell_in_dm
from handlers.replay import replay_guard
from models.admins import is_admin

Listener = Callable[..., Any]
log = logging.getLogger("mentorbot")


def is_admin_user(deps: Deps, team_id: str, slack_user_id: str) -> bool:
    """A global admin (MENTORBOT_ADMINS) or an admin of any program in the workspace."""
    if not slack_user_id:
        return False
    if slack_user_id in deps.global_admins:
        return True
    with deps.sessions.begin() as s:
        return is_admin(s, team_id, slack_user_id)


def _requester(body: dict[str, Any]) -> tuple[str, str]:
    user = body.get("user") or {}
    team = body.get("team") or {}
    team_id = str(team.get("id") or user.get("team_id") or body.get("team_id") or "")
    return team_id, str(user.get("id") or body.get("user_id") or "")


@dataclass
class Registrar:
    app: App
    deps: Deps | None = None
    commands: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)
    views: set[str] = field(default_factory=set)
    shortcuts: set[str] = field(default_factory=set)
    admin_actions: set[str] = field(default_factory=set)
    admin_views: set[str] = field(default_factory=set)

    def _admin_gate(
        self,
        ack: Ack,
        body: dict[str, Any],
        client: WebClient,
        respond: Respond,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse:
        """Let admins through; refuse anyone else before the listener runs."""
        assert self.deps is not None, "admin-only listeners need Registrar(deps=...)"
        team_id, user_id = _requester(body)
        if is_admin_user(self.deps, team_id, user_id):
            return next()
        # Returning the ack's response (not None) tells Bolt the request is answered; a
        # listener middleware that returns None without next() makes Bolt look elsewhere.
        if body.get("type") == "view_submission":
            return ack(
                response_action="update",
                view={
                    "type": "modal",
                    "title": {"type": "plain_text", "text": "Not allowed"},
                    "blocks": [
                        {"type": "section", "text": {"type": "mrkdwn", "text": copy.NOT_ADMIN}}
                    ],
                },
            )
        response = ack()
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
            "channel_id"
        )
        try:
            if channel and user_id:
                client.chat_postEphemeral(channel=channel, user=user_id, text=copy.NOT_ADMIN)
            elif body.get("response_url"):
                respond(text=copy.NOT_ADMIN, response_type="ephemeral", replace_original=False)
            elif user_id:
                tell_in_dm(client, user_id, copy.NOT_ADMIN)
        except (SlackApiError, OSError):  # the refusal stands even if Slack cannot show it
            log.warning("could not tell %s they are not an admin", user_id, exc_info=True)
        return response

    def command(self, name: str, listener: Listener) -> None:
        self.commands.add(name)
        self.app.command(name)(listener)

    def event(self, event_type: str, listener: Listener) -> None:
        self.events.add(event_type)
        self.app.event(event_type)(listener)

    def action(self, action_id: str, listener: Listener, *, admin: bool = False) -> None:
        self.actions.add(action_id)
        if admin:
            self.admin_actions.add(action_id)
        self.app.action(action_id, middleware=[self._admin_gate] if admin else None)(listener)

    def view(self, callback_id: str, listener: Listener, *, admin: bool = False) -> None:
        self.views.add(callback_id)
        if admin:
            self.admin_views.add(callback_id)
        self.app.view(callback_id, middleware=[self._admin_gate] if admin else None)(listener)

    def shortcut(self, callback_id: str, listener: Listener) -> None:
        self.shortcuts.add(callback_id)
        self.app.shortcut(callback_id)(listener)

    @property
    def interactive(self) -> bool:
        return bool(self.actions or self.views or self.shortcuts)


def register(app: App, deps: Deps) -> tuple[Registrar, CommandRouter]:
    app.use(replay_guard(deps))
    registrar = Registrar(app, deps)
    router = CommandRouter(deps)
    registrar.command(COMMAND, router.handle)
    # Each feature registers its subcommands and listeners here, one line each.
    # enrollment
    enrollment.register(registrar, router, deps)
    program_admin.register(registrar, router, deps)
    home.register(registrar, deps)
    enroll_events.register(registrar, deps)

    # rounds
    rounds.register(registrar, router, deps)

    # engagement
    engagement.register(registrar, router, deps)
    goals.register(registrar, router, deps)

    # insight
    reports.register(registrar, router, deps)

    app.error(handle_app_error)
    return registrar, router
