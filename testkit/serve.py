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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.app import Mentorbot
from testkit.requests import HttpDriver, Payloads, SlackDriver
from testkit.slack import APP_TOKEN, FakeSlack
from testkit.socket_driver import SocketDriver

ROOT = Path(__file__).resolve().parents[1]
MODES = ("http", "socket")
SOCKET_READY = "Connected to Slack in Socket Mode"


def serve(bot: Mentorbot, threads: int = 16) -> tuple[str, Callable[[], None]]:
    """Start the real WSGI app on a free port; (Slack request URL, stop)."""
    from waitress.server import create_server

    from bot.server import SLACK_PATH, make_wsgi

    server = create_server(make_wsgi(bot), host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    port = server.effective_port  # type: ignore[union-attr]
    return f"http://127.0.0.1:{port}{SLACK_PATH}", server.close


@dataclass
class ServeProcess:
    """A running `mentorbot serve`: its process, its base URL ("" in Socket Mode), its log."""

    process: subprocess.Popen[str]
    url: str
    log: list[str]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


PORT_TAKEN = "Address already in use"  # what `mentorbot serve` says when it cannot bind
PORT_TRIES = 5


def free_port() -> int:
    """A loopback port nobody listens on right now (it may be taken before it is bound)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_serve(
    env: Mapping[str, str],
    args: Sequence[str] = ("--http",),
    *,
    ready: str | None = None,
    timeout: float = 60,
    command: Sequence[str] = (sys.executable, "-m", "bot"),
    fake: FakeSlack | None = None,
) -> ServeProcess:
    """`mentorbot serve ARGS` as its own process, `env` over ours, once its log says `ready`.

    Its log is read until then and drained afterwards (kept in `log`), so a full pipe never
    blocks it. With "--http" it listens on a free loopback port; with "--socket" it connects
    to `fake`'s WebSocket with the fake's app token and is ready once the fake greeted it.
    `command` is what runs `serve` (the container's entrypoint script, say).

    A free port found by probing can be taken by someone else's outgoing connection before
    the server binds it; the server then says so and exits, and another port is tried.
    """
    for attempt in range(PORT_TRIES):
        try:
            return _start_serve(env, args, ready, timeout, command, fake)
        except RuntimeError as failed:
            if "--http" not in args or PORT_TAKEN not in str(failed) or attempt + 1 == PORT_TRIES:
                raise
    raise AssertionError("unreachable")


def _start_serve(
    env: Mapping[str, str],
    args: Sequence[str],
    ready: str | None,
    timeout: float,
    command: Sequence[str],
    fake: FakeSlack | None,
) -> ServeProcess:
    environment = {**os.environ, **env}
    port = 0
    greeted = 0
    if "--socket" in args:
        assert fake is not None, "Socket Mode connects to the fake's WebSocket"
        environment.setdefault("SLACK_APP_TOKEN", APP_TOKEN)
        greeted = fake.socket_mode.hellos
        ready = ready or SOCKET_READY
    else:
        port = free_port()
        if "--http" in args:
            environment.pop("SLACK_APP_TOKEN", None)
            args = [*args, "--host", "127.0.0.1", "--port", f"{port}"]
        ready = ready or "Serving on"
    process = subprocess.Popen(
        [*command, "serve", *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    seen: list[str] = []

    def pump() -> None:
        for line in process.stderr or ():
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while (line := _next_line(lines, deadline)) is not None:
        seen.append(line)
        if ready not in line:
            continue
        if fake is not None and "--socket" in args:
            left = max(deadline - time.monotonic(), 0.1)
            if not (
                fake.socket_mode.wait_connected(timeout=left) and fake.socket_mode.hellos > greeted
            ):
                continue

        def keep() -> None:
            while (more := lines.get()) is not None:
                seen.append(more)

        threading.Thread(target=keep, daemon=True).start()
        return ServeProcess(process, f"http://127.0.0.1:{port}" if port else "", seen)
    process.terminate()
    process.wait(timeout=30)
    raise RuntimeError("mentorbot serve did not start:\n" + "".join(seen))


def serve_process(
    env: Mapping[str, str],
    timeout: float = 60,
    *,
    mode: str = "http",
    fake: FakeSlack | None = None,
) -> tuple[str, Callable[[], None]]:
    """`mentorbot serve --http` (or `--socket`, connected to `fake`) as its own process,
    `env` over ours; (base URL, "" in Socket Mode; stop)."""
    served = start_serve(env, (f"--{mode}",), timeout=timeout, fake=fake)
    return served.url, served.stop


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
