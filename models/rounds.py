"""Rounds and their matches as stored: who is eligible, who is held, what ran when.

The queries behind flows.rounds (which turns them into the engine's plain values), the
matches a round proposes, and the status moves of a round, each conditional so a retried or
double-clicked step is a no-op.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.db import is_postgres
from models.matches import get_with_program
from models.states import (
    OPEN_MATCH_STATES,
    EndReason,
    EnrollmentStatus,
    GoalStatus,
    MatchState,
    MemberRole,
    ProgramStatus,
    RoundKind,
    RoundStatus,
)
from models.tables import (
    Enrollment,
    EnrollmentSkill,
    Goal,
    Match,
    MatchMember,
    Person,
    Program,
    Round,
    Skill,
)
from models.workspace import in_live_workspace

# A discarded round's matches never happened, so they do not count as past pairs.
DISCARDED = EndReason.DISCARDED


def list_eligible_enrollments(s: Session, program: Program, at: datetime) -> list[Enrollment]:
    """Active enrollments (and paused ones whose pause is over) of people still here."""
    today = at.astimezone(UTC).date()
    rows = s.scalars(
        select(Enrollment)
        .join(Person, Person.id == Enrollment.person_id)
        .where(
            Enrollment.program_id == program.id,
            Person.is_deleted.is_(False),
            Person.forgotten_at.is_(None),
            Enrollment.status.in_((EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)),
        )
        .order_by(Enrollment.id)
    ).all()
    return [
        e
        for e in rows
        if e.status == EnrollmentStatus.ACTIVE
        or (e.paused_until is not None and e.paused_until <= today)
    ]


def get_open_load(s: Session, program_id: int) -> tuple[Counter[int], set[int]]:
    """Mentee slots each mentor (person id) fills in open matches, and who is held as a seeker."""
    rows = s.execute(
        select(MatchMember.match_id, MatchMember.person_id, MatchMember.role)
        .join(Match, Match.id == MatchMember.match_id)
        .where(Match.program_id == program_id, Match.state.in_(OPEN_MATCH_STATES))
    ).all()
    mentees = Counter(match_id for match_id, _, role in rows if role == MemberRole.MENTEE)
    load: Counter[int] = Counter()
    held: set[int] = set()
    for match_id, person_id, role in rows:
        if role == MemberRole.MENTOR:
            load[person_id] += mentees.get(match_id, 0)
        else:
            held.add(person_id)
    return load, held


def list_past_pairs(s: Session, program_id: int, since: datetime) -> frozenset[frozenset[int]]:
    """Person-id pairs who were matched in the program since `since` (the repeat window)."""
    rows = s.execute(
        select(MatchMember.match_id, MatchMember.person_id)
        .join(Match, Match.id == MatchMember.match_id)
        .where(
            Match.program_id == program_id,
            Match.created_at >= since,
            (Match.end_reason.is_(None)) | (Match.end_reason != DISCARDED),
        )
    ).all()
    members: dict[int, list[int]] = {}
    for match_id, person_id in rows:
        members.setdefault(match_id, []).append(person_id)
    pairs: set[frozenset[int]] = set()
    for people in members.values():
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                pairs.add(frozenset((a, b)))
    return frozenset(pairs)


def get_managers(s: Session, workspace_id: int) -> dict[int, int | None]:
    rows = s.execute(
        select(Person.id, Person.manager_id).where(Person.workspace_id == workspace_id)
    ).all()
    return dict(rows)


def list_people(s: Session, person_ids: list[int]) -> dict[int, Person]:
    return {p.id: p for p in s.scalars(select(Person).where(Person.id.in_(person_ids)))}


def list_skills(s: Session, program_id: int) -> list[Skill]:
    return list(s.scalars(select(Skill).where(Skill.program_id == program_id).order_by(Skill.id)))


def create_round(s: Session, round_: Round) -> bool:
    """Store a new round; False when its schedule slot already has one (here or elsewhere)."""
    if round_.scheduled_for is None:
        s.add(round_)
        s.flush()
        return True
    if slot_taken(s, round_.program_id, round_.scheduled_for):
        return False
    try:
        with s.begin_nested():
            s.add(round_)
            s.flush()
    except IntegrityError:
        return False  # another replica took this slot first
    return True


def slot_taken(s: Session, program_id: int, slot: datetime) -> bool:
    found = s.scalar(
        select(Round.id).where(Round.program_id == program_id, Round.scheduled_for == slot)
    )
    return found is not None


def set_round_status(
    s: Session, round_id: int, *, from_status: str, to_status: str, **values: object
) -> bool:
    """Move a round on only from the expected status, so a double click has one effect."""
    done = s.execute(
        update(Round)
        .where(Round.id == round_id, Round.status == from_status)
        .values(status=to_status, **values)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def discard_round(s: Session, round_id: int, *, at: datetime) -> bool:
    """Throw a proposed round away; its matches never happened."""
    if not set_round_status(
        s, round_id, from_status=RoundStatus.PROPOSED, to_status=RoundStatus.DISCARDED
    ):
        return False
    s.execute(
        update(Match)
        .where(Match.round_id == round_id, Match.state == MatchState.PROPOSED)
        .values(state=MatchState.CANCELLED, ended_at=at, end_reason=DISCARDED)
    )
    return True


def bump_stat(s: Session, round_id: int, name: str, by: int = 1) -> int:
    """Add to one of a round's counters; its new value."""
    round_ = s.get(Round, round_id, with_for_update=True)
    if round_ is None:
        return 0
    stats = dict(round_.stats or {})
    stats[name] = int(stats.get(name, 0)) + by
    round_.stats = stats  # reassigned so the JSON change is written
    return int(stats[name])


