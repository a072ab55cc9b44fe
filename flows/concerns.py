"""Concerns as a story: a private report about a match, to the program's admins only.

Nobody in the match sees it — not the partner, and not an admin who is in the match; the
reporter is told who will read it. Admins act on it (pause the match, end it kindly, reply
to the reporter, close it), each action checked against *that* program's admins and written
to the audit trail (who, what, when; never the words).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from flows import notices
from flows.matches import end_kindly
from flows.notify import Reader, ToPeople, emit
from flows.programs import administered
from matching.landing import Hours
from models import concerns as store
from models.admins import Authority, workspace_admin_ids
from models.audit import record
from models.matches import is_open
from models.states import (
    OPEN_MATCH_STATES,
    ConcernCategory,
    EndReason,
    EnrollmentStatus,
)
from models.tables import Concern, Enrollment, Match, MatchMember, Person, Program
from models.workspace import get_person, get_workspace

RECENT = timedelta(days=90)  # an ended match can still be reported on for this long
MAX_TEXT = 2000
MAX_CHOICES = 20


@dataclass(frozen=True)
class MatchChoice:
    match_id: int
    program_name: str
    others: tuple[str, ...]  # the other members' names (a modal's labels cannot mention)
    since: datetime
    state: str


@dataclass(frozen=True)
class ProgramChoice:
    program_id: int
    program_name: str


@dataclass(frozen=True)
class ConcernForm:
    matches: tuple[MatchChoice, ...]
    programs: tuple[ProgramChoice, ...]
    chosen: int | None  # the match the button was on


def _person(s: Session, team_id: str, user_id: str) -> Person | None:
    workspace = get_workspace(s, team_id)
    return get_person(s, workspace.id, user_id) if workspace else None


def _my_matches(s: Session, person: Person, at: datetime) -> list[Match]:
    rows = s.scalars(
        select(Match)
        .join(MatchMember, MatchMember.match_id == Match.id)
        .where(MatchMember.person_id == person.id, Match.started_at.is_not(None))
        .order_by(Match.id.desc())
    )
    return [
        m
        for m in rows
        if m.state in OPEN_MATCH_STATES or (m.ended_at is not None and at - m.ended_at <= RECENT)
    ][:MAX_CHOICES]


def form(
    s: Session, team_id: str, user_id: str, match_id: int | None, at: datetime
) -> ConcernForm | None:
    """What the concern modal offers: the person's matches (open or recently ended) and
    programs; None when they have neither."""
    person = _person(s, team_id, user_id)
    if person is None:
        return None
    matches = []
    for m in _my_matches(s, person, at):
        program = s.get_one(Program, m.program_id)
        others = tuple(
            p.real_name or p.name or p.slack_user_id
            for p in s.scalars(
                select(Person)
                .join(MatchMember, MatchMember.person_id == Person.id)
                .where(MatchMember.match_id == m.id, MatchMember.person_id != person.id)
                .order_by(Person.id)
            )
        )
        matches.append(
            MatchChoice(m.id, program.name, others, m.started_at or m.created_at, m.state)
        )
    programs = tuple(
        ProgramChoice(p.id, p.name)
        for p in s.scalars(
            select(Program)
            .join(Enrollment, Enrollment.program_id == Program.id)
            .where(Enrollment.person_id == person.id, Enrollment.status != EnrollmentStatus.LEFT)
            .order_by(Program.name)
        )
    )
    if not matches and not programs:
        return None
    chosen = match_id if any(m.match_id == match_id for m in matches) else None
    return ConcernForm(tuple(matches), programs, chosen)


@dataclass(frozen=True)
class Raised:
    concern_id: int
    program_name: str
    reached: int


def _dm(slack_user_id: str, tz: str | None = None) -> ToPeople:
    return ToPeople((Reader(slack_user_id, Hours(tz or "UTC")),))


def readers_of(s: Session, concern: Concern, global_admins: Iterable[str]) -> list[str]:
    """Who reads a concern: the program's own admins, minus the reporter and everyone in
    the match; when that leaves nobody, the workspace admins (minus the same people)."""
    members = store.member_ids(s, concern.match_id) | {concern.reporter_id}
    out = [uid for pid, uid in store.program_admins(s, concern.program_id) if pid not in members]
    if out:
        return out
    program = s.get_one(Program, concern.program_id)
    named = workspace_admin_ids(s, program.workspace_id)
    for uid in sorted(set(global_admins) | set(named)):
        person = get_person(s, program.workspace_id, uid)
        if person is None or person.id not in members:
            out.append(uid)
    return out


def raise_concern(
    s: Session,
    team_id: str,
    user_id: str,
    *,
    match_id: int | None,
    program_id: int | None,
    category: str,
    text: str,
    wants_reply: bool,
    global_admins: frozenset[str],
    at: datetime,
) -> Raised | None:
    """Store the concern, send it privately to each admin who may read it, acknowledge it to
    the reporter; None when the person may not report on that match or program."""
    person = _person(s, team_id, user_id)
    if person is None or category not in set(ConcernCategory):
        return None
    text = text.strip()[:MAX_TEXT]
    if not text:
        return None
    match: Match | None = None
    if match_id is not None:
        match = s.get(Match, match_id)
        if match is None or s.get(MatchMember, (match_id, person.id)) is None:
            return None
        program = s.get_one(Program, match.program_id)
    else:
        found = s.get(Program, program_id) if program_id is not None else None
        enrolled = found is not None and s.scalar(
            select(Enrollment.id).where(
                Enrollment.program_id == found.id, Enrollment.person_id == person.id
            )
        )
        if found is None or not enrolled:
            return None
        program = found
    if program.workspace_id != person.workspace_id:
        return None
    concern = store.create(
        s,
        program_id=program.id,
        match_id=match.id if match else None,
        reporter_id=person.id,
        category=category,
        text=text,
        wants_reply=wants_reply,
        at=at,
    )
    # the reporter is not named in the trail: it is the concern's own row that knows them
    _audit(s, program, None, concern.id, "raise", at, category=category)
    members = (
        tuple(
            s.scalars(
                select(Person.slack_user_id)
                .join(MatchMember, MatchMember.person_id == Person.id)
                .where(MatchMember.match_id == concern.match_id)
                .order_by(Person.id)
            )
        )
        if match
        else ()
    )
    readers = readers_of(s, concern, global_admins)
    for admin in readers:
        emit(
            s,
            notices.ConcernReport(
                concern_id=concern.id,
                admin=admin,
                program_name=program.name,
                category=category,
                text=text,
                reporter=person.slack_user_id,
                members=members,
                match_since=(match.started_at.date() if match and match.started_at else None),
                match_state=match.state if match else None,
                wants_reply=wants_reply,
            ),
            to=_dm(admin),
            workspace_id=program.workspace_id,
            at=at,
        )
    emit(
        s,
        notices.ConcernReceived(concern.id, program.name, len(readers), wants_reply),
        to=_dm(person.slack_user_id, person.tz),
        workspace_id=program.workspace_id,
        at=at,
    )
    return Raised(concern.id, program.name, len(readers))


def _audit(
    s: Session,
    program: Program,
    actor: str | None,
    concern_id: int,
    action: str,
    at: datetime,
    **details: object,
) -> None:
    record(
        s,
        action=f"concern.{action}",
        at=at,
        workspace_id=program.workspace_id,
        actor_slack_user_id=actor,
        target=f"concern:{concern_id}",
        details=dict(details),
    )


# --- what admins do -----------------------------------------------------------------------


class Action(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    END = "end"
    RESOLVE = "resolve"
    REPLY = "reply"


class Acted(StrEnum):
    DONE = "done"
    ALREADY = "already"  # the match (or concern) was already in that state
    NOT_ALLOWED = "not_allowed"  # not an admin of this program, or in the match
    GONE = "gone"  # the concern no longer exists
    NO_MATCH = "no_match"  # the concern is not about a match


@dataclass(frozen=True)
class Outcome:
    acted: Acted
    program_name: str = ""


def _authorized(
    s: Session, team_id: str, actor: str, concern_id: int | None, authority: Authority
) -> tuple[Concern, Program] | Acted:
    concern = s.get(Concern, concern_id) if concern_id is not None else None
    if concern is None:
        return Acted.GONE
    program = s.get_one(Program, concern.program_id)
    workspace = get_workspace(s, team_id)
    if workspace is None or workspace.id != program.workspace_id:
        return Acted.GONE
    person = get_person(s, workspace.id, actor)
    in_it = person is not None and (
        person.id == concern.reporter_id or person.id in store.member_ids(s, concern.match_id)
    )
    if in_it or not authority.over(program.id):
        return Acted.NOT_ALLOWED
    return concern, program


def act(
    s: Session,
    team_id: str,
    actor: str,
    concern_id: int | None,
    action: str,
    *,
    authority: Authority,
    at: datetime,
) -> Outcome:
    """An admin's action on a concern (pause, resume, end kindly, resolve)."""
    found = _authorized(s, team_id, actor, concern_id, authority)
    if isinstance(found, Acted):
        return Outcome(found)
    concern, program = found
    if action == Action.RESOLVE:
        if not store.resolve(s, concern.id, at):
            return Outcome(Acted.ALREADY, program.name)
        _audit(s, program, actor, concern.id, "resolve", at)
        return Outcome(Acted.DONE, program.name)
    match = s.get(Match, concern.match_id) if concern.match_id is not None else None
    if match is None:
        return Outcome(Acted.NO_MATCH, program.name)
    if action == Action.END:
        if not end_kindly(s, match.id, at=at, reason=EndReason.NO_FAULT):
            return Outcome(Acted.ALREADY, program.name)
    elif action == Action.PAUSE:
        if match.paused_at is not None or not is_open(s, match.id):
            return Outcome(Acted.ALREADY, program.name)
        match.paused_at = at
    elif action == Action.RESUME:
        if match.paused_at is None or not is_open(s, match.id):
            return Outcome(Acted.ALREADY, program.name)
        match.paused_at = None
    else:
        return Outcome(Acted.GONE, program.name)
    concern.updated_at = at
    _audit(s, program, actor, concern.id, str(action), at)
    s.flush()
    return Outcome(Acted.DONE, program.name)


