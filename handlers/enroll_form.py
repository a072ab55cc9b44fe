"""The enrollment modal: built from a program's taxonomy, read back into a Profile.

Reading is defensive — a submission is untrusted input — and every problem is reported
against the block it belongs to, so Slack shows it next to the field (response_action:
errors) and nothing is stored until the whole form is valid.

The skill and hour selects hold most of the form's ~300 options, and slack_sdk validates
every option on each `to_dict()` (≈9 ms a form, twice per join): they are validated once
and kept rendered (`Rendered`), keyed by everything they are built from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    InputInteractiveElement,
    MarkdownTextObject,
    NumberInputElement,
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

from flows import notices
from flows.enrollment import FormContext, ProfileForm, SkillOption
from handlers import copy
from handlers.forms import (
    V,
    clean,
    ints,
    option,
    select,
    selected,
    selected_many,
    typed,
    user,
    users,
)
from handlers.ids import Block, Callback
from handlers.messages import enrollment_lines
from handlers.payloads import JoinForm, encode
from handlers.text import esc, plain
from models.enrollment import Profile

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FREQUENCIES = copy.FREQUENCIES
ROLE_WORDS = copy.ROLE_WORDS
LEVELS = copy.LEVELS
MAX_GOALS = 5
GROUP_SIZE = 100  # Slack: at most 100 options in an option group
MAX_GROUPS = 100  # and at most 100 groups in a select (10,000 skills)
MAX_OFFERED = 10
MAX_NEVER = 10
MAX_LANGUAGES = 5
MAX_FREE_GOAL = 300
MAX_DEPARTMENT = 100
MAX_LANGUAGE_TEXT = 100
EXPERT = 3
EXPERIENCED = 2
MAX_HOURS_CAP = 200


def _hour_label(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


HOUR_OPTIONS = [option(str(m), _hour_label(m)) for m in range(0, 24 * 60 + 1, 30)]


class Rendered(InputInteractiveElement):
    """An input element validated once; `to_dict()` hands out that rendering (read-only)."""

    def __init__(self, element: InputInteractiveElement) -> None:
        super().__init__(type=element.type, action_id=element.action_id)
        self._rendered = element.to_dict()

    def to_dict(self, *args: Any) -> dict[str, Any]:
        return self._rendered


def _groups(clusters: dict[str, list[Option]]) -> list[OptionGroup]:
    """One option group per cluster, split into parts of GROUP_SIZE: Slack refuses a group of
    more than 100 options, and admins keep adding skills to "Added by admins"."""
    groups: list[OptionGroup] = []
    for cluster, options in sorted(clusters.items()):
        parts = [options[i : i + GROUP_SIZE] for i in range(0, len(options), GROUP_SIZE)]
        for n, part in enumerate(parts, start=1):
            label = cluster if len(parts) == 1 else f"{cluster} ({n} of {len(parts)})"
            groups.append(OptionGroup(label=label[:75], options=part))
    return groups[:MAX_GROUPS]


@lru_cache(maxsize=256)
def _skill_select(
    skills: tuple[SkillOption, ...], chosen: tuple[int, ...], placeholder: str, limit: int
) -> Rendered:
    clusters: dict[str, list[Option]] = {}
    for skill in skills:
        clusters.setdefault(skill.cluster, []).append(option(str(skill.id), skill.name))
    by_id = {str(skill.id): skill for skill in skills}
    initial = [option(str(i), by_id[str(i)].name) for i in chosen if str(i) in by_id]
    return Rendered(
        StaticMultiSelectElement(
            action_id=V,
            placeholder=placeholder,
            option_groups=_groups(clusters),
            initial_options=initial or None,
            max_selected_items=limit,
        )
    )


@lru_cache(maxsize=256)
def _hour_select(minute: int, *, ends: bool) -> Rendered:
    options = HOUR_OPTIONS[1:] if ends else HOUR_OPTIONS[:-1]
    return Rendered(select(options, str(minute), "End" if ends else "Start"))


def _skills_at(profile: Profile, expert: bool) -> tuple[int, ...]:
    return tuple(i for i, level in profile.offered if (level >= EXPERT) == expert)


def enrollment_form(ctx: FormContext, form: ProfileForm) -> View:
    values = form.profile
    capacity_options = [option(str(n), str(n)) for n in range(1, ctx.capacity_max + 1)]
    day_options = [option(str(i), name) for i, name in enumerate(DAY_NAMES)]
    role_options = [option(r, ROLE_WORDS[r]) for r in ctx.roles]
    blocks: list[Any] = [
        SectionBlock(text=f"*{esc(ctx.program_name)}*"),
        InputBlock(
            block_id=Block.ROLE,
            label=copy.FORM_ROLE,
            element=select(role_options, values.role or None, copy.FORM_ROLE_PLACEHOLDER),
        ),
        InputBlock(
            block_id=Block.OFFER_EXPERT,
            label=copy.FORM_EXPERT,
            optional=True,
            element=_skill_select(
                ctx.skills, _skills_at(values, True), copy.FORM_SKILLS_PLACEHOLDER, MAX_OFFERED
            ),
        ),
        InputBlock(
            block_id=Block.OFFER_EXPERIENCED,
            label=copy.FORM_EXPERIENCED,
            optional=True,
            element=_skill_select(
                ctx.skills, _skills_at(values, False), copy.FORM_SKILLS_PLACEHOLDER, MAX_OFFERED
            ),
        ),
        InputBlock(
            block_id=Block.GOALS,
            label=copy.FORM_GOALS,
            optional=True,
            element=_skill_select(
                ctx.skills, values.sought, copy.FORM_GOALS_PLACEHOLDER, MAX_GOALS
            ),
        ),
        InputBlock(
            block_id=Block.FREE_GOAL,
            label=copy.FORM_FREE_GOAL,
            optional=True,
            element=PlainTextInputElement(
                action_id=V,
                multiline=True,
                max_length=MAX_FREE_GOAL,
                initial_value=values.free_text_goal or None,
            ),
        ),
        InputBlock(
            block_id=Block.SENIORITY,
            label=copy.FORM_LEVEL,
            optional=not ctx.needs_level,
            element=select(
                [option(str(k), v) for k, v in LEVELS.items()],
                None if values.seniority is None else str(values.seniority),
                copy.FORM_LEVEL_PLACEHOLDER,
            ),
        ),
        InputBlock(
            block_id=Block.DEPARTMENT,
            label=copy.FORM_DEPARTMENT,
            optional=True,
            element=PlainTextInputElement(
                action_id=V, max_length=MAX_DEPARTMENT, initial_value=values.department or None
            ),
        ),
        InputBlock(
            block_id=Block.MANAGER,
            label=copy.FORM_MANAGER,
            optional=True,
            hint=copy.MANAGER_HINT,
            element=UserSelectElement(
                action_id=V, placeholder=copy.FORM_PERSON_PLACEHOLDER, initial_user=form.manager
            ),
        ),
        InputBlock(
            block_id=Block.DAYS,
            label=copy.FORM_DAYS,
            element=CheckboxesElement(
                action_id=V,
                options=day_options,
                initial_options=[day_options[d] for d in values.working_days if 0 <= d < 7] or None,
            ),
        ),
        InputBlock(
            block_id=Block.START,
            label=plain(copy.HOURS_LABEL.format(tz=ctx.timezone), 2000),
            element=_hour_select(values.work_start_minute, ends=False),
        ),
        InputBlock(
            block_id=Block.END,
            label=copy.FORM_HOURS_END,
            element=_hour_select(values.work_end_minute, ends=True),
        ),
        InputBlock(
            block_id=Block.LANGUAGES,
            label=copy.FORM_LANGUAGES,
            optional=True,
            hint=copy.FORM_LANGUAGES_HINT,
            element=PlainTextInputElement(
                action_id=V,
                max_length=MAX_LANGUAGE_TEXT,
                initial_value=", ".join(values.languages) or None,
            ),
        ),
        InputBlock(
            block_id=Block.FREQUENCY,
            label=copy.FORM_FREQUENCY,
            optional=True,
            element=select(
                [option(str(k), v) for k, v in FREQUENCIES.items()],
                None
                if values.meeting_frequency_days is None
                else str(values.meeting_frequency_days),
                copy.FORM_CHOOSE,
            ),
        ),
    ]
    if any(r in ("mentor", "both") for r in ctx.roles):
        blocks.append(
            InputBlock(
                block_id=Block.CAPACITY,
                label=copy.FORM_CAPACITY,
                optional=True,
                element=select(
                    capacity_options,
                    str(values.capacity or ctx.capacity_default),
                    copy.FORM_CHOOSE,
                ),
            )
        )
        blocks.append(
            InputBlock(
                block_id=Block.HOURS_CAP,
                label=copy.FORM_HOURS_CAP,
                optional=True,
                hint=copy.FORM_HOURS_CAP_HINT,
                element=NumberInputElement(
                    action_id=V,
                    is_decimal_allowed=False,
                    initial_value=str(values.hours_cap) if values.hours_cap else None,
                    min_value="1",
                    max_value=str(MAX_HOURS_CAP),
                ),
            )
        )
    blocks += [
        InputBlock(
            block_id=Block.NEVER,
            label=copy.FORM_NEVER,
            optional=True,
            hint=copy.NEVER_HINT,
            element=UserMultiSelectElement(
                action_id=V,
                placeholder=copy.FORM_PEOPLE_PLACEHOLDER,
                initial_users=list(form.never) or None,
                max_selected_items=MAX_NEVER,
            ),
        ),
        SectionBlock(text=copy.CONSENT_TEXT),
        InputBlock(
            block_id=Block.CONSENT,
            label=copy.FORM_CONSENT,
            optional=True,  # checked by us, so the message can say why it is needed
            element=CheckboxesElement(action_id=V, options=[option("yes", copy.CONSENT_BOX)]),
        ),
    ]
    return View(
        type="modal",
        callback_id=Callback.JOIN,
        title=plain(copy.PROFILE_TITLE if ctx.editing else copy.JOIN_TITLE, 24),
        submit=copy.FORM_SAVE,
        close=copy.CANCEL,
        private_metadata=encode(JoinForm(ctx.program_id, ctx.timezone)),
        blocks=blocks,
    )


def program_choice(programs: Sequence[tuple[int, str]]) -> View:
    """A menu of the open programs; past a menu's 100 options, how to name the others."""
    options = [option(str(pid), plain(name, 75)) for pid, name in programs[:GROUP_SIZE]]
    more: list[Any] = []
    if len(programs) > GROUP_SIZE:
        note = copy.JOIN_MORE_PROGRAMS.format(n=len(programs) - GROUP_SIZE)
        more = [SectionBlock(text=MarkdownTextObject(text=note))]
    return View(
        type="modal",
        callback_id=Callback.JOIN_PROGRAM,
        title=plain(copy.JOIN_TITLE, 24),
        submit=copy.FORM_NEXT,
        close=copy.CANCEL,
        blocks=[
            InputBlock(
                block_id=Block.PROGRAM,
                label=copy.JOIN_PROGRAM_PROMPT,
                element=StaticSelectElement(
                    action_id=V, placeholder=copy.FORM_CHOOSE, options=options
                ),
            ),
            *more,
        ],
    )


