"""The one rule for every listener, written once: parse → commit → ack → then talk to Slack.

Bolt runs with process_before_response, so the HTTP 200 (or the Socket Mode ack) leaves only
when the listener returns; a listener returns after its flow's transaction has committed, so
a crash at any instant after the ack loses nothing. Calls to Slack that only show something
(open a modal, publish Home, an ephemeral reply) run after the ack on a small pool of our
own, so a slow Slack never holds a request thread and `/mentor help` is always answered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from slack_bolt import Ack, App, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import copy
from handlers.context import Deps
from handlers.errors import shown, user_message
from models.admins import Authority, authority
from models.errors import DomainError

log = logging.getLogger("mentorbot")

# Slack calls made after acks, side by side; each is short (a modal, a Home view, a reply).
AFTER_ACK_WORKERS = 8


@dataclass(frozen=True)
class Request:
    """One Slack request as every listener sees it, parsed once from Slack's body."""

    kind: str  # "command", "action", "view", "event", "options"
    team_id: str
    slack_user_id: str
    channel_id: str = ""
    trigger_id: str = ""
    response_url: str | None = None
    text: str = ""  # a slash command's text
    action_id: str = ""
    value: str = ""  # a button's value or the chosen option's value
    view: Mapping[str, Any] = field(default_factory=dict)
    message_ts: str | None = None
    event: Mapping[str, Any] = field(default_factory=dict)
    event_id: str = ""
    body: Mapping[str, Any] = field(default_factory=dict)

    @property
    def view_id(self) -> str:
        return str(self.view.get("id") or "")

    @property
    def private_metadata(self) -> str:
        return str(self.view.get("private_metadata") or "")

    @property
    def values(self) -> Mapping[str, Any]:
        state = self.view.get("state")
        values = state.get("values") if isinstance(state, Mapping) else None
        return values if isinstance(values, Mapping) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse(body: Mapping[str, Any]) -> Request:
    """The request in `body`, whatever Slack sent; missing or mistyped fields read as empty."""
    user = _dict(body.get("user"))
    team = _dict(body.get("team"))
    event = _dict(body.get("event"))
    kind = {
        "block_actions": "action",
        "view_submission": "view",
        "block_suggestion": "options",
        "event_callback": "event",
    }.get(_str(body.get("type")), "command" if "command" in body else "event")
    team_id = _str(team.get("id")) or _str(user.get("team_id")) or _str(body.get("team_id"))
    user_id = _str(user.get("id")) or _str(body.get("user_id"))
    if kind == "event" and not user_id:
        raw_user = event.get("user")
        user_id = _str(raw_user) or _str(_dict(raw_user).get("id"))
    actions = body.get("actions")
    action = _dict(actions[0]) if isinstance(actions, list) and actions else {}
    selected = _dict(action.get("selected_option"))
    channel = _dict(body.get("channel"))
    container = _dict(body.get("container"))
    message = _dict(body.get("message"))
    return Request(
        kind=kind,
        team_id=team_id,
        slack_user_id=user_id,
        channel_id=_str(channel.get("id"))
        or _str(container.get("channel_id"))
        or _str(body.get("channel_id"))
        or _str(event.get("channel")),
        trigger_id=_str(body.get("trigger_id")),
        response_url=_str(body.get("response_url")) or None,
        text=_str(body.get("text")),
        action_id=_str(action.get("action_id")) or _str(body.get("action_id")),
        value=_str(action.get("value")) or _str(selected.get("value")) or _str(body.get("value")),
        view=_dict(body.get("view")),
        message_ts=_str(message.get("ts")) or _str(container.get("message_ts")) or None,
        event=event,
        event_id=_str(body.get("event_id")),
        body=body,
    )


@dataclass(frozen=True)
class Slack:
    """What after-ack work may do: call the Web API, and answer through the response_url."""

    client: WebClient
    respond: Respond


AfterAck = Callable[[Slack], None]


@dataclass(frozen=True)
class Answer:
    """A listener's answer: what the ack carries, and Slack calls to make once it is sent."""

    ack: Mapping[str, Any] = field(default_factory=dict)
    after: tuple[AfterAck, ...] = ()


def reply(text: str, blocks: list[dict[str, Any]] | None = None) -> Answer:
    """An ephemeral reply in the ack itself (slash commands show it at once)."""
    body: dict[str, Any] = {"text": text, "response_type": "ephemeral"}
    if blocks is not None:
        body["blocks"] = blocks
    return Answer(ack=body)


