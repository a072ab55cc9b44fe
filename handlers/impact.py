"""Recognition in Slack: `/mentor impact` and the Home button, the thank-you card's modal
(a channel of the mentor's choice), the opt-in to be named in thank-you posts, and what to
do when Slack refuses the card (the bot is not in that channel).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from flows import impact as flow
from flows import notices
from flows.impact import ImpactView
from handlers import copy
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import Deps
from handlers.enroll_form import notice
from handlers.forms import V, channel
from handlers.ids import Action, Callback
from handlers.ids import Block as Blocks
from handlers.listen import Answer, Registrar, Request, Slack, open_view, reply, tell, then
from handlers.messages import card_text, impact_lines, sections
from handlers.text import channel_link, plain
from models import outbox

NOT_IN_CHANNEL = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,20}")


def impact_blocks(view: ImpactView) -> list[Block]:
    if not view.mentors:
        return [SectionBlock(text=copy.IMPACT_NONE)]
    name = (
        ButtonElement(
            text=copy.IMPACT_DONT_NAME_ME, action_id=Action.IMPACT_DONT_NAME_ME, value="no"
        )
        if view.recognised
        else ButtonElement(text=copy.IMPACT_NAME_ME, action_id=Action.IMPACT_NAME_ME, value="yes")
    )
    return [
        *sections([copy.IMPACT_HEADER, *impact_lines(view.figures)]),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=copy.IMPACT_SHARE,
                    action_id=Action.IMPACT_SHARE,
                    value="share",
                    style="primary",
                ),
                name,
            ]
        ),
    ]


def impact_text(view: ImpactView) -> str:
    if not view.mentors:
        return copy.IMPACT_NONE
    return "\n".join([copy.IMPACT_HEADER, *impact_lines(view.figures)])


def handle_command_impact(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        with deps.sessions.begin() as s:
            view = flow.impact(s, request.team_id, request.slack_user_id, deps.clock())
        if view is None:
            return reply(copy.IMPACT_NOT_KNOWN)
        return reply(impact_text(view), [b.to_dict() for b in impact_blocks(view)])

    return handle


def impact_modal(view: ImpactView) -> View:
    return View(
        type="modal",
        title=plain(copy.HOME_IMPACT, 24),
        close=copy.CLOSE,
        blocks=impact_blocks(view),
    )


def handle_action_home_impact(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        with deps.sessions.begin() as s:
            view = flow.impact(s, request.team_id, request.slack_user_id, deps.clock())
        modal = impact_modal(view) if view else notice(copy.HOME_IMPACT, copy.IMPACT_NOT_KNOWN)
        return then(open_view(request.trigger_id, modal))

    return handle


def share_modal(preview: str) -> View:
    return View(
        type="modal",
        callback_id=Callback.IMPACT_SHARE,
        title=plain(copy.SHARE_TITLE, 24),
        submit=copy.SHARE_SEND,
        close=copy.CANCEL,
        blocks=[
            SectionBlock(text=copy.SHARE_PREVIEW),
            ContextBlock(elements=[MarkdownTextObject(text=preview[:2900])]),
            InputBlock(
                block_id=Blocks.SHARE_CHANNEL,
                label=copy.SHARE_CHANNEL,
                hint=copy.SHARE_CHANNEL_HINT,
                element=ConversationSelectElement(
                    action_id=V,
                    filter=ConversationFilter(
                        include=["public", "private"], exclude_bot_users=True
                    ),
                ),
            ),
        ],
    )


def handle_action_share(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        with deps.sessions.begin() as s:
            view = flow.impact(s, request.team_id, request.slack_user_id, deps.clock())
        if view is None or not view.mentors:
            return then(tell(copy.IMPACT_NONE))
        preview = card_text(request.slack_user_id, view.figures)
        # from the Home modal the card's modal takes its place; from a message it opens
        if request.view_id:

            def update(slack: Slack) -> None:
                slack.client.views_update(view_id=request.view_id, view=share_modal(preview))

            return then(update)
        return then(open_view(request.trigger_id, share_modal(preview)))

    return handle


def handle_view_share(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        chosen = channel(request.values, Blocks.SHARE_CHANNEL)
        if chosen is None or not CHANNEL_ID.fullmatch(chosen):
            return Answer(
                ack={
                    "response_action": "errors",
                    "errors": {Blocks.SHARE_CHANNEL: copy.SHARE_ERR_CHANNEL},
                }
            )
        with deps.sessions.begin() as s:
            flow.share(
                s,
                request.team_id,
                request.slack_user_id,
                chosen,
                version=request.view_id,
                at=deps.clock(),
            )
        text = copy.SHARE_SENT.format(channel=channel_link(chosen))
        return Answer(
            ack={"response_action": "update", "view": notice(copy.SHARE_TITLE, text).to_dict()}
        )

    return handle


def handle_action_name_me(deps: Deps, *, wanted: bool) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        with deps.sessions.begin() as s:
            flow.set_recognition(s, request.team_id, request.slack_user_id, wanted, deps.clock())
            view = flow.impact(s, request.team_id, request.slack_user_id, deps.clock())
        text = copy.IMPACT_NAMED if wanted else copy.IMPACT_NOT_NAMED
        if request.view_id and view is not None:  # the Home modal shows the new choice

            def update(slack: Slack) -> None:
                slack.client.views_update(view_id=request.view_id, view=impact_modal(view))

            return then(update)
        return then(tell(text))

    return handle


def make_share_failure_hook(
    deps: Deps,
) -> Callable[[outbox.PendingMessage, notices.Notice | None, str], None]:
    """Slack refused a thank-you card where the mentor asked for it: tell them how to share
    it (the bot must be in a channel to post there)."""

    def hook(message: outbox.PendingMessage, notice_: notices.Notice | None, error: str) -> None:
        if error not in NOT_IN_CHANNEL or not isinstance(notice_, notices.ThankYouCard):
            return
        with deps.sessions.begin() as s:
            flow.share_failed(s, message.workspace_id, notice_, deps.clock())

    return hook


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("impact",), handle_command_impact(deps))
    registrar.action(Action.HOME_IMPACT, handle_action_home_impact(deps))
    registrar.action(Action.IMPACT_SHARE, handle_action_share(deps))
    registrar.view(Callback.IMPACT_SHARE, handle_view_share(deps))
    registrar.action(Action.IMPACT_NAME_ME, handle_action_name_me(deps, wanted=True))
    registrar.action(Action.IMPACT_DONT_NAME_ME, handle_action_name_me(deps, wanted=False))
