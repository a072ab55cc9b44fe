"""Build Slack's request payloads, sign them, send them through the real app, and read the
ack as Slack would.

Payload shapes follow Slack's own samples (shared/data/slack/samples): form-encoded slash
commands, `payload=` form fields for interactivity, JSON for Events API envelopes. With the
fake attached (Payloads(slack=...)), command text is delivered as Slack delivers what a
person typed, a submitted view carries the blocks the bot opened it with, and every ack body
is checked like Slack checks it (Block Kit, response_action errors naming input blocks).
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

from testkit.slack import TEAM_ID, FakeSlack

SIGNING_SECRET = "test-signing-secret"
_counter = itertools.count(1)


@dataclass(frozen=True)
class SignedRequest:
    body: str
    headers: dict[str, str]


def sign(body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"x-slack-request-timestamp": ts, "x-slack-signature": str(signature)}


def _form(fields: dict[str, Any]) -> str:
    return urllib.parse.urlencode(fields)


@dataclass
class Payloads:
    """Builds unsigned bodies with Slack's field sets."""

    response_url: str = "http://127.0.0.1:9/respond/none"
    team_id: str = TEAM_ID
    slack: FakeSlack | None = None

    def slash_command(self, user_id: str, text: str, channel_id: str = "C0GENERAL") -> str:
        """`text` as the person typed it; Slack's escaping applies when the fake is attached."""
        n = next(_counter)
        if self.slack is not None:
            text = self.slack.typed(text)
        return _form(
            {
                "token": "verification-token-unused",
                "team_id": self.team_id,
                "team_domain": "mentorbot-test",
                "channel_id": channel_id,
                "channel_name": "general",
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": "/mentor",
                "text": text,
                "api_app_id": "AMENTOR",
                "is_enterprise_install": "false",
                "response_url": f"{self.response_url}-{n}",
                "trigger_id": f"{n}.trigger",
            }
        )

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: str = "",
        *,
        block_id: str = "b",
        channel_id: str | None = None,
        message_ts: str | None = None,
        view: dict[str, Any] | None = None,
        element: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
    ) -> str:
        """A click on a button (or, with `element`, the fields Slack sends for another
        element: a select's type and selected_option); `message` is the clicked message as
        Slack sends it (its text and blocks), which a handler may read back."""
        n = next(_counter)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": self.team_id, "domain": "mentorbot-test"},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": self.team_id},
            "api_app_id": "AMENTOR",
            "token": "verification-token-unused",
            "trigger_id": f"{n}.trigger",
            "response_url": f"{self.response_url}-{n}",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                    **(element or {}),
                }
            ],
        }
        if channel_id is not None:
            payload["channel"] = {"id": channel_id, "name": channel_id}
            payload["container"] = {
                "type": "message",
                "channel_id": channel_id,
                "message_ts": message_ts or "1.000001",
            }
            payload["message"] = {"type": "message", "ts": message_ts or "1.000001", "text": ""}
            if message is not None:  # the clicked message as Slack sends it: text and blocks
                payload["message"].update(message)
        if view is not None:
            # A click in a view (App Home, a modal) has no message to answer: no response_url.
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id", "V1")}
            del payload["response_url"]
        return _form({"payload": json.dumps(payload)})

    def view_submission(
        self,
        user_id: str,
        callback_id: str,
        values: dict[str, dict[str, Any]],
        *,
        private_metadata: str = "",
        view_id: str = "VSUBMIT",
        blocks: list[dict[str, Any]] | None = None,
    ) -> str:
        n = next(_counter)
        payload: dict[str, Any] = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "mentorbot-test"},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": self.team_id},
            "api_app_id": "AMENTOR",
            "token": "verification-token-unused",
            "trigger_id": f"{n}.trigger",
            "view": {
                "id": view_id,
                "team_id": self.team_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "state": {"values": values},
                "hash": f"hash-{n}",
            },
            "response_urls": [],
            "is_enterprise_install": False,
        }
        if blocks is not None:
            payload["view"]["blocks"] = blocks
        return _form({"payload": json.dumps(payload)})

    def event(self, event: dict[str, Any], event_id: str | None = None) -> str:
        return json.dumps(
            {
                "token": "verification-token-unused",
                "team_id": self.team_id,
                "api_app_id": "AMENTOR",
                "event": event,
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(_counter):08d}",
                "event_time": int(time.time()),
                "authorizations": [
                    {"team_id": self.team_id, "user_id": "UBOTMENTOR", "is_bot": True}
                ],
            }
        )


