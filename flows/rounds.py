"""Rounds as a story: snapshot a program, match it, record the round, tell admins or pairs.

Each step takes the caller's session and never commits; what people are told is emitted as
notices in the same transaction. A program is locked while its round is decided, and it has
at most one round waiting for approval, so two rounds can never place one person twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy.orm import Session

from flows import hours, intents, notices
from flows.enrollment import review_scope
from flows.matches import end_kindly
from flows.notify import ToChannel, emit, lands_at, readers
from matching.engine import match, match_newcomer
from matching.landing import Hours, meeting_slots, paced_finish
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
from matching.summary import round_stats, score_distribution
from models import rounds as store
from models.audit import record
from models.errors import InvalidError, NotFoundError
from models.programs import is_reverse, junior_mentors_only
from models.states import (
    EndReason,
    EnrollmentStatus,
    MatchState,
    MemberRole,
    ProgramFormat,
    ProgramStatus,
    RoundKind,
    RoundStatus,
)
from models.tables import Enrollment, Match, Person, Program, Round, Workspace
from models.workspace import get_person

log = logging.getLogger("mentorbot.rounds")

DEFAULT_REPEAT_WINDOW_DAYS = 365
MANAGER_CHAIN_LIMIT = 6
SAMPLE_PAIRS = 5
# A preview nobody decides on stops holding its people after this long.
PREVIEW_EXPIRES = timedelta(days=7)


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
    out_of_scope: int = 0  # enrolled people the program's eligibility rules leave out
    at_hours_cap: int = 0  # mentors with room for mentees but none under their hours cap


class RoundPendingError(InvalidError):
    """The program already has a round waiting for an admin's decision."""

    def __init__(self, round_id: int) -> None:
        super().__init__(f"round {round_id} is waiting for a decision")
        self.round_id = round_id


# --- the snapshot -------------------------------------------------------------------------


def _role(program: Program, enrollment: Enrollment) -> Role:
    if program.format == ProgramFormat.PEER:
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


CONFIG_SETTINGS = (
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
    "load_spread",
)


