"""Enrollment in Slack: /mentor join|profile|status|pause|resume|leave|forget-me and the modal.

`join` acks at once and opens the modal after the ack (a trigger_id lives 3 s). Someone new
to us is looked up with users.info first, so the form opens once, in their zone, or a
refusal is said instead; for someone known the form opens first, and a deactivated user, bot
or guest then sees it turn into a refusal, and a zone that differs from what we knew
refreshes it. A submission is validated and stored before it is acknowledged, so its errors
show next to the fields and a stored enrollment is never half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser
from dateutil.relativedelta import relativedelta
from slack_sdk.models.blocks import ActionsBlock, ButtonElement, SectionBlock

from flows import enrollment as flow
from flows.enrollment import Excluded, ExcludedError
from handlers import copy
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import Deps
from handlers.enroll_form import joined, notice, read_choice, read_form
from handlers.ids import Action, Block, Callback
from handlers.join import form_view, open_form, refusal_text
from handlers.listen import Answer, Registrar, Request, Slack, reply, tell, then
from handlers.messages import excluded_text
from handlers.payloads import JoinForm as JoinMeta
from handlers.payloads import decode
from handlers.publish import publish
from handlers.status import status_text
from handlers.text import esc
from models.errors import DomainError, InvalidError

MAX_PAUSE = timedelta(days=366)


def _say(slack: Slack, text: str) -> None:
    slack.respond(text=text, response_type="ephemeral", replace_original=False)


def handle_command_join(deps: Deps, *, editing: bool) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        return then(
            open_form(
                deps,
                team_id=request.team_id,
                user_id=request.slack_user_id,
                trigger_id=request.trigger_id,
                name=" ".join(request.words) or None,
                editing=editing,
                say=_say,
            )
        )

    return handle


# --- the modal's submissions ----------------------------------------------------------------


def _errors(errors: dict[str, str]) -> Answer:
    return Answer(ack={"response_action": "errors", "errors": errors})


def handle_view_choose_program(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        raw = read_choice(request.values)
        with deps.sessions.begin() as s:
            form = flow.chosen_form(s, request.team_id, request.slack_user_id, raw, deps.clock())
        if form is None:
            return _errors({Block.PROGRAM: copy.ERR_UNKNOWN})
        if isinstance(form, Excluded):
            return _replace(excluded_text(form.program_name, form.rules))
        return Answer(ack={"response_action": "update", "view": form_view(form).to_dict()})

    return handle


def handle_view_join(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        meta = decode(JoinMeta, request.private_metadata)
        if meta is None:
            return _replace(copy.ERR_UNKNOWN)
        at = deps.clock()
        try:
            with deps.sessions.begin() as s:
                context = flow.context_for_submit(
                    s, request.team_id, request.slack_user_id, meta.program_id, meta.tz[:64]
                )
                if context == "unknown":
                    return _replace(copy.ERR_UNKNOWN)
                if context == "closed":
                    return _errors({Block.ROLE: copy.ERR_CLOSED})
                if isinstance(context, str):
                    return _replace(refusal_text(context))
                form, errors = read_form(request.values, context)
                if form is None:
                    return _errors(errors)
                saved = flow.save_profile(
                    s,
                    request.team_id,
                    request.slack_user_id,
                    context,
                    form,
                    version=request.view_id,
                    at=at,
                    forget_key=deps.forget_key,
                )
        except ExcludedError as error:
            return _replace(excluded_text(error.excluded.program_name, error.excluded.rules))
        except DomainError as error:
            return _errors({Block.ROLE: str(error)[:150]})
        return Answer(
            ack={"response_action": "update", "view": joined(saved.confirmation).to_dict()},
            after=(publish(deps, request.team_id, request.slack_user_id),),
        )

    return handle


def _replace(text: str) -> Answer:
    return Answer(
        ack={"response_action": "update", "view": notice(copy.JOIN_TITLE, text).to_dict()}
    )


# --- status, pause, resume, leave ------------------------------------------------------------


def handle_command_status(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        with deps.sessions.begin() as s:
            lines = flow.status(s, request.team_id, request.slack_user_id, deps.clock())
        return reply(status_text(lines) if lines else copy.STATUS_NONE)

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


def local_today(at: datetime, tz: str) -> date:
    try:
        return at.astimezone(ZoneInfo(tz)).date()
    except (KeyError, ValueError):
        return at.date()


def handle_command_pause(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        at = deps.clock()
        with deps.sessions.begin() as s:
            person = flow.me(s, request.team_id, request.slack_user_id)
            until = parse_pause(request.words, local_today(at, person.tz or "UTC"))
            flow.pause(s, person, until, at=at)
        return reply(copy.PAUSED.format(date=f"{until:%a %d %b %Y}"))

    return handle


def handle_command_resume(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        with deps.sessions.begin() as s:
            person = flow.me(s, request.team_id, request.slack_user_id)
            resumed = flow.resume(s, person, at=deps.clock())
        return reply(copy.RESUMED if resumed else copy.NOT_PAUSED)

    return handle


def handle_command_leave(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        with deps.sessions.begin() as s:
            person = flow.me(s, request.team_id, request.slack_user_id)
            name = flow.leave(s, person, " ".join(request.words) or None, at=deps.clock())
        return reply(copy.LEFT.format(program=esc(name)))

    return handle


# --- forget-me ------------------------------------------------------------------------------


def forget_confirm_blocks() -> list[dict[str, object]]:
    return [
        SectionBlock(text=copy.FORGET_CONFIRM).to_dict(),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=copy.FORGET_YES,
                    action_id=Action.FORGET_ME_CONFIRM,
                    value="forget",
                    style="danger",
                ),
                ButtonElement(text=copy.FORGET_NO, action_id=Action.FORGET_ME_CANCEL, value="keep"),
            ]
        ).to_dict(),
    ]


def handle_command_forget(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        if request.words:
            raise InvalidError(copy.FORGET_USAGE)
        return reply(copy.FORGET_CONFIRM, blocks=forget_confirm_blocks())

    return handle


def handle_action_forget(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        with deps.sessions.begin() as s:
            forgotten = flow.forget(
                s, request.team_id, request.slack_user_id, key=deps.forget_key, at=deps.clock()
            )
        return then(tell(copy.FORGOTTEN if forgotten else copy.FORGET_NOTHING, replace=True))

    return handle


def handle_action_forget_cancel(request: Request) -> Answer:
    return then(tell(copy.FORGET_CANCELLED, replace=True))


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("join",), handle_command_join(deps, editing=False))
    router.add(("profile",), handle_command_join(deps, editing=True))
    router.add(("status",), handle_command_status(deps))
    router.add(("pause",), handle_command_pause(deps))
    router.add(("resume",), handle_command_resume(deps))
    router.add(("leave",), handle_command_leave(deps))
    router.add(("forget-me",), handle_command_forget(deps))
    registrar.view(Callback.JOIN_PROGRAM, handle_view_choose_program(deps))
    registrar.view(Callback.JOIN, handle_view_join(deps))
    registrar.action(Action.FORGET_ME_CONFIRM, handle_action_forget(deps))
    registrar.action(Action.FORGET_ME_CANCEL, handle_action_forget_cancel)
