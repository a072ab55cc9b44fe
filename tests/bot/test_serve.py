"""`mentorbot serve --http` as a real process: health, a signed command, forged requests."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from models.tables import AuditEntry, OutboxMessage, Person, Workspace
from testkit.requests import SIGNING_SECRET, Payloads, post_http, sign
from testkit.serve import serve_process
from testkit.slack import BOT_TOKEN, FakeSlack


@dataclass
class Server:
    url: str


@pytest.fixture
def server(fake_slack: FakeSlack, engine: Engine) -> Iterator[Server]:
    url, stop = serve_process(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        }
    )
    try:
        yield Server(url)
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


def test_help_is_answered_while_ten_listeners_wait_on_a_slow_slack(
    server: Server, fake_slack: FakeSlack, engine: Engine
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from models.db import make_session_factory
    from tests.support.enroll_world import make_enroll_world

    with make_session_factory(engine).begin() as s:  # an open program: joins ask Slack
        make_enroll_world(s, datetime.now(UTC))
    payloads = Payloads(response_url=fake_slack.response_url())
    form = "application/x-www-form-urlencoded"
    fake_slack.delays["*"] = 6.0  # every Web API call takes Slack six seconds

    def send(body: str) -> tuple[int, float]:
        started = time.monotonic()
        status, _ = post_http(
            f"{server.url}/slack/events", body, content_type=form, headers=sign(body)
        )
        return status, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=11) as pool:
        # ten people press /mentor join: each answer then waits on users.info and views.open
        joins = [
            pool.submit(send, payloads.slash_command(f"UWAIT{n:05d}", "join")) for n in range(10)
        ]
        help_status, help_took = send(payloads.slash_command("UHELP00001", "help"))
        acks = [future.result(timeout=60) for future in joins]
    assert help_status == 200
    assert help_took < 3.0, help_took  # Slack's own limit for an answer
    assert all(status == 200 and took < 3.0 for status, took in acks), acks
