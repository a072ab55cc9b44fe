"""The `/mentor` command: parse the words, check who may run them, route to a subcommand.

Subcommands register by their leading words (("join",), ("admin", "round")); the longest
match wins. A subcommand answers with an Answer: a reply shown at once in the ack, and any
Slack call (opening a modal) made once the ack is sent.
"""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field

from handlers import copy
from handlers.context import Deps
from handlers.forms import clean
from handlers.listen import Answer, Request, authority_of, reply
from handlers.text import esc
from models.admins import Authority
from models.errors import InvalidError

log = logging.getLogger("mentorbot.commands")

MAX_TEXT = 2000
# What Slack sends for a mention once the manifest escapes command text: <@U123|name>.
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class CommandRequest:
    team_id: str
    slack_user_id: str
    channel_id: str
    trigger_id: str
    response_url: str | None
    words: tuple[str, ...]
    """The words after the subcommand's own words."""
    authority: Authority
    """What the requester administers: an admin subcommand checks the program it acts on."""

    @property
    def is_admin(self) -> bool:
        return self.authority.any


Subcommand = Callable[[CommandRequest], Answer]


@dataclass(frozen=True)
class Route:
    words: tuple[str, ...]
    handler: Subcommand
    admin: bool


def unescape(text: str) -> str:
    """Slack's escaping of command text undone for the three entities it uses."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def split_words(text: str) -> tuple[str, ...]:
    """Split command text like a shell would, so quoted program names stay whole."""
    if len(text) > MAX_TEXT:
        raise InvalidError(copy.COMMAND_TOO_LONG.format(n=len(text), limit=MAX_TEXT))
    try:
        words = shlex.split(clean(text))
    except ValueError:
        raise InvalidError(copy.COMMAND_UNCLOSED_QUOTE) from None
    # A mention stays as Slack sent it (typed "<@U1>" arrives as "&lt;@U1&gt;", never as one).
    return tuple(word if MENTION.match(word) else unescape(word) for word in words)


def mentioned_user(word: str) -> str | None:
    """The Slack user id of a mention as Slack sends it (<@U123|name>), or None."""
    found = MENTION.match(word)
    return found.group(1) if found else None


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

    @property
    def admin_routes(self) -> list[tuple[str, ...]]:
        return sorted(words for words, route in self.routes.items() if route.admin)

    def help_reply(self, admin: bool, prefix: str | None = None) -> Answer:
        text = copy.HELP + ("\n\n" + copy.ADMIN_HELP if admin else "")
        if prefix:
            text = prefix + "\n" + text
        return reply(text)

    def handle(self, request: Request) -> Answer:
        """The slash command's handler (registered through the Registrar's one rule)."""
        words = split_words(request.text)
        who = authority_of(self.deps, request.team_id, request.slack_user_id)
        admin = who.any
        if not words or words[0].lower() in {"help", "-h", "--help", "?"}:
            return self.help_reply(admin)
        route = self._find(words)
        if route is None:
            word = words[0] if words[0].lower() != "admin" or len(words) < 2 else words[1]
            return self.help_reply(admin, copy.UNKNOWN_SUBCOMMAND.format(word=esc(word[:40])))
        if route.admin and not admin:
            return reply(copy.NOT_ADMIN)
        return route.handler(
            CommandRequest(
                team_id=request.team_id,
                slack_user_id=request.slack_user_id,
                channel_id=request.channel_id,
                trigger_id=request.trigger_id,
                response_url=request.response_url,
                words=words[len(route.words) :],
                authority=who,
            )
        )