def may_reply(
    s: Session, team_id: str, actor: str, concern_id: int | None, *, authority: Authority
) -> Outcome:
    """Whether the admin may reply to this concern's reporter (before the reply modal)."""
    found = _authorized(s, team_id, actor, concern_id, authority)
    if isinstance(found, Acted):
        return Outcome(found)
    return Outcome(Acted.DONE, found[1].name)


def reply(
    s: Session,
    team_id: str,
    actor: str,
    concern_id: int | None,
    text: str,
    *,
    version: str,
    authority: Authority,
    at: datetime,
) -> Outcome:
    """An admin's reply, sent privately to the reporter (and audited without its words)."""
    found = _authorized(s, team_id, actor, concern_id, authority)
    if isinstance(found, Acted):
        return Outcome(found)
    concern, program = found
    reporter = s.get_one(Person, concern.reporter_id)
    text = text.strip()[:MAX_TEXT]
    if not text:
        return Outcome(Acted.GONE, program.name)
    sent = emit(
        s,
        notices.ConcernReply(concern.id, version, program.name, text),
        to=_dm(reporter.slack_user_id, reporter.tz),
        workspace_id=program.workspace_id,
        at=at,
    )
    if sent:
        concern.updated_at = at
        _audit(s, program, actor, concern.id, "reply", at)
    return Outcome(Acted.DONE if sent else Acted.ALREADY, program.name)


