"""Doing what intents ask: each intent in one transaction with its effects, exactly once.

A long intent (the intros of a big round) does one batch per transaction and stays pending
until it is finished; an intent that keeps failing gives up and tells whoever asked.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from flows import intents, notices, reports, rounds
from flows.notify import Reader, ToPeople, emit
from matching.landing import Hours
from models import intents as store
from models.tables import Program

log = logging.getLogger("mentorbot.work")


def due(s: Session, at: datetime, limit: int = 20) -> list[int]:
    return store.list_due(s, at, limit)


def perform(s: Session, intent_id: int, *, at: datetime) -> bool:
    """Do (a part of) one intent in the caller's transaction; True when it is finished."""
    pending = store.claim(s, intent_id)
    if pending is None:
        return True  # done by now, or being done by someone else
    intent = intents.load(pending.kind, pending.data)
    done = _perform(s, intent, pending.key, at)
    if done:
        store.mark_done(s, intent_id, at)
    else:
        store.again_now(s, intent_id, at)
    return done


def _perform(s: Session, intent: intents.Intent, key: str, at: datetime) -> bool:
    if isinstance(intent, intents.RunRound):
        try:
            rounds.start_round(
                s,
                intent.program_id,
                at=at,
                dry_run=intent.dry_run,
                requested_by=intent.requested_by,
            )
        except rounds.RoundPendingError:
            _note(s, intent.program_id, intent.requester, key, "round_pending", intent.WHAT, at)
        return True
    if isinstance(intent, intents.Announce):
        return rounds.perform_announce(s, intent.round_id, by=intent.by, at=at)
    if isinstance(intent, intents.PostReport):
        reports.post_report(s, intent.program_id, request=intent.request, at=at)
        return True
    if isinstance(intent, intents.Export):
        reports.export(s, intent.program_id, request=intent.request, by=intent.requester, at=at)
        return True
    raise AssertionError(f"no way to perform {intent.KIND}")


def failed(s: Session, intent_id: int, error: str, *, at: datetime) -> None:
    """Count a failed attempt (in a fresh transaction); tell the requester when it gives up."""
    if not store.record_failure(s, intent_id, error, at):
        return
    pending = store.get(s, intent_id)
    if pending is None:
        return
    intent = intents.load(pending.kind, pending.data)
    requester = getattr(intent, "requester", None) or getattr(intent, "by", None)
    program_id = getattr(intent, "program_id", None)
    log.error("gave up on %s after %d attempts: %s", pending.key, pending.attempts, error)
    _note(s, program_id, requester, pending.key, "failed", intent.WHAT, at, detail=error[:80])


def _note(
    s: Session,
    program_id: int | None,
    requester: str | None,
    key: str,
    outcome: str,
    what: str,
    at: datetime,
    detail: str = "",
) -> None:
    program = s.get(Program, program_id) if program_id is not None else None
    if not requester or program is None:  # nobody asked, or they were forgotten since
        return
    emit(
        s,
        notices.WorkNote(key, outcome, what, program.name, detail),
        to=ToPeople((Reader(requester, Hours("UTC")),)),
        workspace_id=program.workspace_id,
        at=at,
    )