def _config(program: Program, at: datetime, past_pairs: frozenset[frozenset[int]]) -> ProgramConfig:
    settings = program.settings or {}
    values = {name: settings[name] for name in CONFIG_SETTINGS if name in settings}
    weights = Weights.from_mapping(program.weights) if program.weights else Weights()
    reverse = is_reverse(program)
    # reverse mentoring is one-to-one matching with the seniority rule turned round
    fmt = ProgramFormat.ONE_ON_ONE if program.format == ProgramFormat.REVERSE else program.format
    return ProgramConfig(
        week_start=at,
        format=cast(Any, str(fmt)),
        weights=weights,
        reverse=reverse,
        junior_mentors_only=junior_mentors_only(program),
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
        name=_name(person),
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


def _name(person: Person) -> str:
    return person.real_name or person.name or person.slack_user_id


def snapshot(s: Session, program: Program, at: datetime, *, tell: bool = False) -> Snapshot:
    """The program as the engine sees it now: who can be matched, with what capacity.

    Whoever the program's eligibility rules leave out is not matched (and, with `tell`,
    told once); a mentor's places are also limited by the room under their hours cap.
    """
    enrollments = store.list_eligible_enrollments(s, program, at)
    people = store.list_people(s, [e.person_id for e in enrollments])
    in_scope = [
        e for e in enrollments if review_scope(s, program, e, people[e.person_id], at, tell=tell)
    ]
    out_of_scope = len(enrollments) - len(in_scope)
    enrollments = in_scope
    load, held = store.get_open_load(s, program.id)
    giving = [e.person_id for e in enrollments if _role(program, e) in ("mentor", "both")]
    budget = hours.budgets(s, program, giving, at)
    per_match = hours.per_match(program)
    capped = 0
    managers = store.get_managers(s, program.workspace_id)
    taxonomy, slugs = _taxonomy(s, program.id)
    window = int((program.settings or {}).get("repeat_window_days", DEFAULT_REPEAT_WINDOW_DAYS))
    config = _config(program, at, store.list_past_pairs(s, program.id, at - timedelta(window)))
    participants: list[Participant] = []
    kept: dict[int, Enrollment] = {}
    for e in enrollments:
        role = _role(program, e)
        capacity = 0
        if role in ("mentor", "both"):
            own = e.capacity or program.capacity_default
            capacity = max(0, min(own, program.capacity_max) - load.get(e.person_id, 0))
            room = budget[e.person_id].places(per_match)
            if room is not None and room < capacity:
                capped += 1
                capacity = room
        if e.person_id in held and (role != "both" or capacity == 0):
            continue  # already has a running match as mentee or peer
        if role == "mentor" and capacity == 0:
            continue  # full: their existing matches stay as they are
        participant = _participant(program, e, people[e.person_id], capacity, managers, slugs, at)
        if e.person_id in held:
            # someone who is both but already has a mentor keeps mentoring only
            participant = replace(participant, role="mentor")
        participants.append(participant)
        kept[e.id] = e
    return Snapshot(
        Problem(tuple(participants), taxonomy, config), kept, people, out_of_scope, capped
    )


# --- recording what the engine decided ----------------------------------------------------


def _member_role(program: Program, is_mentor: bool) -> str:
    if program.format == ProgramFormat.PEER:
        return MemberRole.PEER
    return MemberRole.MENTOR if is_mentor else MemberRole.MENTEE


def _names(snap: Snapshot, keys: Iterable[int]) -> tuple[str, ...]:
    return tuple(_name(snap.people[snap.enrollments[key].person_id]) for key in keys)


def _record(
    s: Session, program: Program, round_: Round, snap: Snapshot, result: Result, at: datetime
) -> tuple[list[PairView], list[int]]:
    new = [
        store.NewMatch(
            score=m.score,
            breakdown=m.breakdown,
            reasons=tuple(m.reasons),
            members=tuple(
                store.NewMember(
                    person_id=snap.enrollments[key].person_id,
                    enrollment_id=key,
                    role=_member_role(program, key == m.mentor),
                )
                for key in m.keys
            ),
        )
        for m in result.matches
    ]
    ids = store.record_matches(s, round_, new, at)
    pairs = [
        PairView(match_id, _names(snap, m.keys), m.score, tuple(m.reasons))
        for match_id, m in zip(ids, result.matches, strict=True)
    ]
    return pairs, ids


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
    kind: str = RoundKind.MANUAL,
    scheduled_for: datetime | None = None,
    dry_run: bool = False,
    requested_by: int | None = None,
) -> RoundOutcome | None:
    """Match the program now and store the round; None when this schedule slot already ran.

    A dry run stores the round (status 'dry_run', its stats) but no matches, and changes no
    one's place in the queue. A real round is refused while another waits for a decision.
    """
    program = store.lock_program(s, program_id)
    if program is None:
        raise NotFoundError(f"program {program_id} does not exist")
    if scheduled_for is not None and store.slot_taken(s, program.id, scheduled_for):
        return None
    if not dry_run:
        pending = store.get_pending_round(s, program.id)
        if pending is not None and not store.list_proposed_match_ids(s, pending.id):
            store.discard_round(s, pending.id, at=at)  # it proposed nobody: nothing to decide
        elif pending is not None and pending.created_at <= at - PREVIEW_EXPIRES:
            expire(s, pending, program, at)
        elif pending is not None:
            raise RoundPendingError(pending.id)
    status = RoundStatus.DRY_RUN if dry_run else RoundStatus.PROPOSED
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
    snap = snapshot(s, program, at, tell=not dry_run)
    result = match(snap.problem)
    stats = round_stats(result)
    if snap.out_of_scope:
        stats["out_of_scope"] = snap.out_of_scope
    if snap.at_hours_cap:
        stats["at_hours_cap"] = snap.at_hours_cap
    if dry_run:
        pairs = [PairView(None, _names(snap, m.keys), m.score, m.reasons) for m in result.matches]
        ids: list[int] = []
    else:
        pairs, ids = _record(s, program, round_, snap, result, at)
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


