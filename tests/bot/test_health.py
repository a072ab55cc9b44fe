"""GET /healthz as Socket Mode serves it on its own small port: what it reports, and when 503.

The database decides the status (a restart cures a lost connection, not a Slack outage);
Slack's state is the last cached auth.test, and the lease says who runs the jobs until when.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta

import pytest

from bot.app import Mentorbot, create_app
from bot.scheduler import LEASE_TTL, LeaderScheduler
from bot.server import Health, HttpServer, health_wsgi
from bot.slack_status import SlackStatus
from testkit.slack import TEAM_ID, FakeSlack
from tests.conftest import make_settings
from tests.support.clock import FrozenClock


@pytest.fixture
def serve_health() -> Iterator[object]:
    servers: list[tuple[HttpServer, threading.Event, threading.Thread]] = []

    def start(health: Health) -> str:
        server = HttpServer(health_wsgi(health), "127.0.0.1", 0, threads=2)
        stopping = threading.Event()
        thread = threading.Thread(target=server.serve, args=(stopping,), daemon=True)
        thread.start()
        servers.append((server, stopping, thread))
        return f"http://127.0.0.1:{server.port}"

    yield start
    for server, stopping, thread in servers:
        stopping.set()
        thread.join(timeout=5)
        server.drain(time.monotonic())


def _get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_socket_modes_health_port_reports_database_slack_and_lease(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock, serve_health: object
) -> None:
    status = SlackStatus(bot.client, clock)
    status.check()
    scheduler = LeaderScheduler(bot, holder="replica-a")
    assert scheduler.renew()
    url = serve_health(Health(bot, status, scheduler))  # type: ignore[operator]
    calls = len(fake_slack.calls)
    code, body = _get(f"{url}/healthz")
    assert code == 200
    assert body["ok"] is True
    assert body["database"] == {"ok": True}
    assert body["slack"] == {
        "ok": True,
        "checked_at": clock().isoformat(),
        "team_id": TEAM_ID,
        "team": "Mentorbot Test",
        "error": None,
    }
    assert body["scheduler"] == {
        "holder": "replica-a",
        "until": (clock() + LEASE_TTL).isoformat(),
        "this_replica": True,
    }
    assert len(fake_slack.calls) == calls  # a probe never calls Slack
    slack_request = urllib.request.Request(f"{url}/slack/events", method="POST", data=b"")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(slack_request, timeout=5)
    assert refused.value.code == 404  # Socket Mode's port takes no Slack requests
    clock.advance(LEASE_TTL + timedelta(seconds=1))
    assert _get(f"{url}/healthz")[1]["scheduler"] == {
        "holder": None,
        "until": None,
        "this_replica": False,
    }


def test_slack_refusing_is_reported_but_only_the_database_fails_the_check(
    bot: Mentorbot,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    serve_health: object,
    tmp_path: object,
) -> None:
    status = SlackStatus(bot.client, clock)
    fake_slack.inject("auth.test", error="token_revoked")
    status.check()
    code, body = _get(f"{serve_health(Health(bot, status))}/healthz")  # type: ignore[operator]
    assert code == 200
    assert body["slack"]["error"] == "token_revoked"  # type: ignore[index]
    broken = create_app(
        make_settings(fake_slack, "sqlite:////nonexistent/directory/mentorbot.db"),
        verify_token=False,
    )
    code, body = _get(f"{serve_health(Health(broken, status))}/healthz")  # type: ignore[operator]
    assert code == 503
    assert body["ok"] is False
    assert body["database"] == {"ok": False, "error": "OperationalError"}
