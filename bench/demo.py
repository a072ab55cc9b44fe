"""`python -m bench.demo [--csv FILE] [--weeks 26]`: a whole program on the IBM HR roster.

It imports the roster through the real HR import (synthetic emails, Slack ids and zones),
enrolls a deterministic share as mentors and mentees, runs a round every four weeks and the
engagement job every working day on a simulated clock, answers check-ins and surveys as three kinds
of pair would (thriving, slow, silent), re-imports the roster with the leavers' dates, and
prints the admin report next to an independent count from the database (bench.demo_check).
Messages are queued in the outbox as in production; nothing is sent (there is no Slack).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.demo_check import check_report
from bench.ibm_roster import Employee, read_roster, skill_clusters
from bot.jobs import run_engagement
from bot.migrate import upgrade
from bot.work import drain
from flows.enrollment import leave_program
from flows.reports import program_figures
from flows.rounds import start_round
from handlers.insight import report_lines
from models import engagement
from models.db import SessionFactory, make_engine, make_session_factory
from models.enrollment import Profile, get_enrollment, save_profile
from models.hr_import import apply_row, check_row
from models.program_admin import ProgramSettings, create_program
from models.tables import (
    CheckIn,
    CheckInAnswer,
    Goal,
    Match,
    MatchMember,
    OutboxMessage,
    Person,
    Program,
    PulseResponse,
    PulseSurvey,
)
from models.taxonomy import add_skill, list_skills
from models.workspace import ensure_person, ensure_workspace

START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # a Monday
ROUND_EVERY = 28
LIVES = (("thriving", 60), ("slow", 25), ("silent", 15))  # percent of pairs


def _hash(*parts: object) -> int:
    return int(hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def slack_id(e: Employee) -> str:
    return f"U{e.number:08d}"


def email(e: Employee) -> str:
    return f"employee{e.number}@ibm-demo.example"


def leave_day(e: Employee, weeks: int) -> int | None:
    """The simulated day a leaver leaves (the data says who left, not when)."""
    return 7 + e.digest % max(weeks * 7 - 14, 1) if e.left else None


def enrolled(e: Employee, share: float) -> bool:
    return e.digest % 1000 < share * 1000


def life(match_id: int, seed: int) -> str:
    roll = _hash(seed, "life", match_id) % 100
    for name, percent in LIVES:
        if roll < percent:
            return name
        roll -= percent
    return LIVES[-1][0]


@dataclass
class Tally:
    days: int = 0
    rounds: int = 0
    checkin_answers: Counter[str] = field(default_factory=Counter)
    surveys_answered: Counter[str] = field(default_factory=Counter)
    goals: int = 0
    leavers: int = 0
    leavers_enrolled: int = 0


def _hr_row(e: Employee, weeks: int, with_leave: bool) -> dict[str, str]:
    start_date = (START - timedelta(days=365 * e.years + e.digest % 300)).date()
    day = leave_day(e, weeks)
    leave = (START + timedelta(days=day)).date() if with_leave and day is not None else None
    return {
        "email": email(e),
        "department": e.department,
        "job_level": str(e.level),
        "timezone": e.zone,
        "start_date": start_date.isoformat(),
        "leave_date": leave.isoformat() if leave else "",
    }


def import_roster(
    s: Session,
    program: Program,
    roster: Sequence[Employee],
    weeks: int,
    at: datetime,
    *,
    leave: bool,
) -> tuple[int, int]:
    """The HR import as `mentorbot import` runs it, emails resolved to our synthetic ids."""
    updated = unchanged = 0
    for e in roster:
        values, reason = check_row(_hr_row(e, weeks, leave))
        if reason is not None:
            raise ValueError(f"employee {e.number}: {reason}")
        if apply_row(s, program, slack_id(e), values, None, at, overwrite=False):
            updated += 1
        else:
            unchanged += 1
    return updated, unchanged


def setup(s: Session, roster: Sequence[Employee], share: float, weeks: int) -> Program:
    workspace = ensure_workspace(s, "TDEMO0001", START - timedelta(days=30))
    admin = ensure_person(s, workspace.id, "UDEMOADMIN", START - timedelta(days=30))
    program = create_program(
        s,
        workspace.id,
        ProgramSettings(
            name="IBM mentoring",
            format="one_on_one",
            schedule_rrule=None,
            timezone="UTC",
            meeting_cadence_days=14,
            engagement_weeks=12,
            capacity_default=2,
            capacity_max=3,
            approval_required=False,
            admin_channel_id="CDEMOADMIN",
            program_channel_id=None,
        ),
        admin.id,
        START - timedelta(days=30),
    )
    program.created_at = START
    existing = {k.name for k in list_skills(s, program.id)}
    for name, cluster in skill_clusters().items():
        if name not in existing:
            add_skill(s, program.id, name, cluster.title(), START - timedelta(days=30))
    skills = {k.name: k.id for k in list_skills(s, program.id)}
    import_roster(s, program, roster, weeks, START - timedelta(days=30), leave=False)
    people = {p.slack_user_id: p for p in s.scalars(select(Person))}
    for e in roster:
        if not enrolled(e, share):
            continue
        joined = START - timedelta(days=e.digest % 21)
        save_profile(
            s,
            program,
            people[slack_id(e)],
            Profile(
                role="mentor" if e.mentor else "mentee",
                offered=tuple((skills[n], lvl) for n, lvl in e.offers()) if e.mentor else (),
                sought=() if e.mentor else tuple(skills[n] for n in e.seeks()),
                free_text_goal=None,
                seniority=e.level,
                department=e.department,
                manager_id=None,
                working_days=(0, 1, 2, 3, 4),
                work_start_minute=9 * 60,
                work_end_minute=17 * 60 + 30,
                timezone=e.zone,
                languages=("en",),
                meeting_frequency_days=None,
                capacity=2 if e.mentor else 0,
                never_match=(),
            ),
            at=joined,
        )
    return program


def _answer(
    sessions: SessionFactory, program_id: int, at: datetime, seed: int, tally: Tally
) -> None:
    """Members answer what is open, as their pair's life says; the same calls as the buttons,
    each in its own transaction as each click is its own request (one session for a day's
    thousands of answers would make every bulk update scan all of them)."""
    with sessions() as s:
        open_checkins = s.execute(
            select(CheckIn.id, CheckIn.period, Match.id, MatchMember.person_id)
            .join(Match, Match.id == CheckIn.match_id)
            .join(
                MatchMember,
                (MatchMember.match_id == Match.id) & (MatchMember.role != "mentor"),
            )
            .outerjoin(
                CheckInAnswer,
                (CheckInAnswer.checkin_id == CheckIn.id)
                & (CheckInAnswer.person_id == MatchMember.person_id),
            )
            .where(
                Match.program_id == program_id,
                Match.state.in_(("active", "stalled")),
                CheckIn.asked_at > at - timedelta(days=2),
                CheckInAnswer.checkin_id.is_(None),  # not answered yesterday already
            )
            .order_by(CheckIn.id)
        ).all()
        surveys = [
            (row.id, row.kind, row.person_id, match.id)
            for row, match in s.execute(
                select(PulseSurvey, Match)
                .join(Match, Match.id == PulseSurvey.match_id)
                .outerjoin(PulseResponse, PulseResponse.survey_id == PulseSurvey.id)
                .where(
                    Match.program_id == program_id,
                    PulseSurvey.expires_at > at,
                    PulseResponse.survey_id.is_(None),
                )
            ).all()
        ]
    for checkin_id, period, match_id, mentee in open_checkins:
        kind = life(match_id, seed)
        if kind == "silent":
            continue
        answer = "met" if kind == "thriving" or period > 2 else "not_yet"
        with sessions.begin() as s:
            if engagement.answer_checkin(s, checkin_id, mentee, answer, at):
                tally.checkin_answers[answer] += 1
    for survey_id, survey_kind, person_id, match_id in surveys:
        kind = life(match_id, seed)
        roll = _hash(seed, "survey", survey_id) % 100
        answers_at = 95 if survey_kind == "keep_going" else 85 if kind == "thriving" else 60
        if kind == "silent" or roll >= answers_at:
            continue
        if survey_kind == "keep_going":
            values: dict[str, object] = {"keep_going": True}
        else:
            low = 4 if kind == "thriving" else 3
            values = {
                "value_rating": low + roll % 2,
                "progress_rating": low - 1 + roll % 3,
            }
            if survey_kind == "final":
                values["recommend"] = (8 if kind == "thriving" else 5) + roll % 3
        with sessions.begin() as s:
            if engagement.respond(s, survey_id, person_id, at, **values):
                tally.surveys_answered[survey_kind] += 1


def _set_goals(s: Session, program_id: int, at: datetime, seed: int, tally: Tally) -> None:
    """Mentees of thriving and slow pairs set one goal when their match starts."""
    rows = s.execute(
        select(Match.id, MatchMember.person_id)
        .join(MatchMember, MatchMember.match_id == Match.id)
        .where(Match.program_id == program_id, Match.started_at == at, MatchMember.role == "mentee")
    ).all()
    for match_id, person_id in rows:
        if life(match_id, seed) == "silent":
            continue
        enrollment = get_enrollment(s, program_id, person_id)
        if enrollment is None:
            continue
        s.add(
            Goal(
                enrollment_id=enrollment.id,
                match_id=match_id,
                title="Grow into the next role",
                measure="Agreed with my mentor at each check-in",
                target_date=(at + timedelta(weeks=12)).date(),
                created_at=at,
            )
        )
        tally.goals += 1


def _finish_goals(s: Session, program_id: int, at: datetime, seed: int) -> None:
    """Thriving pairs' goals are done when the match completes."""
    for goal, match in s.execute(
        select(Goal, Match)
        .join(Match, Match.id == Goal.match_id)
        .where(Match.program_id == program_id, Match.state == "completed", Goal.status == "open")
    ).all():
        if life(match.id, seed) == "thriving":
            goal.status, goal.progress, goal.completed_at = "done", 100, at


