"""Admin commands for programs: create, edit and list them; add and remove admins.

The settings modal is the one place a program's knobs are set. A schedule is typed in
words ("every 4 weeks on Monday at 10:00") and stored as an RRULE in the program's zone;
every admin change is written to the audit log. The admin channel must be a private channel
the bot is in: the submission asks Slack (conversations.info) before it answers, since the
picker's filter is only a suggestion a crafted submission can ignore.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import InputBlock, NumberInputElement, StaticSelectElement
from slack_sdk.models.views import View

from flows import programs as flow
from flows.programs import ProgramRow
from handlers import copy
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import Deps
from handlers.forms import (
    V,
    channel,
    channel_input,
    choice,
    option,
    private_channel_input,
    selected,
    text_input,
    typed,
)
from handlers.ids import Block, Callback
from handlers.insight import whole
from handlers.listen import WORKSPACE, Answer, Registrar, Request, Slack, Target, reply, then
from handlers.payloads import ProgramForm, decode, encode
from handlers.text import esc, plain
from matching.eligibility import Rules
from matching.schedule_text import EXAMPLE, ScheduleError, describe_schedule, parse_schedule
from models.errors import DomainError
from models.program_admin import ProgramSettings

FORMATS = copy.FORMATS
CADENCE = (1, 90)  # days between meetings
WEEKS = (1, 104)  # engagement length
CAPACITY = (1, 10)
CAPACITY_MAX = (1, 20)
HOURS_CAP = (1, 200)
TENURE = (0, 600)
MAX_NAME = 100
MAX_NAMES = 20


def _number(
    block: str,
    label: str,
    value: int | None,
    low: int,
    high: int,
    *,
    optional: bool = False,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block,
        label=label,
        optional=optional,
        hint=hint,
        element=NumberInputElement(
            action_id=V,
            is_decimal_allowed=False,
            initial_value=str(value) if value is not None else None,
            min_value=str(low),
            max_value=str(high),
        ),
    )


def _optional_level(block: str, label: str, value: int | None) -> InputBlock:
    options = [option(str(k), v) for k, v in copy.LEVELS.items()]
    chosen = next((o for o in options if o.value == str(value)), None)
    return InputBlock(
        block_id=block,
        label=label,
        optional=True,
        element=StaticSelectElement(
            action_id=V, placeholder=copy.FORM_CHOOSE, options=options, initial_option=chosen
        ),
    )


def _rules_inputs(options: Mapping[str, Any]) -> list[InputBlock]:
    rules = Rules.from_settings(options.get("eligibility"))
    cap = options.get("hours_cap")
    return [
        choice(
            Block.P_REVERSE_RULE,
            copy.P_REVERSE_RULE,
            copy.P_REVERSE_RULES,
            str(options.get("reverse_rule") or "may"),
        ),
        _number(
            Block.P_HOURS_CAP,
            copy.P_HOURS_CAP,
            cap if isinstance(cap, int) else None,
            *HOURS_CAP,
            optional=True,
            hint=copy.P_HOURS_CAP_HINT,
        ),
        text_input(
            Block.P_DEPARTMENTS,
            copy.P_DEPARTMENTS,
            ", ".join(rules.departments) or None,
            optional=True,
            hint=copy.P_DEPARTMENTS_HINT,
            max_length=1000,
        ),
        _optional_level(Block.P_LEVEL_MIN, copy.P_LEVEL_MIN, rules.min_level),
        _optional_level(Block.P_LEVEL_MAX, copy.P_LEVEL_MAX, rules.max_level),
        _number(Block.P_TENURE, copy.P_TENURE, rules.min_tenure_months, *TENURE, optional=True),
        text_input(
            Block.P_LOCATIONS,
            copy.P_LOCATIONS,
            ", ".join(rules.locations) or None,
            optional=True,
            hint=copy.P_LOCATIONS_HINT,
            max_length=1000,
        ),
        choice(
            Block.P_THANKS,
            copy.P_THANKS,
            copy.P_THANKS_CHOICES,
            "monthly" if options.get("thanks") == "monthly" else "off",
        ),
    ]


def _names(raw: str) -> list[str] | None:
    names = [" ".join(w.split()) for w in raw.split(",") if w.strip()]
    if len(names) > MAX_NAMES or any(len(n) > MAX_NAME for n in names):
        return None
    return list(dict.fromkeys(names))


def read_options(
    values: Mapping[str, Any], fmt: str, program_channel: str | None, errors: dict[str, str]
) -> dict[str, Any]:
    """The settings the modal owns beside the program's columns (see ProgramSettings)."""
    rule = selected(values, Block.P_REVERSE_RULE) or "may"
    if rule not in copy.P_REVERSE_RULES:
        errors[Block.P_REVERSE_RULE] = copy.ERR_UNKNOWN

    def optional_int(block: str, low: int, high: int, message: str) -> int | None:
        raw = typed(values, block)
        if not raw:
            return None
        if not raw.isdigit() or not low <= int(raw) <= high:
            errors[block] = message
            return None
        return int(raw)

    cap = optional_int(Block.P_HOURS_CAP, *HOURS_CAP, copy.ERR_HOURS_CAP)
    tenure = optional_int(Block.P_TENURE, *TENURE, copy.ERR_MONTHS)
    departments = _names(typed(values, Block.P_DEPARTMENTS))
    locations = _names(typed(values, Block.P_LOCATIONS))
    for block, names in ((Block.P_DEPARTMENTS, departments), (Block.P_LOCATIONS, locations)):
        if names is None:
            errors[block] = copy.ERR_NAMES

    def level(block: str) -> int | None:
        raw = selected(values, block)
        if raw is None:
            return None
        if not raw.isdigit() or int(raw) not in copy.LEVELS:
            errors[block] = copy.ERR_UNKNOWN
            return None
        return int(raw)

    low, high = level(Block.P_LEVEL_MIN), level(Block.P_LEVEL_MAX)
    if low is not None and high is not None and low > high:
        errors[Block.P_LEVEL_MAX] = copy.ERR_LEVELS
    thanks = selected(values, Block.P_THANKS) or "off"
    if thanks not in copy.P_THANKS_CHOICES:
        errors[Block.P_THANKS] = copy.ERR_UNKNOWN
    elif thanks == "monthly" and not program_channel:
        errors[Block.P_THANKS] = copy.ERR_THANKS_CHANNEL
    rules = Rules(
        departments=tuple(departments or ()),
        locations=tuple(locations or ()),
        min_level=low,
        max_level=high,
        min_tenure_months=tenure,
    )
    return {
        "eligibility": rules.to_settings() or None,
        "reverse_rule": rule if fmt == "reverse" else None,
        "hours_cap": cap,
        "thanks": "monthly" if thanks == "monthly" else None,
    }


