"""`mentorbot serve`: check, migrate, run until SIGTERM or SIGINT, then stop cleanly.

Startup checks what a person can get wrong before it changes anything: the database opens,
Slack is reachable and takes the token; then it migrates and serves. A stop refuses new
work, lets what is in flight finish (bounded by STOP_TIMEOUT), stops the scheduler and
hands its lease back, so another replica takes over at once instead of after the lease.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import threading
import time
import urllib.error
from types import FrameType
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine

from bot.app import create_app, make_client
from bot.errors import OperatorError, describe_database, first_line
from bot.jobs import install_jobs
from bot.migrate import current_revision, upgrade
from bot.scheduler import LeaderScheduler
from bot.server import (
    Health,
    HttpServer,
    ListenerPool,
    SocketModeServer,
    health_wsgi,
    make_wsgi,
)
from bot.settings import Mode, Settings
from bot.slack_status import SlackStatus, clear_revocation, require_token
from models.clock import system_clock
from models.db import make_engine

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

log = logging.getLogger("mentorbot")

SLACK_CHECK_EVERY = 300  # seconds between auth.test calls for health and revocation


def _on_signals(stopping: threading.Event) -> None:
    def handle(signum: int, _frame: FrameType | None) -> None:
        if stopping.is_set():
            os._exit(128 + signum)  # a second signal: the operator wants out now
        stopping.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def _connect_socket_mode(server: SocketModeServer, api_url: str) -> None:
    try:
        server.connect()
    except SlackApiError as error:
        code = error.response.get("error")
        raise OperatorError(
            f"Slack refused SLACK_APP_TOKEN ({code}).\n"
            "Create an app-level token with connections:write (Basic Information, "
            "App-Level Tokens) and enable Socket Mode for the app."
        ) from error
    except (urllib.error.URLError, OSError) as error:
        raise OperatorError(
            f"cannot open a Socket Mode connection through {api_url} ({first_line(error)})."
        ) from error


def _listen(
    app: WSGIApplication, host: str, port: int, setting: str, threads: int = 16
) -> HttpServer:
    try:
        return HttpServer(app, host, port, threads=threads)
    except OSError as error:
        raise OperatorError(
            f"cannot listen on {host}:{port} ({error.strerror or error}).\n"
            f"Is another mentorbot (or another server) using it? Choose another with {setting}."
        ) from error


def serve(settings: Settings, mode: Mode, *, host: str, port: int | None, jobs: bool = True) -> int:
    """Serve Slack until told to stop; with `jobs` False this replica never leads (it only
    answers requests: another one runs the scheduled jobs and the outbox)."""
    engine = make_engine(settings.database_url)
    try:
        return _serve(settings, mode, engine, host=host, port=port, jobs=jobs)
    except BaseException:
        engine.dispose()  # a start that failed leaves no connection or open file behind
        raise


def _serve(
    settings: Settings, mode: Mode, engine: Engine, *, host: str, port: int | None, jobs: bool
) -> int:
    database = describe_database(settings.database_url)
    current_revision(engine)
    status = SlackStatus(make_client(settings), system_clock)
    identity = require_token(status, settings.slack_api_url)
    upgrade(engine)
    pool = ListenerPool()
    bot = create_app(settings, engine=engine, after_executor=pool)
    clear_revocation(bot.sessions, identity)

    scheduler = LeaderScheduler(bot)
    install_jobs(bot, scheduler)

    def check_slack() -> None:
        result = status.check()  # every replica, for its health endpoint
        if scheduler.is_leader:
            clear_revocation(bot.sessions, result)

    scheduler.add_job("slack-check", SLACK_CHECK_EVERY, check_slack, leader_only=False)
    health = Health(bot, status, scheduler)
    stopping = threading.Event()

    front: HttpServer | SocketModeServer
    health_server: HttpServer | None = None
    if mode == "socket":
        assert settings.app_token is not None
        front = SocketModeServer(bot, settings.app_token)
        if settings.health_port:
            health_server = _listen(
                health_wsgi(health), host, settings.health_port, "HEALTH_PORT", threads=2
            )
    else:
        front = _listen(make_wsgi(bot, health), host, port or settings.port, "PORT or --port")
    # What is loaded by now (modules, the app) lives as long as the process: keep it out of
    # the cyclic collector, whose full passes otherwise stop every request for ~150 ms.
    gc.freeze()
    where = f"workspace {identity.workspace()}, database: {database}"
    if isinstance(front, SocketModeServer):
        try:
            _connect_socket_mode(front, settings.slack_api_url)
        except BaseException:
            if health_server is not None:
                health_server.drain(time.monotonic())
            pool.shutdown(wait=False)
            raise
    _on_signals(stopping)  # from here on a stop drains; before, nothing was in flight
    if jobs:
        scheduler.start()
    try:
        if isinstance(front, SocketModeServer):
            health_at = (
                f"; health on http://{host}:{health_server.port}/healthz" if health_server else ""
            )
            log.info("Connected to Slack in Socket Mode: %s%s", where, health_at)
            if health_server is not None:
                health_server.serve(stopping)
            else:
                while not stopping.wait(1):
                    pass
        else:
            url = f"http://{host}:{front.port}/slack/events"
            log.info("Serving on %s (HTTP mode): %s", url, where)
            front.serve(stopping)
    except BaseException:
        scheduler.stop(timeout=settings.stop_timeout)
        raise
    return _stop(settings, front, health_server, pool, scheduler, engine)


def _stop(
    settings: Settings,
    front: HttpServer | SocketModeServer,
    health_server: HttpServer | None,
    pool: ListenerPool,
    scheduler: LeaderScheduler,
    engine: Engine,
) -> int:
    deadline = time.monotonic() + settings.stop_timeout
    log.info(
        "stopping: finishing work in flight (at most %.0f s), then releasing the lease",
        settings.stop_timeout,
    )
    requests_done = front.drain(deadline)
    listeners_done = pool.tracker.wait_idle(deadline)
    jobs_done = scheduler.stop(timeout=max(deadline - time.monotonic(), 0.0))
    if health_server is not None:
        health_server.drain(time.monotonic())
    pool.shutdown(wait=False, cancel_futures=True)
    if requests_done and listeners_done and jobs_done:
        engine.dispose()
        log.info("stopped cleanly")
        return 0
    log.error(
        "stopped after %.0f s with work unfinished (requests %s, listeners %s, jobs %s)",
        settings.stop_timeout,
        "done" if requests_done else "cut",
        "done" if listeners_done else "cut",
        "done" if jobs_done else "cut",
    )
    logging.shutdown()
    os._exit(1)  # threads still stuck in Slack calls would otherwise hold the exit
