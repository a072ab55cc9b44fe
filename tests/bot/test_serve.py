"""`mentorbot serve` as a real process: health, a signed command, hostile bodies, a command
answered in time in HTTP and in Socket Mode (whose requests carry no signature: the WebSocket
itself was opened with the app token).

Every Slack request is vetted before Bolt parses it: an oversized body is refused (413)
before it is read, an unsigned one (401) before anything is parsed or stored, a signed but
malformed one is a 400, never a 500 or a traceback in the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import select
import socket
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func
from sqlalchemy import select as sql_select

import testkit.serve
from models.tables import AuditEntry, OutboxMessage, Person, ProcessedEvent, Workspace
from testkit.requests import SIGNING_SECRET, Payloads, SlackDriver, ack_json, post_http, sign
from testkit.serve import MODES, ServeProcess, process_driver, serve_process, start_serve
from testkit.slack import BOT_TOKEN, TEAM_ID, FakeSlack

FORM = "application/x-www-form-urlencoded"
MB = 1024 * 1024


@dataclass
class Server:
    url: str
    driver: SlackDriver


def _env(fake: FakeSlack, engine: Engine, **extra: str) -> dict[str, str]:
    """What `mentorbot serve` needs to talk to `fake` and `engine`'s database."""
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        **extra,
    }


def start_server(
    mode: str, fake: FakeSlack, engine: Engine, **env: str
) -> tuple[Server, Callable[[], None]]:
    url, stop = serve_process(_env(fake, engine, **env), mode=mode, fake=fake)
    return Server(url, process_driver(mode, url, fake)), stop


@pytest.fixture
def served(fake_slack: FakeSlack, engine: Engine) -> Iterator[ServeProcess]:
    process = start_serve(_env(fake_slack, engine, LOG_LEVEL="INFO"))
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def server(served: ServeProcess, fake_slack: FakeSlack) -> Server:
    return Server(served.url, process_driver("http", served.url, fake_slack))


@pytest.fixture(params=MODES)
def any_server(
    request: pytest.FixtureRequest, fake_slack: FakeSlack, engine: Engine
) -> Iterator[Server]:
    started, stop = start_server(request.param, fake_slack, engine)
    try:
        yield started
    finally:
        stop()


def test_a_command_is_answered_in_time_in_both_modes(any_server: Server) -> None:
    started = time.monotonic()
    answer = ack_json(any_server.driver.command("U0000001", "help"))
    assert "/mentor join" in answer["text"]
    assert time.monotonic() - started < 3.0  # Slack's own limit for an answer


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.__tablename__: int(conn.scalar(sql_select(func.count()).select_from(table)) or 0)
            for table in (Workspace, Person, AuditEntry, OutboxMessage, ProcessedEvent)
        }


def _rss_kib(pid: int) -> int:
    for line in open(f"/proc/{pid}/status").read().splitlines():  # noqa: SIM115
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_serve_says_what_it_runs_on_and_health_reports_database_slack_and_lease(
    served: ServeProcess, engine: Engine
) -> None:
    banner = next(line for line in served.log if "Serving on" in line)
    assert "(HTTP mode)" in banner
    assert f"workspace Mentorbot Test ({TEAM_ID})" in banner
    assert f"database: {_where(engine)}" in banner
    with urllib.request.urlopen(f"{served.url}/healthz", timeout=5) as response:
        assert response.status == 200
        body = json.loads(response.read())
    assert body["ok"] is True
    assert body["database"] == {"ok": True}
    assert body["slack"]["ok"] is True
    assert body["slack"]["team_id"] == TEAM_ID
    lease = body["scheduler"]
    assert lease["this_replica"] is True
    assert lease["holder"].split(":")[1] == str(served.process.pid)
    assert lease["until"] is not None
    # Quiet by default: startup is a few lines, none from the libraries' chatter.
    assert len(served.log) <= 3, served.log
    assert not any(name in "".join(served.log) for name in ("alembic", "apscheduler"))


def _where(engine: Engine) -> str:
    from bot.errors import describe_database

    return describe_database(engine.url.render_as_string(hide_password=False))


