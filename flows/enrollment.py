"""Enrollment as a story: who may join, the form's contents, saving a profile, pausing,
leaving, forgetting, and the two events that change enrollment (a newcomer in a program's
channel, a deactivated account).

The form is described by plain values (FormContext, ProfileForm) that the handlers' builder
and reader share, with the field names of models.enrollment.Profile, so a new field is added
in the form, the profile value, the table and a migration, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from flows import notices
from flows.disclosure import Figure, count
from flows.matches import end_kindly
from flows.notify import Reader, ToPeople, emit
from matching.eligibility import ASKED_IN_FORM, Facts, Rules, Verdict, check
from matching.landing import Hours
from matching.schedule import next_slot
from models import enrollment as store
from models import forgetting
from models.admins import Authority
from models.errors import DomainError, InvalidError, NotFoundError
from models.events import claim_event
from models.matches import list_open_match_ids
from models.programs import junior_mentors_only, list_programs, resolve_program
from models.states import EndReason, EnrollmentStatus, ProgramStatus, Role
from models.tables import Enrollment, Person, Program
from models.taxonomy import list_skills
from models.text import clean
from models.workspace import ensure_person, ensure_workspace, get_person, get_workspace


class Refusal(StrEnum):
    """Why someone cannot enroll (codes the handlers put into words)."""

    DEACTIVATED = "deactivated"
    BOT = "bot"
    GUEST = "guest"


def refusal(person: Person) -> str | None:
    if person.is_deleted:
        return Refusal.DEACTIVATED
    if person.is_bot:
        return Refusal.BOT
    if person.is_guest:
        return Refusal.GUEST
    return None


@dataclass(frozen=True)
class SlackProfile:
    """What users.info says about a person, as plain values."""

    name: str | None
    real_name: str | None
    tz: str | None
    title: str | None
    deleted: bool
    bot: bool
    guest: bool


@dataclass(frozen=True)
class Known:
    """A person as enrollment needs to know them."""

    person_id: int
    tz: str | None
    refusal: str | None


def known(s: Session, team_id: str, user_id: str, at: datetime) -> Known | None:
    """The person (recorded on first sight), or None in a workspace with no programs yet."""
    workspace = get_workspace(s, team_id)
    if workspace is None or not user_id:
        return None
    person = ensure_person(s, workspace.id, user_id, at)
    return Known(person.id, person.tz, refusal(person))


def remember(
    s: Session, team_id: str, user_id: str, profile: SlackProfile, at: datetime
) -> Known | None:
    """Record who Slack says the person is now (name, zone, flags)."""
    workspace = get_workspace(s, team_id)
    if workspace is None or not user_id:
        return None
    person = ensure_person(s, workspace.id, user_id, at)
    if person.forgotten_at is not None:
        return Known(person.id, person.tz, refusal(person))  # nothing is written back
    person.name = clean(profile.name or "")[:200] or None
    person.real_name = clean(profile.real_name or "")[:200] or None
    person.tz = clean(profile.tz or person.tz or "UTC")[:64]
    person.title = clean(profile.title or "")[:200] or None
    person.is_deleted = profile.deleted
    person.is_bot = profile.bot
    person.is_guest = profile.guest
    person.updated_at = at
    s.flush()
    return Known(person.id, person.tz, refusal(person))


# --- eligibility -------------------------------------------------------------------------


def rules_of(program: Program) -> Rules:
    return Rules.from_settings((program.settings or {}).get("eligibility"))


def facts_of(
    person: Person, enrollment: Enrollment | None = None, profile: store.Profile | None = None
) -> Facts:
    """What is known about the person: the HR import first, then what they told us."""
    told = profile or (store.profile_of(enrollment) if enrollment is not None else None)
    return Facts(
        department=person.department or (told.department if told else None),
        location=person.location,
        level=person.job_level
        if person.job_level is not None
        else (told.seniority if told else None),
        start_date=person.start_date,
    )


def verdict(
    program: Program,
    person: Person,
    at: datetime,
    *,
    enrollment: Enrollment | None = None,
    profile: store.Profile | None = None,
    before_form: bool = False,
) -> Verdict:
    return check(
        rules_of(program),
        facts_of(person, enrollment, profile),
        at.date(),
        unknown_ok=ASKED_IN_FORM if before_form else frozenset(),
    )


@dataclass(frozen=True)
class Excluded:
    """Why someone cannot join: the program's rules and which of them they do not meet."""

    program_name: str
    rules: Rules
    failed: tuple[str, ...]