def program_settings_form(program_id: int | None, p: ProgramSettings | None) -> View:
    """The settings modal, empty for a new program or filled with an existing one's."""
    return View(
        type="modal",
        callback_id=Callback.PROGRAM_SETTINGS,
        title=copy.PROGRAM_EDIT_TITLE if p else copy.PROGRAM_NEW_TITLE,
        submit=copy.FORM_SAVE,
        close=copy.CANCEL,
        private_metadata=encode(ProgramForm(program_id)),
        blocks=[
            text_input(Block.P_NAME, copy.P_NAME, p.name if p else None, max_length=100),
            choice(Block.P_FORMAT, copy.P_FORMAT, FORMATS, p.format if p else "one_on_one"),
            text_input(
                Block.P_SCHEDULE,
                copy.P_SCHEDULE,
                describe_schedule(p.schedule_rrule) if p and p.schedule_rrule else None,
                optional=True,
                hint=copy.P_SCHEDULE_HINT.format(example=EXAMPLE),
            ),
            text_input(
                Block.P_TIMEZONE, copy.P_TIMEZONE, p.timezone if p else "UTC", max_length=64
            ),
            _number(Block.P_CADENCE, copy.P_CADENCE, p.meeting_cadence_days if p else 14, *CADENCE),
            _number(Block.P_WEEKS, copy.P_WEEKS, p.engagement_weeks if p else 12, *WEEKS),
            _number(Block.P_CAPACITY, copy.P_CAPACITY, p.capacity_default if p else 2, *CAPACITY),
            _number(
                Block.P_CAPACITY_MAX,
                copy.P_CAPACITY_MAX,
                p.capacity_max if p else 3,
                *CAPACITY_MAX,
            ),
            choice(
                Block.P_APPROVAL,
                copy.P_APPROVAL,
                copy.P_APPROVAL_CHOICES,
                "yes" if (p.approval_required if p else True) else "no",
            ),
            private_channel_input(
                Block.P_ADMIN_CHANNEL,
                copy.P_ADMIN_CHANNEL,
                p.admin_channel_id if p else None,
                optional=False,
                hint=copy.P_ADMIN_CHANNEL_HINT,
            ),
            channel_input(
                Block.P_CHANNEL,
                copy.P_CHANNEL,
                p.program_channel_id if p else None,
                optional=True,
            ),
            text_input(
                Block.P_SKILLS,
                copy.P_SKILLS,
                None,
                optional=True,
                hint=copy.P_SKILLS_HINT,
                max_length=500,
            ),
            *_rules_inputs(p.options if p else {}),
        ],
    )