# --- the admins' list -----------------------------------------------------------------------


@dataclass(frozen=True)
class TrailStep:
    action: str
    actor: str | None
    at: datetime


@dataclass(frozen=True)
class ConcernLine:
    concern_id: int
    program_name: str
    category: str
    raised_at: datetime
    match_state: str | None
    paused: bool
    trail: tuple[TrailStep, ...]


def concern_program(s: Session, team_id: str, concern_id: int) -> int | None:
    """The program a concern belongs to, if it is in this workspace (what its buttons act on)."""
    concern = s.get(Concern, concern_id)
    workspace = get_workspace(s, team_id)
    if concern is None or workspace is None:
        return None
    program = s.get_one(Program, concern.program_id)
    return program.id if program.workspace_id == workspace.id else None


def open_concerns(
    s: Session, team_id: str, actor: str, *, authority: Authority, program_name: str | None = None
) -> list[ConcernLine]:
    """Open concerns the admin may see: in programs they administer (every program for a
    workspace admin), or the one they name (NotAdminOfError if not theirs), except any about
    a match they are in or that they raised."""
    workspace = get_workspace(s, team_id)
    if workspace is None:
        return []
    person = get_person(s, workspace.id, actor)
    programs = list(s.scalars(select(Program).where(Program.workspace_id == workspace.id)))
    mine = [p.id for p in programs if authority.over(p.id)]
    if program_name:
        mine = [administered(s, workspace.id, program_name, authority).id]
    names = {p.id: p.name for p in programs}
    out = []
    for concern in store.list_open(s, mine):
        if person is not None and (
            person.id == concern.reporter_id or person.id in store.member_ids(s, concern.match_id)
        ):
            continue
        match = s.get(Match, concern.match_id) if concern.match_id is not None else None
        out.append(
            ConcernLine(
                concern_id=concern.id,
                program_name=names[concern.program_id],
                category=concern.category,
                raised_at=concern.created_at,
                match_state=match.state if match else None,
                paused=bool(match and match.paused_at),
                trail=tuple(
                    TrailStep(
                        e.action.removeprefix("concern."), e.actor_slack_user_id, e.created_at
                    )
                    for e in store.trail(s, concern.id)
                ),
            )
        )
    return out