def test_health_probes_never_call_slack(served: ServeProcess, fake_slack: FakeSlack) -> None:
    before = len(fake_slack.calls_to("auth.test"))
    for _ in range(5):
        with urllib.request.urlopen(f"{served.url}/healthz", timeout=5) as response:
            assert json.loads(response.read())["slack"]["ok"] is True
    assert len(fake_slack.calls_to("auth.test")) == before


def test_health_help_and_forged_requests(
    server: Server, fake_slack: FakeSlack, engine: Engine
) -> None:
    payloads = Payloads(response_url=fake_slack.response_url(), slack=fake_slack)
    body = payloads.slash_command("U0000001", "help")
    started = time.monotonic()
    status, text = post_http(
        f"{server.url}/slack/events", body, content_type=FORM, headers=sign(body)
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
            f"{server.url}/slack/events", sent, content_type=FORM, headers=headers
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
    payloads = Payloads(response_url=fake_slack.response_url(), slack=fake_slack)
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


def _send_huge(port: int, head: bytes, chunk: bytes, total: int) -> bytes:
    """Send `head` then `chunk` until `total` bytes or the server answers; its answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        sent = 0
        try:
            while sent < total:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered: stop sending
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while not answer.endswith(b"}") and (part := sock.recv(65536)):
                answer += part
        except ConnectionResetError:
            pass
        return answer


def test_a_100_mb_unsigned_body_is_refused_before_it_is_read(
    served: ServeProcess, engine: Engine
) -> None:
    port = int(urllib.parse.urlparse(served.url).port or 0)
    before, rss_before = _counts(engine), _rss_kib(served.process.pid)
    declared = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\n"
        f"Content-Length: {100 * MB}\r\n\r\n"
    ).encode()
    assert _send_huge(port, declared, b"a" * 65536, 100 * MB).startswith(b"HTTP/1.1 413")
    chunked = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"10000\r\n" + b"a" * 65536 + b"\r\n"
    assert _send_huge(port, chunked, chunk, 100 * MB).startswith(b"HTTP/1.1 413")
    grown = _rss_kib(served.process.pid) - rss_before
    print(f"server RSS grew {grown} KiB over two 100 MB bodies")
    assert grown < 4 * 1024
    assert _counts(engine) == before


def test_unsigned_garbage_is_401_and_signed_garbage_is_400_never_500(
    served: ServeProcess, engine: Engine
) -> None:
    url = f"{served.url}/slack/events"
    before = _counts(engine)
    assert post_http(url, "payload=x", content_type=FORM)[0] == 401
    assert (
        post_http(
            url,
            "payload=x",
            content_type=FORM,
            headers={"x-slack-request-timestamp": "soon", "x-slack-signature": "v0=00"},
        )[0]
        == 401
    )
    for body, kind in (
        ("payload=x", FORM),
        ("payload=%5B1%5D", FORM),
        ('payload={"no":"type"}', FORM),
        ("hello=world", FORM),
        ("[1, 2]", "application/json"),
        ('{"type": ', "application/json"),
        ("", FORM),
    ):
        status, _ = post_http(url, body, content_type=kind, headers=sign(body))
        assert status == 400, body
    raw = b"payload=\xff\xfe"
    ts = str(int(time.time()))
    signature = (
        "v0="
        + hmac.new(
            SIGNING_SECRET.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256
        ).hexdigest()
    )
    request = urllib.request.Request(
        url,
        data=raw,
        method="POST",
        headers={
            "Content-Type": FORM,
            "x-slack-request-timestamp": ts,
            "x-slack-signature": signature,
        },
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    assert _counts(engine) == before
    assert "Traceback" not in "".join(served.log)
    assert served.process.poll() is None


def test_a_port_taken_between_probe_and_bind_is_tried_again(
    fake_slack: FakeSlack, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone takes the probed port before the server binds it: the server says so and
    exits, and the test kit starts it on another port instead of failing the test."""
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = int(squatter.getsockname()[1])
        ports = iter([taken])
        real = testkit.serve.free_port
        monkeypatch.setattr(testkit.serve, "free_port", lambda: next(ports, None) or real())
        process = start_serve(_env(fake_slack, engine))
    try:
        assert not process.url.endswith(f":{taken}")
        answer = ack_json(
            process_driver("http", process.url, fake_slack).command("U0000001", "help")
        )
        assert "/mentor join" in answer["text"]
    finally:
        process.stop()
