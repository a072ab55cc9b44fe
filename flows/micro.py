"""Micro-mentoring as a story: one ask about one skill, the best available expert asked
privately, the conversation opened when they say yes, and one question afterwards.

Experts are asked one at a time (matching.experts ranks them); the asker never learns who
declined, passed or let an ask lapse (OFFER_EXPIRES), only that someone said yes or that
nobody could this week. The rules rounds keep for people hold here too: never-match either
way, pauses, eligibility, open-session capacity and the monthly hours cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows import disclosure, hours, notices
from flows.enrollment import review_scope
from flows.notify import Reader, ToPeople, emit, lands_at
from matching.experts import Asker, Candidate, Expert, candidate, rank
from matching.hours import month_start
from matching.landing import Hours
from matching.timing import suggest_slots
from models import micro as store
from models.hours import micro_minutes
from models.rounds import list_eligible_enrollments
from models.states import (
    EnrollmentStatus,
    MicroOutcome,
    MicroState,
    OfferState,
    ProgramStatus,
    SkillKind,
)
from models.tables import Enrollment, MicroRequest, Person, Program, Skill
from models.taxonomy import slugify
from models.workspace import get_person, get_workspace

OFFER_EXPIRES = timedelta(days=2)
FOLLOW_UP_AFTER = timedelta(days=3)
START_AFTER = timedelta(days=1)
DEFAULT_SESSIONS = 2  # micro sessions an expert takes at once (Program.settings["micro_sessions"])
MAX_TOPIC = 300
GIVERS = ("mentor", "both", "peer")


class Asked(StrEnum):
    """What became of an ask, for the reply (the handler puts it into words)."""

    ASKED = "asked"
    UNAVAILABLE = "unavailable"
    ALREADY = "already"
    NOT_ENROLLED = "not_enrolled"
    UNKNOWN_SKILL = "unknown_skill"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class AskResult:
    outcome: Asked
    skill: str = ""
    program_name: str = ""
    suggestions: tuple[str, ...] = ()  # skill names, when the words named none


@dataclass(frozen=True)
class SkillChoice:
    program_id: int
    program_name: str
    skill_id: int
    skill_name: str
    cluster: str


def enabled(program: Program) -> bool:
    return (
        program.status == ProgramStatus.OPEN and (program.settings or {}).get("micro") is not False
    )


def _max_sessions(program: Program) -> int:
    value = (program.settings or {}).get("micro_sessions")
    return value if isinstance(value, int) and 1 <= value <= 10 else DEFAULT_SESSIONS


def _asker(s: Session, team_id: str, user_id: str) -> Person | None:
    workspace = get_workspace(s, team_id)
    return get_person(s, workspace.id, user_id) if workspace else None


def _my_programs(s: Session, person: Person, at: datetime) -> list[tuple[Program, Enrollment]]:
    """The person's current enrollments whose program takes micro asks and whose rules they
    meet (someone outside a program's rules asks in it no more than they are matched)."""
    out = []
    rows = s.scalars(
        select(Enrollment)
        .where(Enrollment.person_id == person.id, Enrollment.status != EnrollmentStatus.LEFT)
        .order_by(Enrollment.id)
    )
    for e in rows:
        program = s.get_one(Program, e.program_id)
        if enabled(program) and review_scope(s, program, e, person, at, tell=False):
            out.append((program, e))
    return out


def skill_choices(s: Session, team_id: str, user_id: str, at: datetime) -> tuple[SkillChoice, ...]:
    """Every skill the person could ask about, program by program (for the Home modal)."""
    person = _asker(s, team_id, user_id)
    if person is None:
        return ()
    out: list[SkillChoice] = []
    for program, _ in _my_programs(s, person, at):
        for skill in s.scalars(
            select(Skill).where(Skill.program_id == program.id).order_by(Skill.cluster, Skill.name)
        ):
            out.append(SkillChoice(program.id, program.name, skill.id, skill.name, skill.cluster))
    return tuple(out)


def _find_skill(
    s: Session, programs: Sequence[Program], words: str
) -> tuple[Program, Skill, str] | None:
    """The program and skill the words name (slug or name, or the longest leading run of
    words that does), with the rest of the words as the topic."""
    parts = words.split()
    for size in range(len(parts), 0, -1):
        wanted = slugify(" ".join(parts[:size]))
        if not wanted:
            continue
        for program in programs:
            skill = s.scalar(
                select(Skill).where(Skill.program_id == program.id, Skill.slug == wanted)
            )
            if skill is not None:
                return program, skill, " ".join(parts[size:])
    return None


def _suggestions(s: Session, programs: Sequence[Program], words: str) -> tuple[str, ...]:
    wanted = slugify(words)[:20]
    if not wanted or not programs:
        return ()
    names = s.scalars(
        select(Skill.name)
        .where(
            Skill.program_id.in_([p.id for p in programs]),
            Skill.slug.contains(wanted.split("-")[0]),
        )
        .order_by(Skill.name)
        .limit(5)
    )
    return tuple(dict.fromkeys(names))


def ask(
    s: Session,
    team_id: str,
    user_id: str,
    *,
    words: str = "",
    choice: tuple[int, int] | None = None,
    topic: str | None = None,
    at: datetime,
) -> AskResult:
    """`/mentor ask <skill>` (words) or the Home modal (program id, skill id): record the
    ask and ask the best available expert; UNAVAILABLE when nobody who fits is free."""
    person = _asker(s, team_id, user_id)
    if person is None or person.forgotten_at is not None:
        return AskResult(Asked.NOT_ENROLLED)
    mine = _my_programs(s, person, at)
    if not mine:
        enrolled = any(
            e.status != EnrollmentStatus.LEFT
            for e in s.scalars(select(Enrollment).where(Enrollment.person_id == person.id))
        )
        return AskResult(Asked.OUT_OF_SCOPE if enrolled else Asked.NOT_ENROLLED)
    programs = [p for p, _ in mine]
    found: tuple[Program, Skill, str] | None = None
    if choice is not None:
        program = next((p for p in programs if p.id == choice[0]), None)
        skill = s.get(Skill, choice[1])
        if program is not None and skill is not None and skill.program_id == program.id:
            found = (program, skill, "")
    else:
        found = _find_skill(s, programs, words)
    if found is None:
        return AskResult(Asked.UNKNOWN_SKILL, suggestions=_suggestions(s, programs, words))
    program, skill, rest = found
    topic = " ".join((topic or rest or "").split())[:MAX_TOPIC] or None
    if store.open_request(s, person.id, skill.id) is not None:
        return AskResult(Asked.ALREADY, skill.name, program.name)
    request = store.create_request(
        s,
        program_id=program.id,
        asker_id=person.id,
        skill_id=skill.id,
        topic=topic,
        minutes=micro_minutes(program),
        at=at,
    )
    asked = _ask_next(s, request, at, tell_asker=False)  # the reply to the ask says it
    return AskResult(Asked.ASKED if asked else Asked.UNAVAILABLE, skill.name, program.name)


# --- who can be asked ---------------------------------------------------------------------


def _hours_of(e: Enrollment, person: Person) -> Hours:
    return Hours(
        e.timezone or person.tz or "UTC",
        tuple(sorted(set(e.working_days or ()))) or (0, 1, 2, 3, 4),
        e.work_start_minute,
        e.work_end_minute,
    )


def _hours_of_asker(asker: Asker) -> Hours:
    return Hours(asker.timezone, asker.working_days, asker.start_minute, asker.end_minute)


def _never(s: Session, person_id: int) -> frozenset[int]:
    """Everyone the person excluded in any of their enrollments: an exclusion is about the
    other person, whichever program it was stated in."""
    out: set[int] = set()
    for e in s.scalars(select(Enrollment).where(Enrollment.person_id == person_id)):
        out.update(n.person_id for n in e.never_match)
    return frozenset(out)


def _asker_of(s: Session, request: MicroRequest) -> tuple[Asker, Person, Enrollment | None]:
    person = s.get_one(Person, request.asker_id)
    e = s.scalar(
        select(Enrollment).where(
            Enrollment.program_id == request.program_id, Enrollment.person_id == person.id
        )
    )
    hours_ = _hours_of(e, person) if e is not None else Hours(person.tz or "UTC")
    return (
        Asker(
            person_id=person.id,
            timezone=hours_.timezone,
            working_days=hours_.working_days,
            start_minute=hours_.start_minute,
            end_minute=hours_.end_minute,
            languages=tuple(e.languages or ()) if e is not None else (),
            never_match=_never(s, person.id),
        ),
        person,
        e,
    )


def _experts(
    s: Session, program: Program, skill: Skill, at: datetime, only: int | None = None
) -> list[tuple[Expert, Person, Enrollment]]:
    """Everyone in the program who offers the skill (level 2-3) or one in its area (0), as
    experts with their availability; with `only`, just that person whatever they offer."""
    today_ok = {e.id for e in list_eligible_enrollments(s, program, at)}
    rows = list(
        s.scalars(
            select(Enrollment).where(
                Enrollment.program_id == program.id,
                Enrollment.status != EnrollmentStatus.LEFT,
                Enrollment.role.in_(GIVERS),
                *([Enrollment.person_id == only] if only is not None else []),
            )
        )
    )
    area = {
        k.id
        for k in s.scalars(
            select(Skill).where(Skill.program_id == program.id, Skill.cluster == skill.cluster)
        )
    }
    chosen: list[tuple[Enrollment, int]] = []
    for e in rows:
        offers = {k.skill_id: k.level for k in e.skills if k.kind == SkillKind.OFFER}
        if skill.id in offers:
            chosen.append((e, max(offers[skill.id], 2)))
        elif only is not None or area & set(offers):
            chosen.append((e, 0))
    ids = [e.person_id for e, _ in chosen]
    budget = hours.budgets(s, program, ids, at)
    busy = store.open_sessions(s, ids)
    month = store.sessions_since(s, ids, month_start(at))
    limit = _max_sessions(program)
    out = []
    for e, level in chosen:
        person = s.get_one(Person, e.person_id)
        if person.is_deleted or person.forgotten_at is not None:
            continue
        if not review_scope(s, program, e, person, at, tell=False):
            continue
        h = _hours_of(e, person)
        out.append(
            (
                Expert(
                    person_id=person.id,
                    name=person.real_name or person.name or person.slack_user_id,
                    level=level,
                    timezone=h.timezone,
                    working_days=h.working_days,
                    start_minute=h.start_minute,
                    end_minute=h.end_minute,
                    languages=tuple(e.languages or ()),
                    never_match=_never(s, person.id),
                    budget=budget[person.id],
                    paused=e.id not in today_ok,
                    open_sessions=busy.get(person.id, 0),
                    max_sessions=limit,
                    sessions_this_month=month.get(person.id, 0),
                ),
                person,
                e,
            )
        )
    return out


def _start(at: datetime) -> datetime:
    """Times are offered from a day on: an ask lands in the expert's next working morning,
    and a yes opens the conversation with times from then (accept)."""
    return at + START_AFTER


def _propose(
    s: Session,
    request: MicroRequest,
    found: Candidate,
    person: Person,
    e: Enrollment,
    at: datetime,
    suggested_by: str | None = None,
) -> None:
    program = s.get_one(Program, request.program_id)
    asker = s.get_one(Person, request.asker_id)
    skill = s.get_one(Skill, request.skill_id)
    store.add_offer(s, request.id, person.id, at)
    hours_ = _hours_of(e, person)
    emit(
        s,
        notices.MicroProposal(
            request_id=request.id,
            person_id=person.id,
            asker_slack_user_id=asker.slack_user_id,
            skill=skill.name,
            topic=request.topic,
            program_name=program.name,
            minutes=request.minutes,
            slots=found.slots,
            timezone=hours_.timezone,
            suggested_by=suggested_by,
        ),
        to=ToPeople((Reader(person.slack_user_id, hours_),)),
        workspace_id=program.workspace_id,
        at=at,
    )


def _ask_next(s: Session, request: MicroRequest, at: datetime, *, tell_asker: bool = True) -> bool:
    """Ask the best expert not asked yet; none left: the asker is told kindly. True if asked."""
    program = s.get_one(Program, request.program_id)
    skill = s.get_one(Skill, request.skill_id)
    asker, asker_person, _ = _asker_of(s, request)
    experts = _experts(s, program, skill, at)
    by_id = {x.person_id: (person, e) for x, person, e in experts}
    hours_ = _hours_of_asker(asker)
    ranked = rank(
        asker,
        [x for x, _, _ in experts],
        minutes=request.minutes,
        start=_start(at),
        exclude=frozenset(store.asked_ids(s, request.id)),
    )
    if ranked:
        person, e = by_id[ranked[0].expert.person_id]
        _propose(s, request, ranked[0], person, e, at)
        return True
    moved = store.set_state(
        s, request.id, from_state=MicroState.ASKING, to_state=MicroState.UNAVAILABLE
    )
    if moved and tell_asker:
        emit(
            s,
            notices.MicroUnavailable(request.id, skill.name, program.name),
            to=ToPeople((Reader(asker_person.slack_user_id, hours_),)),
            workspace_id=program.workspace_id,
            at=at,
        )
    return False


# --- what experts answer ------------------------------------------------------------------


class Answer(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SUGGESTED = "suggested"  # the person they suggested was asked
    SUGGESTED_OTHER = "suggested_other"  # that person could not be asked; someone else was
    GONE = "gone"  # not theirs, answered already, or the request moved on


def _offered(s: Session, request_id: int | None, person_id: int | None) -> MicroRequest | None:
    if request_id is None or person_id is None:
        return None
    request = s.get(MicroRequest, request_id)
    if request is None or request.state != MicroState.ASKING:
        return None
    if person_id not in store.asked_ids(s, request.id):
        return None
    return request


def accept(s: Session, request_id: int | None, person_id: int | None, at: datetime) -> str:
    """The expert says yes: the two are introduced with times that fit, and the asker gets
    one question a few days on."""
    request = _offered(s, request_id, person_id)
    if request is None or person_id is None:
        return Answer.GONE
    if not store.answer_offer(s, request.id, person_id, OfferState.ACCEPTED, at):
        return Answer.GONE
    if not store.set_state(
        s,
        request.id,
        from_state=MicroState.ASKING,
        to_state=MicroState.ACCEPTED,
        expert_id=person_id,
        accepted_at=at,
    ):
        return Answer.GONE
    request = s.get_one(MicroRequest, request.id)
    program = s.get_one(Program, request.program_id)
    skill = s.get_one(Skill, request.skill_id)
    asker, asker_person, _ = _asker_of(s, request)
    expert = s.get_one(Person, person_id)
    e = s.scalar(
        select(Enrollment).where(
            Enrollment.program_id == program.id, Enrollment.person_id == person_id
        )
    )
    expert_hours = _hours_of(e, expert) if e is not None else Hours(expert.tz or "UTC")
    asker_hours = _hours_of_asker(asker)
    slots = suggest_slots(
        asker_hours,
        expert_hours,
        at + timedelta(hours=1),
        days=7,
        n=3,
        duration_minutes=request.minutes,
    )
    emit(
        s,
        notices.MicroIntro(
            request_id=request.id,
            asker_slack_user_id=asker_person.slack_user_id,
            expert_slack_user_id=expert.slack_user_id,
            skill=skill.name,
            topic=request.topic,
            program_name=program.name,
            minutes=request.minutes,
            slots=tuple(slots),
        ),
        to=ToPeople(
            (
                Reader(asker_person.slack_user_id, asker_hours),
                Reader(expert.slack_user_id, expert_hours),
            )
        ),
        workspace_id=program.workspace_id,
        at=at,
    )
    asker_reader = ToPeople((Reader(asker_person.slack_user_id, asker_hours),))
    emit(
        s,
        notices.MicroFollowUp(request.id, expert.slack_user_id, skill.name, program.name),
        to=asker_reader,
        workspace_id=program.workspace_id,
        at=at,
        not_before=lands_at(notices.MicroFollowUp, asker_reader, at + FOLLOW_UP_AFTER),
    )
    return Answer.ACCEPTED


def decline(s: Session, request_id: int | None, person_id: int | None, at: datetime) -> str:
    """The expert says no: the next best is asked (the asker is not told who said no)."""
    request = _offered(s, request_id, person_id)
    if request is None or person_id is None:
        return Answer.GONE
    if not store.answer_offer(s, request.id, person_id, OfferState.DECLINED, at):
        return Answer.GONE
    _ask_next(s, request, at)
    return Answer.DECLINED


def suggest(
    s: Session,
    request_id: int | None,
    person_id: int | None,
    suggested_slack_user_id: str | None,
    at: datetime,
) -> str:
    """The expert suggests someone instead: that person is asked when every rule allows it
    (they are in the program, free, under their cap, not excluded); otherwise the next
    best is. The suggester is never told which rule stopped it."""
    request = _offered(s, request_id, person_id)
    if request is None or person_id is None:
        return Answer.GONE
    if not store.answer_offer(s, request.id, person_id, OfferState.PASSED, at):
        return Answer.GONE
    program = s.get_one(Program, request.program_id)
    suggester = s.get_one(Person, person_id)
    target = (
        get_person(s, program.workspace_id, suggested_slack_user_id)
        if suggested_slack_user_id
        else None
    )
    if target is not None and target.id not in store.asked_ids(s, request.id):
        skill = s.get_one(Skill, request.skill_id)
        asker, _, _ = _asker_of(s, request)
        for expert, person, e in _experts(s, program, skill, at, only=target.id):
            found = candidate(asker, expert, minutes=request.minutes, start=_start(at))
            if isinstance(found, Candidate):
                _propose(s, request, found, person, e, at, suggested_by=suggester.slack_user_id)
                return Answer.SUGGESTED
    _ask_next(s, request, at)
    return Answer.SUGGESTED_OTHER


def expire_offers(s: Session, *, at: datetime) -> int:
    """Asks nobody answered within OFFER_EXPIRES move on to the next expert; how many."""
    moved = 0
    for request_id, person_id in store.stale_offers(s, at - OFFER_EXPIRES):
        if store.answer_offer(s, request_id, person_id, OfferState.EXPIRED, at):
            _ask_next(s, s.get_one(MicroRequest, request_id), at)
            moved += 1
    return moved


def answer_followup(
    s: Session, request_id: int | None, person_id: int | None, outcome: str, at: datetime
) -> bool:
    """The asker's one answer afterwards; False when it is not theirs or answered already."""
    if request_id is None or person_id is None or outcome not in set(MicroOutcome):
        return False
    request = s.get(MicroRequest, request_id)
    if request is None or request.asker_id != person_id:
        return False
    return store.set_state(
        s,
        request.id,
        from_state=MicroState.ACCEPTED,
        to_state=MicroState.DONE,
        outcome=outcome,
        done_at=at,
    )


def figures(s: Session, program_id: int) -> notices.MicroFigures:
    """The program's micro-mentoring through the report's rule: the requests split into
    accepted, nobody free and the rest (suppressed together, so none is the total minus
    the shown ones); held is a part of accepted, found helpful a part of whole groups of
    five held (so one new answer never shows up between two reports)."""
    c = store.counts(s, program_id)
    rest = c.asked - c.accepted - c.unavailable
    split = disclosure.partition(
        {"accepted": c.accepted, "unavailable": c.unavailable, "rest": rest}
    )
    accepted, unavailable = split["accepted"], split["unavailable"]
    held = accepted.shown and not disclosure.share(c.held, c.accepted).hidden
    helped = c.helped is not None and not disclosure.share(c.helped, c.helped_of).hidden
    return notices.MicroFigures(
        asked=None if disclosure.count(c.asked).hidden else c.asked,
        accepted=c.accepted if accepted.shown else None,
        held=c.held if held else None,
        unavailable=c.unavailable if unavailable.shown else None,
        answers=c.answers,
        helped=c.helped if helped else None,
        helped_of=c.helped_of,
    )
