"""`mentorbot serve` as a real process, in HTTP mode and in Socket Mode: a command answered
in time in both; over HTTP, health and forged requests (Socket Mode requests carry no
signature: the WebSocket itself was opened with the app token)."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select

from models.tables import AuditEntry, OutboxMessage, Person, Workspace
from testkit.requests import SIGNING_SECRET, Payloads, SlackDriver, ack_json, post_http, sign
from testkit.serve import MODES, process_driver, serve_process
from testkit.slack import BOT_TOKEN, FakeSlack


@dataclass
class Server:
    url: str
    driver: SlackDriver


def start_server(
    mode: str, fake: FakeSlack, engine: Engine, **env: str
) -> tuple[Server, Callable[[], None]]:
    url, stop = serve_process(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            **env,
        },
        mode=mode,
        fake=fake,
    )
    return Server(url, process_driver(mode, url, fake)), stop


@pytest.fixture
def server(fake_slack: FakeSlack, engine: Engine) -> Iterator[Server]:
    started, stop = start_server("http", fake_slack, engine)
    try:
        yield started
    finally:
        stop()


@pytest.fixture(params=MODES)
def any_server(
    request: pytest.FixtureRequest, fake_slack: FakeSlack, engine: Engine
) -> Iterator[Server]:
    started, stop = start_server(request.param, fake_slack, engine)
    try:
        yield started
    finally:
        stop()


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

    payloads = Payloads(response_url=fake_slack.response_url(), slack=fake_slack)
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


def test_a_command_is_answered_in_time_in_both_modes(any_server: Server) -> None:
    started = time.monotonic()
    answer = ack_json(any_server.driver.command("U0000001", "help"))
    assert "/mentor join" in answer["text"]
    assert time.monotonic() - started < 3.0  # Slack's own limit for an answer


def test_unknown_paths_are_404(server: Server) -> None:
    status, _ = post_http(f"{server.url}/elsewhere", "{}", content_type="application/json")
    assert status == 404
