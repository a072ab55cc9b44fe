"""Round orchestration: snapshot a program from the database, match it, store the round.

The one matching module allowed to touch models: it turns enrollments into the engine's
plain Participants, runs `matching.engine`, and writes the Round with its proposed Matches
in the caller's transaction. Everything it returns is a frozen dataclass.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from matching.engine import match, match_newcomer
from matching.problem import (
    Participant,
    Problem,
    ProgramConfig,
    Result,
    Role,
    Skill,
    Taxonomy,
    Weights,
)
from models import rounds as store
from models.rounds import Session
from models.tables import Enrollment, Match, MatchMember, Person, Program, Round

DEFAULT_REPEAT_WINDOW_DAYS = 365
MANAGER_CHAIN_LIMIT = 6
SAMPLE_PAIRS = 5
SCORE_BUCKETS = (0.0, 0.2, 0.4, 0.6, 0.8)


@dataclass(frozen=True)
class PairView:
    """A proposed match as the preview shows it: names, score and the reasons."""

    match_id: int | None
    names: tuple[str, ...]
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RoundOutcome:
    round_id: int
    program_id: int
    workspace_id: int
    status: str
    dry_run: bool
    stats: Mapping[str, Any]
    pairs: tuple[PairView, ...]
    match_ids: tuple[int, ...]


@dataclass(frozen=True)
class Snapshot:
    problem: Problem
    enrollments: Mapping[int, Enrollment]  # participant key (enrollment id) -> row
    people: Mapping[int, Person]  # person id -> row


def _role(program: Program, enrollment: Enrollment) -> Role:
    if program.format == "peer":
        return "peer"
    return cast(Role, enrollment.role)


def _manager_chain(start: int | None, managers: Mapping[int, int | None]) -> tuple[int, ...]:
    chain: list[int] = []
    current = start
    while current is not None and current not in chain and len(chain) < MANAGER_CHAIN_LIMIT:
        chain.append(current)
        current = managers.get(current)
    return tuple(chain)


def _taxonomy(s: Session, program_id: int) -> tuple[Taxonomy, dict[int, str]]:
    rows = store.list_skills(s, program_id)
    slugs = {row.id: row.slug for row in rows}
    return Taxonomy.of([Skill(row.slug, row.name, row.cluster) for row in rows]), slugs


def _config(program: Program, at: datetime, past_pairs: frozenset[frozenset[int]]) -> ProgramConfig:
    settings = program.settings or {}
    values: dict[str, Any] = {}
    for name in (
        "reporting_line_depth",
        "min_overlap_hours",
        "full_overlap_hours",
        "full_waiting_days",
        "require_goal_fit",
        "circle_min",
        "circle_max",
        "allow_trios",
        "fairness_margin",
        "fairness_min_group",
    ):
        if name in settings:
            values[name] = settings[name]
    weights = Weights.from_mapping(program.weights) if program.weights else Weights()
    return ProgramConfig(
        week_start=at,
        format=cast(Any, program.format),
        weights=weights,
        reverse=program.reverse,
        past_pairs=past_pairs,
        **values,
    )


def _participant(
    program: Program,
    e: Enrollment,
    person: Person,
    capacity: int,
    managers: Mapping[int, int | None],
    slugs: Mapping[int, str],
    at: datetime,
) -> Participant:
    offers = tuple(sorted((slugs[k.skill_id], k.level) for k in e.skills if k.kind == "offer"))
    seeks = tuple(
        slugs[k.skill_id]
        for k in sorted(
            (k for k in e.skills if k.kind == "seek"), key=lambda k: (-k.level, k.skill_id)
        )
    )
    segments = {
        name: str(value)
        for name, value in (
            ("department", e.department or person.department),
            ("level", person.job_level if person.job_level is not None else e.seniority),
            ("location", person.location),
        )
        if value is not None
    }
    waiting = (at - e.waiting_since).total_seconds() / 86400 if e.waiting_since else 0.0
    return Participant(
        key=e.id,
        person_id=person.id,
        name=person.real_name or person.name or person.slack_user_id,
        role=_role(program, e),
        offers=offers,
        seeks=seeks,
        seniority=e.seniority if e.seniority is not None else (person.job_level or 0),
        department=e.department or person.department,
        manager_chain=_manager_chain(e.manager_id or person.manager_id, managers),
        timezone=e.timezone or person.tz or "UTC",
        working_days=tuple(sorted(set(e.working_days or []))) or (0, 1, 2, 3, 4),
        start_minute=e.work_start_minute,
        end_minute=e.work_end_minute,
        languages=tuple(e.languages or ()),
        capacity=capacity,
        never_match=frozenset(n.person_id for n in e.never_match),
        waiting_days=max(0.0, waiting),
        priority=e.priority,
        meeting_frequency_days=e.meeting_frequency_days,
        segments=segments,
    )


def snapshot(s: Session, program: Program, at: datetime) -> Snapshot:
    """The program as the engine sees it now: who can be matched, with what capacity."""
    enrollments = store.list_eligible_enrollments(s, program, at)
    load, held = store.get_open_load(s, program.id)
    people = store.list_people(s, [e.person_id for e in enrollments])
    managers = store.get_managers(s, program.workspace_id)
    taxonomy, slugs = _taxonomy(s, program.id)
    window = int((program.settings or {}).get("repeat_window_days", DEFAULT_REPEAT_WINDOW_DAYS))
    since = at - timedelta(days=window)
    config = _config(program, at, store.list_past_pairs(s, program.id, since))
    participants: list[Participant] = []
    kept: dict[int, Enrollment] = {}
    for e in enrollments:
        role = _role(program, e)
        gives = role in ("mentor", "both")
        capacity = 0
        if gives:
            own = e.capacity or program.capacity_default
            capacity = max(0, min(own, program.capacity_max) - load.get(e.person_id, 0))
        if e.person_id in held and (role != "both" or capacity == 0):
            continue  # already has a running match as mentee or peer
        if role == "mentor" and capacity == 0:
            continue  # full: their existing matches stay as they are
        participant = _participant(program, e, people[e.person_id], capacity, managers, slugs, at)
        if e.person_id in held:
            participant = _as_mentor_only(participant)
        participants.append(participant)
        kept[e.id] = e
    return Snapshot(Problem(tuple(participants), taxonomy, config), kept, people)


def _as_mentor_only(p: Participant) -> Participant:
    """Someone who is both mentor and mentee but already has a mentor keeps mentoring only."""
    return replace(p, role="mentor")


def _score_distribution(scores: list[float]) -> dict[str, Any]:
    buckets = {f"{low:.1f}": 0 for low in SCORE_BUCKETS}
    for score in scores:
        low = max(b for b in SCORE_BUCKETS if score >= b - 1e-9) if score >= 0 else 0.0
        buckets[f"{low:.1f}"] += 1
    out: dict[str, Any] = {"buckets": buckets}
    if scores:
        ordered = sorted(scores)
        out.update(
            min=round(ordered[0], 3),
            median=round(statistics.median(ordered), 3),
            mean=round(statistics.fmean(ordered), 3),
            max=round(ordered[-1], 3),
        )
    return out


def round_stats(result: Result) -> dict[str, Any]:
    """Aggregates only: counts, score distribution, reasons, fairness flags, coverage gaps."""
    st = result.stats
    people_matched = sum(len(m.keys) for m in result.matches)
    return {
        "participants": st.participants,
        "seekers": st.seekers,
        "mentors": st.mentors,
        "slots": st.slots,
        "matches": st.matches,
        "matched_people": people_matched,
        "matched_seekers": st.matched_seekers,
        "unmatched": st.unmatched,
        "scores": _score_distribution([m.score for m in result.matches]),
        "unmatched_reasons": dict(sorted(Counter(str(u.reason) for u in result.unmatched).items())),
        "fairness_flags": [
            {
                "attribute": row.attribute,
                "value": row.value,
                "people": row.people,
                "match_rate": round(row.match_rate, 3),
            }
            for row in result.fairness.rows
            if row.flagged
        ],
        "overall_match_rate": round(result.fairness.overall_match_rate, 3),
        "coverage_gaps": [
            {
                "skill": gap.name,
                "demand": gap.demand,
                "slots": gap.slots,
                "unmet": gap.unmet,
            }
            for gap in result.coverage.skills
            if gap.unmet > 0 or gap.ratio is None
        ][:10],
        "suggestions": list(result.coverage.suggestions[:3]),
        "vanished": 0,
        "solver": st.solver,
    }


def _member_role(program: Program, is_mentor: bool) -> str:
    if program.format == "peer":
        return "peer"
    return "mentor" if is_mentor else "mentee"


def _store_matches(
    s: Session, program: Program, round_: Round, snap: Snapshot, result: Result, at: datetime
) -> tuple[list[PairView], list[int]]:
    pairs: list[PairView] = []
    ids: list[int] = []
    for m in result.matches:
        row = Match(
            round_id=round_.id,
            program_id=program.id,
            state="proposed",
            score=round(m.score, 4),
            breakdown={k: round(float(v), 4) for k, v in m.breakdown.items()},
            reasons=list(m.reasons),
            created_at=at,
        )
        s.add(row)
        s.flush()
        for key in m.keys:
            e = snap.enrollments[key]
            s.add(
                MatchMember(
                    match_id=row.id,
                    person_id=e.person_id,
                    round_id=round_.id,
                    enrollment_id=e.id,
                    role=_member_role(program, key == m.mentor),
                )
            )
        ids.append(row.id)
        pairs.append(PairView(row.id, _names(snap, m.keys), m.score, tuple(m.reasons)))
    s.flush()
    return pairs, ids


def _names(snap: Snapshot, keys: Iterable[int]) -> tuple[str, ...]:
    out = []
    for key in keys:
        person = snap.people[snap.enrollments[key].person_id]
        out.append(person.real_name or person.name or person.slack_user_id)
    return tuple(out)


def _queue_unmatched(snap: Snapshot, result: Result, at: datetime) -> None:
    for u in result.unmatched:
        e = snap.enrollments.get(u.key)
        if e is None or u.side == "mentor":
            continue
        if e.waiting_since is None:
            e.waiting_since = at
        if u.first_in_line:
            e.priority = True
        e.updated_at = at


def _matched_clear(snap: Snapshot, result: Result, at: datetime) -> None:
    for m in result.matches:
        for key in m.members:
            e = snap.enrollments[key]
            e.waiting_since = None
            e.priority = False
            e.updated_at = at


def run_round(
    s: Session,
    program_id: int,
    *,
    at: datetime,
    kind: str = "manual",
    scheduled_for: datetime | None = None,
    dry_run: bool = False,
    requested_by: int | None = None,
) -> RoundOutcome | None:
    """Match the program now and store the round; None when this schedule slot already ran.

    A dry run stores the round (status 'dry_run', its stats) but no matches, and changes no
    one's place in the queue.
    """
    program = s.get(Program, program_id)
    if program is None:
        raise LookupError(f"program {program_id} does not exist")
    status = "dry_run" if dry_run else "proposed"
    round_ = Round(
        program_id=program.id,
        kind=kind,
        status=status,
        scheduled_for=scheduled_for,
        requested_by=requested_by,
        created_at=at,
        stats={},
    )
    if not store.create_round(s, round_):
        return None
    snap = snapshot(s, program, at)
    result = match(snap.problem)
    stats = round_stats(result)
    if dry_run:
        pairs = [PairView(None, _names(snap, m.keys), m.score, m.reasons) for m in result.matches]
        ids: list[int] = []
    else:
        pairs, ids = _store_matches(s, program, round_, snap, result, at)
        _queue_unmatched(snap, result, at)
        _matched_clear(snap, result, at)
    round_.stats = stats
    s.flush()
    return RoundOutcome(
        round_id=round_.id,
        program_id=program.id,
        workspace_id=program.workspace_id,
        status=status,
        dry_run=dry_run,
        stats=stats,
        pairs=tuple(sorted(pairs, key=lambda p: -p.score)[:SAMPLE_PAIRS]),
        match_ids=tuple(ids),
    )


# --- introductions ---------------------------------------------------------------------


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


def _goals(s: Session, e: Enrollment | None, skill_names: Mapping[int, str]) -> tuple[str, ...]:
    if e is None:
        return ()
    out: list[str] = []
    if e.free_text_goal:
        out.append(e.free_text_goal)
    out.extend(
        skill_names[k.skill_id]
        for k in sorted(e.skills, key=lambda k: (-k.level, k.skill_id))
        if k.kind == "seek" and k.skill_id in skill_names
    )
    out.extend(store.list_open_goal_titles(s, e.id))
    return tuple(out)


def get_intro(s: Session, match_id: int) -> IntroMatch:
    match_row = s.get(Match, match_id)
    if match_row is None:
        raise LookupError(f"match {match_id} does not exist")
    program = s.get(Program, match_row.program_id)
    assert program is not None
    skill_names = store.skill_names(s, program.id)
    order = {"mentor": 0, "mentee": 1, "peer": 1}
    members: list[IntroMember] = []
    for member in sorted(match_row.members, key=lambda m: (order[m.role], m.person_id)):
        person = s.get(Person, member.person_id)
        assert person is not None
        e = s.get(Enrollment, member.enrollment_id) if member.enrollment_id else None
        members.append(
            IntroMember(
                person_id=person.id,
                slack_user_id=person.slack_user_id,
                name=person.real_name or person.name or person.slack_user_id,
                title=person.title,
                role=member.role,
                timezone=(e.timezone if e else None) or person.tz or "UTC",
                working_days=tuple(e.working_days) if e else (0, 1, 2, 3, 4),
                start_minute=e.work_start_minute if e else 9 * 60,
                end_minute=e.work_end_minute if e else 17 * 60,
                deleted=person.is_deleted or person.forgotten_at is not None,
                goals=_goals(s, e, skill_names) if member.role != "mentor" else (),
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
    if match_row is None or match_row.state != "proposed":
        return False
    program = s.get(Program, match_row.program_id)
    assert program is not None
    match_row.state = "active"
    match_row.started_at = at
    match_row.ends_at = at + timedelta(weeks=program.engagement_weeks)
    s.flush()
    return True


# --- newcomers -------------------------------------------------------------------------


def list_newcomer_keys(s: Session, program: Program, snap: Snapshot) -> list[int]:
    """Enrollments since the last round that have never been tried or matched."""
    last = store.get_last_round_at(s, program.id)
    if last is None:
        return []  # before the first round everyone waits for it
    return [
        key
        for key, e in snap.enrollments.items()
        if e.created_at > last and e.waiting_since is None and e.status == "active"
    ]


def run_newcomers(s: Session, program_id: int, *, at: datetime) -> RoundOutcome | None:
    """Match each newcomer against spare capacity; one 'newcomer' round holds what was found.

    Newcomers left unmatched start waiting (waiting_since), so they are not tried again
    until the next full round.
    """
    program = s.get(Program, program_id)
    if program is None or not program.match_newcomers or program.status != "open":
        return None
    snap = snapshot(s, program, at)
    keys = list_newcomer_keys(s, program, snap)
    if not keys:
        return None
    round_ = Round(
        program_id=program.id, kind="newcomer", status="approved", created_at=at, stats={}
    )
    s.add(round_)
    s.flush()
    pairs: list[PairView] = []
    ids: list[int] = []
    matched = unmatched = 0
    for key in keys:
        snap = snapshot(s, program, at)
        if key not in snap.enrollments:
            continue  # placed already, as the partner of an earlier newcomer
        result = match_newcomer(snap.problem, key)
        new_pairs, new_ids = _store_matches(s, program, round_, snap, result, at)
        _matched_clear(snap, result, at)
        if new_ids:
            matched += 1
        else:
            unmatched += 1
            e = snap.enrollments[key]
            e.waiting_since = at
            e.updated_at = at
        pairs.extend(new_pairs)
        ids.extend(new_ids)
    round_.stats = {
        "newcomers": len(keys),
        "matched_newcomers": matched,
        "unmatched": unmatched,
        "matches": len(ids),
        "scores": _score_distribution([p.score for p in pairs]),
        "vanished": 0,
    }
    s.flush()
    return RoundOutcome(
        round_id=round_.id,
        program_id=program.id,
        workspace_id=program.workspace_id,
        status=round_.status,
        dry_run=False,
        stats=dict(round_.stats),
        pairs=tuple(pairs[:SAMPLE_PAIRS]),
        match_ids=tuple(ids),
    )


def latest_due_slot(
    rule: str, timezone: str, created_at: datetime, now: datetime
) -> datetime | None:
    """The most recent slot of the schedule at or before `now` (UTC), None before the first.

    The RRULE is read in the program's zone from its creation, so BYHOUR=10 means 10:00 there
    across daylight-saving changes. Slots missed while the bot was down collapse into the
    latest one: a restart runs it once rather than replaying every missed round.
    """
    start = created_at.astimezone(ZoneInfo(timezone)).replace(second=0, microsecond=0)
    parsed = rrulestr(rule, dtstart=start)
    slot = parsed.before(now.astimezone(ZoneInfo(timezone)), inc=True)
    if slot is None:
        return None
    return slot.astimezone(UTC)


def next_slot(rule: str, timezone: str, created_at: datetime, now: datetime) -> datetime | None:
    """The first slot of the schedule after `now` (UTC), read like latest_due_slot."""
    start = created_at.astimezone(ZoneInfo(timezone)).replace(second=0, microsecond=0)
    slot = rrulestr(rule, dtstart=start).after(now.astimezone(ZoneInfo(timezone)), inc=False)
    return None if slot is None else slot.astimezone(UTC)
