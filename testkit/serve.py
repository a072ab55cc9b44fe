"""A real mentorbot server to drive: the WSGI app on a thread, or `mentorbot serve` as a process.

Tests and benchmarks measure the bot as Slack sees it: signed requests over HTTP into the
waitress server, so parsing, signature checks and the database are all in the path.
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

ROOT = Path(__file__).resolve().parents[1]


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
class ServerProcess:
    """A running `mentorbot serve --http`: its URL and its process."""

    url: str
    process: subprocess.Popen[str]

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def wait(self, timeout: float = 30) -> int:
        return self.process.wait(timeout=timeout)


def start_server(
    env: Mapping[str, str], timeout: float = 60, args: Sequence[str] = ()
) -> ServerProcess:
    """`mentorbot serve --http` as its own process, `env` over ours, once it listens.

    Its log is read until it listens and drained afterwards, so a full pipe never blocks it.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    environment = {**os.environ, **env}
    environment.pop("SLACK_APP_TOKEN", None)  # HTTP mode
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            f"{port}",
            *args,
        ],
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
    server = ServerProcess(f"http://127.0.0.1:{port}", process)
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while (line := _next_line(lines, deadline)) is not None:
        seen.append(line)
        if "Serving on" in line:
            return server
    server.stop()
    raise RuntimeError("mentorbot serve did not start:\n" + "".join(seen))


def serve_process(env: Mapping[str, str], timeout: float = 60) -> tuple[str, Callable[[], None]]:
    """`mentorbot serve --http` as its own process; (base URL, stop)."""
    server = start_server(env, timeout)
    return server.url, server.stop


def _next_line(lines: queue.Queue[str | None], deadline: float) -> str | None:
    try:
        return lines.get(timeout=max(deadline - time.monotonic(), 0.001))
    except queue.Empty:
        return None
