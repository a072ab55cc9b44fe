"""Which periodic jobs the leader runs, and how often.

Each job is a plain function of the bot (and its clock), so tests call it directly with a
frozen clock; the scheduler only decides when and on which replica.
"""

from __future__ import annotations

from bot.app import Mentorbot
from bot.round_jobs import install_round_jobs
from bot.scheduler import LeaderScheduler
from handlers.engagement import run_engagement
from handlers.replay import KEY_PREFIX, WINDOW
from handlers.reports import post_retros
from models.enrollment import resume_due
from models.events import prune_claims

PRUNE_EVERY = 600
RESUME_EVERY = 900
ENGAGE_EVERY = 300  # messages carry their own 10:00-local time; this only finds them
RETRO_EVERY = 3600


def resume_paused(bot: Mentorbot) -> int:
    """Resume every pause whose date has come; how many enrollments resumed."""
    with bot.sessions.begin() as s:
        return resume_due(s, at=bot.deps.clock())


def prune_replay_keys(bot: Mentorbot) -> int:
    """Drop request-signature claims older than the replay window; event ids are kept."""
    with bot.sessions.begin() as s:
        return prune_claims(s, KEY_PREFIX, bot.deps.clock() - WINDOW)


def install_jobs(bot: Mentorbot, scheduler: LeaderScheduler) -> None:
    """Add every feature's jobs to the leader scheduler (the outbox job is built in)."""
    scheduler.add_job("prune-replay-keys", PRUNE_EVERY, lambda: prune_replay_keys(bot))

    # enrollment
    scheduler.add_job("resume-paused", RESUME_EVERY, lambda: resume_paused(bot))

    # rounds
    install_round_jobs(bot, scheduler)

    # engagement
    scheduler.add_job("engagement", ENGAGE_EVERY, lambda: run_engagement(bot.deps))

    # insight
    scheduler.add_job("round-retros", RETRO_EVERY, lambda: post_retros(bot.deps))
