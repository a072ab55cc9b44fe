"""Enrollment in Slack: /mentor join|profile|status|pause|resume|leave|forget-me and the modal.

`join` acks, then opens the modal (a trigger_id lives 3 s). Someone new to us is looked up
with users.info first, so the form opens once, in their zone, or a refusal is said instead;
for someone known the form opens first, and a deactivated user, bot or guest then sees it
turn into a refusal, and a time zone that differs from what we knew refreshes it.
A submission is validated and stored before it is acknowledged, so its errors can be
shown next to the fields and a stored enrollment is never half-written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from dateutil import parser as dateparser
from dateutil.relativedelta import relativedelta
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock
from slack_sdk.models.views import View
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers import copy
from handlers.commands import CommandRequest, CommandRouter, CommandTools, Reply
from handlers.context import Deps
from handlers.enroll_form import (
    DAY_NAMES,
    FREQUENCIES,
    FormContext,
    FormValues,
    Metadata,
    SkillOption,
    enrollment_form,
    notice,
    program_choice,
    read_choice,
    read_form,
)
from handlers.ids import Action, Block, Callback
from handlers.notify import end_match_kindly
from matching.rounds import next_slot
from models import enrollment as store
from models import outbox
from models.errors import DomainError, InvalidError, NotFoundError
from models.matches import list_open_match_ids
from models.programs import list_programs, resolve_program
from models.tables import Enrollment, Match, Person, Program
from models.taxonomy import list_skills
from models.workspace import ensure_person, get_person, get_workspace

if TYPE_CHECKING:
    from handlers.registry import Registrar

log = logging.getLogger("mentorbot.enrollment")

MAX_PAUSE = timedelta(days=366)


# --- shared pieces ---------------------------------------------------------------------


def refusal(person: Person) -> str | None:
    """Why this person cannot enroll, or None."""
    if person.is_deleted:
        return copy.CANNOT_ENROLL.format(why=copy.WHY_DEACTIVATED)
    if person.is_bot:
        return copy.CANNOT_ENROLL.format(why=copy.WHY_BOT)
    if person.is_guest:
        return copy.CANNOT_ENROLL.format(why=copy.WHY_GUEST)
    return None


def form_context(s: Session, program: Program, person: Person, *, editing: bool) -> FormContext:
    return FormContext(
        program_id=program.id,
        program_name=program.name,
        roles=store.roles_for(program),
        capacity_default=program.capacity_default,
        capacity_max=program.capacity_max,
        skills=tuple(SkillOption(k.id, k.name, k.cluster) for k in list_skills(s, program.id)),
        timezone=person.tz or "UTC",
        editing=editing,
    )


def form_values(s: Session, program: Program, person: Person) -> FormValues:
    enrollment = store.get_enrollment(s, program.id, person.id)
    if enrollment is None:
        return FormValues(department=person.department or "", seniority=person.job_level)
    offered = [k for k in enrollment.skills if k.kind == "offer"]
    by_person = {
        p.id: p.slack_user_id for p in _people(s, [n.person_id for n in enrollment.never_match])
    }
    manager = s.get(Person, enrollment.manager_id) if enrollment.manager_id else None
    return FormValues(
        role=enrollment.role,
        expert=tuple(k.skill_id for k in offered if k.level >= 3),
        experienced=tuple(k.skill_id for k in offered if k.level < 3),
        goals=tuple(k.skill_id for k in enrollment.skills if k.kind == "seek"),
        free_goal=enrollment.free_text_goal or "",
        seniority=enrollment.seniority,
        department=enrollment.department or "",
        manager=manager.slack_user_id if manager else None,
        days=tuple(enrollment.working_days),
        start_minute=enrollment.work_start_minute,
        end_minute=enrollment.work_end_minute,
        languages=tuple(enrollment.languages),
        frequency=enrollment.meeting_frequency_days,
        capacity=enrollment.capacity or None,
        never=tuple(
            by_person[n.person_id] for n in enrollment.never_match if n.person_id in by_person
        ),
    )


def _people(s: Session, ids: Sequence[int]) -> list[Person]:
    return list(s.scalars(select(Person).where(Person.id.in_(ids)))) if ids else []


def slack_date(moment: datetime) -> str:
    """A date Slack shows in each reader's own zone."""
    fallback = moment.strftime("%a %d %b %Y %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def next_round_text(program: Program, at: datetime) -> str:
    if program.schedule_rrule:
        try:
            slot = next_slot(program.schedule_rrule, program.timezone, program.created_at, at)
        except (ValueError, KeyError):
            slot = None
        if slot is not None:
            return copy.ENROLL_NEXT_ROUND.format(when=slack_date(slot))
    return copy.ENROLL_NO_ROUND


def _minutes(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def summary(profile: store.Profile, names: Mapping[int, str]) -> str:
    """What was stored, in words (from the saved profile: no reload after the write)."""
    offered = [names.get(skill_id, "?") for skill_id, _ in profile.offered]
    goals = [names.get(skill_id, "?") for skill_id in profile.sought]
    if profile.free_text_goal:
        goals.append(f"“{profile.free_text_goal[:100]}”")
    capacity = f"; up to {profile.capacity} mentees" if profile.capacity else ""
    return copy.ENROLL_SUMMARY.format(
        offered=", ".join(offered) or "none",
        goals=", ".join(goals) or "none",
        days=", ".join(DAY_NAMES[d] for d in profile.working_days),
        start=_minutes(profile.work_start_minute),
        end=_minutes(profile.work_end_minute),
        tz=profile.timezone,
        frequency=FREQUENCIES.get(profile.meeting_frequency_days or 0, "as you agree"),
        capacity=capacity,
    )


def refresh_person(client: WebClient, deps: Deps, team_id: str, user_id: str) -> Person | None:
    """Ask Slack who the person is now (name, zone, flags) and remember it."""
    if not user_id:
        return None
    try:
        info = client.users_info(user=user_id)
    except SlackApiError as err:
        log.warning("users.info for %s failed: %s", user_id, err.response.get("error"))
        return None
    user = info.get("user") or {}
    profile = user.get("profile") or {}
    at = deps.clock()
    with deps.sessions.begin() as s:
        workspace = get_workspace(s, team_id)
        if workspace is None:
            return None
        person = ensure_person(s, workspace.id, user_id, at)
        person.name = str(profile.get("display_name") or user.get("name") or "")[:200] or None
        person.real_name = (
            str(user.get("real_name") or profile.get("real_name") or "")[:200] or None
        )
        person.tz = str(user.get("tz") or person.tz or "UTC")[:64]
        person.title = str(profile.get("title") or "")[:200] or None
        person.is_deleted = bool(user.get("deleted"))
        person.is_bot = bool(user.get("is_bot"))
        person.is_guest = bool(user.get("is_restricted") or user.get("is_ultra_restricted"))
        person.updated_at = at
        s.flush()
        s.expunge(person)
        return person


# --- /mentor join and /mentor profile -----------------------------------------------------


def _open_form(
    deps: Deps, request: CommandRequest, tools: CommandTools, name: str | None, *, editing: bool
) -> Reply | None:
    tools.ack_now()
    why = open_form(
        deps,
        tools.client,
        team_id=request.team_id,
        user_id=request.slack_user_id,
        trigger_id=request.trigger_id,
        name=name,
        editing=editing,
    )
    return Reply(why) if why else None


def open_form(
    deps: Deps,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    name: str | None = None,
    editing: bool = False,
    program_id: int | None = None,
) -> str | None:
    """Open the join (or profile) modal; the reason it cannot be opened, or None.

    Someone Slack has never described to us (no zone yet) is looked up first, so the form
    opens in their zone and a refusal needs no modal; users.info is quick and the trigger
    lives 3 s. Everyone else sees the form at once, refreshed only if Slack's answer changes it.
    """
    asked = False
    while True:
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, team_id)
            if workspace is None:
                raise NotFoundError(copy.NO_OPEN_PROGRAM)
            person = ensure_person(s, workspace.id, user_id, deps.clock())
            why = refusal(person)
            if why:
                return why
            if asked or person.tz is not None:
                view, program_id = _form_for(s, person, name, editing, program_id)
                known_tz = person.tz
                break
        refresh_person(client, deps, team_id, user_id)
        asked = True
    opened = client.views_open(trigger_id=trigger_id, view=view)
    if asked:
        return None
    fresh = refresh_person(client, deps, team_id, user_id)
    if fresh is None:
        return None
    opened_view = opened.get("view") or {}
    why = refusal(fresh)
    try:
        if why:
            client.views_update(view_id=opened_view.get("id"), view=notice(copy.JOIN_TITLE, why))
        elif program_id is not None and fresh.tz != known_tz:
            with deps.sessions.begin() as s:
                view, _ = _form_for(s, s.get_one(Person, fresh.id), None, editing, program_id)
            client.views_update(
                view_id=opened_view.get("id"), hash=opened_view.get("hash"), view=view
            )
    except SlackApiError as error:
        # The form is open and usable; a refusal is enforced again when it is submitted.
        log.warning("views.update failed: %s", error.response.get("error"))
    return None


def _form_for(
    s: Session, person: Person, name: str | None, editing: bool, program_id: int | None
) -> tuple[View, int | None]:
    """The modal to open: a program's form, or a choice of program; and the program's id."""
    program: Program | None
    if program_id is not None:
        program = s.get(Program, program_id)
        if program is None or program.workspace_id != person.workspace_id:
            raise NotFoundError(copy.NO_OPEN_PROGRAM)
    elif editing:
        mine = [e.program_id for e in store.list_enrollments(s, person.id)]
        programs = [p for p in list_programs(s, person.workspace_id) if p.id in mine]
        if not programs:
            raise NotFoundError(copy.NOT_ENROLLED)
        program = _pick(programs, name)
    elif name:
        program = resolve_program(s, person.workspace_id, name, open_only=True)
    else:
        programs = list_programs(s, person.workspace_id, open_only=True)
        if not programs:
            raise NotFoundError(copy.NO_OPEN_PROGRAM)
        if len(programs) > 1:
            return program_choice([(p.id, p.name) for p in programs]), None
        program = programs[0]
    form = enrollment_form(
        form_context(s, program, person, editing=editing), form_values(s, program, person)
    )
    return form, program.id


def _pick(programs: Sequence[Program], name: str | None) -> Program:
    if name:
        wanted = name.strip().lower()
        for program in programs:
            if wanted in (program.slug.lower(), program.name.lower()):
                return program
        raise NotFoundError(f"You are not in a program called `{name[:60]}`.")
    if len(programs) > 1:
        known = ", ".join(f"`{p.slug}`" for p in programs)
        raise InvalidError(f"Which program? Name one of: {known}.")
    return programs[0]


def handle_command_join(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        return _open_form(deps, request, tools, " ".join(request.words) or None, editing=False)

    return handle


def handle_command_profile(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        return _open_form(deps, request, tools, " ".join(request.words) or None, editing=True)

    return handle


# --- the modal's submissions ----------------------------------------------------------------


def _team(body: dict[str, Any]) -> str:
    return str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")


def _user_id(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def handle_view_choose_program(deps: Deps) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        at = deps.clock()
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, _team(body))
            programs = list_programs(s, workspace.id, open_only=True) if workspace else []
            chosen = read_choice(view, {p.id for p in programs})
            if workspace is None or chosen is None:
                ack(response_action="errors", errors={Block.PROGRAM: copy.ERR_UNKNOWN})
                return
            program = s.get_one(Program, chosen)
            person = ensure_person(s, workspace.id, _user_id(body), at)
            form = enrollment_form(
                form_context(s, program, person, editing=False), form_values(s, program, person)
            )
        ack(response_action="update", view=form)

    return listener


def handle_view_join(deps: Deps) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        meta = Metadata.load(str(view.get("private_metadata") or ""))
        user_id = _user_id(body)
        at = deps.clock()
        try:
            with deps.sessions.begin() as s:
                outcome = _save_submission(s, deps, body, view, meta, user_id, at)
        except DomainError as error:
            ack(response_action="errors", errors={Block.ROLE: str(error)[:150]})
            return
        if isinstance(outcome, dict):
            ack(response_action="errors", errors=outcome)
        elif isinstance(outcome, str):
            ack(response_action="update", view=notice(copy.JOIN_TITLE, outcome).to_dict())
        else:
            ack()

    return listener


def _save_submission(
    s: Session,
    deps: Deps,
    body: dict[str, Any],
    view: dict[str, Any],
    meta: Metadata | None,
    user_id: str,
    at: datetime,
) -> dict[str, str] | str | None:
    """None when saved; a dict of field errors; or a message replacing the modal."""
    workspace = get_workspace(s, _team(body))
    program = s.get(Program, meta.program_id) if meta and workspace else None
    if workspace is None or program is None or program.workspace_id != workspace.id:
        return copy.ERR_UNKNOWN
    person = get_person(s, workspace.id, user_id)
    if person is not None and (why := refusal(person)):
        return why
    viewer = person or Person(tz=meta.timezone if meta else "UTC")
    ctx = form_context(s, program, viewer, editing=False)
    if meta is not None:
        ctx = FormContext(**{**ctx.__dict__, "timezone": meta.timezone})
    submitted, errors = read_form(view, ctx)
    if program.status != "open":
        errors[Block.ROLE] = copy.ERR_CLOSED
    if errors or submitted is None:
        return errors
    person = person or ensure_person(s, workspace.id, user_id, at)
    manager = ensure_person(s, workspace.id, submitted.manager, at) if submitted.manager else None
    never = [ensure_person(s, workspace.id, u, at).id for u in submitted.never if u != user_id]
    saved = store.save_profile(
        s,
        program,
        person,
        store.Profile(
            role=submitted.role,
            offered=submitted.offered,
            sought=submitted.sought,
            free_text_goal=submitted.free_goal,
            seniority=submitted.seniority,
            department=submitted.department,
            manager_id=manager.id if manager and manager.id != person.id else None,
            working_days=submitted.days,
            work_start_minute=submitted.start_minute,
            work_end_minute=submitted.end_minute,
            timezone=ctx.timezone,
            languages=submitted.languages,
            meeting_frequency_days=submitted.frequency,
            capacity=submitted.capacity,
            never_match=tuple(never),
        ),
        at=at,
    )
    head = copy.ENROLL_SAVED_NEW if saved.created else copy.ENROLL_SAVED_EDIT
    text = "\n".join(
        (
            head.format(program=program.name, role=_role_phrase(saved.profile.role)),
            summary(saved.profile, {k.id: k.name for k in ctx.skills}),
            next_round_text(program, at),
            copy.ENROLL_FOOTER,
        )
    )
    # The same view submitted twice (a double click, a Slack retry) has the same id and hash.
    version = str(view.get("id", ""))
    outbox.enqueue(
        s,
        workspace_id=workspace.id,
        key=f"enroll:{saved.enrollment_id}:saved:{version}",
        conversation=outbox.dm_to(user_id),
        payload={"text": text},
        at=at,
    )
    return None


def _role_phrase(role: str) -> str:
    return {"mentor": "a mentor", "mentee": "a mentee", "both": "a mentor and mentee"}.get(
        role, "a peer"
    )


# --- status, pause, resume, leave ------------------------------------------------------------


def _me(s: Session, request: CommandRequest) -> Person:
    workspace = get_workspace(s, request.team_id)
    person = get_person(s, workspace.id, request.slack_user_id) if workspace else None
    if person is None or not store.list_enrollments(s, person.id):
        raise NotFoundError(copy.NOT_ENROLLED)
    return person


def status_text(s: Session, person: Person, at: datetime) -> str:
    lines: list[str] = []
    for enrollment in store.list_enrollments(s, person.id):
        program = s.get_one(Program, enrollment.program_id)
        state = (
            f"paused until {enrollment.paused_until:%d %b %Y}"
            if enrollment.status == "paused" and enrollment.paused_until
            else enrollment.status
        )
        lines.append(f"*{program.name}*: {_role_phrase(enrollment.role)}, {state}")
        for match_id in list_open_match_ids(s, person.id, program.id):
            match = s.get_one(Match, match_id)
            others = [
                f"<@{p.slack_user_id}>"
                for p in _people(
                    s, [m.person_id for m in match.members if m.person_id != person.id]
                )
            ]
            since = match.started_at or match.created_at
            who = ", ".join(others) or "nobody"
            lines.append(f"  • matched with {who} since {since:%d %b %Y} ({match.state})")
        lines.append("  " + next_round_text(program, at))
    return "\n".join(lines) or copy.STATUS_NONE


def handle_command_status(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, request.team_id)
            person = get_person(s, workspace.id, request.slack_user_id) if workspace else None
            if person is None:
                return Reply(copy.STATUS_NONE)
            return Reply(status_text(s, person, deps.clock()))

    return handle


def parse_pause(words: Sequence[str], today: date) -> date:
    """`until 2026-12-24` or `for 3 weeks` (days, weeks, months) as the last paused day + 1."""
    if len(words) < 2 or words[0].lower() not in ("until", "for"):
        raise InvalidError(copy.PAUSE_USAGE)
    rest = " ".join(words[1:])
    if words[0].lower() == "until":
        try:
            until = dateparser.parse(
                rest, default=datetime(today.year, today.month, today.day, tzinfo=UTC)
            ).date()
        except (ValueError, OverflowError):
            raise InvalidError(copy.PAUSE_USAGE) from None
        if until <= today:
            raise InvalidError(copy.PAUSE_PAST)
    else:
        parts = rest.lower().split()
        units = {"day": "days", "days": "days", "week": "weeks", "weeks": "weeks"}
        units |= {"month": "months", "months": "months"}
        if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in units or int(parts[0]) < 1:
            raise InvalidError(copy.PAUSE_USAGE)
        if int(parts[0]) > 400:
            raise InvalidError(copy.PAUSE_TOO_LONG)
        count = int(parts[0])
        step = {
            "days": relativedelta(days=count),
            "weeks": relativedelta(weeks=count),
            "months": relativedelta(months=count),
        }[units[parts[1]]]
        until = today + step
    if until - today > MAX_PAUSE:
        raise InvalidError(copy.PAUSE_TOO_LONG)
    return until


def handle_command_pause(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        at = deps.clock()
        with deps.sessions.begin() as s:
            person = _me(s, request)
            tz = person.tz or "UTC"
            until = parse_pause(request.words, _local_today(at, tz))
            store.pause(s, person, until, at=at)
        return Reply(copy.PAUSED.format(date=f"{until:%a %d %b %Y}"))

    return handle


def _local_today(at: datetime, tz: str) -> date:
    from zoneinfo import ZoneInfo

    try:
        return at.astimezone(ZoneInfo(tz)).date()
    except (KeyError, ValueError):
        return at.date()


def handle_command_resume(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        with deps.sessions.begin() as s:
            resumed = store.resume(s, _me(s, request), at=deps.clock())
        return Reply(copy.RESUMED if resumed else copy.NOT_PAUSED)

    return handle


def leave_program(
    s: Session, enrollment: Enrollment, person: Person, at: datetime, reason: str
) -> None:
    """Withdraw and end the person's open matches in that program kindly."""
    for match_id in store.withdraw(s, enrollment, at=at):
        end_match_kindly(
            s, match_id, at=at, reason=reason, leaving_person_ids=frozenset({person.id})
        )


def handle_command_leave(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        at = deps.clock()
        with deps.sessions.begin() as s:
            person = _me(s, request)
            mine = {e.program_id: e for e in store.list_enrollments(s, person.id)}
            programs = [s.get_one(Program, pid) for pid in mine]
            program = _pick(programs, " ".join(request.words) or None)
            leave_program(s, mine[program.id], person, at, "left")
        return Reply(copy.LEFT.format(program=program.name))

    return handle


# --- forget-me ------------------------------------------------------------------------------


def handle_command_forget(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        blocks = [
            SectionBlock(text=copy.FORGET_CONFIRM).to_dict(),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=copy.FORGET_YES,
                        action_id=Action.FORGET_ME_CONFIRM,
                        value="forget",
                        style="danger",
                    ),
                    ButtonElement(
                        text=copy.FORGET_NO, action_id=Action.FORGET_ME_CANCEL, value="keep"
                    ),
                ]
            ).to_dict(),
        ]
        return Reply(copy.FORGET_CONFIRM, blocks=blocks)

    return handle


def forget(s: Session, person: Person, at: datetime) -> None:
    for enrollment in store.list_enrollments(s, person.id, current_only=False):
        for match_id in list_open_match_ids(s, person.id, enrollment.program_id):
            end_match_kindly(
                s, match_id, at=at, reason="forgotten", leaving_person_ids=frozenset({person.id})
            )
    store.forget_person_data(s, person, at=at)


def handle_action_forget(deps: Deps) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any], respond: Any) -> None:
        ack()
        at = deps.clock()
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, _team(body))
            person = get_person(s, workspace.id, _user_id(body)) if workspace else None
            if person is not None and person.forgotten_at is None:
                forget(s, person, at)
        respond(text=copy.FORGOTTEN, replace_original=True)

    return listener


def handle_action_forget_cancel(ack: Any, respond: Any) -> None:
    ack()
    respond(text=copy.FORGET_CANCELLED, replace_original=True)


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("join",), handle_command_join(deps))
    router.add(("profile",), handle_command_profile(deps))
    router.add(("status",), handle_command_status(deps))
    router.add(("pause",), handle_command_pause(deps))
    router.add(("resume",), handle_command_resume(deps))
    router.add(("leave",), handle_command_leave(deps))
    router.add(("forget-me",), handle_command_forget(deps))
    registrar.view(Callback.JOIN_PROGRAM, handle_view_choose_program(deps))
    registrar.view(Callback.JOIN, handle_view_join(deps))
    registrar.action(Action.FORGET_ME_CONFIRM, handle_action_forget(deps))
    registrar.action(Action.FORGET_ME_CANCEL, handle_action_forget_cancel)
