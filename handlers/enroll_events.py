"""Events that change enrollment: a newcomer in a program channel, a deactivated user.

Each event id is claimed in the same transaction as its effects (models.events), so a
retried delivery changes nothing; the invitation's outbox key makes it one per person and
program even if they leave and rejoin the channel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock
from sqlalchemy import select

from handlers import copy
from handlers.context import Deps
from handlers.enrollment import leave_program
from handlers.ids import Action
from models import enrollment as store
from models import outbox
from models.events import claim_event
from models.tables import Program
from models.workspace import ensure_person, get_person, get_workspace

if TYPE_CHECKING:  # the registry imports this module
    from handlers.registry import Registrar


def handle_event_member_joined(deps: Deps) -> Callable[..., None]:
    def listener(event: dict[str, Any], body: dict[str, Any]) -> None:
        channel = str(event.get("channel") or "")
        user = str(event.get("user") or "")
        team = str(body.get("team_id") or event.get("team") or "")
        at = deps.clock()
        with deps.sessions.begin() as s:
            if not claim_event(s, str(body.get("event_id") or ""), at):
                return
            workspace = get_workspace(s, team)
            if workspace is None or not channel or not user:
                return
            programs = s.scalars(
                select(Program).where(
                    Program.workspace_id == workspace.id,
                    Program.program_channel_id == channel,
                    Program.status == "open",
                )
            ).all()
            for program in programs:
                person = ensure_person(s, workspace.id, user, at)
                if person.is_bot or store.get_enrollment(s, program.id, person.id) is not None:
                    continue
                text = copy.INVITE.format(channel=channel, program=program.name)
                blocks = [
                    SectionBlock(text=text).to_dict(),
                    ActionsBlock(
                        elements=[
                            ButtonElement(
                                text="Join",
                                action_id=Action.INVITE_JOIN,
                                value=str(program.id),
                                style="primary",
                            )
                        ]
                    ).to_dict(),
                ]
                outbox.enqueue(
                    s,
                    workspace_id=workspace.id,
                    key=f"invite:{program.id}:{person.id}",
                    conversation=outbox.dm_to(user),
                    payload={"text": text, "blocks": blocks},
                    at=at,
                )

    return listener


def handle_event_user_change(deps: Deps) -> Callable[..., None]:
    def listener(event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user") or {}
        if not isinstance(user, dict) or not user.get("deleted"):
            return
        team = str(body.get("team_id") or user.get("team_id") or "")
        at = deps.clock()
        with deps.sessions.begin() as s:
            if not claim_event(s, str(body.get("event_id") or ""), at):
                return
            workspace = get_workspace(s, team)
            person = get_person(s, workspace.id, str(user.get("id") or "")) if workspace else None
            if person is None:
                return
            person.is_deleted = True
            person.updated_at = at
            for enrollment in store.list_enrollments(s, person.id):
                leave_program(s, enrollment, person, at, "deactivated")

    return listener


def register(registrar: Registrar, deps: Deps) -> None:
    registrar.event("member_joined_channel", handle_event_member_joined(deps))
    registrar.event("user_change", handle_event_user_change(deps))
