"""What a mentor's mentoring achieved, as stored: people, goals, sessions, recommendations.

Recommendations are the mentees' private final-survey answers, so only their count and
(in the flow) an average over whole groups of five ever leave this module's callers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.hours import held_micro, meeting_minutes, met_checkins
from models.states import HELD_OUTCOMES, GoalStatus, MatchState, MemberRole, MicroState, SurveyKind
from models.tables import (
    Enrollment,
    Goal,
    Match,
    MatchMember,
    MicroRequest,
    Program,
    PulseResponse,
    PulseSurvey,
)


@dataclass(frozen=True)
class MentorRecord:
    people: int  # distinct people mentored in started matches or helped in micro sessions
    matches: int
    completed: int
    micro_sessions: int
    goals_reached: int
    recommend: tuple[int, ...]  # 0-10 answers, oldest first
    programs: tuple[str, ...]


def _mentored_matches(s: Session, person_id: int) -> list[Match]:
    return list(
        s.scalars(
            select(Match)
            .join(MatchMember, MatchMember.match_id == Match.id)
            .where(
                MatchMember.person_id == person_id,
                MatchMember.role == MemberRole.MENTOR,
                Match.started_at.is_not(None),
                Match.state != MatchState.CANCELLED,
            )
            .order_by(Match.id)
        )
    )


def mentor_record(s: Session, person_id: int) -> MentorRecord:
    matches = _mentored_matches(s, person_id)
    ids = [m.id for m in matches]
    mentees: set[int] = set()
    if ids:
        mentees = set(
            s.scalars(
                select(MatchMember.person_id).where(
                    MatchMember.match_id.in_(ids), MatchMember.person_id != person_id
                )
            )
        )
    askers = set(
        s.scalars(
            select(MicroRequest.asker_id).where(
                MicroRequest.expert_id == person_id,
                MicroRequest.state == MicroState.DONE,
                MicroRequest.outcome.in_(HELD_OUTCOMES),
            )
        )
    )
    micro = len(held_micro(s, [person_id], None, None))
    goals = 0
    recommend: list[int] = []
    if ids:
        goals = len(
            list(
                s.scalars(
                    select(Goal.id).where(
                        Goal.match_id.in_(ids),
                        (Goal.status == GoalStatus.DONE) | (Goal.progress >= 100),
                    )
                )
            )
        )
        recommend = [
            int(v)
            for v in s.scalars(
                select(PulseResponse.recommend)
                .join(PulseSurvey, PulseSurvey.id == PulseResponse.survey_id)
                .where(
                    PulseSurvey.match_id.in_(ids),
                    PulseSurvey.person_id != person_id,
                    PulseSurvey.kind == SurveyKind.FINAL,
                    PulseResponse.recommend.is_not(None),
                )
                .order_by(PulseResponse.submitted_at, PulseResponse.survey_id)
            )
            if v is not None
        ]
    program_ids = {m.program_id for m in matches} | set(
        s.scalars(
            select(MicroRequest.program_id).where(
                MicroRequest.expert_id == person_id, MicroRequest.state == MicroState.DONE
            )
        )
    )
    names = sorted(
        s.scalars(select(Program.name).where(Program.id.in_(program_ids))) if program_ids else []
    )
    return MentorRecord(
        people=len(mentees | askers),
        matches=len(matches),
        completed=sum(1 for m in matches if m.state == MatchState.COMPLETED),
        micro_sessions=micro,
        goals_reached=goals,
        recommend=tuple(recommend),
        programs=tuple(names),
    )


@dataclass(frozen=True)
class MonthOfProgram:
    """A program's mentoring in one month, per mentor: hours and people helped."""

    hours: dict[int, float]  # mentor person id -> hours
    helped: dict[int, set[int]]  # mentor person id -> people they met or helped
    sessions: int


def program_month(s: Session, program: Program, since: datetime, until: datetime) -> MonthOfProgram:
    mentors = set(
        s.scalars(
            select(MatchMember.person_id)
            .join(Match, Match.id == MatchMember.match_id)
            .where(Match.program_id == program.id, MatchMember.role == MemberRole.MENTOR)
        )
    ) | {
        p
        for p in s.scalars(
            select(MicroRequest.expert_id).where(MicroRequest.program_id == program.id)
        )
        if p is not None
    }
    hours: dict[int, float] = defaultdict(float)
    helped: dict[int, set[int]] = defaultdict(set)
    sessions = 0
    minutes = meeting_minutes(program)
    for person_id, program_id, _ in met_checkins(s, mentors, since, until):
        if program_id == program.id:
            hours[person_id] += minutes / 60
            sessions += 1
    for person_id, program_id, micro_minutes in held_micro(s, mentors, since, until):
        if program_id == program.id:
            hours[person_id] += micro_minutes / 60
            sessions += 1
    if hours:
        rows = s.execute(
            select(MatchMember.match_id, MatchMember.person_id, MatchMember.role)
            .join(Match, Match.id == MatchMember.match_id)
            .where(Match.program_id == program.id, Match.started_at.is_not(None))
        ).all()
        by_match: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for match_id, person_id, role in rows:
            by_match[match_id].append((int(person_id), role))
        for members in by_match.values():
            mentor = next((p for p, role in members if role == MemberRole.MENTOR), None)
            if mentor in hours:
                helped[mentor].update(p for p, role in members if role != MemberRole.MENTOR)
        for expert, asker in s.execute(
            select(MicroRequest.expert_id, MicroRequest.asker_id).where(
                MicroRequest.program_id == program.id,
                MicroRequest.state == MicroState.DONE,
                MicroRequest.outcome.in_(HELD_OUTCOMES),
                MicroRequest.done_at >= since,
                MicroRequest.done_at < until,
            )
        ):
            if expert is not None:
                helped[int(expert)].add(int(asker))
    return MonthOfProgram(dict(hours), dict(helped), sessions)


def recognised(s: Session, program_id: int) -> set[int]:
    """People in the program who asked to be named in its thank-you posts."""
    rows = s.execute(
        select(Enrollment.person_id, Enrollment.preferences).where(
            Enrollment.program_id == program_id, Enrollment.status != "left"
        )
    )
    return {int(p) for p, prefs in rows if isinstance(prefs, dict) and prefs.get("recognition")}


def set_recognition(s: Session, person_id: int, wanted: bool, at: datetime) -> int:
    """Opt in to (or out of) being named in thank-you posts, in every current enrollment."""
    rows = list(
        s.scalars(
            select(Enrollment).where(Enrollment.person_id == person_id, Enrollment.status != "left")
        )
    )
    for e in rows:
        prefs = dict(e.preferences or {})
        prefs["recognition"] = wanted
        e.preferences = prefs  # reassigned so the JSON change is written
        e.updated_at = at
    s.flush()
    return len(rows)
