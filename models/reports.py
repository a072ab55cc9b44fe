"""Program KPIs for admins: counts and rates from the database, small groups suppressed.

Every figure is an aggregate; any group of fewer than MIN_GROUP people (a segment, a pulse
average, an end reason) is reported as suppressed rather than as a number, so no report can
single out one person's answers. The per-match CSV carries match-level facts only.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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

MIN_GROUP = 5
SUPPRESSED = "fewer than 5"


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "n/a"


def _avg(values: list[int], people: int) -> str:
    if people < MIN_GROUP or not values:
        return SUPPRESSED if values else "n/a"
    return f"{statistics.mean(values):.1f}"


@dataclass(frozen=True)
class Report:
    program: str
    mentors: int
    mentees: int
    matches: int
    matched_seekers: int
    seekers: int
    median_days_to_match: str
    first_meeting_14d: str
    meetings_per_pair_month: str
    pulse_value: str
    pulse_progress: str
    would_recommend: str
    goal_completion: str
    states: dict[str, int]
    end_reasons: dict[str, str]
    mentor_utilisation: str
    coverage_gaps: list[str]
    rematched: str = "n/a"
    by_department: dict[str, str] = field(default_factory=dict)
    by_level: dict[str, str] = field(default_factory=dict)
    trend: list[RoundLine] = field(default_factory=list)
    retention: Retention | None = None

    def lines(self) -> list[str]:
        out = [
            f"Report for {self.program}",
            f"Enrolled: {self.mentors} mentors, {self.mentees} mentees",
            f"Matches: {self.matches}; mentees matched: {self.matched_seekers} of {self.seekers}"
            f" ({_rate(self.matched_seekers, self.seekers)}); median days to match: "
            f"{self.median_days_to_match}",
            f"First meeting confirmed within 14 days: {self.first_meeting_14d}",
            f"Check-ins reporting a meeting per pair per month: {self.meetings_per_pair_month}",
            f"Pulse averages (1-5): value {self.pulse_value}, progress {self.pulse_progress}; "
            f"would recommend (0-10): {self.would_recommend}",
            f"Goal completion: {self.goal_completion}",
            "Match states: "
            + (", ".join(f"{k} {v}" for k, v in sorted(self.states.items())) or "none"),
            "Ended, by reason: "
            + (", ".join(f"{k} {v}" for k, v in sorted(self.end_reasons.items())) or "none"),
            f"Mentees re-matched after an ended match: {self.rematched}",
            f"Mentor utilisation: {self.mentor_utilisation}",
            "Skill coverage gaps: "
            + (", ".join(f"recruit mentors for {g}" for g in self.coverage_gaps) or "none"),
            "Match rate by department: "
            + (", ".join(f"{k} {v}" for k, v in sorted(self.by_department.items())) or "none"),
            "Match rate by job level: "
            + (", ".join(f"{k} {v}" for k, v in sorted(self.by_level.items())) or "none"),
            "Per round (match rate, pulse value): "
            + ("; ".join(r.text() for r in self.trend) or "no rounds yet"),
        ]
        if self.retention is not None:
            out.append(self.retention.text())
        return out


@dataclass(frozen=True)
class RoundLine:
    """One round in the trend: its match rate and the pulse value of its matches."""

    round_id: int
    day: date
    kind: str
    seekers: int
    matched: int
    pulse: float | None  # None: no answers yet, or fewer than MIN_GROUP respondents
    pulse_suppressed: bool

    @property
    def match_rate(self) -> float | None:
        return self.matched / self.seekers if self.seekers else None

    def text(self) -> str:
        pulse = (
            SUPPRESSED
            if self.pulse_suppressed
            else ("n/a" if self.pulse is None else f"{self.pulse:.1f}")
        )
        return f"{self.day:%d %b} {_rate(self.matched, self.seekers)}, {pulse}"


@dataclass(frozen=True)
class Retention:
    """Share still employed at `end` of those employed at `start`, in and out of the program."""

    start: date
    end: date
    participants: tuple[int, int]  # (stayed, employed at start)
    others: tuple[int, int]

    @staticmethod
    def _share(group: tuple[int, int]) -> str:
        stayed, total = group
        return SUPPRESSED if total < MIN_GROUP else f"{_rate(stayed, total)} of {total}"

    def text(self) -> str:
        return (
            f"Retention {self.start:%d %b %Y} to {self.end:%d %b %Y}: participants "
            f"{self._share(self.participants)}, non-participants {self._share(self.others)}"
        )


def program_report(s: Session, program: Program, at: datetime) -> Report:
    enrollments = list(
        s.scalars(
            select(Enrollment).where(
                Enrollment.program_id == program.id, Enrollment.status != "left"
            )
        )
    )
    mentors = [e for e in enrollments if e.role in ("mentor", "both")]
    seekers = [e for e in enrollments if e.role in ("mentee", "both", "peer")]
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
    matched_people = {mm.person_id for ms in members.values() for mm in ms if mm.role != "mentor"}
    seeker_ids = {e.person_id for e in seekers}
    started = [m for m in matches if m.started_at]
    by_person = {e.person_id: e for e in enrollments}
    waits = []
    for m in started:
        for mm in members[m.id]:
            e = by_person.get(mm.person_id)
            if mm.role != "mentor" and e is not None and m.started_at is not None:
                waits.append((m.started_at - e.created_at).days)
    first14 = [
        m
        for m in started
        if m.first_meeting_at
        and m.started_at
        and (m.first_meeting_at - m.started_at).days <= 14  # confirmed on day 14 counts
    ]
    months = (
        sum(max(((m.ended_at or at) - (m.started_at or at)).days, 0) for m in started) / 30 or 0
    )
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
    respondents = len({pid for pid, _ in responses})
    values = [r.value_rating for _, r in responses if r.value_rating]
    progress = [r.progress_rating for _, r in responses if r.progress_rating]
    recommend = [r.recommend for _, r in responses if r.recommend is not None]
    goals = (
        list(s.scalars(select(Goal).where(Goal.enrollment_id.in_([e.id for e in enrollments]))))
        if enrollments
        else []
    )
    done = [g for g in goals if g.status == "done" or g.progress >= 100]
    states = Counter(m.state for m in matches)
    reasons = Counter(m.end_reason for m in matches if m.state == "ended" and m.end_reason)
    # a mentee whose match ended early (not completed) and who was matched again later
    ended_at: dict[int, datetime] = {}
    for m in matches:
        if m.state == "ended" and m.ended_at is not None:
            for mm in members[m.id]:
                if mm.role != "mentor":
                    ended_at[mm.person_id] = min(ended_at.get(mm.person_id, m.ended_at), m.ended_at)
    again = {
        mm.person_id
        for m in started
        for mm in members[m.id]
        if mm.person_id in ended_at and m.started_at and m.started_at >= ended_at[mm.person_id]
    }
    capacity = sum(e.capacity for e in mentors)
    taken = sum(
        1
        for m in matches
        if m.state in ("active", "stalled")
        for mm in members[m.id]
        if mm.role == "mentee"
    )
    supply: Counter[int] = Counter()  # mentee places offered per skill
    for e in mentors:
        for k in s.scalars(
            select(EnrollmentSkill).where(
                EnrollmentSkill.enrollment_id == e.id, EnrollmentSkill.kind == "offer"
            )
        ):
            supply[k.skill_id] += e.capacity
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
    gaps = [f"{names.get(k, '?')} ({want} want it, {supply[k]} places)" for _, k, want in short[:5]]
    departments: dict[str, list[int]] = {}
    levels: dict[str, list[int]] = {}
    for e in seekers:
        person = s.get(Person, e.person_id)
        dept = e.department or (person.department if person else None) or "unknown"
        departments.setdefault(dept, []).append(e.person_id)
        level = e.seniority or (person.job_level if person else None)
        levels.setdefault(f"L{level}" if level else "unknown", []).append(e.person_id)
    return Report(
        program=program.name,
        mentors=len(mentors),
        mentees=len(seekers),
        matches=len(started),
        matched_seekers=len(matched_people & seeker_ids),
        seekers=len(seekers),
        median_days_to_match=f"{statistics.median(waits):.0f}" if waits else "n/a",
        first_meeting_14d=_rate(len(first14), len(started)),
        meetings_per_pair_month=f"{len(met) / len(started) / months * len(started):.2f}"
        if started and months
        else "n/a",
        pulse_value=_avg(values, respondents),
        pulse_progress=_avg(progress, respondents),
        would_recommend=_avg(
            recommend, len({pid for pid, r in responses if r.recommend is not None})
        ),
        goal_completion=_rate(len(done), len(goals)),
        states=dict(states),
        end_reasons={k: (str(v) if v >= MIN_GROUP else SUPPRESSED) for k, v in reasons.items()},
        rematched=f"{len(again)} of {len(ended_at)} ({_rate(len(again), len(ended_at))})"
        if ended_at
        else "n/a",
        mentor_utilisation=_rate(taken, capacity),
        coverage_gaps=gaps,
        by_department=_segment_rates(departments, matched_people),
        by_level=_segment_rates(levels, matched_people),
        trend=round_trend(s, program),
        retention=retention(s, program, at),
    )


def _segment_rates(groups: dict[str, list[int]], matched: set[int]) -> dict[str, str]:
    return {
        name: (
            _rate(sum(p in matched for p in ids), len(ids)) if len(ids) >= MIN_GROUP else SUPPRESSED
        )
        for name, ids in groups.items()
    }


def _counted_rounds(s: Session, program_id: int) -> list[Round]:
    return list(
        s.scalars(
            select(Round)
            .where(Round.program_id == program_id, Round.status.in_(("approved", "announced")))
            .order_by(Round.created_at, Round.id)
        )
    )


def _round_pulse(s: Session, round_id: int) -> tuple[float | None, bool]:
    """Average value rating on the round's matches; suppressed under MIN_GROUP respondents."""
    rows = s.execute(
        select(PulseSurvey.person_id, PulseResponse.value_rating)
        .join(PulseResponse, PulseResponse.survey_id == PulseSurvey.id)
        .join(Match, Match.id == PulseSurvey.match_id)
        .where(Match.round_id == round_id, PulseResponse.value_rating.is_not(None))
    ).all()
    if not rows:
        return None, False
    if len({pid for pid, _ in rows}) < MIN_GROUP:
        return None, True
    return statistics.mean(int(v or 0) for _, v in rows), False


