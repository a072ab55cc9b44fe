"""The `/mentor` command: parse the words, check who may run them, route to a subcommand.

Subcommands register by their leading words (("join",), ("admin", "round")); the longest
match wins. A subcommand either returns a Reply, sent as the ack body so it shows at once,
or acks itself first (through CommandTools) when it has slow work such as opening a modal.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from handlers import copy
from handlers.context import Deps
from handlers.errors import user_message
from models.admins import is_admin
from models.errors import InvalidError

log = logging.getLogger("mentorbot.commands")

MAX_TEXT = 2000


@dataclass(frozen=True)
class CommandRequest:
    team_id: str
    slack_user_id: str
    channel_id: str
    trigger_id: str
    response_url: str | None
    words: tuple[str, ...]
    """The words after the subcommand's own words."""
    is_admin: bool


@dataclass(frozen=True)
class Reply:
    text: str
    blocks: list[dict[str, Any]] | None = None


@dataclass
class CommandTools:
    deps: Deps
    client: WebClient
    ack: Ack
    respond: Respond
    acked: bool = False

    def ack_now(self) -> None:
        if not self.acked:
            self.ack()
            self.acked = True

    def reply(self, reply: Reply) -> None:
        blocks = reply.blocks
        if not self.acked:
            self.acked = True
            if blocks is None:
                self.ack(text=reply.text, response_type="ephemeral")
            else:
                self.ack(text=reply.text, blocks=blocks, response_type="ephemeral")
            return
        self.respond(text=reply.text, blocks=blocks, response_type="ephemeral")


Subcommand = Callable[[CommandRequest, CommandTools], Reply | None]


@dataclass(frozen=True)
class Route:
    words: tuple[str, ...]
    handler: Subcommand
    admin: bool


def split_words(text: str) -> tuple[str, ...]:
    """Split command text like a shell would, so quoted program names stay whole."""
    if len(text) > MAX_TEXT:
        raise InvalidError(
            f"That is too long for a command ({len(text)} characters; at most {MAX_TEXT})."
        )
    try:
        return tuple(shlex.split(text))
    except ValueError:
        raise InvalidError("I couldn't read that: a quote is not closed.") from None


@dataclass
class CommandRouter:
    deps: Deps
    routes: dict[tuple[str, ...], Route] = field(default_factory=dict)

    def add(self, words: tuple[str, ...], handler: Subcommand, *, admin: bool = False) -> None:
        self.routes[words] = Route(words, handler, admin)

    def _find(self, words: tuple[str, ...]) -> Route | None:
        lowered = tuple(w.lower() for w in words)
        for size in range(min(len(lowered), 3), 0, -1):
            route = self.routes.get(lowered[:size])
            if route is not None:
                return route
        return None

    def _is_admin(self, team_id: str, slack_user_id: str) -> bool:
        if slack_user_id in self.deps.global_admins:
            return True
        with self.deps.sessions.begin() as s:
            return is_admin(s, team_id, slack_user_id)

    @property
    def admin_routes(self) -> list[tuple[str, ...]]:
        return sorted(words for words, route in self.routes.items() if route.admin)

    def help_reply(self, admin: bool, prefix: str | None = None) -> Reply:
        text = copy.HELP + ("\n\n" + copy.ADMIN_HELP if admin else "")
        if prefix:
            text = prefix + "\n" + text
        return Reply(text)

    def handle(self, ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        """Bolt listener for the slash command."""
        tools = CommandTools(self.deps, client, ack, respond)
        try:
            self._route(body, tools)
        except Exception as error:
            tools.reply(Reply(user_message(error, context=f"in /mentor {body.get('text', '')!r}")))

    def _route(self, body: dict[str, Any], tools: CommandTools) -> None:
        team_id = str(body.get("team_id") or "")
        user_id = str(body.get("user_id") or "")
        words = split_words(str(body.get("text") or ""))
        admin = self._is_admin(team_id, user_id)
        if not words or words[0].lower() in {"help", "-h", "--help", "?"}:
            tools.reply(self.help_reply(admin))
            return
        route = self._find(words)
        if route is None:
            word = words[0] if words[0].lower() != "admin" or len(words) < 2 else words[1]
            tools.reply(self.help_reply(admin, copy.UNKNOWN_SUBCOMMAND.format(word=word[:40])))
            return
        if route.admin and not admin:
            tools.reply(Reply(copy.NOT_ADMIN))
            return
        request = CommandRequest(
            team_id=team_id,
            slack_user_id=user_id,
            channel_id=str(body.get("channel_id") or ""),
            trigger_id=str(body.get("trigger_id") or ""),
            response_url=body.get("response_url"),
            words=words[len(route.words) :],
            is_admin=admin,
        )
        reply = route.handler(request, tools)
        if reply is not None:
            tools.reply(reply)
        else:
            tools.ack_now()
