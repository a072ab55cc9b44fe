"""Events that change enrollment: a newcomer in a program channel, a deactivated user.

Each event id is claimed in the same transaction as its effects, which commits before the
ack, so a retried delivery changes nothing; the invitation's key makes it one per person
and program even if they leave and rejoin the channel.
"""

from __future__ import annotations

from collections.abc import Callable

from flows import enrollment as flow
from handlers.context import Deps
from handlers.listen import Answer, Registrar, Request


def handle_event_member_joined(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        channel = str(request.event.get("channel") or "")
        team = request.team_id or str(request.event.get("team") or "")
        with deps.sessions.begin() as s:
            flow.invite_newcomer(
                s, team, channel, request.slack_user_id, request.event_id, deps.clock()
            )
        return Answer()

    return handle


def handle_event_user_change(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        user = request.event.get("user")
        if not isinstance(user, dict) or not user.get("deleted"):
            return Answer()
        team = request.team_id or str(user.get("team_id") or "")
        with deps.sessions.begin() as s:
            flow.deactivated(s, team, str(user.get("id") or ""), request.event_id, deps.clock())
        return Answer()

    return handle


def register(registrar: Registrar, deps: Deps) -> None:
    registrar.event("member_joined_channel", handle_event_member_joined(deps))
    registrar.event("user_change", handle_event_user_change(deps))
