"""A bare outbox worker process for crash tests: delivers the outbox until it is killed."""

from __future__ import annotations

import sys
import threading
from datetime import datetime

from bot.app import create_app
from bot.settings import Settings
from testkit.slack import BOT_TOKEN


def main(database_url: str, api_url: str, at: str | None = None) -> None:
    """`at`: the test's frozen time, so the attempts it records and the fake's message
    stamps share one clock (the check after a crash reads only the attempt's window)."""
    moment = datetime.fromisoformat(at) if at else None
    bot = create_app(
        Settings(database_url=database_url, slack_api_url=api_url, bot_token=BOT_TOKEN),
        verify_token=False,
        **({"clock": lambda: moment} if moment else {}),
    )
    print("worker ready", flush=True)
    idle = threading.Event()
    while True:
        bot.deliverer.run_once()
        idle.wait(0.05)


if __name__ == "__main__":
    main(*sys.argv[1:4])
