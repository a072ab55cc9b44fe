"""Acting as a person: every command, click and submit sent to the bot as Slack sends it.

Payloads come from testkit.requests (Slack's field sets and signing) and go over HTTP to the
bot's real server. Each request's response_url names who clicked where
("<user>_<channel>_<message ts>"), so what the bot posts to it is shown to that person,
replacing the clicked message when it says replace_original.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltResponse

from sandbox.timeline import Timeline
from testkit.requests import HttpDriver, Payloads, ack_json
from testkit.slack import FakeSlack

NONE = "none"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Where:
    """Where a click happened: a message (channel and ts) or a view (its id)."""

    channel: str | None = None
    ts: str | None = None
    view_id: str | None = None


def response_name(user: str, channel: str | None, ts: str | None) -> str:
    return f"{user}_{channel or NONE}_{ts or NONE}"


def parse_response_url(path: str) -> tuple[str, str | None, str | None]:
    """(user, channel, message ts) from a response_url path ".../respond/<name>-<n>"."""
    name = path.rsplit("/", 1)[-1].rsplit("-", 1)[0]
    user, channel, ts = [*name.split("_"), NONE, NONE][:3]
    return user, (None if channel == NONE else channel), (None if ts == NONE else ts)


@dataclass
class Actor:
    fake: FakeSlack
    timeline: Timeline
    url: str  # the bot's Slack request URL
    secret: str

    def _driver(self, user: str, channel: str | None = None, ts: str | None = None) -> HttpDriver:
        payloads = Payloads(
            response_url=self.fake.response_url(response_name(user, channel, ts)), slack=self.fake
        )
        return HttpDriver(None, payloads, secret=self.secret, url=self.url)

    def _send(self, driver: HttpDriver, user: str, body: str, content_type: str) -> BoltResponse:
        """Send a signed request, first noting whose trigger_id it carries: a modal the bot
        opens with it is shown on that person's screen."""
        self.timeline.triggers[_trigger_of(body)] = user
        return driver.send(body, content_type=content_type)

    def command(self, user: str, text: str, channel: str) -> dict[str, Any]:
        """`/mentor <text>` typed by `user` in `channel`; the ack is shown to them alone."""
        driver = self._driver(user, channel)
        body = driver.payloads.slash_command(user, text, channel_id=channel)
        response = self._send(driver, user, body, FORM)
        answer = _body(response.body)
        if answer:
            self.timeline.add_ack(user, channel, answer)
        return {"status": response.status, "ack": answer}

    def action(
        self, user: str, action: dict[str, Any], where: Where, values: dict[str, Any] | None
    ) -> dict[str, Any]:
        """A click on `action` (Slack's action fields: action_id, block_id, type, value or
        selected_*) in a message or a view, carrying the view's current input values."""
        action_id = str(action.get("action_id", ""))
        element = {k: v for k, v in action.items() if k not in ("action_id", "block_id", "value")}
        kwargs: dict[str, Any] = {
            "block_id": str(action.get("block_id") or "b"),
            "element": element,
        }
        if where.view_id is not None:
            view = self._view(where.view_id)
            view["state"] = {"values": values or {}}
            kwargs["view"] = view
        elif where.channel is not None:
            kwargs.update(channel_id=where.channel, message_ts=where.ts)
            message = self._message(where.channel, where.ts)
            if message is not None:
                kwargs["message"] = message
        driver = self._driver(user, where.channel, where.ts)
        value = str(action.get("value") or "")
        body = driver.payloads.block_action(user, action_id, value, **kwargs)
        return {"status": self._send(driver, user, body, FORM).status}

    def submit(self, user: str, view_id: str, values: dict[str, Any]) -> dict[str, Any]:
        """Submit the person's modal `view_id` with these state values (Slack's shape)."""
        view = self._view(view_id)
        driver = self._driver(user)
        body = driver.payloads.view_submission(
            user,
            str(view.get("callback_id", "")),
            values,
            private_metadata=str(view.get("private_metadata", "")),
            view_id=view_id,
            blocks=list(view.get("blocks") or []),
        )
        response = self._send(driver, user, body, FORM)
        ack = ack_json(response) if response.status == 200 and response.body else {}
        self.timeline.answered(user, view_id, ack)
        return {"status": response.status, "ack": ack}

    def open_home(self, user: str) -> dict[str, Any]:
        """Open the App Home tab: Slack sends app_home_opened, the bot publishes Home."""
        event = {
            "type": "app_home_opened",
            "user": user,
            "channel": self.fake.dm_channel(user),
            "tab": "home",
            "event_ts": "1.000001",
        }
        response = self._driver(user).event(event)
        return {"status": response.status}

    def _view(self, view_id: str) -> dict[str, Any]:
        with self.fake.lock:
            found = self.fake.state.views.get(view_id)
        if found is None:
            raise KeyError(view_id)
        copied: dict[str, Any] = json.loads(json.dumps(found))  # ours to add state to
        return copied

    def _message(self, channel: str, ts: str | None) -> dict[str, Any] | None:
        with self.fake.lock:
            for m in self.fake.state.messages:
                if m.channel == channel and m.ts == ts:
                    return {"type": "message", "ts": m.ts, "text": m.text, "blocks": m.blocks}
        return None


def _body(raw: str) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        found = json.loads(raw)
    except ValueError:
        return {"text": raw}  # a plain-text ack: Slack shows it as the reply's text
    return found if isinstance(found, dict) else {}


def _trigger_of(body: str) -> str:
    """The trigger_id a form-encoded request carries (a command's field, or its payload's)."""
    fields = {k: v[-1] for k, v in urllib.parse.parse_qs(body).items()}
    if "payload" in fields:
        return str(json.loads(fields["payload"]).get("trigger_id", ""))
    return fields.get("trigger_id", "")
