"""The servers: Slack over HTTP (waitress) or Socket Mode, a health endpoint, clean stops.

waitress is a pure-Python, production WSGI server with a bounded thread pool; Bolt's own
development server is single-threaded and documented as not for production. Every Slack
request is checked here before Bolt sees it: its size (refused before the body is read),
its signature over the raw bytes (nothing is parsed or stored for an unsigned body), and
its shape (a signed but malformed body is a 400, never a 500 from deep inside Bolt).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.app import Mentorbot
from bot.slack_status import SlackStatus
from models import leases

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from bot.scheduler import LeaderScheduler

log = logging.getLogger("mentorbot.server")

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's largest payloads (a modal's view_submission with its whole view) stay well under
# 100 KiB; 1 MiB leaves room and bounds what one request may make us hold in memory.
MAX_BODY = 1024 * 1024
MAX_HEADERS = 32 * 1024
SIGNATURE_WINDOW = 5 * 60  # seconds, as Slack documents
STOP_TIMEOUT = 20.0  # seconds a stop waits for in-flight work before giving up on it
LOOP_TICK = 0.25  # seconds; how quickly the serving loop notices a stop


def _json(start_response: StartResponse, status: str, body: dict[str, object]) -> list[bytes]:
    raw = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(raw)))]
    )
    return [raw]


class Health:
    """What GET /healthz reports: the database, Slack (cached), and the scheduler lease."""

    def __init__(
        self,
        bot: Mentorbot,
        slack: SlackStatus | None = None,
        scheduler: LeaderScheduler | None = None,
    ) -> None:
        self.bot = bot
        self.slack = slack
        self.scheduler = scheduler

    def report(self) -> tuple[bool, dict[str, object]]:
        """(healthy, body). Only the database decides the status: a Slack outage is not
        cured by restarting the bot, so it is reported, not failed on."""
        body: dict[str, object] = {}
        lease = None
        try:
            with self.bot.sessions() as s:
                lease = leases.get_lease(s, "scheduler")
            database_ok = True
            body["database"] = {"ok": True}
        except Exception as error:
            log.error("health check: database unreachable: %s", type(error).__name__)
            database_ok = False
            body["database"] = {"ok": False, "error": type(error).__name__}
        if self.slack is not None:
            body["slack"] = self.slack.last.as_json()
        holder, until = lease if lease is not None else (None, None)
        live = until is not None and until > self.bot.deps.clock()
        body["scheduler"] = {
            "holder": holder if live else None,
            "until": until.isoformat() if live and until else None,
            "this_replica": bool(
                live and self.scheduler is not None and holder == self.scheduler.holder
            ),
        }
        body["ok"] = database_ok
        return database_ok, body

    def wsgi(self, start_response: StartResponse) -> list[bytes]:
        healthy, body = self.report()
        return _json(start_response, "200 OK" if healthy else "503 Service Unavailable", body)


def signature_ok(secret: str, raw: bytes, timestamp: str, signature: str, now: float) -> bool:
    """Slack's v0 signature over the raw bytes, inside Slack's five-minute window."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > SIGNATURE_WINDOW:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def malformed(raw: bytes, content_type: str) -> str | None:
    """Why a signed body is not something Slack sends, or None. Mirrors Bolt's parsing, so
    whatever passes here parses there."""
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    if not body:
        return "empty body"
    payload: Any
    try:
        if content_type.split(";")[0].strip() == "application/json" or body.startswith("{"):
            payload = json.loads(body)
            return None if isinstance(payload, dict) and "type" in payload else "not an event"
        form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        if "payload" in form:
            payload = json.loads(form["payload"])
            if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
                return "payload is not an interaction"
            return None
    except ValueError:
        return "not JSON"
    if "ssl_check" in form or ("command" in form and "user_id" in form):
        return None
    return "not a command, interaction or event"


def make_wsgi(bot: Mentorbot, health: Health | None = None) -> WSGIApplication:
    """The HTTP app: Slack on POST /slack/events (vetted first), health on GET /healthz."""
    slack = SlackRequestHandler(bot.app, path=SLACK_PATH)
    health = health or Health(bot)
    secret = bot.settings.signing_secret or ""

    def refuse(start_response: StartResponse, status: str, error: str) -> list[bytes]:
        return _json(start_response, status, {"ok": False, "error": error})

    def slack_request(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        raw_length = str(environ.get("CONTENT_LENGTH") or "0")
        length = int(raw_length) if raw_length.isdigit() else -1
        if length < 0:
            return refuse(start_response, "400 Bad Request", "bad_content_length")
        if length > MAX_BODY:
            return refuse(start_response, "413 Payload Too Large", "body_too_large")
        raw = environ["wsgi.input"].read(length) if length else b""
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""))
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE", ""))
        if not secret or not signature_ok(secret, raw, timestamp, signature, time.time()):
            return refuse(start_response, "401 Unauthorized", "invalid_signature")
        problem = malformed(raw, str(environ.get("CONTENT_TYPE", "")))
        if problem is not None:
            log.warning("refused a signed but malformed request: %s", problem)
            return refuse(start_response, "400 Bad Request", "malformed_body")
        environ["wsgi.input"] = io.BytesIO(raw)
        environ["CONTENT_LENGTH"] = str(len(raw))
        return slack(environ, start_response)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return health.wsgi(start_response)
        if path == SLACK_PATH and method == "POST":
            return slack_request(environ, start_response)
        return refuse(start_response, "404 Not Found", "not_found")

    return application


