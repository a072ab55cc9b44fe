"""Program KPIs for admins: the exact counts behind every figure, read from the database.

These are facts, never shown as they are: flows.reports turns them into figures through the
one suppression rule (flows.disclosure), and handlers put the figures into words. Each fact
keeps what the rule needs to judge it: the size of its group, or who answered. The per-match
CSV carries match-level facts only, and no outcome a person chose (no end reason).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.states import GIVING_ROLES, SEEKING_ROLES, MemberRole
from models.tables import (
    CheckIn,
    CheckInAnswer,
    Enrollment,
    EnrollmentSkill,
    Goal,
    Match,
    MatchMember,
    OutboxMessage,
    Person,
    Program,
    PulseResponse,
    PulseSurvey,
    Round,
    Skill,
)
from models.workspace import in_live_workspace

Answers = tuple[tuple[int, int], ...]  # (person id, rating): who answered, and what


@dataclass(frozen=True)
class RoundFacts:
    """One round in the trend: its seekers, how many were matched, its matches' pulse."""

    round_id: int
    day: date
    kind: str
    seekers: int
    matched: int
    pulse: Answers


@dataclass(frozen=True)
class GapFacts:
    """A skill more people want than mentors have places for."""

    skill: str
    wanted: int  # seekers who want it
    places: int  # mentee places offered with it
    mentors: int  # mentors offering it


@dataclass(frozen=True)
class RetentionFacts:
    """People employed on the program's first day, in and out of it: (stayed, were there)."""

    start: date
    end: date
    participants: tuple[int, int]
    others: tuple[int, int]


@dataclass(frozen=True)
class ProgramFacts:
    program: str
    mentors: int
    seekers: int
    matched_seekers: int
    started: int  # matches that started
    waits: tuple[int, ...]  # days from enrolling to being matched, per matched seeker
    first_meeting_14d: int  # started matches whose first meeting came within 14 days
    met_checkins: int
    pair_months: float  # months of running matches, added up
    value: Answers
    progress: Answers
    recommend: Answers
    goals: tuple[tuple[int, bool], ...]  # (owner's person id, done)
    states: dict[str, int]
    end_reasons: dict[str, int]
    ended_seekers: int  # seekers whose match ended early
    rematched: int  # of those, matched again since
    capacity: int
    taken: int
    gaps: tuple[GapFacts, ...]
    departments: dict[str, tuple[int, int]]  # (matched, seekers)
    levels: dict[str, tuple[int, int]]
    rounds: tuple[RoundFacts, ...]
    retention: RetentionFacts | None


def _answers(rows: list[tuple[int, int | None]]) -> Answers:
    return tuple((person, int(value)) for person, value in rows if value is not None)


def program_facts(s: Session, program: Program, at: datetime) -> ProgramFacts:
    enrollments = list(
        s.scalars(
            select(Enrollment).where(
                Enrollment.program_id == program.id, Enrollment.status != "left"
            )
        )
    )
    mentors = [e for e in enrollments if e.role in GIVING_ROLES]
    seekers = [e for e in enrollments if e.role in SEEKING_ROLES]
    matches = list(
        s.scalars(
            select(Match)
            .join(Round, Round.id == Match.round_id)
            .where(
                Match.program_id == program.id,
                Round.status != "discarded",
                Match.state != "proposed",
            )
        )
    )
    members = {
        m.id: list(s.scalars(select(MatchMember).where(MatchMember.match_id == m.id)))
        for m in matches
    }
    matched_people = {
        mm.person_id for ms in members.values() for mm in ms if mm.role != MemberRole.MENTOR
    }
    seeker_ids = {e.person_id for e in seekers}
    started = [m for m in matches if m.started_at]
    by_person = {e.person_id: e for e in enrollments}
    waits = []
    for m in started:
        for mm in members[m.id]:
            e = by_person.get(mm.person_id)
            if mm.role != MemberRole.MENTOR and e is not None and m.started_at is not None:
                waits.append((m.started_at - e.created_at).days)
    first14 = [
        m
        for m in started
        if m.first_meeting_at
        and m.started_at
        and (m.first_meeting_at - m.started_at).days <= 14  # confirmed on day 14 counts
    ]
    pair_months = sum(max(((m.ended_at or at) - (m.started_at or at)).days, 0) for m in started)
    met = (
        s.scalars(
            select(CheckIn.id)
            .join(CheckInAnswer, CheckInAnswer.checkin_id == CheckIn.id)
            .where(CheckIn.match_id.in_([m.id for m in started]), CheckInAnswer.answer == "met")
            .distinct()
        ).all()
        if started
        else []
    )
    responses = (
        list(
            s.execute(
                select(PulseSurvey.person_id, PulseResponse)
                .join(PulseResponse, PulseResponse.survey_id == PulseSurvey.id)
                .where(PulseSurvey.match_id.in_([m.id for m in matches]))
            ).all()
        )
        if matches
        else []
    )
    goals = (
        list(
            s.execute(
                select(Enrollment.person_id, Goal)
                .join(Goal, Goal.enrollment_id == Enrollment.id)
                .where(Enrollment.id.in_([e.id for e in enrollments]))
            ).all()
        )
        if enrollments
        else []
    )
    states = Counter(m.state for m in matches)
    reasons = Counter(m.end_reason for m in matches if m.state == "ended" and m.end_reason)
    # a mentee whose match ended early (not completed) and who was matched again later
    ended_at: dict[int, datetime] = {}
    for m in matches:
        if m.state == "ended" and m.ended_at is not None:
            for mm in members[m.id]:
                if mm.role != MemberRole.MENTOR:
                    ended_at[mm.person_id] = min(ended_at.get(mm.person_id, m.ended_at), m.ended_at)
    again = {
        mm.person_id
        for m in started
        for mm in members[m.id]
        if mm.person_id in ended_at and m.started_at and m.started_at >= ended_at[mm.person_id]
    }
    taken = sum(
        1
        for m in matches
        if m.state in ("active", "stalled")
        for mm in members[m.id]
        if mm.role == MemberRole.MENTEE
    )
    departments: dict[str, list[int]] = {}
    levels: dict[str, list[int]] = {}
    for e in seekers:
        person = s.get(Person, e.person_id)
        dept = e.department or (person.department if person else None) or "unknown"
        departments.setdefault(dept, []).append(e.person_id)
        level = e.seniority or (person.job_level if person else None)
        levels.setdefault(f"L{level}" if level else "unknown", []).append(e.person_id)
    return ProgramFacts(
        program=program.name,
        mentors=len(mentors),
        seekers=len(seekers),
        matched_seekers=len(matched_people & seeker_ids),
        started=len(started),
        waits=tuple(waits),
        first_meeting_14d=len(first14),
        met_checkins=len(met),
        pair_months=pair_months / 30,
        value=_answers([(pid, r.value_rating) for pid, r in responses]),
        progress=_answers([(pid, r.progress_rating) for pid, r in responses]),
        recommend=_answers([(pid, r.recommend) for pid, r in responses]),
        goals=tuple((pid, g.status == "done" or g.progress >= 100) for pid, g in goals),
        states=dict(states),
        end_reasons={str(k): v for k, v in reasons.items()},
        ended_seekers=len(ended_at),
        rematched=len(again),
        capacity=sum(e.capacity for e in mentors),
        taken=taken,
        gaps=_gaps(s, program, mentors, seekers),
        departments=_segments(departments, matched_people),
        levels=_segments(levels, matched_people),
        rounds=round_trend(s, program),
        retention=retention(s, program, at),
    )


