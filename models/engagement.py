"""Keeping pairs alive: check-ins, meetings, the stall ladder, pulses and completion.

These functions decide and record; handlers.engagement turns each decision into messages
through the outbox in the same transaction. Thresholds live in Program.settings with the
defaults below, so a program can be stricter or gentler without a migration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.db import insert_new_key
from models.matches import Member as Member
from models.matches import list_members
from models.tables import (
    CheckIn,
    CheckInAnswer,
    Match,
    MatchMember,
    Program,
    PulseResponse,
    PulseSurvey,
)
from models.workspace import in_live_workspace

RUNNING = ("active", "stalled")

DEFAULTS: dict[str, int] = {
    "first_meeting_days": 10,  # no confirmed first meeting by then: a nudge with slots
    "stall_periods": 2,  # no meeting for this many cadence periods: stalled
    "not_yet_limit": 2,  # this many "not yet" answers in a row: stalled
    "grace_days": 7,  # a stalled pair has this long to say "keep going"
    "nudge_gap_days": 3,  # at most one nudge per match in this many days
    "pulse_every_days": 30,
    "pulse_remind_days": 3,
    "pulse_expire_days": 7,
}


def threshold(program: Program, name: str) -> int:
    value = (program.settings or {}).get(name, DEFAULTS[name])
    return int(value) if isinstance(value, int) and value > 0 else DEFAULTS[name]


def list_running_matches(s: Session) -> list[int]:
    """Active and stalled matches in workspaces whose token works."""
    return list(
        s.scalars(
            select(Match.id)
            .join(Program, Program.id == Match.program_id)
            .where(Match.state.in_(RUNNING), in_live_workspace(Program.workspace_id))
            .order_by(Match.id)
        )
    )


def list_due_matches(s: Session, at: datetime, limit: int) -> list[int]:
    """Running matches whose next step is due, soonest first: read through the due index, so
    a run costs what is due, not the number of live matches."""
    rows = s.scalars(
        select(Match.id)
        .join(Program, Program.id == Match.program_id)
        .where(
            Match.state.in_(RUNNING),
            Match.next_due_at.is_(None) | (Match.next_due_at <= at),
            in_live_workspace(Program.workspace_id),
        )
        .order_by(Match.next_due_at.is_not(None), Match.next_due_at, Match.id)
        .limit(limit)
    )
    return list(rows)


def wake(s: Session, match_id: int, at: datetime) -> None:
    """Something changed the match (an answer, a meeting, a pause): step it at the next run."""
    s.execute(update(Match).where(Match.id == match_id).values(next_due_at=at))


def wake_person(s: Session, person_id: int, at: datetime) -> None:
    """Someone paused or came back: their running matches are looked at again now."""
    s.execute(
        update(Match)
        .where(
            Match.state.in_(RUNNING),
            Match.id.in_(select(MatchMember.match_id).where(MatchMember.person_id == person_id)),
        )
        .values(next_due_at=at)
    )


@dataclass(frozen=True)
class Opened:
    """A check-in or survey just created: its id, and since when it asks (for a check-in the
    start of the period asked about; for a survey the moment it was sent)."""

    id: int
    since: datetime


def open_checkin(s: Session, match: Match, period: int, at: datetime) -> Opened | None:
    """The check-in for `period`, created now; None if it already exists (a rerun). Two
    round trips: the latest check-in, then an insert that yields to a concurrent one."""
    latest = s.execute(
        select(CheckIn.period, CheckIn.asked_at)
        .where(CheckIn.match_id == match.id)
        .order_by(CheckIn.period.desc())
        .limit(1)
    ).first()
    if latest is not None and latest.period == period:
        return None
    since = latest.asked_at if latest is not None else (match.started_at or at)
    key = insert_new_key(
        s,
        CheckIn,
        ("match_id", "period"),
        match_id=match.id,
        period=period,
        asked_at=at,
        since=since,
    )
    return None if key is None else Opened(int(key), since)


def answer_checkin(s: Session, checkin_id: int, person_id: int, answer: str, at: datetime) -> bool:
    """Store one member's answer once; True if it was new. A 'met' answer records a meeting."""
    checkin = s.get(CheckIn, checkin_id)
    if checkin is None:
        return False
    match = s.get_one(Match, checkin.match_id)
    if person_id not in {m.person_id for m in match.members}:
        return False
    if (
        insert_new_key(
            s,
            CheckInAnswer,
            ("checkin_id", "person_id"),
            checkin_id=checkin_id,
            person_id=person_id,
            answer=answer,
            answered_at=at,
        )
        is None
    ):
        return False  # answered before (or at the same moment elsewhere)
    if answer == "met":
        record_meeting(s, match, at)
    match.next_due_at = at  # a "not yet" may complete a streak: look again now
    return True


def record_meeting(s: Session, match: Match, at: datetime) -> None:
    match.first_meeting_at = match.first_meeting_at or at
    match.last_meeting_at = at
    match.next_due_at = at
    if match.state == "stalled":
        match.state = "active"
        match.stalled_at = None
    s.flush()


