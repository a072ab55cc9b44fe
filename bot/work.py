"""The leader's intent worker: what acknowledged requests asked for, done exactly once.

Each intent runs in its own transaction with its effects (flows.work); a failure is counted
in a fresh one, so one bad intent never blocks the others.
"""

from __future__ import annotations

import logging

from flows import work
from models.clock import Clock
from models.db import SessionFactory

log = logging.getLogger("mentorbot.work")


def run_intents(sessions: SessionFactory, clock: Clock, limit: int = 20) -> int:
    """Do (a part of) every due intent once; how many were finished."""
    now = clock()
    with sessions.begin() as s:
        due = work.due(s, now, limit)
    finished = 0
    for intent_id in due:
        try:
            with sessions.begin() as s:
                finished += work.perform(s, intent_id, at=clock())
        except Exception as error:  # counted, backed off, and given up on after a few tries
            log.exception("intent %s failed", intent_id)
            with sessions.begin() as s:
                work.failed(s, intent_id, f"{type(error).__name__}: {error}", at=clock())
    return finished


def drain(sessions: SessionFactory, clock: Clock, *, passes: int = 1000) -> int:
    """Run intents until none is due (a benchmark's or test's stand-in for the leader)."""
    finished = 0
    for _ in range(passes):
        with sessions.begin() as s:
            if not work.due(s, clock(), 1):
                break
        finished += run_intents(sessions, clock)
    return finished
