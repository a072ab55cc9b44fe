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
class ServeProcess:
    """A running `mentorbot serve`: its process, its base URL, and its log so far."""

    process: subprocess.Popen[str]
    url: str
    log: list[str]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def start_serve(
    env: Mapping[str, str],
    args: Sequence[str] = ("--http",),
    *,
    ready: str = "Serving on",
    timeout: float = 60,
    command: Sequence[str] = (sys.executable, "-m", "bot"),
) -> ServeProcess:
    """`mentorbot serve ARGS` as its own process, `env` over ours, once its log says `ready`.

    Its log is read until then and drained afterwards (kept in `log`), so a full pipe never
    blocks it. With "--http" it listens on a free loopback port. `command` is what runs
    `serve` (the container's entrypoint script, say).
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    environment = {**os.environ, **env}
    if "--http" in args:
        environment.pop("SLACK_APP_TOKEN", None)
        args = [*args, "--host", "127.0.0.1", "--port", f"{port}"]
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
        if ready in line:

            def keep() -> None:
                while (more := lines.get()) is not None:
                    seen.append(more)

            threading.Thread(target=keep, daemon=True).start()
            return ServeProcess(process, f"http://127.0.0.1:{port}", seen)
    process.terminate()
    process.wait(timeout=30)
    raise RuntimeError("mentorbot serve did not start:\n" + "".join(seen))


def serve_process(env: Mapping[str, str], timeout: float = 60) -> tuple[str, Callable[[], None]]:
    """`mentorbot serve --http` as its own process, `env` over ours; (base URL, stop)."""
    served = start_serve(env, timeout=timeout)
    return served.url, served.stop


def _next_line(lines: queue.Queue[str | None], deadline: float) -> str | None:
    try:
        return lines.get(timeout=max(deadline - time.monotonic(), 0.001))
    except queue.Empty:
        return None