def not_yet_streak(s: Session, match_id: int, since: datetime | None = None) -> int:
    """How many of the latest check-ins in a row got a 'not yet' and no 'met' (only those
    asked after `since`: a pair who chose to keep going starts a fresh count)."""
    answers: dict[int, set[str]] = {}
    query = (
        select(CheckIn.period, CheckInAnswer.answer)
        .outerjoin(CheckInAnswer, CheckInAnswer.checkin_id == CheckIn.id)
        .where(CheckIn.match_id == match_id)
    )
    if since is not None:
        query = query.where(CheckIn.asked_at > since)
    for period, answer in s.execute(query):
        answers.setdefault(period, set()).add(answer)
    streak = 0
    for period in sorted(answers, reverse=True):
        if "met" in answers[period] or "not_yet" not in answers[period]:
            break
        streak += 1
    return streak


def pulses(s: Session, match_id: int, kinds: tuple[str, ...]) -> list[tuple[PulseSurvey, bool]]:
    """The match's surveys of these kinds, each with whether it was answered: one query for
    what an engagement step asks of them (who already has one, which to remind)."""
    rows = s.execute(
        select(PulseSurvey, PulseResponse.survey_id.is_not(None))
        .outerjoin(PulseResponse, PulseResponse.survey_id == PulseSurvey.id)
        .where(PulseSurvey.match_id == match_id, PulseSurvey.kind.in_(kinds))
        .order_by(PulseSurvey.id)
    )
    return [(row, bool(answered)) for row, answered in rows]


def survey(
    s: Session,
    match_id: int,
    person_id: int,
    kind: str,
    sequence: int,
    at: datetime,
    expires: timedelta,
) -> Opened | None:
    """A survey for one member, created once per (match, person, kind, sequence): one insert
    that yields to an existing or concurrent one."""
    key = insert_new_key(
        s,
        PulseSurvey,
        ("match_id", "person_id", "kind", "sequence"),
        match_id=match_id,
        person_id=person_id,
        kind=kind,
        sequence=sequence,
        sent_at=at,
        expires_at=at + expires,
    )
    return None if key is None else Opened(int(key), at)


def answered(s: Session, survey_id: int) -> PulseResponse | None:
    return s.get(PulseResponse, survey_id)


def respond(s: Session, survey_id: int, person_id: int, at: datetime, **values: Any) -> bool:
    """Store a member's private answer once; False if not theirs, expired or answered."""
    row = s.get(PulseSurvey, survey_id)
    if row is None or row.person_id != person_id or row.expires_at <= at:
        return False
    values.setdefault("goal_progress", {})
    if (
        insert_new_key(
            s, PulseResponse, ("survey_id",), survey_id=survey_id, submitted_at=at, **values
        )
        is None
    ):
        return False  # answered before (or at the same moment elsewhere)
    wake(s, row.match_id, at)  # a keep-going answer may restart or end a stalled match
    return True


def keep_going_answers(s: Session, match_id: int, sequence: int) -> dict[int, bool | None]:
    """person id -> their keep-going answer for this stall (None: not answered)."""
    rows = s.scalars(
        select(PulseSurvey).where(
            PulseSurvey.match_id == match_id,
            PulseSurvey.kind == "keep_going",
            PulseSurvey.sequence == sequence,
        )
    ).all()
    out: dict[int, bool | None] = {}
    for row in rows:
        response = s.get(PulseResponse, row.id)
        out[row.person_id] = None if response is None else response.keep_going
    return out


def member_of(s: Session, match_id: int, person_id: int) -> MatchMember | None:
    return s.get(MatchMember, (match_id, person_id))


def stall_count(s: Session, match_id: int) -> int:
    """How many times the match has stalled (each stall asks 'keep going?' once)."""
    return int(
        s.scalar(
            select(func.max(PulseSurvey.sequence)).where(
                PulseSurvey.match_id == match_id, PulseSurvey.kind == "keep_going"
            )
        )
        or 0
    )


def members(s: Session, match: Match) -> list[Member]:
    return list_members(s, match.id)


def list_open_surveys(s: Session, person_id: int, at: datetime) -> list[int]:
    """The person's pulse surveys still open, newest first (answered ones included)."""
    return list(
        s.scalars(
            select(PulseSurvey.id)
            .where(
                PulseSurvey.person_id == person_id,
                PulseSurvey.expires_at > at,
                PulseSurvey.kind.in_(("first", "monthly", "final")),
            )
            .order_by(PulseSurvey.id.desc())
        )
    )


def close_surveys(s: Session, match_id: int, *, at: datetime, keep_final: bool = True) -> int:
    """An ended match asks nothing more: its unanswered surveys close now (the final survey
    of a completed match stays open); how many were closed."""
    answered_ids = select(PulseResponse.survey_id)
    query = update(PulseSurvey).where(
        PulseSurvey.match_id == match_id,
        PulseSurvey.expires_at > at,
        PulseSurvey.id.not_in(answered_ids),
    )
    if keep_final:
        query = query.where(PulseSurvey.kind != "final")
    done = s.execute(query.values(expires_at=at))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]
