"""SIGTERM stops `mentorbot serve` cleanly: in-flight work finishes, the lease is handed over.

A deploy sends SIGTERM. The server must stop taking requests, let a listener that is waiting
on Slack finish, stop its scheduler, give the scheduler lease back and exit 0, all within
STOP_TIMEOUT, so another replica starts the jobs at once instead of after the 45 s lease.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import urllib.parse

from slack_sdk.socket_mode.request import SocketModeRequest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.app import Mentorbot, create_app
from bot.scheduler import LEASE_NAME, LeaderScheduler
from bot.server import SocketModeServer
from models.tables import Lease
from testkit.requests import SIGNING_SECRET, Payloads, post_http, sign
from testkit.serve import ServeProcess, start_serve
from testkit.slack import BOT_TOKEN, FakeSlack
from tests.bot.test_rounds_serve import _eventually
from tests.conftest import make_settings
from tests.support.clock import FrozenClock
from tests.support.enroll_world import make_enroll_world

FORM = "application/x-www-form-urlencoded"
NEWCOMER = "UNEWCOMER1"


def _start(fake: FakeSlack, engine: Engine, **env: str) -> ServeProcess:
    return start_serve(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            **env,
        }
    )


def _refuses_connections(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port), timeout=1):
            return False
    except OSError:
        return True


def _join_while_slack_holds_users_info(served: ServeProcess, fake: FakeSlack) -> threading.Event:
    """Someone new runs /mentor join; the bot's users.info call is held by Slack."""
    fake.add_user(NEWCOMER, "newcomer", tz="Europe/Paris")
    arrived, release = fake.hold("users.info")
    body = Payloads(response_url=fake.response_url()).slash_command(NEWCOMER, "join")
    status, _ = post_http(f"{served.url}/slack/events", body, content_type=FORM, headers=sign(body))
    assert status == 200
    assert arrived.wait(timeout=30), "the listener never asked Slack about the newcomer"
    return release


def test_sigterm_finishes_the_listener_in_flight_and_hands_the_lease_over_at_once(
    fake_slack: FakeSlack, engine: Engine, clock: FrozenClock
) -> None:
    with Session(engine) as s, s.begin():
        make_enroll_world(s, clock())
    served = _start(fake_slack, engine)
    try:
        release = _join_while_slack_holds_users_info(served, fake_slack)
        os.kill(served.process.pid, signal.SIGTERM)
        signalled = time.monotonic()
        _eventually(lambda: _refuses_connections(served.url), timeout=10)
        assert served.process.poll() is None, "it exited with a listener in flight"
        release.set()
        code = served.process.wait(timeout=30)
        took = time.monotonic() - signalled
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(timeout=10)
    assert code == 0, "".join(served.log)
    assert took < 20
    assert len(fake_slack.calls_to("views.open")) == 1  # the newcomer got their form
    log = "".join(served.log)
    assert "released the scheduler lease" in log
    assert "stopped cleanly" in log
    with engine.connect() as conn:
        assert conn.scalars(select(Lease).where(Lease.name == LEASE_NAME)).first() is None
    # Another replica, on the real clock, takes the lease on its first try.
    replica = LeaderScheduler(
        create_app(
            make_settings(fake_slack, engine.url.render_as_string(hide_password=False)),
            engine=engine,
        ),
        holder="replica-b",
    )
    assert replica.renew()


def test_a_stop_is_bounded_even_if_slack_never_answers(
    fake_slack: FakeSlack, engine: Engine, clock: FrozenClock
) -> None:
    with Session(engine) as s, s.begin():
        make_enroll_world(s, clock())
    served = _start(fake_slack, engine, STOP_TIMEOUT="2")
    release = _join_while_slack_holds_users_info(served, fake_slack)
    try:
        os.kill(served.process.pid, signal.SIGTERM)
        signalled = time.monotonic()
        code = served.process.wait(timeout=15)
        took = time.monotonic() - signalled
    finally:
        release.set()
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(timeout=10)
    assert code == 1
    assert took < 6
    assert "work unfinished (requests done, listeners cut, jobs done)" in "".join(served.log)


def _envelope(user_id: str, text: str, envelope_id: str) -> SocketModeRequest:
    body = Payloads().slash_command(user_id, text)
    return SocketModeRequest(
        type="slash_commands",
        envelope_id=envelope_id,
        payload=dict(urllib.parse.parse_qsl(body)),
    )


def test_a_socket_mode_stop_finishes_what_is_in_flight_and_acks_nothing_new(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    """Socket Mode's stop, on the real handler without a websocket: an envelope in flight
    finishes and is acked; one arriving during the stop is left for Slack to redeliver."""
    with bot.sessions.begin() as s:
        make_enroll_world(s, clock())
    fake_slack.add_user(NEWCOMER, "newcomer", tz="Europe/Paris")
    server = SocketModeServer(bot, "xapp-1-test")
    acks: list[str] = []
    client = server.handler.client
    client.send_socket_mode_response = lambda response: acks.append(  # type: ignore[method-assign]
        response.envelope_id
    )
    arrived, release = fake_slack.hold("users.info")
    in_flight = threading.Thread(
        target=server.handler.handle, args=(client, _envelope(NEWCOMER, "join", "e1"))
    )
    in_flight.start()
    drained: list[bool] = []
    try:
        assert arrived.wait(timeout=30)
        stopping = threading.Thread(
            target=lambda: drained.append(server.drain(time.monotonic() + 30))
        )
        stopping.start()
        _eventually(server.stopping.is_set, timeout=10)
        server.handler.handle(client, _envelope("U0000002", "help", "e2"))
        assert drained == []  # still waiting for the join
    finally:
        release.set()
        in_flight.join(timeout=30)
    stopping.join(timeout=30)
    assert drained == [True]
    assert acks == ["e1"]
    assert len(fake_slack.calls_to("views.open")) == 1
