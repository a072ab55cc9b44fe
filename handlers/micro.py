"""Micro-mentoring in Slack: `/mentor ask <skill>`, the Home button and its modal, the
expert's accept / decline / suggest buttons, and the asker's one answer afterwards.

Each listener makes one flows.micro call committed before the ack; the clicked message's
buttons then give way to a note, so an answered ask never keeps live buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    OptionGroup,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from flows import micro as flow
from flows.micro import Answer as Answered
from flows.micro import Asked, AskResult, SkillChoice
from handlers import copy
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import Deps
from handlers.enroll_form import notice
from handlers.forms import V, clean, option, selected, text_input, typed, user
from handlers.ids import Action, Block, Callback
from handlers.listen import (
    Answer,
    Registrar,
    Request,
    open_view,
    replace_buttons,
    reply,
    tell,
    then,
)
from handlers.payloads import MicroRef, SuggestForm, decode, encode
from handlers.text import esc, mention, plain
from models.states import MicroOutcome
from models.workspace import find_person_id

MAX_OPTIONS = 100
OUTCOMES = {
    Action.MICRO_HELPED: MicroOutcome.HELPED,
    Action.MICRO_SOMEWHAT: MicroOutcome.SOMEWHAT,
    Action.MICRO_NOT_HELPED: MicroOutcome.NOT_HELPED,
    Action.MICRO_NOT_MET: MicroOutcome.NOT_MET,
}


def asked_text(result: AskResult, words: str = "") -> str:
    """The asker's reply, in words."""
    skill, program = esc(result.skill), esc(result.program_name)
    if result.outcome == Asked.ASKED:
        return copy.MICRO_ASKED_SHORT.format(skill=skill, program=program)
    if result.outcome == Asked.UNAVAILABLE:
        return copy.MICRO_UNAVAILABLE_NOW.format(skill=skill, program=program)
    if result.outcome == Asked.ALREADY:
        return copy.MICRO_ALREADY.format(skill=skill)
    if result.outcome == Asked.OUT_OF_SCOPE:
        return copy.MICRO_OUT_OF_SCOPE
    if result.outcome == Asked.UNKNOWN_SKILL:
        text = copy.MICRO_UNKNOWN_SKILL.format(words=esc(words[:60]))
        if result.suggestions:
            names = ", ".join(f"`{esc(n)}`" for n in result.suggestions)
            text += copy.MICRO_SUGGEST_SKILLS.format(names=names)
        return text
    return copy.MICRO_NOT_ENROLLED


