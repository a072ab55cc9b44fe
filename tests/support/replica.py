"""A whole scheduling replica for multi-process tests: lease, jobs and outbox, until killed.

Lease timings are shortened (3 s lease, renewed every second) so a takeover is measured in
seconds of a test instead of the production minute; the logic is the production one.
"""

from __future__ import annotations

import sys
import threading
from datetime import timedelta

import bot.scheduler as scheduling
from bot.app import create_app
from bot.jobs import install_jobs
from bot.settings import Settings
from handlers.pacing import Pacer
from testkit.slack import BOT_TOKEN

LEASE_TTL = timedelta(seconds=3)


def main(database_url: str, api_url: str) -> None:
    scheduling.LEASE_TTL = LEASE_TTL
    scheduling.RENEW_EVERY = 1
    bot = create_app(
        Settings(database_url=database_url, slack_api_url=api_url, bot_token=BOT_TOKEN),
        verify_token=False,
    )
    bot.deliverer.pacer = Pacer(scale=10_000)  # the fake does not rate-limit here
    scheduler = scheduling.LeaderScheduler(bot)
    install_jobs(bot, scheduler)
    scheduler.start()
    print(f"replica ready {scheduler.holder}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
