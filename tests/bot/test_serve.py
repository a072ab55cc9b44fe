"""`mentorbot serve --http` as a real process: health, a signed command, forged requests."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from models.tables import AuditEntry, OutboxMessage, Person, Workspace
from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.support.slack_requests import SIGNING_SECRET, Payloads, post_http, sign

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_line(process: subprocess.Popen[str], needle: str, timeout: float) -> list[str]:
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=deadline - time.monotonic())
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError("server did not start:\n" + "".join(seen))


@pytest.fixture
def server(fake_slack: FakeSlack, engine: Engine) -> Iterator[Server]:
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
    }
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--http",
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        _wait_for_line(process, "Serving on", timeout=60)
        yield Server(f"http://127.0.0.1:{port}", process)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.__tablename__: int(conn.scalar(select(func.count()).select_from(table)) or 0)
            for table in (Workspace, Person, AuditEntry, OutboxMessage)
        }


def test_health_help_and_forged_requests(
    server: Server, fake_slack: FakeSlack, engine: Engine
) -> None:
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
        assert response.status == 200
        assert json.loads(response.read()) == {"ok": True}

    payloads = Payloads(response_url=fake_slack.response_url())
    body = payloads.slash_command("U0000001", "help")
    form = "application/x-www-form-urlencoded"
    started = time.monotonic()
    status, text = post_http(
        f"{server.url}/slack/events", body, content_type=form, headers=sign(body)
    )
    elapsed = time.monotonic() - started
    assert status == 200
    assert "/mentor join" in json.loads(text)["text"]
    assert elapsed < 3.0  # Slack's own limit for an answer

    before = _counts(engine)
    calls_before = len(fake_slack.calls)
    forged = sign(body, secret="not-the-secret")
    stale = sign(body, timestamp=int(time.time()) - 6 * 60)
    tampered = sign(body)
    for headers, sent in ((forged, body), (stale, body), (tampered, body + "x"), ({}, body)):
        status, _ = post_http(
            f"{server.url}/slack/events", sent, content_type=form, headers=headers
        )
        assert status == 401
    assert _counts(engine) == before
    assert len(fake_slack.calls) == calls_before


def test_unknown_paths_are_404(server: Server) -> None:
    status, _ = post_http(f"{server.url}/elsewhere", "{}", content_type="application/json")
    assert status == 404
