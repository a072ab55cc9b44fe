"""Which periodic jobs the leader runs, and how often: each a few lines over one flow.

Each job is a plain function of the bot, so tests call it directly with a frozen clock; the
scheduler only decides when and on which replica. Work is isolated per program, match or
round: one that fails is logged with its id and the rest go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.app import Mentorbot
from bot.scheduler import LeaderScheduler
from bot.work import run_intents
from flows import engagement, enrollment, impact, micro, reports, retention, rounds
from handlers.impact import make_share_failure_hook
from handlers.rounds import make_failure_hook
from matching.schedule import latest_due_slot
from models import rounds as round_store
from models.clock import Clock
from models.db import SessionFactory
from models.engagement import list_due_matches, wake
from models.states import RoundKind

log = logging.getLogger("mentorbot.jobs")

INTENTS_EVERY = 2  # seconds; what a click asked for is done within seconds of the ack
PRUNE_EVERY = 600
RESUME_EVERY = 900
ROUNDS_EVERY = 30  # a due schedule slot runs within a minute of its time
NEWCOMERS_EVERY = 600  # newcomers are matched within the hour
PREVIEWS_EVERY = 3600
ENGAGE_EVERY = 300  # messages carry their own 10:00-local time; this only finds them
RETRO_EVERY = 3600
MICRO_EVERY = 900  # an ask nobody answered moves on to the next expert
THANKS_EVERY = 3600  # a program's monthly thank-you is posted in the month's first hours


def each(
    sessions: SessionFactory, what: str, ids: Iterable[int], step: Callable[[Session, int], object]
) -> int:
    """Run `step` for every id in its own transaction; how many succeeded."""
    done = 0
    for item in ids:
        try:
            with sessions.begin() as s:
                step(s, item)
            done += 1
        except Exception:
            log.exception("%s failed for %s", what, item)
    return done


def resume_paused(sessions: SessionFactory, clock: Clock) -> int:
    """Resume every pause whose date has come; how many enrollments resumed."""
    with sessions.begin() as s:
        return enrollment.resume_due(s, at=clock())


def apply_retention(
    sessions: SessionFactory, clock: Clock, payloads_kept: timedelta
) -> retention.Pruned:
    """Delivered payloads older than the retention period, request-signature claims past
    the replay window and event ids past Slack's retries: pruned."""
    with sessions.begin() as s:
        return retention.prune(s, at=clock(), payloads_kept=payloads_kept)


def run_due_rounds(sessions: SessionFactory, clock: Clock) -> list[int]:
    """Run each program's latest due schedule slot once; the ids of the rounds started."""
    now = clock()
    with sessions.begin() as s:
        programs = round_store.list_scheduled_programs(s)
    started: list[int] = []

    def run(s: Session, program_id: int) -> None:
        rule, tz, created_at = schedules[program_id]
        slot = latest_due_slot(rule, tz, created_at, now)
        if slot is None or round_store.slot_taken(s, program_id, slot):
            return
        try:
            outcome = rounds.start_round(
                s, program_id, at=now, kind=RoundKind.SCHEDULED, scheduled_for=slot
            )
        except rounds.RoundPendingError as pending:
            log.info("program %s: slot %s waits for round %s", program_id, slot, pending.round_id)
            return
        if outcome is not None:
            log.info("program %s: scheduled round %s for %s", program_id, outcome.round_id, slot)
            started.append(outcome.round_id)

    schedules = {pid: (rule, tz, created) for pid, rule, tz, created in programs}
    each(sessions, "scheduled round", schedules, run)
    return started


def run_newcomers(sessions: SessionFactory, clock: Clock) -> int:
    """Match newcomers in every program that allows it; the number of matches made."""
    now = clock()
    with sessions.begin() as s:
        programs = round_store.list_newcomer_programs(s)
    made: list[int] = []

    def run(s: Session, program_id: int) -> None:
        outcome = rounds.match_newcomers(s, program_id, at=now)
        made.append(len(outcome.match_ids) if outcome else 0)

    each(sessions, "newcomers", programs, run)
    return sum(made)


