"""`mentorbot sandbox` as a person runs it: its page on loopback, gone on Ctrl-C."""

from __future__ import annotations

import json
import logging
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import pytest

from sandbox.main import READY as READY_LINE
from sandbox.main import run
from testkit.serve import ROOT

READY = re.compile(r"Sandbox ready: open (http://\S+/)")


def test_the_command_serves_the_page_on_loopback_until_interrupted() -> None:
    process = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-m", "bot", "sandbox", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in process.stderr or ():
            lines.put(line)

    pumping = threading.Thread(target=pump, daemon=True)
    pumping.start()
    try:
        deadline = time.monotonic() + 60
        url = None
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            found = READY.search(line)
            url = found.group(1) if found else None
        assert url is not None, "the sandbox never said where its page is"
        assert urllib.parse.urlparse(url).hostname == "127.0.0.1"
        with urllib.request.urlopen(url + "api/people", timeout=10) as response:
            names = [p["name"] for p in json.loads(response.read())]
        assert len(names) >= 12
        assert "Ada Admin" in names
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGABRT)  # faulthandler prints where every thread is
            process.wait(timeout=30)
            code = None
        pumping.join(timeout=10)  # the pipe closed with the process
        said = "".join(_drain(lines))
        assert code == 0, f"the sandbox did not stop on Ctrl-C (exit {code}):\n{said}"


def _drain(lines: queue.Queue[str]) -> list[str]:
    out = []
    while True:
        try:
            out.append(lines.get_nowait())
        except queue.Empty:
            return out


class _Said(logging.Handler):
    def __init__(self, line: str) -> None:
        super().__init__()
        self.line, self.seen = line, threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == self.line:
            self.seen.set()


def test_ctrl_c_stops_the_sandbox_whichever_thread_it_lands_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The kernel may hand a process's SIGINT to any of its threads (the sandbox has a
    dozen); only the main thread runs Python's handler, so it must not sleep through it."""
    caplog.set_level(logging.INFO, logger="mentorbot.sandbox")
    ready = _Said(READY_LINE)
    logger = logging.getLogger("mentorbot.sandbox")
    logger.addHandler(ready)
    returned, stop = threading.Event(), threading.Event()
    forced: list[bool] = []

    def press_ctrl_c() -> None:
        if ready.seen.wait(timeout=60):
            signal.pthread_kill(threading.get_ident(), signal.SIGINT)  # lands on this thread
        if not returned.wait(timeout=20):  # deadline: stop it another way, and say so
            forced.append(True)
            stop.set()

    helper = threading.Thread(target=press_ctrl_c, daemon=True)
    helper.start()
    try:
        assert run(port=0, database_url=None, stop=stop) == 0
    finally:
        returned.set()
        logger.removeHandler(ready)
        helper.join(timeout=30)
    assert ready.seen.is_set()
    assert forced == [], "Ctrl-C on another thread did not stop the sandbox"
