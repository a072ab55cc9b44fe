"""What the sandbox remembers beside Slack's record: the order things appeared, and modals.

The fake keeps messages, ephemerals, response_url posts and files in separate lists; the page
shows them interleaved, so each item gets a sequence number (and the bot's time) when the
sandbox first sees it. Modals are a per-person stack, as in Slack: views.open starts one,
views.push adds to it, a submission's ack closes, updates, pushes or shows field errors.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from testkit.slack import FakeSlack


@dataclass
class Seen:
    seq: int
    at: datetime


@dataclass
class Timeline:
    fake: FakeSlack
    clock: Callable[[], datetime]
    messages: list[Seen] = field(default_factory=list)  # parallel to fake.state.messages
    ephemerals: list[Seen] = field(default_factory=list)  # parallel to fake.state.ephemerals
    responses: list[Seen] = field(default_factory=list)  # parallel to fake.state.responses
    files: dict[str, Seen] = field(default_factory=dict)
    # Slash-command acks: Slack shows their text to the person only, like an ephemeral.
    acks: list[tuple[Seen, dict[str, Any]]] = field(default_factory=list)
    triggers: dict[str, str] = field(default_factory=dict)  # trigger_id -> who sent it
    stacks: dict[str, list[str]] = field(default_factory=dict)  # user -> open view ids
    errors: dict[str, dict[str, str]] = field(default_factory=dict)  # view id -> block errors
    _opened: set[str] = field(default_factory=set)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _mark(self) -> Seen:
        return Seen(next(self._seq), self.clock())

    def sync(self) -> None:
        """Number whatever Slack received since the last look; put new modals on stacks."""
        state = self.fake.state
        with self.fake.lock:
            for seen, items in (
                (self.messages, state.messages),
                (self.ephemerals, state.ephemerals),
                (self.responses, state.responses),
            ):
                seen.extend(self._mark() for _ in range(len(items) - len(seen)))
            for file_id, info in state.files.items():
                if file_id not in self.files and info.get("channel"):
                    self.files[file_id] = self._mark()
            for view_id, (method, trigger) in state.opened.items():
                if view_id in self._opened:
                    continue
                self._opened.add(view_id)
                user = self.triggers.get(trigger)
                if user is None:
                    continue  # opened from no request of ours: nobody's screen shows it
                stack = self.stacks.setdefault(user, [])
                if method == "views.open":
                    stack.clear()
                stack.append(view_id)

    def add_ack(self, user: str, channel: str, body: dict[str, Any]) -> None:
        self.acks.append((self._mark(), {"user": user, "channel": channel, **body}))

    def modal(self, user: str) -> dict[str, Any] | None:
        """The view on top of the person's modal stack, as Slack holds it now."""
        stack = self.stacks.get(user) or []
        if not stack:
            return None
        with self.fake.lock:
            view = self.fake.state.views.get(stack[-1])
        return dict(view) if view is not None else None

    def answered(self, user: str, view_id: str, ack: dict[str, Any]) -> None:
        """Apply a view_submission's ack to the person's modals, as Slack does."""
        stack = self.stacks.setdefault(user, [])
        action = ack.get("response_action")
        self.errors.pop(view_id, None)
        if action == "errors":
            self.errors[view_id] = {str(k): str(v) for k, v in (ack.get("errors") or {}).items()}
        elif action == "update" and isinstance(ack.get("view"), dict):
            with self.fake.lock:
                self.fake.state.views[view_id] = {**ack["view"], "id": view_id}
        elif action == "push" and isinstance(ack.get("view"), dict):
            pushed = f"VPUSH{next(self._seq):06d}"
            with self.fake.lock:
                self.fake.state.views[pushed] = {**ack["view"], "id": pushed}
            stack.append(pushed)
        elif action == "clear":
            stack.clear()
        elif view_id in stack:
            stack.remove(view_id)

    def close(self, user: str, view_id: str) -> None:
        stack = self.stacks.get(user) or []
        if view_id in stack:
            stack.remove(view_id)
