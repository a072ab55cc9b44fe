"""What the leader would do between two requests: intents, then the outbox, until quiet."""

from __future__ import annotations

from bot.app import Mentorbot
from bot.work import drain


def settle(bot: Mentorbot, *, limit: int = 200, passes: int = 20) -> int:
    """Run due intents and deliver due messages until nothing more goes out; how many sent."""
    sent = 0
    for _ in range(passes):
        drain(bot.sessions, bot.deps.clock)
        report = bot.deliverer.run_once(limit=limit)
        sent += report.sent
        if report.sent == 0 and report.retried == 0 and report.cancelled == 0:
            break
    return sent
