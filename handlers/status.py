"""What a person sees of their own enrollment: `/mentor status` and the Home tab's blocks.

Pure builders over flows.enrollment's view values; every typed piece is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from flows.enrollment import HomeView, Knows, ProgramLine
from handlers import copy
from handlers.ids import Action
from handlers.insight import whole
from handlers.messages import DAY_NAMES, minutes, next_round_text, role_phrase, sections
from handlers.payloads import ProgramRef, encode
from handlers.text import cut, esc, mention, plain
from models.states import EnrollmentStatus

MAX_HOME_BLOCKS = 100
MAX_OPTIONS = 100  # a static select's options (Block Kit)


def _state(line: ProgramLine) -> str:
    if line.status == EnrollmentStatus.PAUSED and line.paused_until:
        return copy.STATUS_PAUSED_UNTIL.format(date=f"{line.paused_until:%d %b %Y}")
    return line.status


def status_lines(lines: Sequence[ProgramLine]) -> list[str]:
    out: list[str] = []
    for line in lines:
        out.append(
            copy.STATUS_PROGRAM.format(
                program=esc(line.program_name), role=role_phrase(line.role), state=_state(line)
            )
        )
        for match in line.matches:
            who = ", ".join(mention(u) for u in match.others) or copy.STATUS_NOBODY
            out.append(
                copy.STATUS_MATCH.format(
                    who=who, since=f"{match.since:%d %b %Y}", state=match.state
                )
            )
        out.append("  " + next_round_text(line.next_round))
    return out


def status_text(lines: Sequence[ProgramLine]) -> str:
    return "\n".join(status_lines(lines)) or copy.STATUS_NONE


def knows_lines(k: Knows) -> list[str]:
    offered = [
        f"{esc(name)} ({copy.LEVEL_EXPERT if level >= 3 else copy.LEVEL_EXPERIENCED})"
        for name, level in k.offered
    ]
    days = ", ".join(DAY_NAMES[d] for d in k.working_days if 0 <= d < 7)
    lines = [
        copy.KNOWS_ROLE.format(role=esc(k.role)),
        copy.KNOWS_OFFERED.format(skills=", ".join(offered) or "none"),
        copy.KNOWS_GOALS.format(goals=", ".join(esc(g) for g in k.goals) or "none"),
        copy.KNOWS_FREE_GOAL.format(goal=esc(k.free_text_goal) or "—"),
        copy.KNOWS_LEVEL.format(level=copy.LEVELS.get(k.seniority or 0, "—")),
        copy.KNOWS_DEPARTMENT.format(department=esc(k.department) or "—"),
        copy.KNOWS_MANAGER.format(manager=mention(k.manager) if k.manager else "—"),
        copy.KNOWS_HOURS.format(
            days=days,
            start=minutes(k.work_start_minute),
            end=minutes(k.work_end_minute),
            tz=esc(k.timezone),
        ),
        copy.KNOWS_LANGUAGES.format(languages=", ".join(esc(x) for x in k.languages) or "—"),
        copy.KNOWS_MEETINGS.format(
            frequency=copy.FREQUENCIES.get(k.meeting_frequency_days or 0, copy.FREQUENCY_AGREED)
        ),
        copy.KNOWS_CAPACITY.format(n=k.capacity) if k.capacity else "",
        copy.KNOWS_HOURS_CAP.format(n=k.hours_cap) if k.hours_cap else "",
        copy.KNOWS_NEVER.format(n=k.never_count),
        copy.KNOWS_CONSENT.format(date=f"{k.consent_at:%d %b %Y}"),
    ]
    return [line for line in lines if line]


def _button(text: str, action: str, value: str, style: str | None = None) -> ButtonElement:
    return ButtonElement(text=plain(text, 75), action_id=action, value=value, style=style)


JOIN_BUTTONS = 5  # up to this many programs get a button each; more get a menu


def join_choice(programs: Sequence[tuple[int, str]]) -> list[Block]:
    """A Join button per open program (each in its own block: action ids are unique per
    block), or one menu of them when there are many; beyond a menu's 100 options, a note."""
    if len(programs) <= JOIN_BUTTONS:
        return [
            ActionsBlock(
                elements=[
                    _button(
                        copy.HOME_JOIN.format(program=name),
                        Action.HOME_JOIN,
                        encode(ProgramRef(program_id)),
                        "primary",
                    )
                ]
            )
            for program_id, name in programs
        ]
    shown = programs[:MAX_OPTIONS]
    out: list[Block] = [
        ActionsBlock(
            elements=[
                StaticSelectElement(
                    action_id=Action.HOME_JOIN,
                    placeholder=copy.HOME_JOIN_MENU,
                    options=[
                        Option(value=encode(ProgramRef(pid)), label=plain(name, 75))
                        for pid, name in shown
                    ],
                )
            ]
        )
    ]
    if len(programs) > len(shown):
        out.append(SectionBlock(text=copy.HOME_JOIN_MORE.format(n=len(programs) - len(shown))))
    return out


def home_view(home: HomeView) -> View:
    """The Home tab: programs and matches, pause/resume, what the bot knows, admin numbers."""
    blocks: list[Block] = [HeaderBlock(text=copy.HOME_TITLE)]
    if not home.programs:
        if home.open_programs:
            blocks.append(SectionBlock(text=copy.HOME_NOT_ENROLLED))
            blocks += join_choice(home.open_programs)
        else:
            blocks.append(SectionBlock(text=copy.HOME_NO_PROGRAMS))
    else:
        blocks += sections(status_lines(home.programs))
        blocks.append(
            ActionsBlock(
                elements=[
                    _button(copy.HOME_RESUME, Action.HOME_RESUME, "resume", "primary")
                    if home.paused
                    else _button(
                        copy.HOME_PAUSE.format(weeks=copy.HOME_PAUSE_WEEKS),
                        Action.HOME_PAUSE,
                        "pause",
                    ),
                    _button(copy.HOME_ASK, Action.HOME_ASK, "ask"),
                    _button(copy.HOME_IMPACT, Action.HOME_IMPACT, "impact"),
                ]
            )
        )
        for line in home.programs:
            blocks += [
                DividerBlock(),
                SectionBlock(text=f"{copy.HOME_KNOWS}\n*{esc(line.program_name)}*"),
                *sections(knows_lines(line.knows)),
                ActionsBlock(
                    elements=[
                        _button(
                            copy.HOME_EDIT, Action.HOME_EDIT, encode(ProgramRef(line.program_id))
                        ),
                        _button(copy.HOME_FORGET, Action.HOME_FORGET, "forget", "danger"),
                    ]
                ),
            ]
    if home.admin_of:
        lines = [
            copy.HOME_ADMIN_LINE.format(
                program=esc(a.program_name),
                slug=esc(a.slug),
                mentors=whole(a.mentors),
                mentees=whole(a.mentees),
                open=whole(a.open_matches),
            )
            for a in home.admin_of
        ]
        blocks += [DividerBlock(), *sections([copy.HOME_ADMIN, *lines])]
    if len(blocks) > MAX_HOME_BLOCKS:
        hidden = len(blocks) - MAX_HOME_BLOCKS + 1
        blocks = [
            *blocks[: MAX_HOME_BLOCKS - 1],
            SectionBlock(text=cut(copy.HOME_MORE.format(n=hidden), 3000)),
        ]
    return View(type="home", blocks=blocks)
