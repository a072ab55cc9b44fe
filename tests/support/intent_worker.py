"""A leader process that performs one step of the oldest due intent, commits, and is killed
(SIGKILL, by its own hand) the instant the commit returns: nothing after it runs."""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime

from bot.app import create_app
from bot.settings import Settings
from flows import work
from testkit.slack import BOT_TOKEN


def main(database_url: str, api_url: str, at: str) -> None:
    moment = datetime.fromisoformat(at)
    bot = create_app(
        Settings(database_url=database_url, slack_api_url=api_url, bot_token=BOT_TOKEN),
        verify_token=False,
        clock=lambda: moment,
    )
    with bot.sessions.begin() as s:
        due = work.due(s, moment, 1)
    if not due:
        sys.exit(3)  # nothing left to do
    with bot.sessions.begin() as s:
        work.perform(s, due[0], at=moment)
    os.kill(os.getpid(), signal.SIGKILL)  # right after the commit


if __name__ == "__main__":
    main(*sys.argv[1:4])
