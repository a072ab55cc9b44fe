"""Kill a real process at a chosen point: when Slack has received the call it holds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def kill_when(arrived: threading.Event, module: str, *args: str) -> None:
    """Run `python -m module args`; SIGKILL it as soon as `arrived` is set."""
    worker = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert arrived.wait(timeout=60), f"{module} never reached Slack"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=20)
