"""The enrollment modal: built from a program's taxonomy, read back into a Profile.

Reading is defensive — a submission is untrusted input — and every problem is reported
against the block it belongs to, so Slack shows it next to the field (response_action:
errors) and nothing is stored until the whole form is valid.

The skill and hour selects hold most of the form's ~300 options, and slack_sdk validates
every option on each `to_dict()` (≈9 ms a form, twice per join): they are validated once
and kept rendered (`Rendered`), keyed by everything they are built from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    InputInteractiveElement,
    Option,
    OptionGroup,
    PlainTextInputElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from handlers import copy
from handlers.ids import Block, Callback

V = "v"  # the action id of every input, so values read as state[block][V]
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FREQUENCIES = {7: "Every week", 14: "Every two weeks", 28: "Every four weeks"}
ROLE_WORDS = {
    "mentor": "Mentor: I'd like to guide someone",
    "mentee": "Mentee: I'd like guidance",
    "both": "Both",
    "peer": "Peer: learn with a colleague",
}
LEVELS = {
    1: "1 (new to it)",
    2: "2",
    3: "3",
    4: "4",
    5: "5",
    6: "6",
    7: "7 (executive)",
}
MAX_GOALS = 5
MAX_OFFERED = 10
MAX_NEVER = 10
MAX_LANGUAGES = 5
MAX_FREE_GOAL = 300
MAX_DEPARTMENT = 100
MAX_LANGUAGE_TEXT = 100


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


@dataclass(frozen=True)
class FormValues:
    """Prefill: an existing enrollment, or the defaults."""

    role: str | None = None
    expert: tuple[int, ...] = ()
    experienced: tuple[int, ...] = ()
    goals: tuple[int, ...] = ()
    free_goal: str = ""
    seniority: int | None = None
    department: str = ""
    manager: str | None = None  # Slack user id
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start_minute: int = 9 * 60
    end_minute: int = 17 * 60
    languages: tuple[str, ...] = ()
    frequency: int | None = 14
    capacity: int | None = None
    never: tuple[str, ...] = ()  # Slack user ids


@dataclass(frozen=True)
class Submitted:
    """A valid form, with people still as Slack ids (the handler resolves them)."""

    role: str
    offered: tuple[tuple[int, int], ...]
    sought: tuple[int, ...]
    free_goal: str | None
    seniority: int | None
    department: str | None
    manager: str | None
    days: tuple[int, ...]
    start_minute: int
    end_minute: int
    languages: tuple[str, ...]
    frequency: int | None
    capacity: int
    never: tuple[str, ...]


@dataclass(frozen=True)
class Metadata:
    program_id: int
    timezone: str

    def dump(self) -> str:
        return json.dumps({"program_id": self.program_id, "tz": self.timezone})

    @classmethod
    def load(cls, raw: str) -> Metadata | None:
        try:
            data = json.loads(raw)
            return cls(int(data["program_id"]), str(data["tz"])[:64])
        except (ValueError, KeyError, TypeError):
            return None


def _text(value: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": value}


def _option(value: str, label: str) -> Option:
    return Option(value=value, label=label[:75])


def _hour_label(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


HOUR_OPTIONS = [_option(str(m), _hour_label(m)) for m in range(0, 24 * 60 + 1, 30)]


class Rendered(InputInteractiveElement):
    """An input element validated once; `to_dict()` hands out that rendering (read-only)."""

    def __init__(self, element: InputInteractiveElement) -> None:
        super().__init__(type=element.type, action_id=element.action_id)
        self._rendered = element.to_dict()

    def to_dict(self, *args: Any) -> dict[str, Any]:
        return self._rendered


@lru_cache(maxsize=256)
def _skill_select(
    skills: tuple[SkillOption, ...], chosen: tuple[int, ...], placeholder: str, limit: int
) -> Rendered:
    clusters: dict[str, list[Option]] = {}
    for skill in skills:
        clusters.setdefault(skill.cluster, []).append(_option(str(skill.id), skill.name))
    by_id = {str(skill.id): skill for skill in skills}
    initial = [_option(str(i), by_id[str(i)].name) for i in chosen if str(i) in by_id]
    return Rendered(
        StaticMultiSelectElement(
            action_id=V,
            placeholder=placeholder,
            option_groups=[
                OptionGroup(label=cluster[:75], options=options)
                for cluster, options in sorted(clusters.items())
            ],
            initial_options=initial or None,
            max_selected_items=limit,
        )
    )


def _select(
    options: Sequence[Option], initial: str | None, placeholder: str
) -> StaticSelectElement:
    chosen = next((o for o in options if o.value == initial), None)
    return StaticSelectElement(
        action_id=V, placeholder=placeholder, options=list(options), initial_option=chosen
    )


@lru_cache(maxsize=256)
def _hour_select(minute: int, *, ends: bool) -> Rendered:
    options = HOUR_OPTIONS[1:] if ends else HOUR_OPTIONS[:-1]
    return Rendered(_select(options, str(minute), "End" if ends else "Start"))


def enrollment_form(ctx: FormContext, values: FormValues) -> View:
    gives_default = ctx.capacity_default
    capacity_options = [_option(str(n), str(n)) for n in range(1, ctx.capacity_max + 1)]
    day_options = [_option(str(i), name) for i, name in enumerate(DAY_NAMES)]
    role_options = [_option(r, ROLE_WORDS[r]) for r in ctx.roles]
    blocks: list[Any] = [
        SectionBlock(text=f"*{ctx.program_name}*"),
        InputBlock(
            block_id=Block.ROLE,
            label="Your role",
            element=_select(role_options, values.role, "Choose a role"),
        ),
        InputBlock(
            block_id=Block.OFFER_EXPERT,
            label="Skills you can teach well",
            optional=True,
            element=_skill_select(ctx.skills, values.expert, "Choose skills", MAX_OFFERED),
        ),
        InputBlock(
            block_id=Block.OFFER_EXPERIENCED,
            label="Skills you have some experience in",
            optional=True,
            element=_skill_select(ctx.skills, values.experienced, "Choose skills", MAX_OFFERED),
        ),
        InputBlock(
            block_id=Block.GOALS,
            label="What you want to develop",
            optional=True,
            element=_skill_select(ctx.skills, values.goals, "Choose goals", MAX_GOALS),
        ),
        InputBlock(
            block_id=Block.FREE_GOAL,
            label="A goal in your own words",
            optional=True,
            element=PlainTextInputElement(
                action_id=V,
                multiline=True,
                max_length=MAX_FREE_GOAL,
                initial_value=values.free_goal or None,
            ),
        ),
        InputBlock(
            block_id=Block.SENIORITY,
            label="Your job level",
            optional=True,
            element=_select(
                [_option(str(k), v) for k, v in LEVELS.items()],
                None if values.seniority is None else str(values.seniority),
                "Choose a level",
            ),
        ),
        InputBlock(
            block_id=Block.DEPARTMENT,
            label="Department",
            optional=True,
            element=PlainTextInputElement(
                action_id=V, max_length=MAX_DEPARTMENT, initial_value=values.department or None
            ),
        ),
        InputBlock(
            block_id=Block.MANAGER,
            label="Your manager",
            optional=True,
            hint=copy.MANAGER_HINT,
            element=UserSelectElement(
                action_id=V, placeholder="Choose a person", initial_user=values.manager
            ),
        ),
        InputBlock(
            block_id=Block.DAYS,
            label="Working days",
            element=CheckboxesElement(
                action_id=V,
                options=day_options,
                initial_options=[day_options[d] for d in values.days if 0 <= d < 7] or None,
            ),
        ),
        InputBlock(
            block_id=Block.START,
            label=copy.HOURS_LABEL.format(tz=ctx.timezone)[:2000],
            element=_hour_select(values.start_minute, ends=False),
        ),
        InputBlock(
            block_id=Block.END,
            label="Working hours end",
            element=_hour_select(values.end_minute, ends=True),
        ),
        InputBlock(
            block_id=Block.LANGUAGES,
            label="Languages you can mentor in",
            optional=True,
            hint="Separate with commas, e.g. English, Spanish",
            element=PlainTextInputElement(
                action_id=V,
                max_length=MAX_LANGUAGE_TEXT,
                initial_value=", ".join(values.languages) or None,
            ),
        ),
        InputBlock(
            block_id=Block.FREQUENCY,
            label="How often you'd like to meet",
            optional=True,
            element=_select(
                [_option(str(k), v) for k, v in FREQUENCIES.items()],
                None if values.frequency is None else str(values.frequency),
                "Choose",
            ),
        ),
    ]
    if any(r in ("mentor", "both") for r in ctx.roles):
        blocks.append(
            InputBlock(
                block_id=Block.CAPACITY,
                label="Mentors: how many mentees at most",
                optional=True,
                element=_select(capacity_options, str(values.capacity or gives_default), "Choose"),
            )
        )
    blocks += [
        InputBlock(
            block_id=Block.NEVER,
            label="Never match me with",
            optional=True,
            hint=copy.NEVER_HINT,
            element=UserMultiSelectElement(
                action_id=V,
                placeholder="Choose people",
                initial_users=list(values.never) or None,
                max_selected_items=MAX_NEVER,
            ),
        ),
        SectionBlock(text=copy.CONSENT_TEXT),
        InputBlock(
            block_id=Block.CONSENT,
            label="Consent",
            optional=True,  # checked by us, so the message can say why it is needed
            element=CheckboxesElement(action_id=V, options=[_option("yes", copy.CONSENT_BOX)]),
        ),
    ]
    return View(
        type="modal",
        callback_id=Callback.JOIN,
        title=(copy.PROFILE_TITLE if ctx.editing else copy.JOIN_TITLE)[:24],
        submit="Save",
        close="Cancel",
        private_metadata=Metadata(ctx.program_id, ctx.timezone).dump(),
        blocks=blocks,
    )


def program_choice(programs: Sequence[tuple[int, str]]) -> View:
    options = [_option(str(pid), name) for pid, name in programs[:100]]
    return View(
        type="modal",
        callback_id=Callback.JOIN_PROGRAM,
        title=copy.JOIN_TITLE[:24],
        submit="Next",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=Block.PROGRAM,
                label=copy.JOIN_PROGRAM_PROMPT,
                element=StaticSelectElement(action_id=V, placeholder="Choose", options=options),
            )
        ],
    )


def notice(title: str, text: str) -> View:
    return View(
        type="modal", title=title[:24], close="Close", blocks=[SectionBlock(text=text[:2900])]
    )


# --- reading a submission ------------------------------------------------------------


def _state(view: Mapping[str, Any]) -> Mapping[str, Any]:
    values = (view.get("state") or {}).get("values") or {}
    return values if isinstance(values, Mapping) else {}


def _field(state: Mapping[str, Any], block: str) -> Mapping[str, Any]:
    entry = state.get(block)
    value = entry.get(V) if isinstance(entry, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def selected(state: Mapping[str, Any], block: str) -> str | None:
    option = _field(state, block).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) else None


def _selected_many(state: Mapping[str, Any], block: str) -> list[str]:
    options = _field(state, block).get("selected_options")
    if not isinstance(options, list):
        return []
    return [
        o["value"] for o in options if isinstance(o, Mapping) and isinstance(o.get("value"), str)
    ]


def _typed(state: Mapping[str, Any], block: str) -> str:
    value = _field(state, block).get("value")
    return value.strip() if isinstance(value, str) else ""


def _users(state: Mapping[str, Any], block: str) -> list[str]:
    users = _field(state, block).get("selected_users")
    return [u for u in users if isinstance(u, str)] if isinstance(users, list) else []


def _user(state: Mapping[str, Any], block: str) -> str | None:
    user = _field(state, block).get("selected_user")
    return user if isinstance(user, str) and user else None


def _ints(values: Sequence[str], allowed: set[int]) -> list[int] | None:
    out: list[int] = []
    for raw in values:
        try:
            number = int(raw)
        except ValueError:
            return None
        if number not in allowed:
            return None
        out.append(number)
    return out


def read_choice(view: Mapping[str, Any], allowed: set[int]) -> int | None:
    raw = selected(_state(view), Block.PROGRAM)
    chosen = _ints([raw], allowed) if raw else None
    return chosen[0] if chosen else None


def read_form(view: Mapping[str, Any], ctx: FormContext) -> tuple[Submitted | None, dict[str, str]]:
    """The submission as values, or the errors to show next to each field."""
    state = _state(view)
    errors: dict[str, str] = {}
    skill_ids = {skill.id for skill in ctx.skills}

    role = selected(state, Block.ROLE)
    if role is None:
        errors[Block.ROLE] = copy.ERR_ROLE
    elif role not in ctx.roles:
        errors[Block.ROLE] = copy.ERR_UNKNOWN

    def skills(block: str, limit: int) -> list[int]:
        chosen = _ints(_selected_many(state, block), skill_ids)
        if chosen is None:
            errors[block] = copy.ERR_UNKNOWN
            return []
        if len(chosen) > limit:
            errors[block] = copy.ERR_TOO_MANY.format(n=limit)
        return chosen

    expert = skills(Block.OFFER_EXPERT, MAX_OFFERED)
    experienced = skills(Block.OFFER_EXPERIENCED, MAX_OFFERED)
    goals = skills(Block.GOALS, MAX_GOALS)
    if set(expert) & set(experienced):
        errors[Block.OFFER_EXPERIENCED] = copy.ERR_BOTH_LEVELS
    free_goal = _typed(state, Block.FREE_GOAL)
    if len(free_goal) > MAX_FREE_GOAL:
        errors[Block.FREE_GOAL] = copy.ERR_TOO_LONG.format(n=MAX_FREE_GOAL)
    gives = role in ("mentor", "both", "peer")
    seeks = role in ("mentee", "both", "peer")
    if gives and role != "peer" and not (expert or experienced):
        errors.setdefault(Block.OFFER_EXPERT, copy.ERR_SKILL)
    if seeks and not (goals or free_goal):
        errors.setdefault(Block.GOALS, copy.ERR_GOAL)

    seniority_raw = selected(state, Block.SENIORITY)
    seniority = _ints([seniority_raw], set(LEVELS)) if seniority_raw else []
    if seniority is None:
        errors[Block.SENIORITY] = copy.ERR_UNKNOWN
    department = _typed(state, Block.DEPARTMENT)
    if len(department) > MAX_DEPARTMENT:
        errors[Block.DEPARTMENT] = copy.ERR_TOO_LONG.format(n=MAX_DEPARTMENT)

    days = _ints(_selected_many(state, Block.DAYS), set(range(7)))
    if days is None:
        errors[Block.DAYS] = copy.ERR_UNKNOWN
    elif not days:
        errors[Block.DAYS] = copy.ERR_DAYS
    minutes = set(range(0, 24 * 60 + 1, 30))
    start = _ints([selected(state, Block.START) or "540"], minutes)
    end = _ints([selected(state, Block.END) or "1020"], minutes)
    if start is None:
        errors[Block.START] = copy.ERR_UNKNOWN
    if end is None:
        errors[Block.END] = copy.ERR_UNKNOWN
    elif start is not None and end[0] <= start[0]:
        errors[Block.END] = copy.ERR_HOURS

    language_text = _typed(state, Block.LANGUAGES)
    languages = [w.strip() for w in language_text.split(",") if w.strip()]
    if len(language_text) > MAX_LANGUAGE_TEXT:
        errors[Block.LANGUAGES] = copy.ERR_TOO_LONG.format(n=MAX_LANGUAGE_TEXT)
    elif len(languages) > MAX_LANGUAGES:
        errors[Block.LANGUAGES] = copy.ERR_TOO_MANY.format(n=MAX_LANGUAGES)

    frequency_raw = selected(state, Block.FREQUENCY)
    frequency = _ints([frequency_raw], set(FREQUENCIES)) if frequency_raw else []
    if frequency is None:
        errors[Block.FREQUENCY] = copy.ERR_UNKNOWN

    capacity = ctx.capacity_default
    capacity_raw = selected(state, Block.CAPACITY)
    if capacity_raw is not None:
        try:
            capacity = int(capacity_raw)
        except ValueError:
            capacity = -1
    if role in ("mentor", "both") and not 1 <= capacity <= ctx.capacity_max:
        errors[Block.CAPACITY] = copy.ERR_CAPACITY.format(n=ctx.capacity_max)

    never = _users(state, Block.NEVER)
    if len(never) > MAX_NEVER:
        errors[Block.NEVER] = copy.ERR_TOO_MANY.format(n=MAX_NEVER)
    if "yes" not in _selected_many(state, Block.CONSENT):
        errors[Block.CONSENT] = copy.ERR_CONSENT

    if errors or role is None or days is None or start is None or end is None:
        return None, errors
    offered = tuple((i, 3) for i in expert) + tuple((i, 2) for i in experienced)
    return (
        Submitted(
            role=role,
            offered=offered,
            sought=tuple(goals),
            free_goal=free_goal or None,
            seniority=seniority[0] if seniority else None,
            department=department or None,
            manager=_user(state, Block.MANAGER),
            days=tuple(sorted(set(days))),
            start_minute=start[0],
            end_minute=end[0],
            languages=tuple(languages),
            frequency=frequency[0] if frequency else None,
            capacity=capacity if role in ("mentor", "both") else 0,
            never=tuple(dict.fromkeys(never)),
        ),
        {},
    )