class ExcludedError(DomainError):
    def __init__(self, excluded: Excluded) -> None:
        super().__init__(f"*{excluded.program_name}* is not open to you right now.")
        self.excluded = excluded


def review_scope(
    s: Session,
    program: Program,
    enrollment: Enrollment,
    person: Person,
    at: datetime,
    *,
    tell: bool,
) -> bool:
    """Whether the enrollment is inside the program's rules now. With `tell`, someone who
    moved outside them is marked and told once (until they come back inside)."""
    open_to_all = rules_of(program).is_open  # the common case, checked without facts
    found = Verdict() if open_to_all else verdict(program, person, at, enrollment=enrollment)
    if found.eligible:
        if tell and enrollment.out_of_scope_at is not None:
            enrollment.out_of_scope_at = None
        return True
    if tell and enrollment.out_of_scope_at is None:
        enrollment.out_of_scope_at = at
        emit(
            s,
            notices.OutOfScope(
                enrollment.id, at.isoformat(), program.name, rules_of(program), found.failed
            ),
            to=ToPeople(
                (
                    Reader(
                        person.slack_user_id,
                        Hours(
                            enrollment.timezone or person.tz or "UTC",
                            tuple(enrollment.working_days or (0, 1, 2, 3, 4)),
                            enrollment.work_start_minute,
                            enrollment.work_end_minute,
                        ),
                    ),
                )
            ),
            workspace_id=program.workspace_id,
            at=at,
        )
    return False


def review_import(s: Session, program: Program, person_id: int, at: datetime) -> bool | None:
    """After an HR import changed someone: whether their enrollment is still in scope
    (None: not enrolled); someone now outside the rules is told once."""
    person = s.get_one(Person, person_id)
    enrollment = store.get_enrollment(s, program.id, person_id)
    if enrollment is None or enrollment.status == EnrollmentStatus.LEFT:
        return None
    return review_scope(s, program, enrollment, person, at, tell=True)


# --- the form -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillOption:
    id: int
    name: str
    cluster: str


@dataclass(frozen=True)
class FormContext:
    """What the form needs to know about the program and the person."""

    program_id: int
    program_name: str
    roles: tuple[str, ...]
    capacity_default: int
    capacity_max: int
    skills: tuple[SkillOption, ...]
    timezone: str
    editing: bool = False
    needs_level: bool = False  # strict reverse mentoring compares levels, so asks for one


@dataclass(frozen=True)
class ProfileForm:
    """The profile as the form shows it and reads it back, with the people in it as Slack
    user ids (the manager, the never-match list) until the flow resolves them."""

    profile: store.Profile = field(default_factory=store.Profile)
    manager: str | None = None
    never: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgramChoice:
    programs: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class JoinForm:
    context: FormContext
    values: ProfileForm


def form_context(s: Session, program: Program, tz: str, *, editing: bool) -> FormContext:
    return FormContext(
        program_id=program.id,
        program_name=program.name,
        roles=store.roles_for(program),
        capacity_default=program.capacity_default,
        capacity_max=program.capacity_max,
        skills=tuple(SkillOption(k.id, k.name, k.cluster) for k in list_skills(s, program.id)),
        timezone=tz,
        editing=editing,
        needs_level=junior_mentors_only(program),
    )