def round_trend(s: Session, program: Program) -> list[RoundLine]:
    """Match rate and pulse value per round, oldest first (newcomer rounds included)."""
    out = []
    for r in _counted_rounds(s, program.id):
        stats = r.stats or {}
        seekers = int(stats.get("seekers", stats.get("newcomers", 0)) or 0)
        matched = int(stats.get("matched_seekers", stats.get("matched_newcomers", 0)) or 0)
        pulse, suppressed = _round_pulse(s, r.id)
        out.append(
            RoundLine(r.id, r.created_at.date(), r.kind, seekers, matched, pulse, suppressed)
        )
    return out


def retention(s: Session, program: Program, at: datetime) -> Retention | None:
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
    return Retention(
        start, end, (groups[True][0], groups[True][1]), (groups[False][0], groups[False][1])
    )


def round_retro(s: Session, round_: Round, at: datetime) -> list[str]:
    """A round's story one cadence period on: matches, first meetings, exits, pulse."""
    program = s.get_one(Program, round_.program_id)
    matches = list(s.scalars(select(Match).where(Match.round_id == round_.id)))
    live = [m for m in matches if m.state != "proposed"]
    stats = round_.stats or {}
    seekers = int(stats.get("seekers", stats.get("newcomers", 0)) or 0)
    matched = int(stats.get("matched_seekers", stats.get("matched_newcomers", 0)) or 0)
    met = sum(1 for m in live if m.first_meeting_at)
    states = Counter(m.state for m in live)
    pulse, suppressed = _round_pulse(s, round_.id)
    pulse_text = SUPPRESSED if suppressed else ("n/a" if pulse is None else f"{pulse:.1f}")
    days = (at - (round_.announced_at or round_.created_at)).days
    sent = s.execute(
        select(func.min(OutboxMessage.sent_at), func.max(OutboxMessage.sent_at)).where(
            OutboxMessage.kind == "match_intro",
            OutboxMessage.key.like(f"round:{round_.id}:intro:%"),
            OutboxMessage.state == "sent",
        )
    ).one()
    took = (
        f"Intros reached every pair in {_duration(sent[1] - (round_.announced_at or sent[0]))}"
        if sent[0] is not None and sent[1] is not None
        else "Intros: none delivered yet"
    )
    return [
        f"Round retro: {program.name}, round of {round_.created_at:%d %b %Y} ({days} days on)",
        f"Mentees matched: {matched} of {seekers} ({_rate(matched, seekers)}); "
        f"matches: {len(live)}",
        f"Pairs who have met: {met} of {len(live)} ({_rate(met, len(live))})",
        "Now: " + (", ".join(f"{k} {v}" for k, v in sorted(states.items())) or "none"),
        f"Pulse value (1-5): {pulse_text}",
        took,
        f"Unmatched: {stats.get('unmatched', 0)}; "
        + (
            "recruit mentors for " + ", ".join(g["skill"] for g in stats["coverage_gaps"][:3])
            if stats.get("coverage_gaps")
            else "no skill gaps"
        ),
    ]


def _duration(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours * 60:.0f} minutes" if hours < 1 else f"{hours:.1f} hours"


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
    "end_reason",
    "members",
)


def matches_csv(s: Session, program: Program) -> str:
    """One row per match with match-level facts only (no answers, no free text).

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
                m.end_reason or "",
                len(m.members),
            ]
        )
    return out.getvalue()