def expire_previews(sessions: SessionFactory, clock: Clock) -> int:
    with sessions.begin() as s:
        return rounds.expire_stale_previews(s, at=clock())


ENGAGE_BATCH = 500  # matches read per query; a run goes on until nothing is due
ENGAGE_MAX = 20_000  # a run's bound; what is left is due first at the next run
RETRY_FAILED = timedelta(hours=1)  # a match whose step failed is looked at again then


def run_engagement(sessions: SessionFactory, clock: Clock) -> int:
    """Step every match whose time has come, soonest first; how many were stepped.

    Only what is due is read (the due index), so a run costs the work that is due, however
    many matches are live and idle."""
    at = clock()
    stepped = 0
    while stepped < ENGAGE_MAX:
        with sessions.begin() as s:
            ids = list_due_matches(s, at, ENGAGE_BATCH)
        if not ids:
            break
        for match_id in ids:
            try:
                with sessions.begin() as s:
                    engagement.step_match(s, match_id, at)
            except Exception:
                log.exception("engagement step failed for %s", match_id)
                with sessions.begin() as s:  # not first in line forever: try again later
                    wake(s, match_id, at + RETRY_FAILED)
        stepped += len(ids)
        if len(ids) < ENGAGE_BATCH:
            break
    return stepped


def post_retros(sessions: SessionFactory, clock: Clock) -> int:
    """Queue each due round retro to its admin channel, once; how many were due."""
    at = clock()
    with sessions.begin() as s:
        due = reports.due(s, at)
    each(sessions, "retro", due, lambda s, round_id: reports.post_retro(s, round_id, at=at))
    return len(due)


def expire_micro_offers(sessions: SessionFactory, clock: Clock) -> int:
    """Micro asks nobody answered in time go to the next expert; how many moved on."""
    with sessions.begin() as s:
        return micro.expire_offers(s, at=clock())


def post_thanks(sessions: SessionFactory, clock: Clock) -> int:
    """Queue last month's thank-you to mentors in each program that asked for it, once."""
    at = clock()
    with sessions.begin() as s:
        due = impact.thanks_due(s)
    posted: list[bool] = []
    each(sessions, "thanks", due, lambda s, pid: posted.append(impact.post_thanks(s, pid, at=at)))
    return sum(posted)


def install_jobs(bot: Mentorbot, scheduler: LeaderScheduler) -> None:
    """Add every feature's jobs to the leader scheduler (the outbox job is built in)."""
    bot.deliverer.add_failure_hook(make_failure_hook(bot.deps, bot.client))
    bot.deliverer.add_failure_hook(make_share_failure_hook(bot.deps))
    sessions, clock = bot.sessions, bot.deps.clock
    scheduler.add_job("intents", INTENTS_EVERY, lambda: run_intents(sessions, clock))
    kept = timedelta(days=bot.settings.retention_days)
    scheduler.add_job("retention", PRUNE_EVERY, lambda: apply_retention(sessions, clock, kept))
    scheduler.add_job("resume-paused", RESUME_EVERY, lambda: resume_paused(sessions, clock))
    scheduler.add_job("rounds", ROUNDS_EVERY, lambda: run_due_rounds(sessions, clock))
    scheduler.add_job("newcomers", NEWCOMERS_EVERY, lambda: run_newcomers(sessions, clock))
    scheduler.add_job("stale-previews", PREVIEWS_EVERY, lambda: expire_previews(sessions, clock))
    scheduler.add_job("engagement", ENGAGE_EVERY, lambda: run_engagement(sessions, clock))
    scheduler.add_job("round-retros", RETRO_EVERY, lambda: post_retros(sessions, clock))
    scheduler.add_job("micro-offers", MICRO_EVERY, lambda: expire_micro_offers(sessions, clock))
    scheduler.add_job("thanks", THANKS_EVERY, lambda: post_thanks(sessions, clock))