def handle_command_ask(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        words = " ".join(request.words)
        if not words.strip():
            return reply(copy.MICRO_USAGE)
        with deps.sessions.begin() as s:
            result = flow.ask(
                s, request.team_id, request.slack_user_id, words=words, at=deps.clock()
            )
        return reply(asked_text(result, words))

    return handle


# --- the Home button and its modal ----------------------------------------------------------


def ask_modal(choices: Sequence[SkillChoice]) -> View:
    """A skill per option, grouped by program (and area when there is one program)."""
    groups: dict[str, list[Option]] = {}
    several = len({c.program_id for c in choices}) > 1
    for c in choices[:MAX_OPTIONS]:
        label = c.program_name if several else c.cluster
        groups.setdefault(label, []).append(option(f"{c.program_id}:{c.skill_id}", c.skill_name))
    return View(
        type="modal",
        callback_id=Callback.MICRO_ASK,
        title=plain(copy.MICRO_TITLE, 24),
        submit=copy.MICRO_SEND,
        close=copy.CANCEL,
        blocks=[
            InputBlock(
                block_id=Block.MICRO_SKILL,
                label=copy.MICRO_SKILL_LABEL,
                element=StaticSelectElement(
                    action_id=V,
                    placeholder=copy.FORM_CHOOSE,
                    option_groups=[
                        OptionGroup(label=plain(name, 75), options=options)
                        for name, options in sorted(groups.items())
                    ],
                ),
            ),
            text_input(
                Block.MICRO_TOPIC,
                copy.MICRO_TOPIC_LABEL,
                None,
                optional=True,
                max_length=flow.MAX_TOPIC,
            ),
        ],
    )


def handle_action_home_ask(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        with deps.sessions.begin() as s:
            choices = flow.skill_choices(s, request.team_id, request.slack_user_id, deps.clock())
        view = ask_modal(choices) if choices else notice(copy.MICRO_TITLE, copy.MICRO_NO_SKILLS)
        return then(open_view(request.trigger_id, view))

    return handle


def read_choice(values: Mapping[str, Any]) -> tuple[int, int] | None:
    raw = selected(values, Block.MICRO_SKILL) or ""
    program, _, skill = raw.partition(":")
    if not (program.isdigit() and skill.isdigit() and len(raw) < 24):
        return None
    return int(program), int(skill)


def handle_view_ask(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        choice = read_choice(request.values)
        if choice is None:
            return Answer(
                ack={"response_action": "errors", "errors": {Block.MICRO_SKILL: copy.ERR_UNKNOWN}}
            )
        topic = clean(typed(request.values, Block.MICRO_TOPIC))[: flow.MAX_TOPIC]
        with deps.sessions.begin() as s:
            result = flow.ask(
                s,
                request.team_id,
                request.slack_user_id,
                choice=choice,
                topic=topic or None,
                at=deps.clock(),
            )
        if result.outcome == Asked.UNKNOWN_SKILL:
            return Answer(
                ack={"response_action": "errors", "errors": {Block.MICRO_SKILL: copy.ERR_UNKNOWN}}
            )
        view = notice(copy.MICRO_TITLE, asked_text(result)).to_dict()
        return Answer(ack={"response_action": "update", "view": view})

    return handle


# --- the expert's answer ------------------------------------------------------------------


def _answered(request: Request, outcome: str) -> Answer:
    if outcome == Answered.ACCEPTED:
        note = copy.MICRO_ACCEPTED_NOTE.format(user=mention(request.slack_user_id))
    elif outcome == Answered.DECLINED:
        note = copy.MICRO_DECLINED_NOTE
    elif outcome == Answered.SUGGESTED:
        note = copy.MICRO_SUGGESTED_NOTE
    elif outcome == Answered.SUGGESTED_OTHER:
        note = copy.MICRO_SUGGESTED_OTHER_NOTE
    else:
        return then(tell(copy.MICRO_GONE))
    return then(replace_buttons(request, note))


def handle_action_answer(deps: Deps, *, accept: bool) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(MicroRef, request.value)
        at = deps.clock()
        with deps.sessions.begin() as s:
            person_id = find_person_id(s, request.team_id, request.slack_user_id)
            answer = flow.accept if accept else flow.decline
            outcome = answer(s, ref.request_id if ref else None, person_id, at)
        return _answered(request, outcome)

    return handle


def suggest_modal(meta: SuggestForm) -> View:
    return View(
        type="modal",
        callback_id=Callback.MICRO_SUGGEST,
        title=plain(copy.MICRO_SUGGEST_TITLE, 24),
        submit=copy.MICRO_SEND,
        close=copy.CANCEL,
        private_metadata=encode(meta),
        blocks=[
            SectionBlock(text=copy.MICRO_SUGGEST_HINT),
            InputBlock(
                block_id=Block.MICRO_PERSON,
                label=copy.MICRO_SUGGEST_LABEL,
                element=UserSelectElement(action_id=V, placeholder=copy.FORM_PERSON_PLACEHOLDER),
            ),
        ],
    )


def handle_action_suggest(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(MicroRef, request.value)
        if ref is None:
            return then(tell(copy.BUTTON_STALE))
        # the modal first (its trigger lives 3 s), then the ask's buttons give way
        return then(
            open_view(request.trigger_id, suggest_modal(SuggestForm(ref.request_id))),
            replace_buttons(request, copy.MICRO_SUGGESTING_NOTE),
        )

    return handle


def handle_view_suggest(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(SuggestForm, request.private_metadata)
        chosen = user(request.values, Block.MICRO_PERSON)
        if ref is None or chosen is None:
            return Answer(
                ack={"response_action": "errors", "errors": {Block.MICRO_PERSON: copy.ERR_UNKNOWN}}
            )
        at = deps.clock()
        with deps.sessions.begin() as s:
            person_id = find_person_id(s, request.team_id, request.slack_user_id)
            outcome = flow.suggest(s, ref.request_id, person_id, chosen, at)
        notes: dict[str, str] = {
            Answered.SUGGESTED: copy.MICRO_SUGGESTED_NOTE,
            Answered.SUGGESTED_OTHER: copy.MICRO_SUGGESTED_OTHER_NOTE,
        }
        text = notes.get(outcome, copy.MICRO_GONE)
        view = notice(copy.MICRO_SUGGEST_TITLE, text).to_dict()
        return Answer(ack={"response_action": "update", "view": view})

    return handle


# --- the asker's answer afterwards ------------------------------------------------------------


def handle_action_followup(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(MicroRef, request.value)
        outcome = OUTCOMES.get(request.action_id)  # type: ignore[call-overload]
        at = deps.clock()
        with deps.sessions.begin() as s:
            person_id = find_person_id(s, request.team_id, request.slack_user_id)
            done = outcome is not None and flow.answer_followup(
                s, ref.request_id if ref else None, person_id, outcome, at
            )
        if not done:
            return then(tell(copy.MICRO_GONE))
        words = copy.MICRO_FOLLOWUP_WORDS.get(str(outcome), "")
        return then(replace_buttons(request, copy.MICRO_FOLLOWUP_NOTE.format(answer=words)))

    return handle


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("ask",), handle_command_ask(deps))
    registrar.action(Action.HOME_ASK, handle_action_home_ask(deps))
    registrar.view(Callback.MICRO_ASK, handle_view_ask(deps))
    registrar.action(Action.MICRO_ACCEPT, handle_action_answer(deps, accept=True))
    registrar.action(Action.MICRO_DECLINE, handle_action_answer(deps, accept=False))
    registrar.action(Action.MICRO_SUGGEST, handle_action_suggest(deps))
    registrar.view(Callback.MICRO_SUGGEST, handle_view_suggest(deps))
    for action in OUTCOMES:
        registrar.action(action, handle_action_followup(deps))