def tell(text: str, *, replace: bool = False) -> AfterAck:
    """An ephemeral note through the request's response_url (buttons have no ack text)."""

    def send(slack: Slack) -> None:
        slack.respond(text=text, response_type="ephemeral", replace_original=replace)

    return send


def tell_in_dm(slack_user_id: str, text: str) -> AfterAck:
    """Post to the person's DM with the app now. Slack files a post to channel=<user id> in
    their Slackbot DM instead, so the app's DM is opened first."""

    def send(slack: Slack) -> None:
        if not slack_user_id:  # a request that names nobody: there is no one to tell
            return
        channel = slack.client.conversations_open(users=slack_user_id)["channel"]["id"]
        slack.client.chat_postMessage(channel=channel, text=text)

    return send


def then(*after: AfterAck) -> Answer:
    return Answer(after=after)


def open_view(trigger_id: str, view: Any) -> AfterAck:
    """Open a modal (a View or its dict) once the ack is sent; the trigger lives 3 s."""

    def open_(slack: Slack) -> None:
        slack.client.views_open(trigger_id=trigger_id, view=view)

    return open_


def replace_buttons(request: Request, note: str) -> AfterAck:
    """Update the clicked message: its buttons give way to a line saying what was done, so
    an answered question never keeps live buttons (through the request's response_url)."""
    message = _dict(request.body.get("message"))
    blocks = message.get("blocks")
    kept: list[dict[str, Any]] = [
        dict(b)
        for b in (blocks if isinstance(blocks, list) else [])
        if isinstance(b, Mapping) and b.get("type") != "actions"
    ]
    kept.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note[:2900]}]})
    text = _str(message.get("text")) or note

    def update(slack: Slack) -> None:
        if request.response_url:
            slack.respond(text=text, blocks=kept, replace_original=True)

    return update


Handler = Callable[[Request], Answer]


def _refusal(request: Request, text: str) -> Answer:
    if request.kind == "command":
        return reply(text)
    if request.kind == "view":
        return Answer(ack={"response_action": "update", "view": _notice_view(text)})
    if request.channel_id and request.slack_user_id:
        return then(lambda slack: _ephemeral(slack, request, text))
    if request.response_url:
        return then(tell(text))
    if request.slack_user_id:  # a Home button: no reply channel, so the app's own DM
        return then(tell_in_dm(request.slack_user_id, text))
    return Answer()


def _notice_view(text: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "mentorbot"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}}],
    }