def list_proposed_match_ids(s: Session, round_id: int) -> list[int]:
    return list(
        s.scalars(
            select(Match.id)
            .where(Match.round_id == round_id, Match.state == MatchState.PROPOSED)
            .order_by(Match.id)
        )
    )


def get_last_round_at(s: Session, program_id: int) -> datetime | None:
    """When the program's last full round (not a dry run, not discarded) ran."""
    return s.scalar(
        select(Round.created_at)
        .where(
            Round.program_id == program_id,
            Round.kind.in_((RoundKind.SCHEDULED, RoundKind.MANUAL)),
            Round.status.in_((RoundStatus.PROPOSED, RoundStatus.APPROVED, RoundStatus.ANNOUNCED)),
        )
        .order_by(Round.created_at.desc())
        .limit(1)
    )


def list_scheduled_programs(s: Session) -> list[tuple[int, str, str, datetime]]:
    """(program id, rrule, zone, created_at) of open programs that have a schedule."""
    return [
        (row.id, row.schedule_rrule or "", row.timezone, row.created_at)
        for row in s.scalars(
            select(Program)
            .where(
                Program.status == ProgramStatus.OPEN,
                Program.schedule_rrule.is_not(None),
                in_live_workspace(Program.workspace_id),
            )
            .order_by(Program.id)
        )
    ]


def list_newcomer_programs(s: Session) -> list[int]:
    return list(
        s.scalars(
            select(Program.id)
            .where(
                Program.status == ProgramStatus.OPEN,
                Program.match_newcomers.is_(True),
                in_live_workspace(Program.workspace_id),
            )
            .order_by(Program.id)
        )
    )


def lock_program(s: Session, program_id: int) -> Program | None:
    """The program, locked for this transaction so two rounds of it never run side by side
    (PostgreSQL: a row lock; SQLite's BEGIN IMMEDIATE already lets one writer in at a time)."""
    query = select(Program).where(Program.id == program_id)
    if is_postgres(s.get_bind()):
        query = query.with_for_update()
    return s.scalar(query)


def get_pending_round(s: Session, program_id: int) -> Round | None:
    """The program's round waiting for an admin's decision, if any (there is at most one)."""
    return s.scalar(
        select(Round)
        .where(Round.program_id == program_id, Round.status == RoundStatus.PROPOSED)
        .order_by(Round.id.desc())
        .limit(1)
    )


