"""Concerns in Slack: `/mentor concern` and the button on every match message, the private
modal, the admins' buttons on the report (pause, resume, end kindly, reply, resolve), the
reply modal, and `/mentor admin concerns`.

The button sits in the pair's own DM, so it carries nothing but the match id and opens a
modal only the clicker sees. Who may act is decided by flows.concerns per program, not by
the Registrar's workspace-wide admin gate alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from flows import concerns as flow
from flows.concerns import Acted, ConcernForm, ConcernLine
from flows.programs import NotAdminOfError
from handlers import copy
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import Deps
from handlers.enroll_form import notice
from handlers.forms import V, clean, option, select, selected, selected_many, text_input, typed
from handlers.ids import Action, Block, Callback
from handlers.listen import (
    Answer,
    Registrar,
    Request,
    Target,
    authority_of,
    open_view,
    reply,
    tell,
    then,
)
from handlers.messages import reached_words
from handlers.payloads import ConcernForm as ConcernMeta
from handlers.payloads import ConcernRef, MatchRef, decode, encode
from handlers.text import esc, mention, plain, slack_date

MAX_OPTIONS = 100


def _match_label(m: flow.MatchChoice) -> str:
    if m.others:
        return copy.CONCERN_MATCH_OPTION.format(others=", ".join(m.others), program=m.program_name)
    return copy.CONCERN_MATCH_OPTION_NOBODY.format(program=m.program_name)


def concern_modal(form: ConcernForm) -> View:
    options = [option(f"m:{m.match_id}", _match_label(m)) for m in form.matches] + [
        option(f"p:{p.program_id}", copy.CONCERN_PROGRAM_OPTION.format(program=p.program_name))
        for p in form.programs
    ]
    initial = f"m:{form.chosen}" if form.chosen is not None else None
    return View(
        type="modal",
        callback_id=Callback.CONCERN,
        title=plain(copy.CONCERN_TITLE, 24),
        submit=copy.CONCERN_SEND,
        close=copy.CANCEL,
        private_metadata=encode(ConcernMeta(form.chosen)),
        blocks=[
            SectionBlock(text=copy.CONCERN_INTRO),
            InputBlock(
                block_id=Block.CONCERN_ABOUT,
                label=copy.CONCERN_ABOUT,
                element=select(options[:MAX_OPTIONS], initial, copy.FORM_CHOOSE),
            ),
            InputBlock(
                block_id=Block.CONCERN_CATEGORY,
                label=copy.CONCERN_CATEGORY,
                element=StaticSelectElement(
                    action_id=V,
                    placeholder=copy.FORM_CHOOSE,
                    options=[option(k, v) for k, v in copy.CONCERN_CATEGORIES.items()],
                ),
            ),
            text_input(
                Block.CONCERN_TEXT,
                copy.CONCERN_TEXT,
                None,
                hint=copy.CONCERN_TEXT_HINT,
                max_length=flow.MAX_TEXT,
                multiline=True,
            ),
            InputBlock(
                block_id=Block.CONCERN_WANTS_REPLY,
                label=copy.CONCERN_WANTS_REPLY,
                optional=True,
                element=CheckboxesElement(
                    action_id=V,
                    options=[option("yes", copy.CONCERN_WANTS_REPLY_BOX)],
                    initial_options=[option("yes", copy.CONCERN_WANTS_REPLY_BOX)],
                ),
            ),
        ],
    )


def _open(deps: Deps, team_id: str, user_id: str, match_id: int | None) -> View | None:
    with deps.sessions.begin() as s:
        form = flow.form(s, team_id, user_id, match_id, deps.clock())
    return concern_modal(form) if form is not None else None


def handle_command_concern(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        view = _open(deps, request.team_id, request.slack_user_id, None)
        if view is None:
            return reply(copy.CONCERN_NOTHING)
        return then(open_view(request.trigger_id, view))

    return handle


def handle_action_concern(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(MatchRef, request.value)
        view = _open(deps, request.team_id, request.slack_user_id, ref.match_id if ref else None)
        return then(
            open_view(request.trigger_id, view or notice(copy.CONCERN_TITLE, copy.CONCERN_NOTHING))
        )

    return handle


def read_concern(
    values: Mapping[str, Any],
) -> tuple[tuple[int | None, int | None, str, str, bool] | None, dict[str, str]]:
    """(match id, program id, category, text, wants reply), or the errors by block."""
    errors: dict[str, str] = {}
    about = selected(values, Block.CONCERN_ABOUT) or ""
    kind, _, raw = about.partition(":")
    if kind not in ("m", "p") or not raw.isdigit() or len(raw) > 12:
        errors[Block.CONCERN_ABOUT] = copy.CONCERN_ERR_ABOUT
    category = selected(values, Block.CONCERN_CATEGORY) or ""
    if category not in copy.CONCERN_CATEGORIES:
        errors[Block.CONCERN_CATEGORY] = copy.ERR_UNKNOWN
    text = clean(typed(values, Block.CONCERN_TEXT))
    if not text or len(text) > flow.MAX_TEXT:
        errors[Block.CONCERN_TEXT] = copy.CONCERN_ERR_TEXT
    if errors:
        return None, errors
    wants = "yes" in selected_many(values, Block.CONCERN_WANTS_REPLY)
    match_id = int(raw) if kind == "m" else None
    program_id = int(raw) if kind == "p" else None
    return (match_id, program_id, category, text, wants), {}


def handle_view_concern(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        read, errors = read_concern(request.values)
        if read is None:
            return Answer(ack={"response_action": "errors", "errors": errors})
        match_id, program_id, category, text, wants = read
        with deps.sessions.begin() as s:
            raised = flow.raise_concern(
                s,
                request.team_id,
                request.slack_user_id,
                match_id=match_id,
                program_id=program_id,
                category=category,
                text=text,
                wants_reply=wants,
                global_admins=deps.global_admins,
                at=deps.clock(),
            )
        if raised is None:
            return Answer(
                ack={
                    "response_action": "errors",
                    "errors": {Block.CONCERN_ABOUT: copy.CONCERN_ERR_ABOUT},
                }
            )
        if raised.reached:
            text = copy.CONCERN_SENT.format(
                who=reached_words(raised.reached),
                reply=copy.CONCERN_REPLY_YES if wants else copy.CONCERN_REPLY_NO,
            )
        else:
            text = copy.CONCERN_NOBODY
        view = notice(copy.CONCERN_TITLE, text).to_dict()
        return Answer(ack={"response_action": "update", "view": view})

    return handle


# --- what admins do -----------------------------------------------------------------------


def _refused(acted: str) -> str:
    words: dict[str, str] = {
        Acted.ALREADY: copy.CONCERN_ALREADY,
        Acted.NOT_ALLOWED: copy.CONCERN_NOT_ALLOWED,
        Acted.NO_MATCH: copy.CONCERN_NO_MATCH,
    }
    return words.get(acted, copy.CONCERN_GONE)


def handle_action_admin(deps: Deps, action: flow.Action) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(ConcernRef, request.value)
        who = authority_of(deps, request.team_id, request.slack_user_id)  # its own read
        with deps.sessions.begin() as s:
            done = flow.act(
                s,
                request.team_id,
                request.slack_user_id,
                ref.concern_id if ref else None,
                action,
                authority=who,
                at=deps.clock(),
            )
        if done.acted != Acted.DONE:
            return then(tell(_refused(done.acted)))
        note = copy.CONCERN_DONE[action].format(user=mention(request.slack_user_id))
        # the report stays readable and actionable: the note goes under it
        return then(tell(note))

    return handle


def reply_modal(ref: ConcernRef) -> View:
    return View(
        type="modal",
        callback_id=Callback.CONCERN_REPLY,
        title=plain(copy.CONCERN_REPLY_TITLE, 24),
        submit=copy.CONCERN_REPLY_SEND,
        close=copy.CANCEL,
        private_metadata=encode(ref),
        blocks=[
            text_input(
                Block.CONCERN_REPLY_TEXT,
                copy.CONCERN_REPLY_LABEL,
                None,
                max_length=flow.MAX_TEXT,
                multiline=True,
            )
        ],
    )


def handle_action_reply(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(ConcernRef, request.value)
        who = authority_of(deps, request.team_id, request.slack_user_id)  # its own read
        with deps.sessions.begin() as s:
            allowed = flow.may_reply(
                s,
                request.team_id,
                request.slack_user_id,
                ref.concern_id if ref else None,
                authority=who,
            )
        if allowed.acted != Acted.DONE or ref is None:
            return then(tell(_refused(allowed.acted)))
        return then(open_view(request.trigger_id, reply_modal(ref)))

    return handle


def handle_view_reply(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(ConcernRef, request.private_metadata)
        text = clean(typed(request.values, Block.CONCERN_REPLY_TEXT))
        if ref is None or not text:
            return Answer(
                ack={
                    "response_action": "errors",
                    "errors": {Block.CONCERN_REPLY_TEXT: copy.CONCERN_ERR_TEXT},
                }
            )
        who = authority_of(deps, request.team_id, request.slack_user_id)  # its own read
        with deps.sessions.begin() as s:
            done = flow.reply(
                s,
                request.team_id,
                request.slack_user_id,
                ref.concern_id,
                text,
                version=request.view_id,
                authority=who,
                at=deps.clock(),
            )
        words = copy.CONCERN_REPLY_SENT if done.acted == Acted.DONE else _refused(done.acted)
        view = notice(copy.CONCERN_REPLY_TITLE, words).to_dict()
        return Answer(ack={"response_action": "update", "view": view})

    return handle


def concerns_text(lines: list[ConcernLine]) -> str:
    if not lines:
        return copy.CONCERNS_NONE
    out = [copy.CONCERNS_HEADER]
    for line in lines:
        trail = "; ".join(
            copy.CONCERN_TRAIL_STEP.format(
                action=esc(step.action),
                who=mention(step.actor) if step.actor else "",
                when=slack_date(step.at, "{date_short}"),
            ).replace("  ", " ")
            for step in line.trail
        )
        out.append(
            copy.CONCERNS_LINE.format(
                id=line.concern_id,
                program=esc(line.program_name),
                category=copy.CONCERN_CATEGORIES.get(line.category, esc(line.category)).lower(),
                when=slack_date(line.raised_at, "{date_short}"),
                state=esc(line.match_state or "-"),
                paused=copy.CONCERNS_PAUSED if line.paused else "",
                trail=trail or "-",
            )
        )
    return "\n".join(out)


def handle_command_admin_concerns(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        try:
            with deps.sessions.begin() as s:
                lines = flow.open_concerns(
                    s,
                    request.team_id,
                    request.slack_user_id,
                    authority=request.authority,
                    program_name=" ".join(request.words) or None,
                )
        except NotAdminOfError as error:
            return reply(copy.NOT_ADMIN_OF.format(program=esc(error.program_name)))
        return reply(concerns_text(lines))

    return handle


def concern_target(deps: Deps) -> Callable[[Request], Target]:
    """What a concern's admin button acts on: the concern's program (its admins may)."""

    def target(request: Request) -> Target:
        ref = decode(ConcernRef, request.value) or decode(ConcernRef, request.private_metadata)
        if ref is None:
            return None
        with deps.sessions.begin() as s:
            return flow.concern_program(s, request.team_id, ref.concern_id)

    return target


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("concern",), handle_command_concern(deps))
    router.add(("admin", "concerns"), handle_command_admin_concerns(deps), admin=True)
    registrar.action(Action.CONCERN_OPEN, handle_action_concern(deps))
    registrar.view(Callback.CONCERN, handle_view_concern(deps))
    for action_id, action in (
        (Action.CONCERN_PAUSE, flow.Action.PAUSE),
        (Action.CONCERN_RESUME, flow.Action.RESUME),
        (Action.CONCERN_END, flow.Action.END),
        (Action.CONCERN_RESOLVE, flow.Action.RESOLVE),
    ):
        registrar.action(action_id, handle_action_admin(deps, action), admin=concern_target(deps))
    registrar.action(Action.CONCERN_REPLY, handle_action_reply(deps), admin=concern_target(deps))
    registrar.view(Callback.CONCERN_REPLY, handle_view_reply(deps), admin=concern_target(deps))