def read_settings(
    values: Mapping[str, Any],
) -> tuple[ProgramSettings | None, list[str], dict[str, str]]:
    """The settings, the skills to add, and the errors by block."""
    errors: dict[str, str] = {}
    name = " ".join(typed(values, Block.P_NAME).split())
    if not 1 <= len(name) <= 100:
        errors[Block.P_NAME] = copy.ERR_NAME
    fmt = selected(values, Block.P_FORMAT) or ""
    if fmt not in FORMATS:
        errors[Block.P_FORMAT] = copy.ERR_UNKNOWN
    rule: str | None = None
    schedule = typed(values, Block.P_SCHEDULE)
    if schedule:
        try:
            rule = parse_schedule(schedule)
        except ScheduleError as err:
            errors[Block.P_SCHEDULE] = str(err)
    zone = typed(values, Block.P_TIMEZONE) or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors[Block.P_TIMEZONE] = copy.ERR_ZONE

    def number(block: str, low: int, high: int) -> int:
        raw = typed(values, block)
        if not raw.isdigit() or not low <= int(raw) <= high:
            errors[block] = copy.ERR_RANGE.format(low=low, high=high)
            return low
        return int(raw)

    cadence = number(Block.P_CADENCE, *CADENCE)
    weeks = number(Block.P_WEEKS, *WEEKS)
    capacity = number(Block.P_CAPACITY, *CAPACITY)
    capacity_max = number(Block.P_CAPACITY_MAX, *CAPACITY_MAX)
    if capacity_max < capacity and Block.P_CAPACITY_MAX not in errors:
        errors[Block.P_CAPACITY_MAX] = copy.ERR_CAPACITY_MAX
    approval = selected(values, Block.P_APPROVAL)
    if approval not in ("yes", "no"):
        errors[Block.P_APPROVAL] = copy.ERR_UNKNOWN
    admin_channel = channel(values, Block.P_ADMIN_CHANNEL)
    if admin_channel is None:
        errors[Block.P_ADMIN_CHANNEL] = copy.ERR_ADMIN_CHANNEL
    skills = [" ".join(w.split()) for w in typed(values, Block.P_SKILLS).split(",") if w.strip()]
    if any(len(w) > 60 for w in skills) or len(skills) > 20:
        errors[Block.P_SKILLS] = copy.ERR_SKILLS
    program_channel = channel(values, Block.P_CHANNEL)
    options = read_options(values, fmt, program_channel, errors)
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
            program_channel_id=program_channel,
            options=options,
        ),
        skills,
        {},
    )