def _fixed(at: datetime) -> datetime:
    return at


def simulate(
    sessions: SessionFactory,
    roster: Sequence[Employee],
    *,
    weeks: int,
    share: float,
    seed: int,
    step: Callable[[datetime], None] | None = None,
) -> tuple[int, Tally]:
    """Run the program day by day; `step(at)` runs the engagement each working day."""
    tally = Tally()
    with sessions.begin() as s:
        program_id = setup(s, roster, share, weeks).id
    leaving: dict[int, list[Employee]] = {}
    for e in roster:
        day = leave_day(e, weeks)
        if day is not None:
            leaving.setdefault(day, []).append(e)
    for day in range(weeks * 7):
        at = START + timedelta(days=day)
        tally.days += 1
        with sessions.begin() as s:
            for e in leaving.get(day, []):
                tally.leavers += 1
                person = s.scalar(select(Person).where(Person.slack_user_id == slack_id(e)))
                enrollment = get_enrollment(s, program_id, person.id) if person else None
                if person and enrollment and enrollment.status != "left":
                    tally.leavers_enrolled += 1
                    leave_program(s, enrollment, person, at, "left_company")
        if day % ROUND_EVERY == 0:
            with sessions.begin() as s:
                if start_round(s, program_id, at=at, kind="scheduled", scheduled_for=at):
                    tally.rounds += 1
                _set_goals(s, program_id, at, seed, tally)
        if at.weekday() >= 5:  # messages land on working days only: weekends have no news
            continue
        if step is None:  # the engagement job itself, at `at`
            drain(sessions, partial(_fixed, at))
            run_engagement(sessions, partial(_fixed, at))
        else:
            step(at)
        _answer(sessions, program_id, at + timedelta(hours=2), seed, tally)
        with sessions.begin() as s:
            _finish_goals(s, program_id, at, seed)
    return program_id, tally


