"""The sandbox's page and its JSON API, served on 127.0.0.1 by the standard library.

GET /api/state?as=U…&channel=C… is everything that person sees; POST /api/command, /action,
/submit, /close, /home act as them and /api/clock moves the bot's time. The page itself is
static (page.html, page.js, page.css beside this module) and draws Block Kit in the browser.
Only this page may drive it: a request naming another host (DNS rebinding) is refused, and a
POST must be JSON, which another site's page cannot send here without the browser asking first.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sandbox import people
from sandbox.person import Where
from sandbox.world import SKIPS, Sandbox
from testkit.slack import GENERAL

log = logging.getLogger("mentorbot.sandbox")

HERE = Path(__file__).resolve().parent
STATIC = {"/": "page.html", "/page.js": "page.js", "/page.css": "page.css"}
CLOCK_MOVES = ("monday", "next", *SKIPS)
MAX_BODY = 1024 * 1024
LOOPBACK_NAMES = ("127.0.0.1", "localhost")


class BadRequestError(Exception):
    pass


def _user(body: dict[str, Any]) -> str:
    user = str(body.get("as", ""))
    if people.by_id(user) is None:
        raise BadRequestError(f"no such person: {user!r}")
    return user


def people_json() -> list[dict[str, Any]]:
    return [
        {
            "id": p.id,
            "name": p.real_name,
            "tz": p.tz,
            "title": p.title,
            "admin": p.id == people.ADMIN,
        }
        for p in people.PEOPLE
    ]


def post(sandbox: Sandbox, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """One POST: act as the person named in `as`, or move the clock."""
    if path == "/api/clock":
        move = str(body.get("move", ""))
        if move not in CLOCK_MOVES:
            raise BadRequestError(f"clock moves are {', '.join(CLOCK_MOVES)}")
        return {"now": sandbox.skip(move).isoformat()}
    user = _user(body)
    if path == "/api/command":
        text = str(body.get("text", "")).strip()
        text = text.removeprefix("/mentor").strip()
        return sandbox.command(user, text, str(body.get("channel") or GENERAL))
    if path == "/api/action":
        where = Where(
            channel=body.get("channel") or None,
            ts=body.get("ts") or None,
            view_id=body.get("view_id") or None,
        )
        action = body.get("action")
        if not isinstance(action, dict):
            raise BadRequestError("action must be an object")
        values = body.get("values")
        return sandbox.action(user, action, where, values if isinstance(values, dict) else None)
    if path == "/api/submit":
        values = body.get("values")
        return sandbox.submit(
            user, str(body.get("view_id", "")), values if isinstance(values, dict) else {}
        )
    if path == "/api/close":
        sandbox.close(user, str(body.get("view_id", "")))
        return {}
    if path == "/api/home":
        return sandbox.open_home(user)
    raise BadRequestError(f"no such endpoint: {path}")


def make_handler(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            log.debug("page: " + format, *args)

        def _send(self, status: int, raw: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(raw)

        def _json(self, status: int, body: Any) -> None:
            self._send(status, json.dumps(body).encode(), "application/json; charset=utf-8")

        def _ours(self) -> bool:
            """Addressed to this machine by name (not a rebound domain); else answered 421."""
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
            if host in LOOPBACK_NAMES:
                return True
            self._json(421, {"error": "the sandbox answers on 127.0.0.1 only"})
            return False

        def do_GET(self) -> None:
            if not self._ours():
                return
            url = urllib.parse.urlparse(self.path)
            query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
            if url.path == "/favicon.ico":
                self._send(204, b"", "image/x-icon")
            elif url.path in STATIC:
                name = STATIC[url.path]
                kind = mimetypes.guess_type(name)[0] or "text/plain"
                self._send(200, (HERE / name).read_bytes(), f"{kind}; charset=utf-8")
            elif url.path == "/api/people":
                self._json(200, people_json())
            elif url.path == "/api/state":
                try:
                    user = _user(query)
                except BadRequestError as error:
                    self._json(400, {"error": str(error)})
                    return
                self._json(200, sandbox.state(user, query.get("channel") or None))
            elif url.path.startswith("/api/file/"):
                found = sandbox.file(url.path.rsplit("/", 1)[-1])
                if found is None:
                    self._json(404, {"error": "no such file"})
                    return
                name, data = found
                self._send(200, data, mimetypes.guess_type(name)[0] or "application/octet-stream")
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            if not self._ours():
                return
            if not (self.headers.get("Content-Type") or "").startswith("application/json"):
                self._json(415, {"error": "send JSON"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._json(413, {"error": "too large"})
                return
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(body, dict):
                    raise BadRequestError("send a JSON object")
                self._json(200, post(sandbox, urllib.parse.urlparse(self.path).path, body))
            except (BadRequestError, ValueError, KeyError) as error:
                self._json(400, {"error": str(error)})
            except Exception as error:
                log.exception("sandbox request failed")
                self._json(500, {"error": f"{type(error).__name__}: {error}"})

    return Handler


class PageServer:
    """The page on 127.0.0.1 (never another interface: the sandbox is one person's)."""

    def __init__(self, sandbox: Sandbox, port: int = 0) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(sandbox))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def start(self) -> PageServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