def list_stale_previews(s: Session, before: datetime) -> list[int]:
    """Rounds still waiting for a decision that were proposed before `before`."""
    return list(
        s.scalars(
            select(Round.id)
            .where(Round.status == RoundStatus.PROPOSED, Round.created_at < before)
            .order_by(Round.id)
        )
    )


@dataclass(frozen=True)
class NewMember:
    person_id: int
    enrollment_id: int
    role: str


@dataclass(frozen=True)
class NewMatch:
    score: float
    breakdown: Mapping[str, float]
    reasons: tuple[str, ...]
    members: tuple[NewMember, ...]


def record_matches(
    s: Session, round_: Round, matches: Sequence[NewMatch], at: datetime
) -> list[int]:
    """Store a round's proposed matches; their ids, in order."""
    ids: list[int] = []
    for m in matches:
        row = Match(
            round_id=round_.id,
            program_id=round_.program_id,
            state=MatchState.PROPOSED,
            score=round(m.score, 4),
            breakdown={k: round(float(v), 4) for k, v in m.breakdown.items()},
            reasons=list(m.reasons),
            created_at=at,
        )
        s.add(row)
        s.flush()
        for member in m.members:
            s.add(
                MatchMember(
                    match_id=row.id,
                    person_id=member.person_id,
                    round_id=round_.id,
                    enrollment_id=member.enrollment_id,
                    role=member.role,
                )
            )
        ids.append(row.id)
    s.flush()
    return ids


@dataclass(frozen=True)
class IntroMember:
    person_id: int
    slack_user_id: str
    name: str
    title: str | None
    role: str
    timezone: str
    working_days: tuple[int, ...]
    start_minute: int
    end_minute: int
    deleted: bool
    goals: tuple[str, ...]  # the mentee's stated goal, skills sought and goal titles


@dataclass(frozen=True)
class IntroMatch:
    match_id: int
    round_id: int
    program_id: int
    workspace_id: int
    program_name: str
    cadence_days: int
    engagement_weeks: int
    expectations: str | None
    reasons: tuple[str, ...]
    members: tuple[IntroMember, ...]


def _member_goals(
    s: Session, program_id: int, enrollment_ids: Sequence[int]
) -> dict[int, list[str]]:
    """Per enrollment: its stated goal comes first (added by the caller), then the skills it
    seeks, strongest first, then its open goal titles; two queries for all the members."""
    out: dict[int, list[str]] = {e: [] for e in enrollment_ids}
    if not enrollment_ids:
        return out
    sought = s.execute(
        select(EnrollmentSkill.enrollment_id, Skill.name)
        .join(Skill, Skill.id == EnrollmentSkill.skill_id)
        .where(
            EnrollmentSkill.enrollment_id.in_(enrollment_ids),
            EnrollmentSkill.kind == "seek",
            Skill.program_id == program_id,
        )
        .order_by(EnrollmentSkill.level.desc(), EnrollmentSkill.skill_id)
    )
    for enrollment_id, name in sought:
        out[enrollment_id].append(name)
    titles = s.execute(
        select(Goal.enrollment_id, Goal.title)
        .where(Goal.enrollment_id.in_(enrollment_ids), Goal.status == GoalStatus.OPEN)
        .order_by(Goal.id)
    )
    for enrollment_id, title in titles:
        out[enrollment_id].append(title)
    return out