@dataclass
class Listeners:
    """Wraps handlers into Bolt listeners that keep the rule, and runs their after-ack work."""

    after_executor: Executor | None = None

    def __post_init__(self) -> None:
        if self.after_executor is None:
            self.after_executor = ThreadPoolExecutor(
                max_workers=AFTER_ACK_WORKERS, thread_name_prefix="after-ack"
            )

    def wrap(self, handler: Handler) -> Callable[..., BoltResponse | None]:
        def listener(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
            request = parse(body)
            try:
                answer = handler(request)
            except DomainError as error:
                answer = _refusal(request, shown(error))
            except SlackApiError as error:
                answer = _refusal(request, user_message(error, context=f"in {request.kind}"))
            except Exception as error:  # every failure still gets a short, honest answer
                answer = _refusal(request, user_message(error, context=f"in {request.kind}"))
            ack(**dict(answer.ack))
            if answer.after:
                self.run_after(answer.after, Slack(client, respond), request)

        return listener

    def run_after(self, after: tuple[AfterAck, ...], slack: Slack, request: Request) -> None:
        assert self.after_executor is not None
        self.after_executor.submit(_run_after, after, slack, request)

    def shutdown(self, wait: bool = True) -> None:
        if self.after_executor is not None and isinstance(self.after_executor, ThreadPoolExecutor):
            self.after_executor.shutdown(wait=wait)


def _run_after(after: tuple[AfterAck, ...], slack: Slack, request: Request) -> None:
    for step in after:
        try:
            step(slack)
        except DomainError as error:
            _apologise(slack, request, shown(error))
        except SlackApiError as error:
            _apologise(slack, request, user_message(error, context=f"after {request.kind}"))
        except Exception as error:  # logged with a reference the person also sees
            _apologise(slack, request, user_message(error, context=f"after {request.kind}"))


def _apologise(slack: Slack, request: Request, text: str) -> None:
    try:
        if request.response_url:
            slack.respond(text=text, response_type="ephemeral", replace_original=False)
        elif request.channel_id and request.slack_user_id:
            slack.client.chat_postEphemeral(
                channel=request.channel_id, user=request.slack_user_id, text=text
            )
    except (SlackApiError, OSError):
        log.warning("could not tell %s about a failure", request.slack_user_id, exc_info=True)


def authority_of(deps: Deps, team_id: str, slack_user_id: str) -> Authority:
    """What the requester administers here: every program (a workspace admin), some, none."""
    with deps.sessions.begin() as s:
        return authority(s, team_id, slack_user_id, global_admins=deps.global_admins)


WORKSPACE: Literal["workspace"] = "workspace"
# What an admin button or modal acts on, read from the request by its feature: a program id
# (its admins and workspace admins may), WORKSPACE (workspace admins only), or None when the
# request names nothing that exists here (any admin reaches the listener, which finds nothing).
Target = int | Literal["workspace"] | None
AdminScope = Callable[[Request], Target]


def permitted(who: Authority, target: Target) -> bool:
    if target == WORKSPACE:
        return who.workspace
    if isinstance(target, int):
        return who.over(target)
    return who.any


@dataclass
class Registrar:
    """Registers listeners on the Bolt app through the one rule, and records what it did.

    The record is what the manifest test compares app.yaml with. Admin-only buttons and views
    are gated here, before the listener runs, against the program each acts on (its scope),
    so no handler can forget the check and the authorization tests can enumerate every gated
    id, and an admin of one program cannot press another program's buttons.
    """

    app: App
    deps: Deps
    listeners: Listeners = field(default_factory=Listeners)
    commands: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)
    views: set[str] = field(default_factory=set)
    shortcuts: set[str] = field(default_factory=set)
    options: set[str] = field(default_factory=set)
    admin_actions: set[str] = field(default_factory=set)
    admin_views: set[str] = field(default_factory=set)
    # What each admin button or modal acts on (None: any admin), for the gate and the sweeps.
    admin_scopes: dict[str, AdminScope | None] = field(default_factory=dict)

    def _admin_gate(self, scope: AdminScope | None) -> Callable[..., BoltResponse | None]:
        def gate(
            body: dict[str, Any],
            client: WebClient,
            respond: Respond,
            next: Callable[[], BoltResponse],
        ) -> BoltResponse | None:
            request = parse(body)
            who = authority_of(self.deps, request.team_id, request.slack_user_id)
            target = scope(request) if scope is not None and who.any else None
            if who.any and permitted(who, target):
                return next()
            answer = _refusal(request, copy.NOT_ADMIN if not who.any else copy.NOT_ADMIN_HERE)
            if answer.after:
                self.listeners.run_after(answer.after, Slack(client, respond), request)
            # Returning a response (not None) tells Bolt the request is answered; a listener
            # middleware that returns None without next() makes Bolt look elsewhere.
            body_out = dict(answer.ack)
            return BoltResponse(status=200, body=body_out or "")

        return gate

    def command(self, name: str, handler: Handler) -> None:
        self.commands.add(name)
        self.app.command(name)(self.listeners.wrap(handler))

    def event(self, event_type: str, handler: Handler) -> None:
        self.events.add(event_type)
        self.app.event(event_type)(self.listeners.wrap(handler))

    def _gated(self, key: str, admin: bool | AdminScope) -> list[Any] | None:
        """The admin gate for `key`: `admin=True` lets any admin through; a scope lets only
        admins of what the request acts on."""
        if admin is False:
            return None
        scope = None if admin is True else admin
        self.admin_scopes[key] = scope
        return [self._admin_gate(scope)]

    def action(self, action_id: str, handler: Handler, *, admin: bool | AdminScope = False) -> None:
        self.actions.add(action_id)
        if admin is not False:
            self.admin_actions.add(action_id)
        self.app.action(action_id, middleware=self._gated(action_id, admin))(
            self.listeners.wrap(handler)
        )

    def view(self, callback_id: str, handler: Handler, *, admin: bool | AdminScope = False) -> None:
        self.views.add(callback_id)
        if admin is not False:
            self.admin_views.add(callback_id)
        self.app.view(callback_id, middleware=self._gated(callback_id, admin))(
            self.listeners.wrap(handler)
        )

    def shortcut(self, callback_id: str, handler: Handler) -> None:
        self.shortcuts.add(callback_id)
        self.app.shortcut(callback_id)(self.listeners.wrap(handler))

    @property
    def interactive(self) -> bool:
        return bool(self.actions or self.views or self.shortcuts)


def _ephemeral(slack: Slack, request: Request, text: str) -> None:
    slack.client.chat_postEphemeral(
        channel=request.channel_id, user=request.slack_user_id, text=text
    )
