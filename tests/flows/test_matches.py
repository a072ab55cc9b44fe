"""Ending a match without fault: the partner is told kindly, once, and queued first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows import notices
from flows.matches import end_kindly
from handlers.messages import render
from models.db import make_session_factory
from models.tables import Enrollment, Match, OutboxMessage
from tests.support.clock import FrozenClock
from tests.support.world import (
    make_enrollment,
    make_match,
    make_person,
    make_program,
    make_round,
    make_workspace,
)


def _pair(s: Session, clock: FrozenClock) -> tuple[int, int, int]:
    now = clock()
    ws = make_workspace(s, now)
    program = make_program(s, ws, now)
    mentor = make_enrollment(s, program, make_person(s, ws, "UMENTOR", now), "mentor", now)
    mentee = make_enrollment(s, program, make_person(s, ws, "UMENTEE", now), "mentee", now)
    match = make_match(
        s, make_round(s, program, now), [(mentor, "mentor"), (mentee, "mentee")], now
    )
    return match.id, mentor.id, mentee.person_id


def test_partner_is_told_kindly_once_and_queued_first(engine, clock: FrozenClock) -> None:
    sessions = make_session_factory(engine)
    with sessions.begin() as s:
        match_id, mentor_enrollment, leaver = _pair(s, clock)
    for _ in range(2):  # a retried leave changes nothing the second time
        with sessions.begin() as s:
            end_kindly(
                s, match_id, at=clock(), reason="left", leaving_person_ids=frozenset({leaver})
            )
    with sessions.begin() as s:
        messages = s.scalars(select(OutboxMessage)).all()
        assert [m.conversation for m in messages] == ["users:UMENTOR"]
        notice = notices.load(str(messages[0].kind), messages[0].payload)
        assert isinstance(notice, notices.MatchEnded)
        text = render(notice)["text"]
        assert "first in line" in text
        assert "left" not in text  # never why
        assert s.get(Match, match_id).state == "ended"
        enrollment = s.get(Enrollment, mentor_enrollment)
        assert enrollment.priority is True
        assert enrollment.waiting_since == clock()
