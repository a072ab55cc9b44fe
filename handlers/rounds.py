"""Rounds in Slack: `/mentor admin round`, the preview's buttons, a vanished member at intro.

The command records an intent to match (the leader runs it and posts the preview), so the
request never waits on the matcher; Approve records the decision and an intent to introduce
everyone. Both commit before the ack, and the buttons move a round on only from 'proposed',
so a double click has one effect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from flows import notices
from flows import rounds as flow
from flows.programs import NotAdminOfError, administered
from handlers import copy
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import Deps
from handlers.ids import Action
from handlers.listen import (
    Answer,
    Registrar,
    Request,
    Target,
    replace_buttons,
    reply,
    tell,
    then,
)
from handlers.payloads import RoundRef, decode
from handlers.text import channel_link, esc, mention
from models import outbox
from models.errors import InvalidError, NotFoundError
from models.workspace import ensure_person, get_workspace

log = logging.getLogger("mentorbot.rounds")

# conversations.open errors that mean a member is gone for good.
VANISHED_ERRORS = frozenset({"user_disabled", "user_not_found", "users_not_found"})
ROUND_OPTIONS = {
    "--dry-run": "dry_run",
    "--dryrun": "dry_run",
    "dry-run": "dry_run",
    "--repost": "repost",
}


def _parse_round_words(words: tuple[str, ...]) -> tuple[str | None, set[str]]:
    flags: set[str] = set()
    names: list[str] = []
    for word in words:
        flag = ROUND_OPTIONS.get(word.lower())
        if flag:
            flags.add(flag)
        elif word.startswith("--"):
            raise InvalidError(copy.ROUND_UNKNOWN_OPTION.format(option=esc(word[:30])))
        else:
            names.append(word)
    return (" ".join(names) or None), flags


def handle_command_round(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        name, flags = _parse_round_words(request.words)
        at = deps.clock()
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, request.team_id)
            if workspace is None:
                raise NotFoundError(copy.ROUND_NO_WORKSPACE)
            try:
                program = administered(s, workspace.id, name, request.authority, open_only=True)
            except NotAdminOfError as error:
                return reply(copy.NOT_ADMIN_OF.format(program=esc(error.program_name)))
            if not program.admin_channel_id:
                return reply(copy.ROUND_NO_ADMIN_CHANNEL.format(program=esc(program.name)))
            channel = channel_link(program.admin_channel_id)
            if request.channel_id != program.admin_channel_id:
                raise InvalidError(
                    copy.ROUND_WRONG_CHANNEL.format(program=esc(program.name), channel=channel)
                )
            pending = flow.pending_round(s, program.id)
            if "repost" in flags:
                if flow.repost_preview(s, program, at=at) is None:
                    return reply(copy.ROUND_NOTHING_PENDING.format(program=esc(program.name)))
                return reply(copy.ROUND_REPOSTED.format(program=esc(program.name), channel=channel))
            dry_run = "dry_run" in flags
            if pending is not None and not dry_run:
                return reply(copy.ROUND_PENDING.format(program=esc(program.name), channel=channel))
            person = ensure_person(s, workspace.id, request.slack_user_id, at)
            flow.ask_round(
                s, program, by=person, request=request.trigger_id, dry_run=dry_run, at=at
            )
            if dry_run or program.approval_required:
                return reply(
                    copy.ROUND_STARTED_PREVIEW.format(program=esc(program.name), channel=channel)
                )
            return reply(copy.ROUND_STARTED_DIRECT.format(program=esc(program.name)))

    return handle


Decision = Callable[..., flow.Decided]


def round_target(deps: Deps) -> Callable[[Request], Target]:
    """The program a preview button acts on: its round's, if the round is of this workspace."""

    def target(request: Request) -> Target:
        ref = decode(RoundRef, request.value)
        if ref is None:
            return None
        with deps.sessions.begin() as s:
            found = flow.round_in_workspace(s, ref.round_id, request.team_id)
            return found[1].id if found else None

    return target


def _decide(deps: Deps, decision: Decision, verb: str) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(RoundRef, request.value)
        if ref is None:
            return then(tell(copy.BUTTON_STALE))
        at = deps.clock()
        with deps.sessions.begin() as s:
            found = flow.round_in_workspace(s, ref.round_id, request.team_id)
            if found is None:
                return then(tell(copy.ROUND_GONE))
            round_, program = found
            person = ensure_person(s, program.workspace_id, request.slack_user_id, at)
            decided = decision(s, round_, program, by=person, at=at)
        if not decided.changed:
            return then(tell(copy.ROUND_ALREADY.format(status=decided.status)))
        note = copy.ROUND_DECIDED_BY.format(verb=verb, user=mention(request.slack_user_id))
        return then(replace_buttons(request, note))

    return handle


# --- delivery failures --------------------------------------------------------------------


def _vanished_users(client: WebClient, slack_user_ids: list[str]) -> set[str]:
    gone: set[str] = set()
    for user_id in slack_user_ids:
        try:
            info = client.users_info(user=user_id)
        except SlackApiError as err:
            if err.response.get("error") in VANISHED_ERRORS:
                gone.add(user_id)
            continue
        if (info.get("user") or {}).get("deleted"):
            gone.add(user_id)
    return gone


def make_failure_hook(
    deps: Deps, client: WebClient
) -> Callable[[outbox.PendingMessage, notices.Notice | None, str], None]:
    """After an intro's group DM could not be opened because someone is gone: cancel kindly.

    conversations.open does not say which member is gone, so users.info asks per member
    (outside any transaction); the ones Slack reports deleted are marked so and leave.
    """

    def hook(message: outbox.PendingMessage, notice: notices.Notice | None, error: str) -> None:
        if error not in VANISHED_ERRORS or not isinstance(notice, notices.MatchIntro):
            return
        gone = _vanished_users(client, [m.slack_user_id for m in notice.members])
        with deps.sessions.begin() as s:
            flow.vanished(
                s, message.workspace_id, notice.match_id, frozenset(gone), at=deps.clock()
            )

    return hook


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("admin", "round"), handle_command_round(deps), admin=True)
    scope = round_target(deps)
    registrar.action(Action.ROUND_APPROVE, _decide(deps, flow.approve, "approved"), admin=scope)
    registrar.action(Action.ROUND_DISCARD, _decide(deps, flow.discard, "discarded"), admin=scope)
    registrar.action(Action.ROUND_RERUN, _decide(deps, flow.rerun, "re-ran"), admin=scope)