def form_values(s: Session, program: Program, person: Person) -> ProfileForm:
    enrollment = store.get_enrollment(s, program.id, person.id)
    if enrollment is None:
        return ProfileForm(
            store.Profile(
                role="",
                department=person.department or None,
                seniority=person.job_level,
                capacity=program.capacity_default,
            )
        )
    profile = store.profile_of(enrollment)
    manager = _shown_person(s, enrollment.manager_id)
    return ProfileForm(
        replace(profile, capacity=profile.capacity or program.capacity_default),
        manager=manager.slack_user_id if manager else None,
        never=tuple(store.people_slack_ids(s, list(profile.never_match))),
    )


def _shown_person(s: Session, person_id: int | None) -> Person | None:
    """Someone a profile names (a manager), unless they were forgotten since."""
    person = s.get(Person, person_id) if person_id else None
    return person if person is not None and person.forgotten_at is None else None


def form_for(
    s: Session,
    person_id: int,
    *,
    name: str | None,
    editing: bool,
    program_id: int | None,
    at: datetime | None = None,
) -> JoinForm | ProgramChoice | Excluded:
    """The modal to open: a program's form, a choice of program, or why the person cannot
    join it (what is known already puts them outside its rules)."""
    person = s.get_one(Person, person_id)
    program: Program | None
    if program_id is not None:
        program = s.get(Program, program_id)
        if program is None or program.workspace_id != person.workspace_id:
            raise NotFoundError("That program no longer exists.")
    elif editing:
        mine = [e.program_id for e in store.list_enrollments(s, person.id)]
        programs = [p for p in list_programs(s, person.workspace_id) if p.id in mine]
        if not programs:
            raise NotFoundError("You are not enrolled in any program yet. Try `/mentor join`.")
        program = pick(programs, name)
    elif name:
        program = resolve_program(s, person.workspace_id, name, open_only=True)
    else:
        programs = list_programs(s, person.workspace_id, open_only=True)
        if not programs:
            raise NotFoundError(
                "There is no program open for enrollment right now. Ask an admin to create one."
            )
        if len(programs) > 1:
            return ProgramChoice(tuple((p.id, p.name) for p in programs))
        program = programs[0]
    if not editing and at is not None and (excluded := _excluded(s, program, person, at)):
        return excluded
    return JoinForm(
        form_context(s, program, person.tz or "UTC", editing=editing),
        form_values(s, program, person),
    )


def _excluded(s: Session, program: Program, person: Person, at: datetime) -> Excluded | None:
    """Before the form: a join the facts already known rule out (the form asks the rest)."""
    enrollment = store.get_enrollment(s, program.id, person.id)
    if enrollment is not None and enrollment.status != EnrollmentStatus.LEFT:
        return None  # already in: their profile is theirs to edit
    found = verdict(program, person, at, enrollment=enrollment, before_form=True)
    return None if found.eligible else Excluded(program.name, rules_of(program), found.failed)


def pick(programs: Sequence[Program], name: str | None) -> Program:
    if name:
        wanted = name.strip().lower()
        for program in programs:
            if wanted in (program.slug.lower(), program.name.lower()):
                return program
        raise NotFoundError("You are not in a program called `{name}`.", name=name[:60])
    if len(programs) > 1:
        known_ = ", ".join(f"`{p.slug}`" for p in programs)
        raise InvalidError(f"Which program? Name one of: {known_}.")
    return programs[0]


def chosen_form(
    s: Session, team_id: str, user_id: str, program_id: int | None, at: datetime
) -> JoinForm | Excluded | None:
    """The form of the program chosen in the choice modal, if it is still open here."""
    workspace = get_workspace(s, team_id)
    if workspace is None or program_id is None:
        return None
    program = s.get(Program, program_id)
    if program is None or program.workspace_id != workspace.id:
        return None
    if program.status != ProgramStatus.OPEN:
        return None
    person = ensure_person(s, workspace.id, user_id, at)
    if excluded := _excluded(s, program, person, at):
        return excluded
    return JoinForm(
        form_context(s, program, person.tz or "UTC", editing=False),
        form_values(s, program, person),
    )