def get_intro(s: Session, match_id: int) -> IntroMatch:
    """What an intro says about a match and its members: four queries at most, however big
    the program (a round's announcement asks it once per match; it took a dozen)."""
    found = get_with_program(s, match_id)
    if found is None:
        raise LookupError(f"match {match_id} does not exist")
    match_row, program = found
    found_rows = s.execute(
        select(
            MatchMember.role,
            MatchMember.enrollment_id,
            Person.id,
            Person.slack_user_id,
            Person.real_name,
            Person.name,
            Person.title,
            Person.tz,
            Person.is_deleted,
            Person.forgotten_at,
            Enrollment.id.label("enrolled"),
            Enrollment.timezone,
            Enrollment.working_days,
            Enrollment.work_start_minute,
            Enrollment.work_end_minute,
            Enrollment.free_text_goal,
        )
        .join(Person, Person.id == MatchMember.person_id)
        .outerjoin(Enrollment, Enrollment.id == MatchMember.enrollment_id)
        .where(MatchMember.match_id == match_id)
    ).all()
    order: dict[str, int] = {MemberRole.MENTOR: 0, MemberRole.MENTEE: 1, MemberRole.PEER: 1}
    rows = sorted(found_rows, key=lambda r: (order[r.role], r.id))
    seekers = [r.enrollment_id for r in rows if r.enrollment_id and r.role != MemberRole.MENTOR]
    sought = _member_goals(s, program.id, seekers)
    members: list[IntroMember] = []
    for r in rows:
        enrolled = r.enrolled is not None
        goals: tuple[str, ...] = ()
        if r.enrollment_id in sought:
            stated = [r.free_text_goal] if r.free_text_goal else []
            goals = (*stated, *sought[r.enrollment_id])
        members.append(
            IntroMember(
                person_id=r.id,
                slack_user_id=r.slack_user_id,
                name=r.real_name or r.name or r.slack_user_id,
                title=r.title,
                role=r.role,
                timezone=(r.timezone if enrolled else None) or r.tz or "UTC",
                working_days=tuple(r.working_days) if enrolled else (0, 1, 2, 3, 4),
                start_minute=r.work_start_minute if enrolled else 9 * 60,
                end_minute=r.work_end_minute if enrolled else 17 * 60,
                deleted=bool(r.is_deleted) or r.forgotten_at is not None,
                goals=goals,
            )
        )
    expectations = (program.settings or {}).get("expectations")
    return IntroMatch(
        match_id=match_row.id,
        round_id=match_row.round_id,
        program_id=program.id,
        workspace_id=program.workspace_id,
        program_name=program.name,
        cadence_days=program.meeting_cadence_days,
        engagement_weeks=program.engagement_weeks,
        expectations=str(expectations) if expectations else None,
        reasons=tuple(match_row.reasons or ()),
        members=tuple(members),
    )


def start_match(s: Session, match_id: int, *, at: datetime) -> bool:
    """A proposed match begins: active from now for the program's engagement length."""
    match_row = s.get(Match, match_id)
    if match_row is None or match_row.state != MatchState.PROPOSED:
        return False
    program = s.get_one(Program, match_row.program_id)
    match_row.state = MatchState.ACTIVE
    match_row.started_at = at
    match_row.ends_at = at + timedelta(weeks=program.engagement_weeks)
    s.flush()
    return True


@dataclass(frozen=True)
class IntroTotals:
    introduced: int
    first_at: datetime | None
    last_at: datetime | None
    landings: Mapping[datetime, int]


def note_intros(s: Session, round_id: int, landing: Sequence[datetime]) -> IntroTotals:
    """Add a batch of intros (their landing times) to the round's totals; the totals."""
    round_ = s.get_one(Round, round_id, with_for_update=True)
    stats = dict(round_.stats or {})
    first = [datetime.fromisoformat(stats["intros_first"])] if "intros_first" in stats else []
    last = [datetime.fromisoformat(stats["intros_last"])] if "intros_last" in stats else []
    first_at = min([*first, *landing], default=None)
    last_at = max([*last, *landing], default=None)
    stats["introduced"] = int(stats.get("introduced", 0)) + len(landing)
    if first_at is not None and last_at is not None:
        stats["intros_first"], stats["intros_last"] = first_at.isoformat(), last_at.isoformat()
    counts = dict(stats.get("intro_landings") or {})
    for moment in landing:  # how many intros land at each moment, to estimate Slack's pace
        counts[moment.isoformat()] = int(counts.get(moment.isoformat(), 0)) + 1
    stats["intro_landings"] = counts
    round_.stats = stats
    landings = {datetime.fromisoformat(k): int(v) for k, v in counts.items()}
    return IntroTotals(stats["introduced"], first_at, last_at, landings)
