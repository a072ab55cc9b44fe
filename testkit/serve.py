"""A real mentorbot server to drive: the WSGI app on a thread, or `mentorbot serve` as a
process in either mode (HTTP, or Socket Mode connected to the fake's WebSocket).

Tests and benchmarks measure the bot as Slack sees it: signed requests over HTTP into the
waitress server, or envelopes over Socket Mode, so parsing, signature checks (HTTP) and the
database are all in the path.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.app import Mentorbot
from testkit.requests import HttpDriver, Payloads, SlackDriver
from testkit.slack import APP_TOKEN, FakeSlack
from testkit.socket_mode import SocketDriver

ROOT = Path(__file__).resolve().parents[1]
MODES = ("http", "socket")


def serve(bot: Mentorbot, threads: int = 16) -> tuple[str, Callable[[], None]]:
    """Start the real WSGI app on a free port; (Slack request URL, stop)."""
    from waitress.server import create_server

    from bot.server import SLACK_PATH, make_wsgi

    server = create_server(make_wsgi(bot), host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    port = server.effective_port  # type: ignore[union-attr]
    return f"http://127.0.0.1:{port}{SLACK_PATH}", server.close


def serve_process(
    env: Mapping[str, str],
    timeout: float = 60,
    *,
    mode: str = "http",
    fake: FakeSlack | None = None,
) -> tuple[str, Callable[[], None]]:
    """`mentorbot serve --http` (or `--socket`, connected to `fake`) as its own process,
    `env` over ours; (base URL, "" in Socket Mode; stop).

    Its log is read until it listens (or has connected) and drained afterwards, so a full
    pipe never blocks it.
    """
    environment = {**os.environ, **env}
    if mode == "socket":
        assert fake is not None, "Socket Mode connects to the fake's WebSocket"
        environment["SLACK_APP_TOKEN"] = APP_TOKEN
        args = ["--socket"]
        greeted = fake.socket_mode.hellos
    else:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        environment.pop("SLACK_APP_TOKEN", None)  # HTTP mode
        args = ["--http", "--host", "127.0.0.1", "--port", f"{port}"]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in process.stderr or ():
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()

    def stop() -> None:
        process.terminate()
        process.wait(timeout=30)

    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while (line := _next_line(lines, deadline)) is not None:
        seen.append(line)
        if mode == "http" and "Serving on" in line:
            return f"http://127.0.0.1:{port}", stop
        if mode == "socket" and "A new session has been established" in line:
            assert fake is not None
            if fake.socket_mode.wait_connected(timeout=5) and fake.socket_mode.hellos > greeted:
                return "", stop
    stop()
    raise RuntimeError("mentorbot serve did not start:\n" + "".join(seen))


def process_driver(mode: str, base_url: str, fake: FakeSlack) -> SlackDriver:
    """What sends requests to a server from serve_process: signed HTTP, or Socket Mode."""
    payloads = Payloads(response_url=fake.response_url(), slack=fake)
    if mode == "socket":
        return SocketDriver(None, payloads, fake=fake)
    return HttpDriver(None, payloads, url=f"{base_url}/slack/events")


def _next_line(lines: queue.Queue[str | None], deadline: float) -> str | None:
    try:
        return lines.get(timeout=max(deadline - time.monotonic(), 0.001))
    except queue.Empty:
        return None