def health_wsgi(health: Health) -> WSGIApplication:
    """Socket Mode's small HTTP app: GET /healthz and nothing else."""

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in (
            "GET",
            "HEAD",
        ):
            return health.wsgi(start_response)
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    return application


class Tracker:
    """Counts work in flight, so a stop can wait for it to reach zero."""

    def __init__(self) -> None:
        self._count = 0
        self._idle = threading.Condition()

    def add(self) -> None:
        with self._idle:
            self._count += 1

    def done(self) -> None:
        with self._idle:
            self._count -= 1
            self._idle.notify_all()

    def __enter__(self) -> None:
        self.add()

    def __exit__(self, *_: object) -> None:
        self.done()

    @property
    def busy(self) -> int:
        return self._count

    def wait_idle(self, deadline: float) -> bool:
        with self._idle:
            while self._count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
            return True


class ListenerPool(ThreadPoolExecutor):
    """Bolt's listener threads, counted: a stop waits for what listeners do after the ack."""

    def __init__(self, workers: int = 10) -> None:
        super().__init__(max_workers=workers, thread_name_prefix="listener")
        self.tracker = Tracker()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.tracker.add()  # from submission, so a queued listener is waited for too

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                self.tracker.done()

        try:
            return super().submit(run)
        except BaseException:
            self.tracker.done()
            raise


class HttpServer:
    """waitress on one port, driven by our loop so that a stop can drain it."""

    def __init__(self, app: WSGIApplication, host: str, port: int, threads: int = 16) -> None:
        from waitress.server import create_server

        self.requests = Tracker()

        def counted(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            with self.requests:
                return app(environ, start_response)

        self.server: Any = cast(Any, create_server)(
            counted,
            host=host,
            port=port,
            threads=threads,
            ident="mentorbot",
            max_request_body_size=MAX_BODY,
            max_request_header_size=MAX_HEADERS,
            channel_timeout=60,
        )
        self.port = int(self.server.effective_port)

    def serve(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            self.server.asyncore.loop(
                timeout=LOOP_TICK, map=self.server._map, use_poll=True, count=1
            )

    def _unflushed(self) -> int:
        from waitress.channel import HTTPChannel

        return sum(
            1
            for channel in list(self.server._map.values())
            if isinstance(channel, HTTPChannel) and (channel.requests or channel.total_outbufs_len)
        )

    def drain(self, deadline: float) -> bool:
        """Refuse new connections, finish and send what is in flight; True when all went out."""
        from waitress import wasyncore

        self.server.accepting = False
        wasyncore.dispatcher.close(self.server)  # the listening socket; the trigger stays
        while (self.requests.busy or self._unflushed()) and time.monotonic() < deadline:
            self.server.asyncore.loop(timeout=0.05, map=self.server._map, use_poll=True, count=1)
        drained = not self.requests.busy and not self._unflushed()
        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)
        wasyncore.close_all(self.server._map)
        return drained


class SocketModeServer:
    """Bolt's Socket Mode handler with a gate: after a stop begins, new envelopes are left
    unacknowledged (Slack redelivers events to another connection) while those in flight
    finish and send their acks before the connection closes."""

    def __init__(self, bot: Mentorbot, app_token: str) -> None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler
        from slack_sdk.socket_mode.builtin import SocketModeClient
        from slack_sdk.socket_mode.request import SocketModeRequest

        self.requests = Tracker()
        self.stopping = threading.Event()
        server = self

        class GatedHandler(SocketModeHandler):
            def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
                if server.stopping.is_set():
                    return
                with server.requests:
                    super().handle(client, req)

        self.handler = GatedHandler(bot.app, app_token)

    def connect(self) -> None:
        self.handler.connect()  # type: ignore[no-untyped-call]

    def drain(self, deadline: float) -> bool:
        self.stopping.set()
        drained = self.requests.wait_idle(deadline)
        self.handler.close()  # type: ignore[no-untyped-call]
        return drained