def joined(saved: notices.EnrollmentSaved) -> View:
    """What the modal turns into once the profile is stored: you're in, what we saved, and
    what happens next (seen at once, however busy Slack is with DMs)."""
    return View(
        type="modal",
        title=plain(copy.JOINED_TITLE if saved.created else copy.PROFILE_TITLE, 24),
        close=copy.CLOSE,
        blocks=[SectionBlock(text=line) for line in enrollment_lines(saved)],
    )


def notice(title: str, text: str) -> View:
    return View(
        type="modal",
        title=plain(title, 24),
        close=copy.CLOSE,
        blocks=[SectionBlock(text=text[:2900])],
    )


# --- reading a submission ------------------------------------------------------------


def read_choice(values: Mapping[str, Any]) -> int | None:
    """The program picked in the choice modal (checked against the workspace by the flow)."""
    raw = selected(values, Block.PROGRAM)
    return int(raw) if raw is not None and raw.isdigit() and len(raw) < 12 else None


def read_form(
    state: Mapping[str, Any], ctx: FormContext
) -> tuple[ProfileForm | None, dict[str, str]]:
    """The submission as a profile, or the errors to show next to each field."""
    errors: dict[str, str] = {}
    skill_ids = {skill.id for skill in ctx.skills}

    role = selected(state, Block.ROLE)
    if role is None:
        errors[Block.ROLE] = copy.ERR_ROLE
    elif role not in ctx.roles:
        errors[Block.ROLE] = copy.ERR_UNKNOWN

    def skills(block: str, limit: int) -> list[int]:
        chosen = ints(selected_many(state, block), skill_ids)
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
    free_goal = clean(typed(state, Block.FREE_GOAL))
    if len(free_goal) > MAX_FREE_GOAL:
        errors[Block.FREE_GOAL] = copy.ERR_TOO_LONG.format(n=MAX_FREE_GOAL)
    gives = role in ("mentor", "both", "peer")
    seeks = role in ("mentee", "both", "peer")
    if gives and role != "peer" and not (expert or experienced):
        errors.setdefault(Block.OFFER_EXPERT, copy.ERR_SKILL)
    if seeks and not (goals or free_goal):
        errors.setdefault(Block.GOALS, copy.ERR_GOAL)

    seniority_raw = selected(state, Block.SENIORITY)
    seniority = ints([seniority_raw], set(LEVELS)) if seniority_raw else []
    if seniority is None:
        errors[Block.SENIORITY] = copy.ERR_UNKNOWN
    elif ctx.needs_level and not seniority:
        errors[Block.SENIORITY] = copy.ERR_LEVEL_NEEDED
    department = clean(typed(state, Block.DEPARTMENT))
    if len(department) > MAX_DEPARTMENT:
        errors[Block.DEPARTMENT] = copy.ERR_TOO_LONG.format(n=MAX_DEPARTMENT)

    days = ints(selected_many(state, Block.DAYS), set(range(7)))
    if days is None:
        errors[Block.DAYS] = copy.ERR_UNKNOWN
    elif not days:
        errors[Block.DAYS] = copy.ERR_DAYS
    minutes = set(range(0, 24 * 60 + 1, 30))
    start = ints([selected(state, Block.START) or "540"], minutes)
    end = ints([selected(state, Block.END) or "1020"], minutes)
    if start is None:
        errors[Block.START] = copy.ERR_UNKNOWN
    if end is None:
        errors[Block.END] = copy.ERR_UNKNOWN
    elif start is not None and end[0] <= start[0]:
        errors[Block.END] = copy.ERR_HOURS

    language_text = clean(typed(state, Block.LANGUAGES))
    languages = [w.strip() for w in language_text.split(",") if w.strip()]
    if len(language_text) > MAX_LANGUAGE_TEXT:
        errors[Block.LANGUAGES] = copy.ERR_TOO_LONG.format(n=MAX_LANGUAGE_TEXT)
    elif len(languages) > MAX_LANGUAGES:
        errors[Block.LANGUAGES] = copy.ERR_TOO_MANY.format(n=MAX_LANGUAGES)

    frequency_raw = selected(state, Block.FREQUENCY)
    frequency = ints([frequency_raw], set(FREQUENCIES)) if frequency_raw else []
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

    hours_raw = typed(state, Block.HOURS_CAP)
    hours_cap: int | None = None
    if hours_raw and role in ("mentor", "both"):
        if not hours_raw.isdigit() or not 1 <= int(hours_raw) <= MAX_HOURS_CAP:
            errors[Block.HOURS_CAP] = copy.ERR_HOURS_CAP
        else:
            hours_cap = int(hours_raw)

    never = users(state, Block.NEVER)
    if len(never) > MAX_NEVER:
        errors[Block.NEVER] = copy.ERR_TOO_MANY.format(n=MAX_NEVER)
    if "yes" not in selected_many(state, Block.CONSENT):
        errors[Block.CONSENT] = copy.ERR_CONSENT

    if errors or role is None or days is None or start is None or end is None:
        return None, errors
    return (
        ProfileForm(
            Profile(
                role=role,
                offered=tuple((i, EXPERT) for i in expert)
                + tuple((i, EXPERIENCED) for i in experienced),
                sought=tuple(goals),
                free_text_goal=free_goal or None,
                seniority=seniority[0] if seniority else None,
                department=department or None,
                working_days=tuple(sorted(set(days))),
                work_start_minute=start[0],
                work_end_minute=end[0],
                languages=tuple(languages),
                meeting_frequency_days=frequency[0] if frequency else None,
                capacity=capacity if role in ("mentor", "both") else 0,
                hours_cap=hours_cap,
            ),
            manager=user(state, Block.MANAGER),
            never=tuple(dict.fromkeys(never)),
        ),
        {},
    )