def context_for_submit(
    s: Session, team_id: str, user_id: str, program_id: int, tz: str
) -> FormContext | str:
    """What a submitted form is read against, or a refusal code / "unknown" / "closed"."""
    workspace = get_workspace(s, team_id)
    program = s.get(Program, program_id) if workspace else None
    if workspace is None or program is None or program.workspace_id != workspace.id:
        return "unknown"
    person = get_person(s, workspace.id, user_id)
    if person is not None and (why := refusal(person)):
        return why
    if program.status != ProgramStatus.OPEN:
        return "closed"
    return form_context(s, program, tz, editing=False)


@dataclass(frozen=True)
class Saved:
    enrollment_id: int
    created: bool
    confirmation: notices.EnrollmentSaved


def save_profile(
    s: Session,
    team_id: str,
    user_id: str,
    context: FormContext,
    form: ProfileForm,
    *,
    version: str,
    at: datetime,
    forget_key: bytes | None = None,
) -> Saved:
    """Enroll (or update) the person with what the form says; the confirmation DM is queued
    once per view (a double submit sends one). Someone forgotten before starts afresh (a new
    person row) and others' exclusions of them hold again."""
    workspace = ensure_workspace(s, team_id, at)
    program = s.get_one(Program, context.program_id)
    person = ensure_person(s, workspace.id, user_id, at)
    forgetting.carry_over_exclusions(s, person, forget_key)
    existing = store.get_enrollment(s, program.id, person.id)
    joining = existing is None or existing.status == EnrollmentStatus.LEFT
    found = verdict(program, person, at, profile=form.profile)
    if joining and not found.eligible:
        raise ExcludedError(Excluded(program.name, rules_of(program), found.failed))
    manager = ensure_person(s, workspace.id, form.manager, at) if form.manager else None
    never = [ensure_person(s, workspace.id, u, at).id for u in form.never if u != user_id]
    saved = store.save_profile(
        s,
        program,
        person,
        replace(
            form.profile,
            timezone=context.timezone,
            manager_id=manager.id if manager and manager.id != person.id else None,
            never_match=tuple(never),
        ),
        at=at,
    )
    names = {k.id: k.name for k in context.skills}
    profile = saved.profile
    notice = notices.EnrollmentSaved(
        enrollment_id=saved.enrollment_id,
        version=version,
        created=saved.created,
        program_name=program.name,
        role=profile.role,
        offered=tuple(names.get(skill_id, "?") for skill_id, _ in profile.offered),
        goals=tuple(names.get(skill_id, "?") for skill_id in profile.sought),
        free_goal=profile.free_text_goal,
        working_days=profile.working_days,
        start_minute=profile.work_start_minute,
        end_minute=profile.work_end_minute,
        timezone=profile.timezone,
        frequency_days=profile.meeting_frequency_days,
        capacity=profile.capacity,
        next_round=next_round(program, at),
    )
    hours = Hours(
        profile.timezone, profile.working_days, profile.work_start_minute, profile.work_end_minute
    )
    emit(
        s,
        notice,
        to=ToPeople((Reader(user_id, hours),)),
        workspace_id=workspace.id,
        at=at,
    )
    if not joining:  # an edit that moves them outside the rules: told once, not refused
        review_scope(s, program, s.get_one(Enrollment, saved.enrollment_id), person, at, tell=True)
    return Saved(saved.enrollment_id, saved.created, notice)


def next_round(program: Program, at: datetime) -> datetime | None:
    if not program.schedule_rrule:
        return None
    try:
        return next_slot(program.schedule_rrule, program.timezone, program.created_at, at)
    except (ValueError, KeyError):
        return None


# --- pause, resume, leave, forget -----------------------------------------------------------


def me(s: Session, team_id: str, user_id: str) -> Person:
    """The requester, who must be enrolled somewhere."""
    workspace = get_workspace(s, team_id)
    person = get_person(s, workspace.id, user_id) if workspace else None
    if person is None or not store.list_enrollments(s, person.id):
        raise NotFoundError("You are not enrolled in any program yet. Try `/mentor join`.")
    return person


def pause(s: Session, person: Person, until: date, *, at: datetime) -> None:
    store.pause(s, person, until, at=at)


def resume(s: Session, person: Person, *, at: datetime) -> bool:
    return bool(store.resume(s, person, at=at))


