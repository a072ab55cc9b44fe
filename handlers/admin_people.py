"""Program and workspace admins: `/mentor admin add|remove @person [program]`, or with no one
named, a modal that picks the person (users_select) and the program.

Typing a mention works since /mentor escapes its text (should_escape), but the modal is the
common case: a picker never misspells a name, and it offers only programs the requester runs.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.models.blocks import InputBlock, UserSelectElement
from slack_sdk.models.views import View

from flows import programs as flow
from handlers import copy
from handlers.commands import CommandRequest, CommandRouter, mentioned_user
from handlers.context import Deps
from handlers.forms import V, option, select, selected, user
from handlers.ids import Block, Callback
from handlers.listen import (
    WORKSPACE,
    Answer,
    Registrar,
    Request,
    Target,
    authority_of,
    open_view,
    reply,
    tell_in_dm,
    then,
)
from handlers.payloads import AdminPeopleForm, decode, encode
from handlers.text import esc
from models.admins import Authority
from models.errors import NotAllowedError, NotFoundError

WORKSPACE_FLAG = "--workspace"
EVERY_PROGRAM = "workspace"  # the picker's value for "every program" (a workspace admin)


def admin_people_form(adding: bool, programs: list[tuple[int, str]], workspace: bool) -> View:
    """The person and the program; "every program" only for a workspace admin."""
    options = [option(str(pid), name[:75]) for pid, name in programs]
    if workspace:
        options.append(option(EVERY_PROGRAM, copy.ADMIN_FORM_EVERY_PROGRAM))
    initial = options[0].value if len(options) == 1 else None
    return View(
        type="modal",
        callback_id=Callback.ADMIN_PEOPLE,
        private_metadata=encode(AdminPeopleForm(adding)),
        title=copy.ADMIN_FORM_ADD_TITLE if adding else copy.ADMIN_FORM_REMOVE_TITLE,
        submit=copy.ADMIN_FORM_ADD if adding else copy.ADMIN_FORM_REMOVE,
        close=copy.CANCEL,
        blocks=[
            InputBlock(
                block_id=Block.ADMIN_PERSON,
                label=copy.ADMIN_FORM_PERSON,
                element=UserSelectElement(action_id=V, placeholder=copy.FORM_PERSON_PLACEHOLDER),
            ),
            InputBlock(
                block_id=Block.ADMIN_PROGRAM,
                label=copy.ADMIN_FORM_PROGRAM,
                element=select(options, initial, copy.ADMIN_FORM_PROGRAM_PLACEHOLDER),
            ),
        ],
    )


def change_text(adding: bool, target: str, change: flow.AdminChange) -> str:
    if change.program_name is None:
        texts = (
            (copy.WORKSPACE_ADMIN_ADDED, copy.WORKSPACE_ADMIN_ALREADY)
            if adding
            else (copy.WORKSPACE_ADMIN_REMOVED, copy.WORKSPACE_ADMIN_NOT)
        )
        return texts[0 if change.changed else 1].format(user=target)
    if adding:
        text = copy.ADMIN_ADDED if change.changed else copy.ADMIN_ALREADY
    else:
        text = copy.ADMIN_REMOVED if change.changed else copy.ADMIN_NOT
    return text.format(user=target, program=esc(change.program_name))


def handle_command_admin_people(deps: Deps, adding: bool) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        if not request.words:
            with deps.sessions.begin() as s:
                programs = flow.administered_choices(s, request.team_id, request.authority)
            form = admin_people_form(adding, programs, request.authority.workspace)
            return then(open_view(request.trigger_id, form))
        target = mentioned_user(request.words[0])
        if target is None:
            return reply(copy.ADMIN_USAGE)
        rest = [w for w in request.words[1:] if w.lower() != WORKSPACE_FLAG]
        workspace_wide = len(rest) < len(request.words) - 1
        if workspace_wide and not request.authority.workspace:
            return reply(copy.NOT_WORKSPACE_ADMIN)
        if workspace_wide and rest:  # every program, or one: not both
            return reply(copy.ADMIN_USAGE)
        try:
            with deps.sessions.begin() as s:
                change = flow.set_admin(
                    s,
                    request.team_id,
                    request.slack_user_id,
                    target,
                    " ".join(rest) or None,
                    request.authority,
                    adding=adding,
                    at=deps.clock(),
                    workspace_wide=workspace_wide,
                )
        except flow.NotAdminOfError as error:
            return reply(copy.NOT_ADMIN_OF.format(program=esc(error.program_name)))
        return reply(change_text(adding, target, change))

    return handle


def picked_target(deps: Deps) -> Callable[[Request], Target]:
    """What the modal acts on: the picked program (its admins may) or every program."""

    def target(request: Request) -> Target:
        picked = selected(request.values, Block.ADMIN_PROGRAM)
        if picked == EVERY_PROGRAM:
            return WORKSPACE
        if picked is None or not picked.isdigit():
            return None
        with deps.sessions.begin() as s:
            return flow.program_in_workspace(s, request.team_id, int(picked))

    return target


def handle_view_admin_people(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        meta = decode(AdminPeopleForm, request.private_metadata)
        target = user(request.values, Block.ADMIN_PERSON)
        picked = selected(request.values, Block.ADMIN_PROGRAM)
        errors: dict[str, str] = {}
        if target is None:
            errors[Block.ADMIN_PERSON] = copy.ADMIN_FORM_ERR_PERSON
        if picked is None or not (picked == EVERY_PROGRAM or picked.isdigit()):
            errors[Block.ADMIN_PROGRAM] = copy.ADMIN_FORM_ERR_PROGRAM
        if meta is None or errors or target is None or picked is None:
            return Answer(ack={"response_action": "errors", "errors": errors or _unknown()})
        who: Authority = authority_of(deps, request.team_id, request.slack_user_id)
        try:
            with deps.sessions.begin() as s:
                change = flow.set_admin(
                    s,
                    request.team_id,
                    request.slack_user_id,
                    target,
                    None,
                    who,
                    adding=meta.adding,
                    at=deps.clock(),
                    workspace_wide=picked == EVERY_PROGRAM,
                    program_id=None if picked == EVERY_PROGRAM else int(picked),
                )
        except (flow.NotAdminOfError, NotAllowedError, NotFoundError):
            return Answer(ack={"response_action": "errors", "errors": _unknown()})
        text = change_text(meta.adding, target, change)
        return then(tell_in_dm(request.slack_user_id, text))

    return handle


def _unknown() -> dict[str, str]:
    return {Block.ADMIN_PROGRAM: copy.ADMIN_FORM_ERR_PROGRAM}


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("admin", "add"), handle_command_admin_people(deps, True), admin=True)
    router.add(("admin", "remove"), handle_command_admin_people(deps, False), admin=True)
    registrar.view(Callback.ADMIN_PEOPLE, handle_view_admin_people(deps), admin=picked_target(deps))