def _roster_summary(roster: Sequence[Employee], share: float) -> list[str]:
    chosen = [e for e in roster if enrolled(e, share)]
    departments = Counter(e.department for e in roster)
    return [
        f"Roster: {len(roster)} employees; "
        + ", ".join(f"{d} {n}" for d, n in sorted(departments.items())),
        f"Leavers in the data (Attrition=Yes): {sum(e.left for e in roster)}",
        f"Enrolled ({share:.0%} by employee-number hash): {len(chosen)} — "
        f"{sum(e.mentor for e in chosen)} mentors (job level 3+ or 10+ years), "
        f"{sum(not e.mentor for e in chosen)} mentees",
    ]


def run_demo(
    csv_path: Path,
    database_url: str,
    *,
    weeks: int,
    share: float,
    seed: int,
    write: Callable[[str], None] = print,
) -> int:
    roster = read_roster(csv_path)
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        for line in _roster_summary(roster, share):
            write(line)
        started = time.perf_counter()
        program_id, tally = simulate(sessions, roster, weeks=weeks, share=share, seed=seed)
        end = START + timedelta(days=weeks * 7)
        with sessions.begin() as s:
            program = s.get_one(Program, program_id)
            updated, unchanged = import_roster(s, program, roster, weeks, end, leave=True)
        write(
            f"Simulated {tally.days} days in {time.perf_counter() - started:.1f} s: "
            f"{tally.rounds} rounds; check-in answers {dict(tally.checkin_answers)}; "
            f"surveys answered {dict(tally.surveys_answered)}; goals set {tally.goals}; "
            f"{tally.leavers} left the company ({tally.leavers_enrolled} of them enrolled)"
        )
        write(f"Final HR import (leave dates): {updated} updated, {unchanged} unchanged")
        with sessions() as s:
            queued = s.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1))
            write(f"Messages queued for Slack over the run: {queued or 0}")
            program = s.get_one(Program, program_id)
            report = program_figures(s, program, end)
            write("")
            for line in report_lines(report, escape=str):
                write(line)
            write("")
            write("Independent count from the database:")
            mismatches = 0
            for name, ours, theirs in check_report(s, program_id, report, end):
                ok = ours == theirs
                mismatches += not ok
                write(f"  {'ok ' if ok else 'BAD'} {name}: report {ours}, database {theirs}")
        return 1 if mismatches else 0
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.demo", description=__doc__)
    parser.add_argument(
        "--csv",
        type=Path,
        required=True,
        help="the IBM HR attrition CSV (ibm-hr-employee-attrition.csv)",
    )
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--share", type=float, default=0.4, help="share of people enrolled")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not args.csv.exists():
        print(f"{args.csv} not found; pass --csv with the IBM HR attrition CSV", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/demo.db"
        return run_demo(args.csv, url, weeks=args.weeks, share=args.share, seed=args.seed)


if __name__ == "__main__":
    raise SystemExit(main())