@dataclass
class SlackDriver:
    """Sends signed requests through `app.dispatch`, as bolt-python's own tests do
    (subclasses send them to a real server instead, and need no `app`)."""

    app: App | None
    payloads: Payloads = field(default_factory=Payloads)
    secret: str = SIGNING_SECRET

    def send(
        self,
        body: str,
        *,
        content_type: str,
        extra_headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> BoltResponse:
        response = self.transport(
            body, content_type=content_type, extra_headers=extra_headers, timestamp=timestamp
        )
        if self.payloads.slack is not None and response.status == 200:
            _check_ack(self.payloads.slack, body, content_type, response)
        return response

    def transport(
        self,
        body: str,
        *,
        content_type: str,
        extra_headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> BoltResponse:
        headers: dict[str, str | Sequence[str]] = {
            "content-type": content_type,
            **sign(body, self.secret, timestamp),
        }
        headers.update(extra_headers or {})
        assert self.app is not None, "SlackDriver(app, ...) dispatches into an app"
        return self.app.dispatch(BoltRequest(body=body, headers=headers))

    def command(self, user_id: str, text: str = "", **kwargs: Any) -> BoltResponse:
        body = self.payloads.slash_command(user_id, text, **kwargs)
        return self.send(body, content_type="application/x-www-form-urlencoded")

    def action(self, user_id: str, action_id: str, value: str = "", **kwargs: Any) -> BoltResponse:
        """Click a button; with channel_id and message_ts of a message the fake holds, the
        payload carries that message's text and blocks, as Slack's does."""
        fake = self.payloads.slack
        channel, ts = kwargs.get("channel_id"), kwargs.get("message_ts")
        if fake is not None and channel and ts and "message" not in kwargs:
            with fake.lock:
                found = [m for m in fake.state.messages if m.channel == channel and m.ts == ts]
            if found:
                kwargs["message"] = {"text": found[0].text, "blocks": found[0].blocks or []}
        body = self.payloads.block_action(user_id, action_id, value, **kwargs)
        return self.send(body, content_type="application/x-www-form-urlencoded")

    def submit(
        self, user_id: str, callback_id: str, values: dict[str, dict[str, Any]], **kwargs: Any
    ) -> BoltResponse:
        """Submit the modal last opened with `callback_id` (its id and blocks, as Slack
        sends them) with these state values; `blocks=None` forges one Slack never showed."""
        opened = self._opened(callback_id)
        if opened is not None:
            kwargs.setdefault("view_id", opened["id"])
            kwargs.setdefault("blocks", opened.get("blocks") or [])
            if opened.get("private_metadata"):  # Slack sends the view's own metadata back
                kwargs.setdefault("private_metadata", opened["private_metadata"])
        body = self.payloads.view_submission(user_id, callback_id, values, **kwargs)
        return self.send(body, content_type="application/x-www-form-urlencoded")

    def _opened(self, callback_id: str) -> dict[str, Any] | None:
        fake = self.payloads.slack
        if fake is None:
            return None
        with fake.lock:
            views = [v for v in fake.state.views.values() if v.get("callback_id") == callback_id]
        return views[-1] if views else None

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None
    ) -> BoltResponse:
        body = self.payloads.event(event, event_id)
        extra = {}
        if retry_num is not None:
            extra = {"x-slack-retry-num": str(retry_num), "x-slack-retry-reason": "http_timeout"}
        return self.send(body, content_type="application/json", extra_headers=extra)


def _check_ack(fake: FakeSlack, body: str, content_type: str, response: BoltResponse) -> None:
    """Read the ack as Slack would: a message for commands and actions, a response_action
    for view submissions; what Slack would refuse becomes a violation."""
    if content_type.startswith("application/json") or not response.body:
        return
    try:
        ack = json.loads(response.body)
    except ValueError:
        return  # plain text: Slack shows it as the message text
    if not isinstance(ack, dict):
        return
    fields = {k: v[-1] for k, v in urllib.parse.parse_qs(body).items()}
    if "payload" not in fields:
        fake.check_message("slash command ack", ack)
        return
    payload = json.loads(fields["payload"])
    if payload.get("type") == "view_submission":
        view = payload.get("view") or {}
        fake.check_view_ack(ack, view if "blocks" in view else None)
    else:
        fake.check_message(f"{payload.get('type')} ack", ack)


@dataclass
class HttpDriver(SlackDriver):
    """The same requests, signed and POSTed to a real server at `url`."""

    url: str = ""

    def transport(
        self,
        body: str,
        *,
        content_type: str,
        extra_headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> BoltResponse:
        headers = {**sign(body, self.secret, timestamp), **(extra_headers or {})}
        status, text = post_http(self.url, body, content_type=content_type, headers=headers)
        return BoltResponse(status=status, body=text)


def post_http(
    url: str, body: str, *, content_type: str, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    """Send a request to a real server; returns (status, body)."""
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={"Content-Type": content_type, **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def ack_json(response: BoltResponse) -> dict[str, Any]:
    return json.loads(response.body) if response.body else {}