def program_list(rows: list[ProgramRow]) -> str:
    if not rows:
        return copy.PROGRAM_LIST_EMPTY
    return "\n".join(
        copy.PROGRAM_LINE.format(
            name=esc(r.name),
            slug=esc(r.slug),
            format=FORMATS.get(r.format, r.format).lower(),
            status=r.status,
            mentors=whole(r.mentors),
            mentees=whole(r.mentees),
            peers=whole(r.peers),
            schedule=describe_schedule(r.schedule_rrule),
        )
        for r in rows
    )


def refused(error: flow.NotAdminOfError) -> Answer:
    return reply(copy.NOT_ADMIN_OF.format(program=esc(error.program_name)))


def handle_command_program(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        verb = request.words[0].lower() if request.words else ""
        name = " ".join(request.words[1:]) or None
        who = request.authority
        with deps.sessions.begin() as s:
            if verb == "list":
                return reply(program_list(flow.list_rows(s, request.team_id, who, deps.clock())))
            if verb == "create":
                if not who.workspace:
                    return reply(copy.NOT_WORKSPACE_ADMIN)
                view = program_settings_form(None, None)
            elif verb == "edit":
                try:
                    program_id, settings = flow.program_to_edit(
                        s, request.team_id, name, who, deps.clock()
                    )
                except flow.NotAdminOfError as error:
                    return refused(error)
                view = program_settings_form(program_id, settings)
            else:
                return reply(copy.PROGRAM_USAGE)

        def open_(slack: Slack) -> None:
            slack.client.views_open(trigger_id=request.trigger_id, view=view)

        return then(open_)

    return handle


def admin_channel_problem(client: WebClient | None, channel_id: str) -> str | None:
    """Why this channel cannot receive previews and exports, or None when it can: it must be
    a private channel the bot is a member of."""
    if client is None:
        return copy.ERR_ADMIN_CHANNEL_CHECK
    try:
        found = client.conversations_info(channel=channel_id).get("channel") or {}
    except SlackApiError as error:
        if error.response.get("error") == "channel_not_found":
            return copy.ERR_ADMIN_CHANNEL_UNSEEN  # a private channel the bot was not invited to
        return copy.ERR_ADMIN_CHANNEL_CHECK
    except OSError:
        return copy.ERR_ADMIN_CHANNEL_CHECK
    if found.get("is_private") is not True:
        return copy.ERR_ADMIN_CHANNEL_PUBLIC
    if found.get("is_member") is not True:
        return copy.ERR_ADMIN_CHANNEL_UNSEEN
    return None


def settings_target(deps: Deps) -> Callable[[Request], Target]:
    """What a settings submission acts on: a new program (workspace admins) or its program."""

    def target(request: Request) -> Target:
        meta = decode(ProgramForm, request.private_metadata)
        if meta is None:
            return None
        if meta.program_id is None:
            return WORKSPACE
        with deps.sessions.begin() as s:
            return flow.program_in_workspace(s, request.team_id, meta.program_id)

    return target


def handle_view_program(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        settings, skills, errors = read_settings(request.values)
        if settings is not None and settings.admin_channel_id:
            problem = admin_channel_problem(deps.client, settings.admin_channel_id)
            if problem is not None:
                settings, errors = None, {Block.P_ADMIN_CHANNEL: problem}
        if settings is None:
            return Answer(ack={"response_action": "errors", "errors": errors})
        meta = decode(ProgramForm, request.private_metadata)
        if meta is None:
            return Answer(
                ack={"response_action": "errors", "errors": {Block.P_NAME: copy.ERR_UNKNOWN}}
            )
        try:
            with deps.sessions.begin() as s:
                flow.save(
                    s,
                    request.team_id,
                    request.slack_user_id,
                    meta.program_id,
                    settings,
                    skills,
                    version=request.view_id,
                    at=deps.clock(),
                )
        except DomainError as error:
            return Answer(
                ack={"response_action": "errors", "errors": {Block.P_NAME: plain(str(error), 150)}}
            )
        return Answer()

    return handle


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("admin", "program"), handle_command_program(deps), admin=True)
    registrar.view(
        Callback.PROGRAM_SETTINGS, handle_view_program(deps), admin=settings_target(deps)
    )