def leave_program(
    s: Session, enrollment: Enrollment, person: Person, at: datetime, reason: str
) -> None:
    """Withdraw and end the person's open matches in that program kindly."""
    for match_id in store.withdraw(s, enrollment, at=at):
        end_kindly(s, match_id, at=at, reason=reason, leaving_person_ids=frozenset({person.id}))


def leave(s: Session, person: Person, name: str | None, *, at: datetime) -> str:
    """Leave the named (or only) program; its name."""
    mine = {e.program_id: e for e in store.list_enrollments(s, person.id)}
    program = pick([s.get_one(Program, pid) for pid in mine], name)
    leave_program(s, mine[program.id], person, at, EndReason.LEFT)
    return program.name


def forget(s: Session, team_id: str, user_id: str, *, key: bytes | None, at: datetime) -> bool:
    """Erase everything that identifies the person (their matches end kindly first); False
    when there was nothing left to erase."""
    workspace = get_workspace(s, team_id)
    person = get_person(s, workspace.id, user_id) if workspace else None
    if person is None or person.forgotten_at is not None:
        return False
    for match_id in list_open_match_ids(s, person.id):
        end_kindly(
            s,
            match_id,
            at=at,
            reason=EndReason.FORGOTTEN,
            leaving_person_ids=frozenset({person.id}),
        )
    forgetting.forget_person(s, person, key=key, at=at)
    return True


def resume_due(s: Session, *, at: datetime) -> int:
    return store.resume_due(s, at=at)


# --- events ---------------------------------------------------------------------------------


def invite_newcomer(
    s: Session, team_id: str, channel_id: str, user_id: str, event_id: str, at: datetime
) -> int:
    """Someone joined a program's channel: invite them once per program; how many invites."""
    if not claim_event(s, event_id, at):
        return 0
    workspace = get_workspace(s, team_id)
    if workspace is None or not channel_id or not user_id:
        return 0
    invited = 0
    for program in store.list_channel_programs(s, workspace.id, channel_id):
        person = ensure_person(s, workspace.id, user_id, at)
        if person.is_bot or store.get_enrollment(s, program.id, person.id) is not None:
            continue
        invited += emit(
            s,
            notices.ChannelInvite(program.id, person.id, channel_id, program.name),
            to=ToPeople((Reader(user_id, Hours(person.tz or "UTC")),)),
            workspace_id=workspace.id,
            at=at,
        )
    return invited


def deactivated(s: Session, team_id: str, user_id: str, event_id: str, at: datetime) -> bool:
    """Slack deactivated the person: withdraw them and end their matches kindly, once."""
    if not claim_event(s, event_id, at):
        return False
    workspace = get_workspace(s, team_id)
    person = get_person(s, workspace.id, user_id) if workspace else None
    if person is None:
        return False
    person.is_deleted = True
    person.updated_at = at
    for enrollment in store.list_enrollments(s, person.id):
        leave_program(s, enrollment, person, at, EndReason.DEACTIVATED)
    return True


# --- what the person sees: status and Home --------------------------------------------------


@dataclass(frozen=True)
class MatchLine:
    others: tuple[str, ...]  # Slack user ids
    since: datetime
    state: str


@dataclass(frozen=True)
class Knows:
    """Everything the bot uses for matching, as the person told it (for Home)."""

    role: str
    offered: tuple[tuple[str, int], ...]  # (skill name, level)
    goals: tuple[str, ...]
    free_text_goal: str | None
    seniority: int | None
    department: str | None
    manager: str | None  # Slack user id
    working_days: tuple[int, ...]
    work_start_minute: int
    work_end_minute: int
    timezone: str
    languages: tuple[str, ...]
    meeting_frequency_days: int | None
    capacity: int
    never_count: int
    consent_at: datetime
    hours_cap: int | None = None


@dataclass(frozen=True)
class ProgramLine:
    program_id: int
    program_name: str
    role: str
    status: str
    paused_until: date | None
    matches: tuple[MatchLine, ...]
    next_round: datetime | None
    knows: Knows


