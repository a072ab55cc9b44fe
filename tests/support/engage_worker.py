"""A bot process for crash tests of a nudge run: the engagement job and the outbox at once.

As in production, delivery runs on its own thread while the job steps every match; the job
sees `job_at` and delivery sees `deliver_at` (just after the messages' 10:00 landing), so
the test can SIGKILL the process anywhere in between.
"""

from __future__ import annotations

import sys
import threading
from datetime import datetime

from bot.app import create_app
from bot.jobs import run_engagement
from bot.settings import Settings
from handlers.pacing import Pacer
from testkit.slack import BOT_TOKEN


def main(database_url: str, api_url: str, job_at: str, deliver_at: str) -> None:
    job_time, deliver_time = datetime.fromisoformat(job_at), datetime.fromisoformat(deliver_at)
    bot = create_app(
        Settings(database_url=database_url, slack_api_url=api_url, bot_token=BOT_TOKEN),
        clock=lambda: deliver_time,
        verify_token=False,
    )
    bot.deliverer.pacer = Pacer(scale=10_000)
    idle = threading.Event()

    def deliver() -> None:
        while True:
            bot.deliverer.run_once()
            idle.wait(0.01)

    threading.Thread(target=deliver, daemon=True).start()
    run_engagement(bot.sessions, lambda: job_time)
    idle.wait()  # until killed


if __name__ == "__main__":
    main(*sys.argv[1:5])
