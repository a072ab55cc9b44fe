"""Admin commands for programs: create, edit and list them; add and remove program admins.

The settings modal is the one place a program's knobs are set. A schedule is typed in
words ("every 4 weeks on Monday at 10:00") and stored as an RRULE in the program's zone;
every admin change is written to the audit log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.models.blocks import (
    ChannelSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from handlers import copy
from handlers.commands import CommandRequest, CommandRouter, CommandTools, Reply
from handlers.context import Deps
from handlers.enroll_form import V, selected
from handlers.ids import Block, Callback
from matching.schedule_text import EXAMPLE, ScheduleError, describe_schedule, parse_schedule
from models import outbox
from models.admins import add_admin, remove_admin
from models.audit import record
from models.errors import DomainError, InvalidError
from models.program_admin import ProgramSettings, count_enrolled, create_program, update_program
from models.programs import list_programs, resolve_program
from models.tables import Program
from models.taxonomy import add_skill
from models.workspace import ensure_person, ensure_workspace

if TYPE_CHECKING:  # the registry imports this module
    from handlers.registry import Registrar

FORMATS = {"one_on_one": "One-to-one mentoring", "circle": "Circles", "peer": "Peer pairs"}
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def _text_input(
    block: str,
    label: str,
    initial: str | None,
    *,
    optional: bool = False,
    hint: str | None = None,
    max_length: int = 200,
) -> InputBlock:
    return InputBlock(
        block_id=block,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=V, initial_value=initial or None, max_length=max_length
        ),
    )


def _choice(block: str, label: str, options: dict[str, str], initial: str) -> InputBlock:
    opts = [Option(value=k, label=v) for k, v in options.items()]
    return InputBlock(
        block_id=block,
        label=label,
        element=StaticSelectElement(
            action_id=V,
            options=opts,
            initial_option=next((o for o in opts if o.value == initial), None),
        ),
    )


def _channel(block: str, label: str, initial: str | None, *, optional: bool) -> InputBlock:
    return InputBlock(
        block_id=block,
        label=label,
        optional=optional,
        element=ChannelSelectElement(action_id=V, initial_channel=initial),
    )


def program_settings_form(program: Program | None) -> View:
    p = program
    return View(
        type="modal",
        callback_id=Callback.PROGRAM_SETTINGS,
        title="Edit program" if p else "New program",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({"program_id": p.id if p else None}),
        blocks=[
            _text_input(Block.P_NAME, "Name", p.name if p else None, max_length=100),
            _choice(Block.P_FORMAT, "Format", FORMATS, p.format if p else "one_on_one"),
            _text_input(
                Block.P_SCHEDULE,
                "Round schedule",
                describe_schedule(p.schedule_rrule) if p and p.schedule_rrule else None,
                optional=True,
                hint=f"For example: {EXAMPLE}. Leave empty to run rounds by hand.",
            ),
            _text_input(
                Block.P_TIMEZONE, "Program time zone", p.timezone if p else "UTC", max_length=64
            ),
            _text_input(
                Block.P_CADENCE,
                "Days between meetings",
                str(p.meeting_cadence_days if p else 14),
                max_length=3,
            ),
            _text_input(
                Block.P_WEEKS,
                "Engagement length in weeks",
                str(p.engagement_weeks if p else 12),
                max_length=3,
            ),
            _text_input(
                Block.P_CAPACITY,
                "Mentees per mentor (default)",
                str(p.capacity_default if p else 2),
                max_length=2,
            ),
            _text_input(
                Block.P_CAPACITY_MAX,
                "Mentees per mentor (at most)",
                str(p.capacity_max if p else 3),
                max_length=2,
            ),
            _choice(
                Block.P_APPROVAL,
                "Rounds need admin approval",
                {"yes": "Yes: preview first", "no": "No: introduce at once"},
                "yes" if (p.approval_required if p else True) else "no",
            ),
            _channel(
                Block.P_ADMIN_CHANNEL,
                "Admin channel",
                p.admin_channel_id if p else None,
                optional=False,
            ),
            _channel(
                Block.P_CHANNEL,
                "Program channel",
                p.program_channel_id if p else None,
                optional=True,
            ),
            _text_input(
                Block.P_SKILLS,
                "Add skills to the taxonomy",
                None,
                optional=True,
                hint="Comma-separated, e.g. Kubernetes, Pricing",
                max_length=500,
            ),
        ],
    )


def _typed(values: dict[str, Any], block: str) -> str:
    value = ((values.get(block) or {}).get(V) or {}).get("value")
    return value.strip() if isinstance(value, str) else ""


def _channel_of(values: dict[str, Any], block: str) -> str | None:
    value = ((values.get(block) or {}).get(V) or {}).get("selected_channel")
    return value if isinstance(value, str) and value else None


def read_settings(view: dict[str, Any]) -> tuple[ProgramSettings | None, list[str], dict[str, str]]:
    """The settings, the skills to add, and the errors by block."""
    values = (view.get("state") or {}).get("values") or {}
    values = values if isinstance(values, dict) else {}
    errors: dict[str, str] = {}
    name = " ".join(_typed(values, Block.P_NAME).split())
    if not 1 <= len(name) <= 100:
        errors[Block.P_NAME] = copy.ERR_NAME
    fmt = selected(values, Block.P_FORMAT) or ""
    if fmt not in FORMATS:
        errors[Block.P_FORMAT] = copy.ERR_UNKNOWN
    rule: str | None = None
    schedule = _typed(values, Block.P_SCHEDULE)
    if schedule:
        try:
            rule = parse_schedule(schedule)
        except ScheduleError as err:
            errors[Block.P_SCHEDULE] = str(err)
    zone = _typed(values, Block.P_TIMEZONE) or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors[Block.P_TIMEZONE] = copy.ERR_ZONE

    def number(block: str, low: int, high: int) -> int:
        raw = _typed(values, block)
        if not raw.isdigit() or not low <= int(raw) <= high:
            errors[block] = copy.ERR_RANGE.format(low=low, high=high)
            return low
        return int(raw)

    cadence = number(Block.P_CADENCE, 1, 90)
    weeks = number(Block.P_WEEKS, 1, 104)
    capacity = number(Block.P_CAPACITY, 1, 10)
    capacity_max = number(Block.P_CAPACITY_MAX, 1, 20)
    if capacity_max < capacity and Block.P_CAPACITY_MAX not in errors:
        errors[Block.P_CAPACITY_MAX] = copy.ERR_CAPACITY_MAX
    approval = selected(values, Block.P_APPROVAL)
    if approval not in ("yes", "no"):
        errors[Block.P_APPROVAL] = copy.ERR_UNKNOWN
    admin_channel = _channel_of(values, Block.P_ADMIN_CHANNEL)
    if admin_channel is None:
        errors[Block.P_ADMIN_CHANNEL] = "Choose the channel where previews and reports go."
    skills = [" ".join(w.split()) for w in _typed(values, Block.P_SKILLS).split(",") if w.strip()]
    if any(len(w) > 60 for w in skills) or len(skills) > 20:
        errors[Block.P_SKILLS] = "Up to 20 skills of up to 60 characters each."
    if errors:
        return None, [], errors
    return (
        ProgramSettings(
            name=name,
            format=fmt,
            schedule_rrule=rule,
            timezone=zone,
            meeting_cadence_days=cadence,
            engagement_weeks=weeks,
            capacity_default=capacity,
            capacity_max=capacity_max,
            approval_required=approval == "yes",
            admin_channel_id=admin_channel,
            program_channel_id=_channel_of(values, Block.P_CHANNEL),
        ),
        skills,
        {},
    )


def handle_command_program(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        verb = request.words[0].lower() if request.words else ""
        name = " ".join(request.words[1:]) or None
        with deps.sessions.begin() as s:
            workspace = ensure_workspace(s, request.team_id, deps.clock())
            if verb == "list":
                return Reply(_program_list(s, workspace.id))
            if verb == "create":
                view = program_settings_form(None)
            elif verb == "edit":
                view = program_settings_form(resolve_program(s, workspace.id, name))
            else:
                return Reply(copy.PROGRAM_USAGE)
        tools.ack_now()
        tools.client.views_open(trigger_id=request.trigger_id, view=view)
        return None

    return handle


def _program_list(s: Any, workspace_id: int) -> str:
    programs = list_programs(s, workspace_id)
    if not programs:
        return copy.PROGRAM_LIST_EMPTY
    lines = []
    for p in programs:
        counts = count_enrolled(s, p.id)
        lines.append(
            copy.PROGRAM_LINE.format(
                name=p.name,
                slug=p.slug,
                format=FORMATS.get(p.format, p.format).lower(),
                status=p.status,
                mentors=counts.get("mentor", 0) + counts.get("both", 0),
                mentees=counts.get("mentee", 0) + counts.get("both", 0),
                peers=counts.get("peer", 0),
                schedule=describe_schedule(p.schedule_rrule),
            )
        )
    return "\n".join(lines)


def handle_view_program(deps: Deps) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        settings, skills, errors = read_settings(view)
        if settings is None:
            ack(response_action="errors", errors=errors)
            return
        try:
            meta = json.loads(str(view.get("private_metadata") or "{}"))
            program_id = meta.get("program_id") if isinstance(meta, dict) else None
        except ValueError:
            program_id = None
        team = str((body.get("team") or {}).get("id") or "")
        user = str((body.get("user") or {}).get("id") or "")
        at = deps.clock()
        try:
            with deps.sessions.begin() as s:
                workspace = ensure_workspace(s, team, at)
                admin = ensure_person(s, workspace.id, user, at)
                if program_id is None:
                    program = create_program(s, workspace.id, settings, admin.id, at)
                    action, text = "program.create", copy.PROGRAM_CREATED
                else:
                    found = s.get(Program, int(program_id))
                    if found is None or found.workspace_id != workspace.id:
                        raise InvalidError(copy.ERR_UNKNOWN)
                    program = found
                    update_program(s, program, settings, at)
                    action, text = "program.edit", copy.PROGRAM_UPDATED
                for skill in skills:
                    add_skill(s, program.id, skill, "Added by admins", at)
                record(
                    s,
                    action=action,
                    at=at,
                    workspace_id=workspace.id,
                    actor_slack_user_id=user,
                    target=f"program:{program.id}",
                    details={"name": program.name, "skills_added": len(skills)},
                )
                message = text.format(
                    program=program.name,
                    slug=program.slug,
                    schedule=describe_schedule(program.schedule_rrule),
                )
                # keyed by the view: the same modal submitted twice confirms once
                outbox.enqueue(
                    s,
                    workspace_id=workspace.id,
                    key=f"program:{program.id}:{action}:{view.get('id', '')}",
                    conversation=outbox.dm_to(user),
                    payload={"text": message},
                    at=at,
                )
        except (DomainError, ValueError, TypeError) as error:
            ack(response_action="errors", errors={Block.P_NAME: str(error)[:150]})
            return
        ack()

    return listener


def handle_command_admin_people(
    deps: Deps, adding: bool
) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        found = MENTION.match(request.words[0]) if request.words else None
        if found is None:
            return Reply(copy.ADMIN_USAGE)
        target = found.group(1)
        at = deps.clock()
        with deps.sessions.begin() as s:
            workspace = ensure_workspace(s, request.team_id, at)
            program = resolve_program(s, workspace.id, " ".join(request.words[1:]) or None)
            person = ensure_person(s, workspace.id, target, at)
            if adding:
                changed = add_admin(s, program.id, person.id, at)
                text = copy.ADMIN_ADDED if changed else copy.ADMIN_ALREADY
            else:
                changed = remove_admin(s, program.id, person.id)
                text = copy.ADMIN_REMOVED if changed else copy.ADMIN_NOT
            if changed:
                record(
                    s,
                    action="admin.add" if adding else "admin.remove",
                    at=at,
                    workspace_id=workspace.id,
                    actor_slack_user_id=request.slack_user_id,
                    target=f"program:{program.id}",
                    details={"person": target},
                )
            return Reply(text.format(user=target, program=program.name))

    return handle


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("admin", "program"), handle_command_program(deps), admin=True)
    router.add(("admin", "add"), handle_command_admin_people(deps, True), admin=True)
    router.add(("admin", "remove"), handle_command_admin_people(deps, False), admin=True)
    registrar.view(Callback.PROGRAM_SETTINGS, handle_view_program(deps), admin=True)
