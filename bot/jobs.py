"""Which periodic jobs the leader runs, and how often.

Each job is a plain function of the bot (and its clock), so tests call it directly with a
frozen clock; the scheduler only decides when and on which replica.
"""

from __future__ import annotations

from bot.app import Mentorbot
from bot.round_jobs import install_round_jobs
from bot.scheduler import LeaderScheduler


def install_jobs(bot: Mentorbot, scheduler: LeaderScheduler) -> None:
    """Add every feature's jobs to the leader scheduler (the outbox job is built in)."""
    # enrollment

    # rounds
    install_round_jobs(bot, scheduler)

    # engagement

    # insight