def _gaps(
    s: Session, program: Program, mentors: list[Enrollment], seekers: list[Enrollment]
) -> tuple[GapFacts, ...]:
    supply: Counter[int] = Counter()  # mentee places offered per skill
    givers: Counter[int] = Counter()
    for e in mentors:
        for k in s.scalars(
            select(EnrollmentSkill).where(
                EnrollmentSkill.enrollment_id == e.id, EnrollmentSkill.kind == "offer"
            )
        ):
            supply[k.skill_id] += e.capacity
            givers[k.skill_id] += 1
    sought = Counter(
        k.skill_id
        for e in seekers
        for k in s.scalars(
            select(EnrollmentSkill).where(
                EnrollmentSkill.enrollment_id == e.id, EnrollmentSkill.kind == "seek"
            )
        )
    )
    names = {k.id: k.name for k in s.scalars(select(Skill).where(Skill.program_id == program.id))}
    short = sorted(
        ((want - supply[k], k, want) for k, want in sought.items() if want > supply[k]),
        reverse=True,
    )
    return tuple(
        GapFacts(names.get(k, "?"), want, supply[k], givers[k]) for _, k, want in short[:5]
    )


def _segments(groups: dict[str, list[int]], matched: set[int]) -> dict[str, tuple[int, int]]:
    return {name: (sum(p in matched for p in ids), len(ids)) for name, ids in groups.items()}


def _counted_rounds(s: Session, program_id: int) -> list[Round]:
    return list(
        s.scalars(
            select(Round)
            .where(Round.program_id == program_id, Round.status.in_(("approved", "announced")))
            .order_by(Round.created_at, Round.id)
        )
    )


def _round_pulse(s: Session, round_id: int) -> Answers:
    """Who rated the value of the round's matches, and how (one question's respondents)."""
    rows = s.execute(
        select(PulseSurvey.person_id, PulseResponse.value_rating)
        .join(PulseResponse, PulseResponse.survey_id == PulseSurvey.id)
        .join(Match, Match.id == PulseSurvey.match_id)
        .where(Match.round_id == round_id, PulseResponse.value_rating.is_not(None))
    ).all()
    return _answers([(pid, value) for pid, value in rows])


def _round_counts(round_: Round) -> tuple[int, int]:
    stats = round_.stats or {}
    seekers = int(stats.get("seekers", stats.get("newcomers", 0)) or 0)
    matched = int(stats.get("matched_seekers", stats.get("matched_newcomers", 0)) or 0)
    return seekers, matched


