"""Deliver the outbox to Slack: in order per conversation, paced by Slack, never twice.

A message's attempt is counted, with its start time, and committed before the Slack call.
If the process dies after Slack accepted the message but before it was marked sent, the
next attempt finds the message by the outbox key carried in its metadata instead of posting
again. That is the only reading of a conversation the bot does, and it is kept to the least:
conversations.history of that one conversation, only the few minutes around the uncertain
attempt's start (`oldest`/`latest`), a small `limit`, and of what comes back only the bot's
own messages (those carrying its metadata) are looked at. Only the scheduler leader runs
this, so there is one sender at a time.
A DM is opened once: later messages to the same members reuse the channel an earlier one
went to, since conversations.open (Tier 3, ~50 a minute) would otherwise cap every DM.
A notice is rendered just before it is sent; one about a match that has ended since it was
decided is dropped, unless it is one that may follow an end (the end notice, final surveys).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from flows import notices
from flows.codec import CodecError
from handlers.messages import render
from handlers.pacing import Pacer
from models import outbox
from models.clock import Clock
from models.db import SessionFactory
from models.matches import is_open

log = logging.getLogger("mentorbot.delivery")

METADATA_EVENT = "mentorbot_message"
# Slack errors that no retry can fix for this message.
PERMANENT = frozenset(
    {
        "user_disabled",
        "user_not_found",
        "users_not_found",
        "channel_not_found",
        "is_archived",
        "cannot_dm_bot",
        "not_in_channel",
        "invalid_blocks",
        "msg_too_long",
        "no_text",
        "invalid_arguments",
        "restricted_action",
    }
)
# Errors of a post into a channel borrowed from an earlier message: open it afresh instead.
STALE_CHANNEL = frozenset({"channel_not_found", "is_archived", "not_in_channel"})
# Errors that mean the workspace's token no longer works: stop, don't loop.
REVOKED = frozenset({"token_revoked", "account_inactive", "invalid_auth", "not_authed"})
MAX_BACKOFF = timedelta(minutes=10)
MAX_ATTEMPTS = 12
UPLOAD = "files.upload"  # the outbox's name for Slack's two-step upload
# The window of history an uncertain attempt's post can be in: from a little before it
# began (clocks differ) to its call's timeout (with the SDK's one retry) and a little more.
HISTORY_BEFORE = timedelta(minutes=2)
HISTORY_AFTER = timedelta(minutes=2)
HISTORY_LIMIT = 30
# Conversations delivered side by side; each one's messages stay in order on one worker.
WORKERS = 8


@dataclass
class _RunState:
    revoked: set[int]
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class DeliveryReport:
    sent: int = 0
    recovered: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    failures: list[tuple[int, str]] = field(default_factory=list)


FailureHook = Callable[[outbox.PendingMessage, notices.Notice | None, str], None]


class RetryLaterError(Exception):
    def __init__(self, error: str, delay: timedelta) -> None:
        super().__init__(error)
        self.error = error
        self.delay = delay


def _retry_after(err: SlackApiError) -> timedelta:
    headers = {k.lower(): v for k, v in (err.response.headers or {}).items()}
    raw = headers.get("retry-after")
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    try:
        return timedelta(seconds=max(1, int(str(raw))))
    except (TypeError, ValueError):
        return timedelta(seconds=30)


def _backoff(attempts: int) -> timedelta:
    return min(MAX_BACKOFF, timedelta(seconds=2 ** min(attempts, 10)))


def _slack_time(moment: datetime) -> str:
    return f"{moment.timestamp():.6f}"


def _already_posted(
    client: WebClient, channel: str, key: str, since: datetime
) -> dict[str, Any] | None:
    """The bot's own message with this outbox key, posted by the attempt that began at
    `since`, if Slack has it: read from that attempt's window of the conversation only."""
    history = client.conversations_history(
        channel=channel,
        include_all_metadata=True,
        oldest=_slack_time(since - HISTORY_BEFORE),
        latest=_slack_time(since + HISTORY_AFTER),
        inclusive=True,
        limit=HISTORY_LIMIT,
    )
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") != METADATA_EVENT:
            continue  # not one of ours: never looked at
        payload = metadata.get("event_payload") or {}
        if payload.get("key") == key:
            return dict(message)
    return None


