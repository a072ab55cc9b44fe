"""The HTTP server: Slack on POST /slack/events, liveness on GET /healthz, via waitress.

waitress is a pure-Python, production WSGI server with a bounded thread pool; Bolt's own
development server is single-threaded and documented as not for production.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import text

from bot.app import Mentorbot

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("mentorbot.server")

SLACK_PATH = "/slack/events"


def _json(start_response: StartResponse, status: str, body: dict[str, object]) -> list[bytes]:
    raw = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(raw)))]
    )
    return [raw]


def make_wsgi(bot: Mentorbot) -> WSGIApplication:
    slack = SlackRequestHandler(bot.app, path=SLACK_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            try:
                with bot.engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
            except Exception:
                log.exception("health check: database unreachable")
                return _json(start_response, "503 Service Unavailable", {"ok": False})
            return _json(start_response, "200 OK", {"ok": True})
        if path == SLACK_PATH and method == "POST":
            return slack(environ, start_response)
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    return application


def serve_http(bot: Mentorbot, port: int, host: str = "0.0.0.0") -> None:
    from waitress import serve

    log.info("serving Slack on http://%s:%s%s", host, port, SLACK_PATH)
    serve(make_wsgi(bot), host=host, port=port, threads=16, ident="mentorbot")
