"""A faithful offline Slack Web API on loopback, reached through SLACK_API_URL.

Every call is checked against Slack's own method reference (slack_methods.json, derived by
scripts/gen_slack_methods.py) and against the rules Slack enforces beyond it: the bot scopes
app.yaml declares (per conversation type: channels:, groups:, im:, mpim:), membership of the
channel a call touches, and Block Kit (testkit.blockkit). A broken rule is answered with
Slack's error code and recorded as a violation; the test fixtures fail any test that leaves
one behind. The fake keeps the little world the bot relies on (users, channels and who is in
them, DMs, messages with metadata, views) and can inject 429s, 5xx and Slack errors.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from testkit import blockkit, manifest

if TYPE_CHECKING:
    from testkit.socket_mode import SocketModeServer

METHODS: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).with_name("slack_methods.json")).read_text()
)

TEAM_ID = "T0MENTOR"
BOT_USER_ID = "UBOTMENTOR"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-AMENTOR-test-token"
APP_ID = "AMENTOR"
# An app-level token carries only the scopes it was created with; Socket Mode needs this one.
APP_TOKEN_SCOPES = frozenset({"connections:write"})
GENERAL = "C0GENERAL"

# Argument rules Slack states only in prose, encoded by hand.
TEXT_FALLBACK_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update"}
MESSAGE_METHODS = TEXT_FALLBACK_METHODS
VIEW_METHODS = {"views.open", "views.update", "views.push", "views.publish"}
# Per-type scopes name the conversation type by their prefix.
TYPE_PREFIX = {"public": "channels", "private": "groups", "im": "im", "mpim": "mpim"}
# Where each method names its conversation.
CHANNEL_ARG = {"files.completeUploadExternal": "channel_id"}


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float

    def json_arg(self, name: str) -> Any:
        value = self.args.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value


@dataclass
class Fault:
    method: str
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    times: int = 1
    # Slack did the work but the answer was lost (a 5xx or a dropped connection after it).
    after_success: bool = False


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: Any
    metadata: Any
    user: str | None = None
    thread_ts: str | None = None


@dataclass
class FakeUser:
    id: str
    name: str
    real_name: str
    tz: str = "Europe/London"
    deleted: bool = False
    is_bot: bool = False
    is_restricted: bool = False
    email: str | None = None
    title: str = ""
    department: str = ""

    def as_slack(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": self.deleted,
            "is_bot": self.is_bot,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": False,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": 0,
            "profile": {
                "real_name": self.real_name,
                "display_name": self.name,
                "email": self.email or f"{self.name}@example.com",
                "title": self.title,
                "fields": {},
            },
        }


@dataclass
class Conversation:
    """A channel, private channel, DM or group DM, and who is in it."""

    id: str
    name: str
    kind: str  # public | private | im | mpim
    members: set[str] = field(default_factory=set)
    bot_member: bool = True
    # A user's DM with Slackbot, where posts to channel=U… land: the app is not in it.
    slackbot_of: str | None = None

    def as_slack(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": self.kind in ("public", "private"),
            "is_group": False,
            "is_im": self.kind == "im",
            "is_mpim": self.kind == "mpim",
            "is_private": self.kind != "public",
            "is_archived": False,
            "is_member": self.bot_member,
            "num_members": len(self.members) + int(self.bot_member),
        }


@dataclass
class SlackState:
    users: dict[str, FakeUser] = field(default_factory=dict)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)
    ephemerals: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    home: dict[str, dict[str, Any]] = field(default_factory=dict)
    used_triggers: set[str] = field(default_factory=set)
    uploads: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    # view id -> (method, trigger_id) of each modal opened or pushed: whose screen shows it.
    opened: dict[str, tuple[str, str]] = field(default_factory=dict)


def slack_id(prefix: str, key: str) -> str:
    """A realistic, stable conversation id (prefix + 10 upper-case letters and digits)."""
    digest = base64.b32encode(hashlib.sha1(key.encode()).digest()).decode()
    return prefix + digest[:10]


class FakeSlack:
    """The fake's API: the world to arrange, calls to read, faults to inject.

    `scopes` (default: app.yaml's bot scopes) are what the bot token was granted, and
    `should_escape` (default: app.yaml's /mentor) how slash-command text is delivered.
    `clock` is the time Slack stamps messages with (ts); give it the bot's clock so that a
    history read of the window of an attempt finds what that attempt posted.
    """

    def __init__(
        self,
        clock: Callable[[], datetime] | None = None,
        *,
        scopes: Iterable[str] | None = None,
        should_escape: bool | None = None,
    ) -> None:
        self.clock = clock
        app = manifest.load()
        self.scopes = frozenset(app.bot_scopes if scopes is None else scopes)
        self.should_escape = (
            app.commands.get("/mentor", False) if should_escape is None else should_escape
        )
        self.lock = threading.RLock()
        self.bot_token = BOT_TOKEN  # the one bot token it accepts (the sandbox sets its own)
        self.calls: list[Call] = []
        self.violations: list[str] = []
        # Every refusal of a Slack rule, tolerated or not: (method, error).
        self.refusals: list[tuple[str, str]] = []
        self.tolerated: set[str] = set()
        self.state = SlackState()
        self.faults: list[Fault] = []
        self.holds: dict[str, tuple[threading.Event, threading.Event]] = {}
        self.hold_after: dict[str, int] = {}
        self.delays: dict[str, float] = {}  # method -> seconds Slack takes to answer it
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._socket: SocketModeServer | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        # The channel slash commands are typed in: the bot was never invited there.
        self.add_channel(GENERAL, "general", bot_member=False)

    # -- lifecycle -------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    def response_url(self, name: str = "r") -> str:
        return f"{self.base_url}respond/{name}"

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._socket is not None:
            self._socket.stop()
        self._server.shutdown()
        self._server.server_close()

    @property
    def socket_mode(self) -> SocketModeServer:
        """The Socket Mode endpoint apps.connections.open hands out (started on first use)."""
        with self.lock:
            if self._socket is None:
                from testkit.socket_mode import SocketModeServer

                self._socket = SocketModeServer(self).start()
            return self._socket

    # -- arranging -------------------------------------------------------------------
    def add_user(self, user_id: str, name: str | None = None, **kwargs: Any) -> FakeUser:
        user = FakeUser(
            id=user_id,
            name=name or user_id.lower(),
            real_name=kwargs.pop("real_name", (name or user_id).title()),
            **kwargs,
        )
        with self.lock:
            self.state.users[user_id] = user
        return user

    def add_channel(
        self,
        channel_id: str,
        name: str | None = None,
        *,
        private: bool = False,
        members: Iterable[str] = (),
        bot_member: bool = True,
    ) -> Conversation:
        """A public (C…) or private channel, its members, and whether the bot was invited."""
        channel = Conversation(
            id=channel_id,
            name=name or channel_id.lower(),
            kind="private" if private else "public",
            members=set(members),
            bot_member=bot_member,
        )
        with self.lock:
            self.state.conversations[channel_id] = channel
        return channel

    def add_members(self, channel_id: str, *user_ids: str) -> None:
        """People who joined a channel (and so can see and click what is posted there)."""
        with self.lock:
            self.state.conversations[channel_id].members.update(user_ids)

    def tolerate(self, *errors: str) -> None:
        """Let this test provoke these refusals on purpose: still answered, not violations."""
        with self.lock:
            self.tolerated.update(errors)

    def inject(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        after_success: bool = False,
    ) -> None:
        with self.lock:
            self.faults.append(Fault(method, status, error, retry_after, times, after_success))

    def hold(self, method: str, after: int = 0) -> tuple[threading.Event, threading.Event]:
        """Hold the next call to `method` (after letting `after` through) until released:
        (arrived, release) events.

        A held call has fully reached Slack; whatever happens to the caller meanwhile (a
        killed process), Slack finishes it once released, as the real one would.
        """
        arrived, release = threading.Event(), threading.Event()
        with self.lock:
            self.holds[method] = (arrived, release)
            self.hold_after[method] = after
        return arrived, release

    # -- what a person types -----------------------------------------------------------
    def typed(self, text: str) -> str:
        """Slash-command text as Slack delivers what a person typed.

        Slack always encodes &, < and > as entities ("Escaping text" in Slack's formatting
        reference). With should_escape on, Slack also turns the @user and #channel a person
        picked into <@U…|name> and <#C…|name>, @here/@channel/@everyone into <!here> etc.,
        and links into <https://…>; with it off they arrive as typed.
        """
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if not self.should_escape:
            return escaped
        with self.lock:
            users = {u.name: u.id for u in self.state.users.values()}
            channels = {
                c.name: c.id
                for c in self.state.conversations.values()
                if c.kind in ("public", "private")
            }

        def mention(found: re.Match[str]) -> str:
            sigil, name = found.group(1), found.group(2)
            if sigil == "@" and name in ("here", "channel", "everyone"):
                return f"<!{name}>"
            if sigil == "@" and name in users:
                return f"<@{users[name]}|{name}>"
            if sigil == "#" and name in channels:
                return f"<#{channels[name]}|{name}>"
            return found.group(0)

        escaped = re.sub(r"(?<![\w<])([@#])([\w.\-]+)", mention, escaped)
        return re.sub(r"(?<![<|])\b(https?://[^\s<>]+)", r"<\1>", escaped)

    # -- reading ---------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def messages_in(self, channel: str) -> list[Message]:
        with self.lock:
            return [m for m in self.state.messages if m.channel == channel]

    def dm_channel(self, *user_ids: str) -> str:
        """The app's DM (one user) or group DM (several) with these people."""
        users = sorted(user_ids)
        return slack_id("D" if len(users) == 1 else "G", ",".join(users))

    def slackbot_dm(self, user_id: str) -> str:
        """The user's DM with Slackbot, where Slack files chat.postMessage(channel=U…)."""
        return slack_id("D", "slackbot:" + user_id)

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    # -- refusing --------------------------------------------------------------------
    def refuse(self, method: str, error: str, why: str, **extra: Any) -> dict[str, Any]:
        """Slack's answer to a broken rule; a violation unless the test tolerates it."""
        self.refusals.append((method, error))
        if error not in self.tolerated:
            self.violations.append(f"{method}: {error}: {why}")
        return {"ok": False, "error": error, **extra}

    def check_message(self, surface: str, body: dict[str, Any]) -> str | None:
        """A message answer outside the Web API (an ack, a response_url body): its errors
        recorded as violations; Slack's error code, or None when Slack would show it."""
        code, errors = blockkit.message_ack_errors(body)
        if code is not None:
            self.refuse(surface, code, "; ".join(errors))
        return code

    def check_view_ack(self, body: dict[str, Any], submitted: dict[str, Any] | None) -> None:
        errors = blockkit.submission_ack_errors(body, submitted)
        if errors:
            self.refuse("view_submission ack", "invalid_arguments", "; ".join(errors))

    # -- serving ---------------------------------------------------------------------
    def _take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.method in (method, "*") and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _validate(self, method: str, args: dict[str, Any]) -> str | None:
        spec = METHODS.get(method)
        if spec is None:
            self.violations.append(f"unknown method {method}")
            return "unknown_method"
        # Bolt's per-request WebClient carries the request's team_id as a default parameter
        # of every call (slack_sdk sends it for org-wide installs); Slack accepts it on any
        # method, so it is transport, not an argument the reference has to list.
        unknown = sorted(set(args) - set(spec["args"]) - {"team_id"})
        if unknown:
            self.violations.append(f"{method}: unknown argument(s) {unknown}")
            return "invalid_arguments"
        missing = sorted(set(spec["required"]) - set(args))
        if missing:
            self.violations.append(f"{method}: missing required argument(s) {missing}")
            return "invalid_arguments"
        for name, value in args.items():
            types = spec["args"].get(name) or []
            if "integer" in types and "string" not in types and not _is_int(value):
                self.violations.append(f"{method}: {name} must be an integer, got {value!r}")
                return "invalid_arguments"
        if method == "views.open" and not ({"trigger_id", "interactivity_pointer"} & set(args)):
            self.violations.append("views.open needs trigger_id or interactivity_pointer")
            return "invalid_arguments"
        if method == "conversations.open":
            if not ({"users", "channel"} & set(args)):
                self.violations.append("conversations.open needs users or channel")
                return "invalid_arguments"
            users = [u for u in str(args.get("users", "")).split(",") if u]
            if "users" in args and not 1 <= len(users) <= 8:
                self.violations.append("conversations.open takes 1 to 8 users")
                return "invalid_arguments"
        if method in TEXT_FALLBACK_METHODS and not args.get("text"):
            self.violations.append(f"{method}: every message must carry a plain text fallback")
            return "no_text"
        return None

    def _kind_of(self, method: str, args: dict[str, Any]) -> str | None:
        """The type of conversation a call touches, when its scope depends on it."""
        if method == "conversations.open" and "users" in args:
            users = [u for u in str(args["users"]).split(",") if u]
            return "im" if len(users) == 1 else "mpim"
        channel = str(args.get(CHANNEL_ARG.get(method, "channel")) or "")
        if channel[:1] in ("U", "W"):
            return "im"
        found = self.state.conversations.get(channel)
        return found.kind if found else None

    def _check_scope(self, method: str, args: dict[str, Any]) -> dict[str, Any] | None:
        """Slack's missing_scope answer (needed, provided) when the grant lacks the scope."""
        needed: list[str] = METHODS[method].get("scopes") or []
        if not needed:
            return None
        per_type = all(s.split(":")[0] in TYPE_PREFIX.values() for s in needed)
        if per_type and len(needed) > 1:
            kind = self._kind_of(method, args)
            if kind is not None:
                needed = [s for s in needed if s.split(":")[0] == TYPE_PREFIX[kind]] or needed
        if self.scopes & set(needed):
            return None
        return self.refuse(
            method,
            "missing_scope",
            f"needs {' or '.join(needed)}; app.yaml grants {sorted(self.scopes)}",
            needed=",".join(needed),
            provided=",".join(sorted(self.scopes)),
        )

    def _check_blocks(self, method: str, args: dict[str, Any]) -> dict[str, Any] | None:
        if method in MESSAGE_METHODS:
            code, errors = blockkit.message_errors(
                {**args, "blocks": _maybe_json(args.get("blocks"))}
            )
            if code is not None:
                return self.refuse(
                    method,
                    code,
                    "; ".join(errors),
                    errors=errors,
                    response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
                )
        if method in VIEW_METHODS:
            errors = blockkit.view_errors(_maybe_json(args.get("view")))
            if errors:
                # Slack answers a view it cannot render with invalid_arguments and the lines.
                return self.refuse(
                    method,
                    "invalid_arguments",
                    "; ".join(errors),
                    response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
                )
        return None

    def handle(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self.lock:
            if self.hold_after.get(method, 0) > 0:
                self.hold_after[method] -= 1
                held = None
            else:
                held = self.holds.pop(method, None)
        if held is not None:
            held[0].set()
            held[1].wait(timeout=60)
        delay = self.delays.get(method) or self.delays.get("*")
        if delay:
            time.sleep(delay)  # a slow Slack, on the fake's own request thread
        with self.lock:
            if token is not None:
                args = {**args, "token": token}
            self.calls.append(Call(method, dict(args), time.monotonic()))
            error = self._validate(method, args)
            if error:
                return 200, {"ok": False, "error": error}, {}
            refused = self._check_token(method, str(args.get("token") or ""))
            refused = refused or self._check_scope(method, args)
            refused = refused or self._check_blocks(method, args)
            if refused is not None:
                return 200, refused, {}
            fault = self._take_fault(method)
            if fault is not None and fault.after_success:
                handler = getattr(self, "_m_" + method.replace(".", "_"), None)
                if handler is not None:
                    handler(args)
            if fault is not None:
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
                if fault.status == 429:
                    return 429, {"ok": False, "error": "ratelimited"}, headers
                if fault.status >= 500:
                    return fault.status, {"ok": False, "error": "internal_error"}, headers
                return 200, {"ok": False, "error": fault.error or "fatal_error"}, headers
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            if handler is None:
                return 200, {"ok": True}, {}
            return 200, handler(args), {}

    def _check_token(self, method: str, token: str) -> dict[str, Any] | None:
        if method == "apps.connections.open":
            if token == self.bot_token:
                return self.refuse(method, "not_allowed_token_type", "needs an xapp- app token")
            if token != APP_TOKEN:
                return {"ok": False, "error": "invalid_auth"}
            if "connections:write" not in APP_TOKEN_SCOPES:
                return self.refuse(method, "missing_scope", "needs connections:write")
            return None
        if token == APP_TOKEN:
            return self.refuse(method, "not_allowed_token_type", "an app token is not a bot")
        if token != self.bot_token:
            return {"ok": False, "error": "invalid_auth"}
        return None

    def _next_ts(self) -> str:
        if self.clock is not None:
            return f"{int(self.clock().timestamp())}.{next(self._ids):06d}"
        return f"{1_700_000_000 + next(self._ts)}.{next(self._ids):06d}"

    def _user(self, user_id: str) -> FakeUser | None:
        return self.state.users.get(user_id)

    def _reachable(self, method: str, channel: str) -> tuple[Conversation | None, dict[str, Any]]:
        """The conversation the bot may use, or Slack's refusal: channel_not_found for one it
        cannot see (unknown, or a DM or private channel it is not in), not_in_channel for a
        public channel it was never invited to."""
        found = self.state.conversations.get(channel)
        if found is None or found.slackbot_of is not None:
            return None, self.refuse(method, "channel_not_found", f"no conversation {channel}")
        if not found.bot_member:
            if found.kind in ("im", "mpim"):
                return None, self.refuse(method, "channel_not_found", f"not the app's {channel}")
            return None, self.refuse(method, "not_in_channel", f"the bot is not in {channel}")
        return found, {}

    # -- method behaviour --------------------------------------------------------------
    def _m_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://mentorbot-test.slack.com/",
            "team": "Mentorbot Test",
            "user": "mentorbot",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": "BMENTOR",
        }

    def _m_apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_mode.url}

    def _m_team_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "team": {"id": TEAM_ID, "name": "Mentorbot Test"}}

    def _m_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self._user(str(args["user"]))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user.as_slack()}

    def _m_users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        email = str(args["email"]).lower()
        for user in self.state.users.values():
            if (user.email or f"{user.name}@example.com").lower() == email:
                return {"ok": True, "user": user.as_slack()}
        return {"ok": False, "error": "users_not_found"}

    def _m_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if "channel" in args:
            found, refusal = self._reachable("conversations.open", str(args["channel"]))
            if found is None or found.kind not in ("im", "mpim"):
                return refusal or {"ok": False, "error": "method_not_supported_for_channel_type"}
            return {"ok": True, "channel": {"id": found.id}}
        users = [u for u in str(args["users"]).split(",") if u]
        for user_id in users:
            user = self._user(user_id)
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            if user.deleted:
                return {"ok": False, "error": "user_disabled"}
        channel_id = self.dm_channel(*users)
        if channel_id not in self.state.conversations:
            self.state.conversations[channel_id] = Conversation(
                id=channel_id,
                name=channel_id.lower(),
                kind="im" if len(users) == 1 else "mpim",
                members=set(users),
            )
        return {"ok": True, "channel": {"id": channel_id}}

    def _m_conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        found = self.state.conversations.get(str(args["channel"]))
        if found is None or found.slackbot_of is not None:
            return self.refuse("conversations.join", "channel_not_found", str(args["channel"]))
        if found.kind != "public":
            if found.kind == "private" and not found.bot_member:
                return self.refuse("conversations.join", "channel_not_found", found.id)
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        found.bot_member = True
        return {"ok": True, "channel": found.as_slack()}

    def _m_conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        found = self.state.conversations.get(str(args["channel"]))
        visible = found is not None and found.slackbot_of is None
        if found is None or not visible or (found.kind != "public" and not found.bot_member):
            return self.refuse("conversations.info", "channel_not_found", str(args["channel"]))
        return {"ok": True, "channel": found.as_slack()}

    def _m_conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        found = self.state.conversations.get(str(args["channel"]))
        visible = found is not None and found.slackbot_of is None
        if found is None or not visible or (found.kind != "public" and not found.bot_member):
            return self.refuse("conversations.members", "channel_not_found", str(args["channel"]))
        members = sorted(found.members | ({BOT_USER_ID} if found.bot_member else set()))
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def _post(self, args: dict[str, Any]) -> Message:
        message = Message(
            channel=str(args["channel"]),
            ts=self._next_ts(),
            text=str(args.get("text", "")),
            blocks=_maybe_json(args.get("blocks")),
            metadata=_maybe_json(args.get("metadata")),
            user=BOT_USER_ID,
            thread_ts=args.get("thread_ts"),
        )
        self.state.messages.append(message)
        return message

    def _m_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        channel = str(args["channel"])
        if channel[:1] in ("U", "W"):
            # Slack files a post to a user id in that user's DM with Slackbot, not in the
            # app's DM: the app's later reads of its own DM never see it.
            user = self._user(channel)
            if user is None:
                return self.refuse("chat.postMessage", "channel_not_found", f"no user {channel}")
            if user.deleted:
                return {"ok": False, "error": "user_disabled"}
            slackbot = self.slackbot_dm(channel)
            self.state.conversations.setdefault(
                slackbot,
                Conversation(slackbot, "slackbot", "im", {channel}, False, slackbot_of=channel),
            )
            message = self._post({**args, "channel": slackbot})
            return {"ok": True, "channel": message.channel, "ts": message.ts}
        found, refusal = self._reachable("chat.postMessage", channel)
        if found is None:
            return refusal
        message = self._post(args)
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def _m_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        found, refusal = self._reachable("chat.postEphemeral", str(args["channel"]))
        if found is None:
            return refusal
        if str(args["user"]) not in found.members:
            return self.refuse(
                "chat.postEphemeral", "user_not_in_channel", f"{args['user']} not in {found.id}"
            )
        self.state.ephemerals.append(
            {
                "channel": args["channel"],
                "user": args["user"],
                "text": args.get("text"),
                "blocks": _maybe_json(args.get("blocks")),
            }
        )
        return {"ok": True, "message_ts": self._next_ts()}

    def _m_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        found, refusal = self._reachable("chat.update", str(args["channel"]))
        if found is None:
            return refusal
        for message in self.state.messages:
            if message.channel == args["channel"] and message.ts == args["ts"]:
                message.text = str(args.get("text", message.text))
                message.blocks = _maybe_json(args.get("blocks", message.blocks))
                return {"ok": True, "channel": message.channel, "ts": message.ts}
        return {"ok": False, "error": "message_not_found"}

    def _m_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args["channel"])
        found, refusal = self._reachable("conversations.history", channel)
        if found is None:
            return refusal
        limit = int(args.get("limit", 100))
        oldest = float(args.get("oldest", 0) or 0)
        latest = float(args.get("latest", 0) or 0) or float("inf")
        found_messages = [
            m
            for m in self.state.messages
            if m.channel == channel and oldest <= float(m.ts) <= latest
        ]
        found_messages.sort(key=lambda m: float(m.ts), reverse=True)
        include_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        out = []
        for m in found_messages[:limit]:
            item: dict[str, Any] = {"type": "message", "ts": m.ts, "text": m.text, "user": m.user}
            if include_metadata and m.metadata:
                item["metadata"] = m.metadata
            out.append(item)
        return {"ok": True, "messages": out, "has_more": len(found_messages) > limit}

    def _view(self, args: dict[str, Any], **extra: Any) -> dict[str, Any]:
        view = _maybe_json(args["view"])
        view_id = extra.pop("view_id", None) or f"V{next(self._ids):08d}"
        stored = {**view, "id": view_id, **extra}
        self.state.views[view_id] = stored
        return stored

    def _m_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        trigger = str(args.get("trigger_id", ""))
        if trigger in self.state.used_triggers:
            return {"ok": False, "error": "invalid_trigger_id"}
        self.state.used_triggers.add(trigger)
        view = self._view(args)
        self.state.opened[view["id"]] = ("views.open", trigger)
        return {"ok": True, "view": view}

    def _m_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._view(args)
        self.state.opened[view["id"]] = ("views.push", str(args.get("trigger_id", "")))
        return {"ok": True, "view": view}

    def _m_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        if view_id and view_id not in self.state.views:
            return {"ok": False, "error": "not_found"}
        return {"ok": True, "view": self._view(args, view_id=view_id)}

    def _m_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args["user_id"])
        if self._user(user_id) is None:
            return {"ok": False, "error": "user_not_found"}
        view = self._view(args)
        self.state.home[user_id] = view
        return {"ok": True, "view": view}

    def _m_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        file_id = f"F{next(self._ids):08d}"
        self.state.files[file_id] = {"filename": args["filename"], "length": int(args["length"])}
        return {"ok": True, "upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        if args.get("channel_id"):
            found, refusal = self._reachable(
                "files.completeUploadExternal", str(args["channel_id"])
            )
            if found is None:
                return refusal
        files = _maybe_json(args["files"])
        for item in files:
            if item["id"] not in self.state.uploads:
                return {"ok": False, "error": "file_not_found"}
            self.state.files[item["id"]].update(
                title=item.get("title"),
                channel=args.get("channel_id"),
                initial_comment=args.get("initial_comment"),
            )
        return {"ok": True, "files": [{"id": f["id"]} for f in files]}


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and value.lstrip("-").isdigit()


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _make_handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            for name, value in headers.items():
                self.send_header(name, value)
            try:
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                # the caller hung up (a test killed the app mid-call): Slack would not
                # notice either, and the call is already recorded
                self.close_connection = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if len(raw) < length:  # the caller died mid-body: Slack never sees such a request
                self.close_connection = True
                return
            path = urllib.parse.urlparse(self.path).path
            if path.startswith("/respond/"):
                with fake.lock:
                    payload = json.loads(raw or b"{}")
                    refused = fake.check_message("response_url", payload)
                    if refused is None:
                        fake.state.responses.append({"url": path, **payload})
                self._reply(200, {"ok": refused is None, "error": refused}, {})
                return
            if path.startswith("/upload/"):
                with fake.lock:
                    fake.state.uploads[path.rsplit("/", 1)[1]] = raw
                self._reply(200, {"ok": True}, {})
                return
            if not path.startswith("/api/"):
                self._reply(404, {"ok": False, "error": "not_found"}, {})
                return
            method = path[len("/api/") :]
            content_type = self.headers.get("Content-Type", "")
            args: dict[str, Any]
            if content_type.startswith("application/json"):
                args = json.loads(raw or b"{}")
            else:
                args = {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
            token = None
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Bearer "):
                token = auth[len("Bearer ") :]
            status, body, headers = fake.handle(method, args, token)
            self._reply(status, body, headers)

        do_GET = do_POST  # noqa: N815

    return Handler


def running_fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    try:
        yield fake
    finally:
        fake.stop()
