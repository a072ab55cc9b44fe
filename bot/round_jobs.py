"""The rounds jobs: scheduled rounds due now, newcomers, and cancelling vanished intros.

Each job reads like a short script over handlers.rounds; the scheduler runs them on the
lease holder only, and the (program, slot) unique key makes a second run of a slot a no-op.
"""

from __future__ import annotations

import logging

from bot.app import Mentorbot
from bot.scheduler import LeaderScheduler
from handlers.rounds import make_failure_hook, match_newcomers, start_round
from matching.rounds import latest_due_slot
from models import rounds as store

log = logging.getLogger("mentorbot.rounds")

ROUNDS_EVERY = 30  # seconds; a due slot runs within a minute of its time
NEWCOMERS_EVERY = 600  # seconds; newcomers are matched within the hour


def run_due_rounds(bot: Mentorbot) -> list[int]:
    """Run each program's latest due schedule slot once; the ids of the rounds started."""
    now = bot.deps.clock()
    with bot.sessions.begin() as s:
        programs = store.list_scheduled_programs(s)
    started: list[int] = []
    for program_id, rule, tz, created_at in programs:
        try:
            slot = latest_due_slot(rule, tz, created_at, now)
        except (ValueError, KeyError) as err:
            log.warning("program %s: unreadable schedule %r (%s)", program_id, rule, err)
            continue
        if slot is None:
            continue
        with bot.sessions.begin() as s:
            if store.slot_taken(s, program_id, slot):
                continue
            outcome = start_round(s, program_id, at=now, kind="scheduled", scheduled_for=slot)
        if outcome is not None:
            log.info("program %s: scheduled round %s for %s", program_id, outcome.round_id, slot)
            started.append(outcome.round_id)
    return started


def run_newcomers(bot: Mentorbot) -> int:
    """Match newcomers in every program that allows it; the number of matches made."""
    now = bot.deps.clock()
    with bot.sessions.begin() as s:
        programs = store.list_newcomer_programs(s)
    made = 0
    for program_id in programs:
        with bot.sessions.begin() as s:
            outcome = match_newcomers(s, program_id, at=now)
        if outcome is not None:
            made += len(outcome.match_ids)
    return made


def install_round_jobs(bot: Mentorbot, scheduler: LeaderScheduler) -> None:
    bot.deliverer.add_failure_hook(make_failure_hook(bot.deps, bot.client))
    scheduler.add_job("rounds", ROUNDS_EVERY, lambda: run_due_rounds(bot))
    scheduler.add_job("newcomers", NEWCOMERS_EVERY, lambda: run_newcomers(bot))