@dataclass(frozen=True)
class AdminLine:
    program_name: str
    slug: str
    mentors: Figure  # through flows.disclosure, like every number admins see
    mentees: Figure
    open_matches: Figure


@dataclass(frozen=True)
class HomeView:
    programs: tuple[ProgramLine, ...]
    open_programs: tuple[tuple[int, str], ...] = ()  # to join, when enrolled nowhere
    admin_of: tuple[AdminLine, ...] = ()
    paused: bool = field(default=False)


def status_of(s: Session, person: Person, at: datetime) -> tuple[ProgramLine, ...]:
    lines = []
    for enrollment in store.list_enrollments(s, person.id):
        program = s.get_one(Program, enrollment.program_id)
        matches = tuple(
            MatchLine(
                others=tuple(store.partners(s, match_id, person.id)),
                since=when,
                state=state,
            )
            for match_id, when, state in store.match_lines(s, person.id, program.id)
        )
        lines.append(
            ProgramLine(
                program_id=program.id,
                program_name=program.name,
                role=enrollment.role,
                status=enrollment.status,
                paused_until=enrollment.paused_until,
                matches=matches,
                next_round=next_round(program, at),
                knows=_knows(s, enrollment, program),
            )
        )
    return tuple(lines)


def _knows(s: Session, enrollment: Enrollment, program: Program) -> Knows:
    names = {k.id: k.name for k in list_skills(s, program.id)}
    manager = _shown_person(s, enrollment.manager_id)
    return Knows(
        role=enrollment.role,
        offered=tuple(
            (names.get(k.skill_id, "?"), k.level) for k in enrollment.skills if k.kind == "offer"
        ),
        goals=tuple(names.get(k.skill_id, "?") for k in enrollment.skills if k.kind == "seek"),
        free_text_goal=enrollment.free_text_goal,
        seniority=enrollment.seniority,
        department=enrollment.department,
        manager=manager.slack_user_id if manager else None,
        working_days=tuple(enrollment.working_days),
        work_start_minute=enrollment.work_start_minute,
        work_end_minute=enrollment.work_end_minute,
        timezone=enrollment.timezone,
        languages=tuple(enrollment.languages),
        meeting_frequency_days=enrollment.meeting_frequency_days,
        capacity=enrollment.capacity,
        never_count=len(enrollment.never_match),
        consent_at=enrollment.consent_at,
        hours_cap=enrollment.hours_cap,
    )


def status(s: Session, team_id: str, user_id: str, at: datetime) -> tuple[ProgramLine, ...]:
    workspace = get_workspace(s, team_id)
    person = get_person(s, workspace.id, user_id) if workspace else None
    return status_of(s, person, at) if person else ()


def home(s: Session, team_id: str, user_id: str, *, admin: Authority, at: datetime) -> HomeView:
    """What the person's Home shows. Opening Home records nobody: someone who was just
    forgotten sees it published again without their Slack id being stored anew."""
    workspace = ensure_workspace(s, team_id, at)
    person = get_person(s, workspace.id, user_id)
    programs = status_of(s, person, at) if person is not None else ()
    open_programs: tuple[tuple[int, str], ...] = ()
    if not programs:
        open_programs = tuple(
            (p.id, p.name) for p in list_programs(s, workspace.id, open_only=True)
        )
    admin_of = tuple(
        AdminLine(
            program_name=p.name,
            slug=p.slug,
            mentors=count(counts.get(Role.MENTOR, 0) + counts.get(Role.BOTH, 0)),
            mentees=count(counts.get(Role.MENTEE, 0) + counts.get(Role.BOTH, 0)),
            open_matches=count(store.count_open_matches(s, p.id)),
        )
        for p in list_programs(s, workspace.id)
        if admin.over(p.id)
        for counts in (store.count_enrolled(s, p.id),)
    )
    return HomeView(
        programs=programs,
        open_programs=open_programs,
        admin_of=admin_of,
        paused=any(p.status == EnrollmentStatus.PAUSED for p in programs),
    )