def _newcomer_keys(s: Session, program: Program, snap: Snapshot) -> list[int]:
    """Enrollments since the last round that have never been tried or matched."""
    last = store.get_last_round_at(s, program.id)
    if last is None:
        return []  # before the first round everyone waits for it
    return [
        key
        for key, e in snap.enrollments.items()
        if e.created_at > last and e.waiting_since is None and e.status == EnrollmentStatus.ACTIVE
    ]


def run_newcomers(s: Session, program_id: int, *, at: datetime) -> RoundOutcome | None:
    """Match each newcomer against spare capacity; one 'newcomer' round holds what was found.

    Newcomers left unmatched start waiting (waiting_since), so they are not tried again
    until the next full round.
    """
    program = store.lock_program(s, program_id)
    if program is None or not program.match_newcomers or program.status != ProgramStatus.OPEN:
        return None
    snap = snapshot(s, program, at, tell=True)
    keys = _newcomer_keys(s, program, snap)
    if not keys:
        return None
    round_ = Round(
        program_id=program.id,
        kind=RoundKind.NEWCOMER,
        status=RoundStatus.APPROVED,
        created_at=at,
        stats={},
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
        new_pairs, new_ids = _record(s, program, round_, snap, result, at)
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
        "scores": score_distribution([p.score for p in pairs]),
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


# --- telling people -----------------------------------------------------------------------


def _admin_channel(program: Program) -> ToChannel | None:
    if not program.admin_channel_id:
        return None
    return ToChannel(program.admin_channel_id, program.timezone)


def post_preview(s: Session, program: Program, outcome: RoundOutcome, at: datetime) -> bool:
    """Queue the round's preview to its admin channel; False when there is none to post to."""
    channel = _admin_channel(program)
    if channel is None:
        return False
    notice = _preview(outcome.round_id, program, outcome.dry_run, outcome.stats, outcome.pairs)
    emit(s, notice, to=channel, workspace_id=program.workspace_id, at=at)
    return True


def _preview(
    round_id: int,
    program: Program,
    dry_run: bool,
    stats: Mapping[str, Any],
    pairs: Iterable[PairView],
    again: str = "",
) -> notices.RoundPreview:
    return notices.RoundPreview(
        round_id=round_id,
        program_name=program.name,
        dry_run=dry_run,
        stats=dict(stats),
        pairs=tuple(notices.PreviewPair(p.names, p.score, p.reasons) for p in pairs),
        again=again,
    )


def _hours(member: store.IntroMember) -> Hours:
    return Hours(member.timezone, member.working_days, member.start_minute, member.end_minute)


def cancel_vanished(
    s: Session, match_id: int, *, at: datetime, leaving_person_ids: frozenset[int]
) -> bool:
    """Cancel a match a member vanished from; the others are told kindly and queued first."""
    if not end_kindly(
        s,
        match_id,
        at=at,
        reason=EndReason.VANISHED,
        leaving_person_ids=leaving_person_ids,
        state=MatchState.CANCELLED,
    ):
        return False
    store.bump_stat(s, s.get_one(Match, match_id).round_id, "vanished")
    return True


def introduce(s: Session, match_id: int, *, at: datetime) -> datetime | None:
    """Start a proposed match and queue its intro; when it will land, or None when a vanished
    member cancelled the match instead (or it had started already)."""
    intro = store.get_intro(s, match_id)
    gone = frozenset(m.person_id for m in intro.members if m.deleted)
    if gone:
        cancel_vanished(s, match_id, at=at, leaving_person_ids=gone)
        return None
    if not store.start_match(s, match_id, at=at):
        return None
    hours = [_hours(m) for m in intro.members]
    to = readers([(m.slack_user_id, _hours(m)) for m in intro.members])
    when = lands_at(notices.MatchIntro, to, at)
    notice = notices.MatchIntro(
        round_id=intro.round_id,
        match_id=match_id,
        program_name=intro.program_name,
        members=tuple(
            notices.IntroMember(
                slack_user_id=m.slack_user_id,
                name=m.name,
                role=m.role,
                title=m.title,
                timezone=m.timezone,
                goals=m.goals,
            )
            for m in intro.members
        ),
        reasons=intro.reasons,
        slots=tuple(meeting_slots(hours, max(when, at) + timedelta(hours=1))),
        cadence_days=intro.cadence_days,
        engagement_weeks=intro.engagement_weeks,
        expectations=intro.expectations,
        reverse=is_reverse(s.get_one(Program, intro.program_id)),
    )
    emit(s, notice, to=to, workspace_id=intro.workspace_id, at=at, not_before=when)
    return when


@dataclass(frozen=True)
class Announced:
    introduced: int
    first_at: datetime | None
    last_at: datetime | None
    done: bool = True
    reach_all_by: datetime | None = None


# A new pair's group DM must be opened first: conversations.open is Tier 3 (50+ a minute),
# paced at 47 by the outbox, so a big round reaches its last pair well after its first.
OPENS_PER_MINUTE = 47.0


ANNOUNCE_BATCH = 200  # intros queued per transaction, so a big round never holds the lock long


def announce(s: Session, round_id: int, *, at: datetime, batch: int | None = None) -> Announced:
    """Introduce the proposed matches of an approved round (up to `batch` of them); when none
    is left the round is announced. The counts and landing times add up across batches."""
    ids = store.list_proposed_match_ids(s, round_id)
    todo = ids[:batch] if batch else ids
    times = [when for match_id in todo if (when := introduce(s, match_id, at=at)) is not None]
    totals = store.note_intros(s, round_id, times)
    done = len(todo) == len(ids)
    if done:
        store.set_round_status(
            s,
            round_id,
            from_status=RoundStatus.APPROVED,
            to_status=RoundStatus.ANNOUNCED,
            announced_at=at,
        )
    reach = paced_finish(dict(totals.landings), OPENS_PER_MINUTE)
    return Announced(totals.introduced, totals.first_at, totals.last_at, done, reach)


def perform_announce(s: Session, round_id: int, *, by: str | None, at: datetime) -> bool:
    """One batch of an approved round's intros; True when the round is fully announced (and
    its admins have been told when the intros land)."""
    round_ = s.get(Round, round_id)
    if round_ is None or round_.status != RoundStatus.APPROVED:
        return True
    announced = announce(s, round_id, at=at, batch=ANNOUNCE_BATCH)
    if not announced.done:
        return False
    program = s.get_one(Program, round_.program_id)
    _tell_admins(s, round_, program, "approved" if by else "introduced", by, at, announced)
    return True


def start_round(
    s: Session,
    program_id: int,
    *,
    at: datetime,
    kind: str = RoundKind.MANUAL,
    scheduled_for: datetime | None = None,
    dry_run: bool = False,
    requested_by: int | None = None,
) -> RoundOutcome | None:
    """Run a round and queue what follows: the preview, or its intros when no approval."""
    outcome = run_round(
        s,
        program_id,
        at=at,
        kind=kind,
        scheduled_for=scheduled_for,
        dry_run=dry_run,
        requested_by=requested_by,
    )
    if outcome is None:
        return None
    program = s.get_one(Program, program_id)
    if dry_run or program.approval_required:
        post_preview(s, program, outcome, at)
        return outcome
    store.set_round_status(
        s,
        outcome.round_id,
        from_status=RoundStatus.PROPOSED,
        to_status=RoundStatus.APPROVED,
        approved_at=at,
    )
    intents.submit(
        s, intents.Announce(outcome.round_id, None), at=at, workspace_id=program.workspace_id
    )
    return outcome


def match_newcomers(s: Session, program_id: int, *, at: datetime) -> RoundOutcome | None:
    """Place newcomers against spare capacity and introduce them at once."""
    outcome = run_newcomers(s, program_id, at=at)
    if outcome is None:
        return None
    for match_id in outcome.match_ids:
        introduce(s, match_id, at=at)
    store.set_round_status(
        s,
        outcome.round_id,
        from_status=RoundStatus.APPROVED,
        to_status=RoundStatus.ANNOUNCED,
        announced_at=at,
    )
    return outcome


# --- an admin's decision --------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    """What a decision on a round did: `changed` False when the round had moved on already."""

    changed: bool
    status: str
    program_name: str
    introduced: int = 0


def _audit(
    s: Session, round_: Round, program: Program, action: str, by: str | None, at: datetime
) -> None:
    record(
        s,
        action=f"round.{action}",
        at=at,
        workspace_id=program.workspace_id,
        actor_slack_user_id=by,
        target=f"round:{round_.id}",
    )


def _tell_admins(
    s: Session,
    round_: Round,
    program: Program,
    decision: str,
    by: str | None,
    at: datetime,
    announced: Announced | None = None,
) -> None:
    channel = _admin_channel(program)
    if channel is None:
        return
    notice = notices.RoundDecision(
        round_id=round_.id,
        decision=decision,
        by_slack_user_id=by,
        program_name=program.name,
        matches=announced.introduced if announced else 0,
        first_intro_at=announced.first_at if announced else None,
        last_intro_at=announced.last_at if announced else None,
        reach_all_by=announced.reach_all_by if announced else None,
    )
    emit(s, notice, to=channel, workspace_id=program.workspace_id, at=at)


def approve(s: Session, round_: Round, program: Program, *, by: Person, at: datetime) -> Decided:
    """The admin's go: the round is approved now, and its intros are queued by the leader."""
    if not store.set_round_status(
        s,
        round_.id,
        from_status=RoundStatus.PROPOSED,
        to_status=RoundStatus.APPROVED,
        approved_by=by.id,
        approved_at=at,
    ):
        s.refresh(round_)
        return Decided(False, round_.status, program.name)
    _audit(s, round_, program, "approve", by.slack_user_id, at)
    intents.submit(
        s, intents.Announce(round_.id, by.slack_user_id), at=at, workspace_id=program.workspace_id
    )
    matches = len(store.list_proposed_match_ids(s, round_.id))
    return Decided(True, RoundStatus.APPROVED, program.name, matches)


def discard(
    s: Session, round_: Round, program: Program, *, by: Person | None, at: datetime
) -> Decided:
    if not store.discard_round(s, round_.id, at=at):
        s.refresh(round_)
        return Decided(False, round_.status, program.name)
    who = by.slack_user_id if by else None
    _audit(s, round_, program, "discard", who, at)
    _tell_admins(s, round_, program, "discarded", who, at)
    return Decided(True, RoundStatus.DISCARDED, program.name)


def rerun(s: Session, round_: Round, program: Program, *, by: Person, at: datetime) -> Decided:
    """Throw the proposal away and match again (the new preview follows from the leader)."""
    if not store.discard_round(s, round_.id, at=at):
        s.refresh(round_)
        return Decided(False, round_.status, program.name)
    _audit(s, round_, program, "rerun", by.slack_user_id, at)
    _tell_admins(s, round_, program, "rerun", by.slack_user_id, at)
    intents.submit(
        s,
        intents.RunRound(program.id, f"rerun-{round_.id}", by.id, by.slack_user_id),
        at=at,
        workspace_id=program.workspace_id,
    )
    return Decided(True, RoundStatus.DISCARDED, program.name)


def expire_stale_previews(s: Session, *, at: datetime) -> int:
    """Discard rounds nobody decided on within PREVIEW_EXPIRES, so their people are free
    again; the admin channel is told. How many were expired."""
    expired = 0
    for round_id in store.list_stale_previews(s, at - PREVIEW_EXPIRES):
        round_ = s.get_one(Round, round_id)
        expired += expire(s, round_, s.get_one(Program, round_.program_id), at)
    return expired


def expire(s: Session, round_: Round, program: Program, at: datetime) -> bool:
    """A preview nobody decided on is discarded and its admins told; False if it moved on."""
    if not store.discard_round(s, round_.id, at=at):
        return False
    channel = _admin_channel(program)
    if channel is not None:
        emit(
            s,
            notices.RoundExpired(round_.id, program.name),
            to=channel,
            workspace_id=program.workspace_id,
            at=at,
        )
    return True


def repost_preview(s: Session, program: Program, *, at: datetime) -> int | None:
    """Post the waiting round's preview again (the first post failed or was lost); its id."""
    round_ = store.get_pending_round(s, program.id)
    if round_ is None:
        return None
    channel = _admin_channel(program)
    if channel is None:
        return None
    count = store.bump_stat(s, round_.id, "preview_posts")
    notice = _preview(
        round_.id,
        program,
        False,
        round_.stats or {},
        preview_pairs(s, round_.id),
        again=f":{count + 1}",
    )
    emit(s, notice, to=channel, workspace_id=program.workspace_id, at=at)
    return round_.id


def preview_pairs(s: Session, round_id: int) -> list[PairView]:
    """The best few proposed matches of a stored round, as its preview shows them."""
    out = []
    for match_id in store.list_proposed_match_ids(s, round_id):
        intro = store.get_intro(s, match_id)
        row = s.get_one(Match, match_id)
        out.append(
            PairView(match_id, tuple(m.name for m in intro.members), row.score, intro.reasons)
        )
    return sorted(out, key=lambda p: -p.score)[:SAMPLE_PAIRS]


def ask_round(
    s: Session, program: Program, *, by: Person, request: str, dry_run: bool, at: datetime
) -> None:
    """An admin asked for a round: recorded (and audited) now, matched by the leader."""
    intents.submit(
        s,
        intents.RunRound(program.id, request, by.id, by.slack_user_id, dry_run),
        at=at,
        workspace_id=program.workspace_id,
    )
    record(
        s,
        action="round.dry_run" if dry_run else "round.run",
        at=at,
        workspace_id=program.workspace_id,
        actor_slack_user_id=by.slack_user_id,
        target=f"program:{program.id}",
    )


def round_in_workspace(
    s: Session, round_id: int, slack_team_id: str
) -> tuple[Round, Program] | None:
    """The round and its program, if the round belongs to this Slack workspace."""
    round_ = s.get(Round, round_id)
    if round_ is None:
        return None
    program = s.get_one(Program, round_.program_id)
    workspace = s.get(Workspace, program.workspace_id)
    if workspace is None or workspace.slack_team_id != slack_team_id:
        return None
    return round_, program


def vanished(
    s: Session, workspace_id: int, match_id: int, gone: frozenset[str], *, at: datetime
) -> bool:
    """Members Slack reports deleted leave; the match is cancelled and the others told."""
    leaving: set[int] = set()
    for slack_user_id in gone:
        person = get_person(s, workspace_id, slack_user_id)
        if person is not None:
            person.is_deleted = True
            person.updated_at = at
            leaving.add(person.id)
    return cancel_vanished(s, match_id, at=at, leaving_person_ids=frozenset(leaving))


def pending_round(s: Session, program_id: int) -> Round | None:
    """The program's round waiting for a decision (one that proposed somebody), if any."""
    pending = store.get_pending_round(s, program_id)
    if pending is None or not store.list_proposed_match_ids(s, pending.id):
        return None
    return pending
