"""A bare outbox worker process for crash tests: delivers the outbox until it is killed."""

from __future__ import annotations

import sys
import threading

from bot.app import create_app
from bot.settings import Settings
from testkit.slack import BOT_TOKEN


def main(database_url: str, api_url: str) -> None:
    bot = create_app(
        Settings(database_url=database_url, slack_api_url=api_url, bot_token=BOT_TOKEN),
        verify_token=False,
    )
    print("worker ready", flush=True)
    idle = threading.Event()
    while True:
        bot.deliverer.run_once()
        idle.wait(0.05)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