def round_trend(s: Session, program: Program) -> tuple[RoundFacts, ...]:
    """Match rate and pulse answers per round, oldest first (newcomer rounds included)."""
    out = []
    for r in _counted_rounds(s, program.id):
        seekers, matched = _round_counts(r)
        out.append(
            RoundFacts(r.id, r.created_at.date(), r.kind, seekers, matched, _round_pulse(s, r.id))
        )
    return tuple(out)


def retention(s: Session, program: Program, at: datetime) -> RetentionFacts | None:
    """Participants against non-participants since the program began, from HR leave dates.

    None unless an HR roster has been imported (someone in the workspace has a start date).
    People employed on the program's first day count; those who left by `at` did not stay.
    """
    people = list(
        s.scalars(
            select(Person).where(
                Person.workspace_id == program.workspace_id, Person.start_date.is_not(None)
            )
        )
    )
    if not people:
        return None
    start, end = program.created_at.date(), at.date()
    enrolled = set(
        s.scalars(select(Enrollment.person_id).where(Enrollment.program_id == program.id))
    )
    groups = {True: [0, 0], False: [0, 0]}
    for p in people:
        if p.start_date is None or p.start_date > start:
            continue
        if p.leave_date is not None and p.leave_date <= start:
            continue
        group = groups[p.id in enrolled]
        group[1] += 1
        group[0] += p.leave_date is None or p.leave_date > end
    return RetentionFacts(
        start, end, (groups[True][0], groups[True][1]), (groups[False][0], groups[False][1])
    )


@dataclass(frozen=True)
class RetroFacts:
    """A round's story one cadence period on."""

    program: str
    day: date
    days_on: int
    seekers: int
    matched: int
    matches: int
    met: int
    states: dict[str, int]
    pulse: Answers
    unmatched: int
    gaps: tuple[tuple[str, int], ...]  # (skill, how many wanted it)
    intros_hours: float | None = None  # announcement to the last intro delivered


def _intros_hours(s: Session, round_: Round) -> float | None:
    first, last = s.execute(
        select(func.min(OutboxMessage.sent_at), func.max(OutboxMessage.sent_at)).where(
            OutboxMessage.kind == "match_intro",
            OutboxMessage.key.like(f"round:{round_.id}:intro:%"),
            OutboxMessage.state == "sent",
        )
    ).one()
    if first is None or last is None:
        return None
    return max((last - (round_.announced_at or first)).total_seconds(), 0.0) / 3600


def retro_facts(s: Session, round_: Round, at: datetime) -> RetroFacts:
    program = s.get_one(Program, round_.program_id)
    live = [
        m
        for m in s.scalars(select(Match).where(Match.round_id == round_.id))
        if m.state != "proposed"
    ]
    stats = round_.stats or {}
    seekers, matched = _round_counts(round_)
    return RetroFacts(
        program=program.name,
        day=round_.created_at.date(),
        days_on=(at - (round_.announced_at or round_.created_at)).days,
        seekers=seekers,
        matched=matched,
        matches=len(live),
        met=sum(1 for m in live if m.first_meeting_at),
        states=dict(Counter(m.state for m in live)),
        pulse=_round_pulse(s, round_.id),
        unmatched=int(stats.get("unmatched", 0) or 0),
        gaps=tuple(
            (str(g["skill"]), int(g.get("demand", 0) or 0))
            for g in (stats.get("coverage_gaps") or [])[:3]
        ),
        intros_hours=_intros_hours(s, round_),
    )


def due_retros(s: Session, at: datetime) -> list[int]:
    """Announced scheduled/manual rounds one cadence period old with no retro yet."""
    rows = s.execute(
        select(Round.id, Round.announced_at, Program)
        .join(Program, Program.id == Round.program_id)
        .where(
            Round.status == "announced",
            Round.kind != "newcomer",
            Round.retro_sent_at.is_(None),
            Round.announced_at.is_not(None),
            Program.admin_channel_id.is_not(None),
            in_live_workspace(Program.workspace_id),
        )
        .order_by(Round.id)
    ).all()
    return [
        rid
        for rid, announced, program in rows
        if announced is not None and announced + timedelta(days=program.meeting_cadence_days) <= at
    ]


CSV_COLUMNS = (
    "match_id",
    "round_id",
    "state",
    "score",
    "created_at",
    "started_at",
    "first_meeting_at",
    "last_meeting_at",
    "ended_at",
    "members",
)


def matches_csv(s: Session, program: Program) -> str:
    """One row per match with match-level facts only: no answers, no free text, and no end
    reason (a named pair's preview would tell whose choice it was).

    UTF-8 with a byte-order mark and CRLF line ends: without the BOM, Excel opens a CSV in
    the machine's legacy code page and garbles every accented letter; LibreOffice reads the
    BOM too, and Python's "utf-8-sig" drops it.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows = s.scalars(select(Match).where(Match.program_id == program.id).order_by(Match.id))
    for m in rows:
        writer.writerow(
            [
                m.id,
                m.round_id,
                m.state,
                f"{m.score:.3f}",
                *(
                    t.isoformat() if t else ""
                    for t in (
                        m.created_at,
                        m.started_at,
                        m.first_meeting_at,
                        m.last_meeting_at,
                        m.ended_at,
                    )
                ),
                len(m.members),
            ]
        )
    return out.getvalue()