class Deliverer:
    def __init__(
        self,
        sessions: SessionFactory,
        client: WebClient,
        clock: Clock,
        on_failure: FailureHook | None = None,
        pacer: Pacer | None = None,
        workers: int = WORKERS,
    ) -> None:
        self.sessions = sessions
        self.client = client
        self.clock = clock
        self.on_failure = on_failure
        self.pacer = pacer or Pacer()
        self.workers = workers
        self._report_lock = threading.Lock()
        self.failure_hooks: list[FailureHook] = []

    def add_failure_hook(self, hook: FailureHook) -> None:
        """Features add their reactions to a failed message (e.g. a vanished member)."""
        self.failure_hooks.append(hook)

    def run_once(self, limit: int = 100) -> DeliveryReport:
        """Deliver what is due: conversations in parallel, each one's messages in order."""
        report = DeliveryReport()
        now = self.clock()
        with self.sessions.begin() as s:
            due = outbox.list_due(s, now, limit)
            revoked = outbox.revoked_workspaces(s)
        queues: dict[str, list[outbox.PendingMessage]] = {}
        for message in due:
            queues.setdefault(message.conversation, []).append(message)
        state = _RunState(revoked)
        pending = list(queues.values())
        # One conversation first and alone: a revoked token then stops the workspace after
        # one call instead of one call per worker.
        if pending:
            self._deliver_queue(pending.pop(0), report, state)
        if len(pending) <= 1 or self.workers <= 1:
            for queue in pending:
                self._deliver_queue(queue, report, state)
            return report
        with ThreadPoolExecutor(max_workers=min(self.workers, len(pending))) as pool:
            for future in [
                pool.submit(self._deliver_queue, queue, report, state) for queue in pending
            ]:
                future.result()
        return report

    def _deliver_queue(
        self, queue: list[outbox.PendingMessage], report: DeliveryReport, state: _RunState
    ) -> None:
        for message in queue:
            with state.lock:
                if message.workspace_id in state.revoked:
                    return
            outcome = self._deliver(message, report)
            if outcome == "revoked":
                with state.lock:
                    state.revoked.add(message.workspace_id)
                return
            if outcome in ("retry", "skipped"):
                return  # keep per-conversation order: the rest waits behind this message

    def _notice(self, message: outbox.PendingMessage) -> notices.Notice | None:
        return notices.load(message.kind, message.payload) if message.kind else None

    def _deliver(self, message: outbox.PendingMessage, report: DeliveryReport) -> str:
        try:
            notice = self._notice(message)
        except CodecError as unreadable:
            with self.sessions.begin() as s:
                outbox.mark_failed(s, message.id, error=f"unreadable notice: {unreadable}")
            self._failed(message, None, "unreadable_notice", report)
            return "failed"
        borrowed = False
        with self.sessions.begin() as s:
            stale = (
                notice is not None
                and not notice.CLOSING
                and message.match_id is not None
                and not is_open(s, message.match_id)
            )
            if stale:
                outbox.mark_cancelled(s, message.id, reason=outbox.MATCH_ENDED)
            elif (claim := outbox.claim_attempt(s, message, at=self.clock())) is None:
                return "skipped"  # another worker claimed this attempt first
            else:
                message, borrowed = claim.message, claim.borrowed
        if stale:
            with self._report_lock:
                report.cancelled += 1
            return "cancelled"
        try:
            channel, ts, recovered = self._call(message, notice, borrowed)
        except RetryLaterError as retry:
            now = self.clock()
            with self.sessions.begin() as s:
                if message.attempts + 1 >= MAX_ATTEMPTS:
                    outbox.mark_failed(s, message.id, error=retry.error)
                else:
                    outbox.mark_retry(s, message.id, error=retry.error, at=now, delay=retry.delay)
            if message.attempts + 1 >= MAX_ATTEMPTS:
                self._failed(message, notice, retry.error, report)
                return "failed"
            with self._report_lock:
                report.retried += 1
            return "retry"
        except SlackApiError as err:
            error = str(err.response.get("error") or "unknown_error")
            if error in REVOKED:
                with self.sessions.begin() as s:
                    outbox.mark_revoked(s, message.workspace_id, self.clock())
                log.error("workspace %s: token no longer works (%s)", message.workspace_id, error)
                return "revoked"
            with self.sessions.begin() as s:
                outbox.mark_failed(s, message.id, error=error)
            self._failed(message, notice, error, report)
            return "failed"
        with self.sessions.begin() as s:
            outbox.mark_sent(s, message.id, channel=channel, ts=ts, at=self.clock())
        with self._report_lock:
            if recovered:
                report.recovered += 1
            else:
                report.sent += 1
        return "sent"

    def _failed(
        self,
        message: outbox.PendingMessage,
        notice: notices.Notice | None,
        error: str,
        report: DeliveryReport,
    ) -> None:
        with self._report_lock:
            report.failed += 1
            report.failures.append((message.id, error))
        log.warning("outbox message %s failed: %s", message.key, error)
        hooks = [self.on_failure, *self.failure_hooks] if self.on_failure else self.failure_hooks
        for hook in hooks:
            try:
                hook(message, notice, error)
            except Exception:
                log.exception("failure hook for %s failed", message.key)

    def _call(
        self, message: outbox.PendingMessage, notice: notices.Notice | None, borrowed: bool
    ) -> tuple[str | None, str | None, bool]:
        try:
            return self._call_slack(message, notice, borrowed)
        except SlackApiError as err:
            status = err.response.status_code
            error = str(err.response.get("error") or f"http_{status}")
            if status == 429 or error == "ratelimited":
                raise RetryLaterError("ratelimited", _retry_after(err)) from err
            if status >= 500 or error in {"internal_error", "fatal_error", "service_unavailable"}:
                raise RetryLaterError(error, _backoff(message.attempts)) from err
            if error not in PERMANENT and error not in REVOKED:
                log.warning("unexpected Slack error %s for %s", error, message.key)
            raise
        except OSError as err:  # connection refused, reset, timeout
            raise RetryLaterError(type(err).__name__, _backoff(message.attempts)) from err

    def _call_slack(
        self, message: outbox.PendingMessage, notice: notices.Notice | None, borrowed: bool
    ) -> tuple[str | None, str | None, bool]:
        payload = render(notice) if notice is not None else dict(message.payload)
        if message.method == UPLOAD:
            return self._upload(message, payload["upload"])
        if message.method != "chat.postMessage":
            self.pacer.wait(message.method, payload.get("channel"))
            response = self.client.api_call(message.method, json=payload)
            return payload.get("channel"), response.get("ts"), False
        channel = message.slack_channel
        if channel is None:
            channel = self._open(message)
        elif message.attempts > 0:
            self.pacer.wait("conversations.history")
            since = message.attempted_at or message.created_at or self.clock()
            found = _already_posted(self.client, channel, message.key, since)
            if found is not None:
                return channel, str(found.get("ts")), True
        payload["channel"] = channel
        payload["metadata"] = {"event_type": METADATA_EVENT, "event_payload": {"key": message.key}}
        self.pacer.wait("chat.postMessage", channel)
        try:
            response = self.client.chat_postMessage(**payload)
        except SlackApiError as err:
            if not borrowed or err.response.get("error") not in STALE_CHANNEL:
                raise
            # Nothing was posted; forget the borrowed channel and open the conversation.
            with self.sessions.begin() as s:
                outbox.remember_channel(s, message.id, None)
            raise RetryLaterError("stale_channel", timedelta(seconds=1)) from err
        return str(response.get("channel") or channel), str(response.get("ts")), False

    def _upload(
        self, message: outbox.PendingMessage, upload: dict[str, Any]
    ) -> tuple[str | None, str | None, bool]:
        """Slack's two-step upload, shared to the message's channel.

        An upload carries no metadata to find it by, so a retry after an attempt whose answer
        was lost uploads again: the one place where a crash can repeat (a second file).
        """
        channel = message.conversation
        self.pacer.wait("files.upload", channel)
        response = self.client.files_upload_v2(channel=channel, **upload)
        files = response.get("files") or [{}]
        return channel, str((files[0] or {}).get("id") or ""), False

    def _open(self, message: outbox.PendingMessage) -> str:
        """The message's channel, opened now if it is a DM, and remembered before anything
        is posted to it."""
        channel = message.conversation
        if channel.startswith("users:"):
            self.pacer.wait("conversations.open")
            opened = self.client.conversations_open(users=channel[len("users:") :])
            channel = str(opened["channel"]["id"])
        with self.sessions.begin() as s:
            outbox.remember_channel(s, message.id, channel)
        return channel
