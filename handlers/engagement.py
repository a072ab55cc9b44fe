"""Engagement in Slack: check-in and intro buttons, keep-going answers, the pulse, rematch.

Each listener reads who clicked and what, makes one flows.engagement call in its
transaction (committed before the ack), and answers: the answered message loses its buttons,
and the clicker gets a private note. Answers are private: they are stored against the person
and only ever shown back to that person.
"""

from __future__ import annotations

from collections.abc import Callable

from flows import engagement as flow
from flows.engagement import Answered
from handlers import copy
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import Deps
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
from handlers.payloads import CheckInRef, MatchRef, SurveyRef, decode
from handlers.surveys import pulse_form, read_pulse
from handlers.text import mention
from models.errors import InvalidError
from models.states import CheckInAnswer
from models.workspace import find_person_id

ANSWERS = {
    Action.CHECKIN_MET: CheckInAnswer.MET,
    Action.CHECKIN_NOT_YET: CheckInAnswer.NOT_YET,
    Action.CHECKIN_RESCHEDULING: CheckInAnswer.RESCHEDULING,
    Action.CHECKIN_END: CheckInAnswer.END,
}
MAX_COMMENT = 1000


def _after_answer(request: Request, outcome: str, thanks: str, note: str) -> Answer:
    """The reply to a button: a private note, and the message updated once it is answered."""
    if outcome == Answered.NOT_A_MEMBER:
        return then(tell(copy.NOT_A_MEMBER))
    if outcome == Answered.ALREADY:
        return then(tell(copy.CHECKIN_ALREADY))
    if outcome == Answered.GONE:
        return then(tell(copy.PULSE_GONE))
    if outcome == Answered.ENDED:
        return then(replace_buttons(request, copy.MATCH_ENDED_NOTE), tell(copy.REMATCH_DONE))
    return then(replace_buttons(request, note), tell(thanks))


def handle_action_checkin(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        answer = ANSWERS.get(request.action_id)  # type: ignore[call-overload]
        ref = decode(CheckInRef, request.value)
        at = deps.clock()
        with deps.sessions.begin() as s:
            person_id = find_person_id(s, request.team_id, request.slack_user_id)
            outcome = (
                flow.answer_checkin(s, ref.checkin_id, person_id, answer, at)
                if answer is not None and ref is not None
                else Answered.NOT_A_MEMBER
            )
        words = copy.CHECKIN_ANSWER_WORDS.get(str(answer), "")
        return _after_answer(
            request,
            outcome,
            copy.CHECKIN_THANKS.format(answer=words),
            copy.CHECKIN_ANSWERED.format(user=mention(request.slack_user_id), answer=words),
        )

    return handle


def handle_action_match(deps: Deps, *, scheduled: bool) -> Callable[[Request], Answer]:
    """The intro's buttons: 'We've scheduled' records a meeting; 'Not a good fit' exits."""

    def handle(request: Request) -> Answer:
        ref = decode(MatchRef, request.value)
        at = deps.clock()
        with deps.sessions.begin() as s:
            person_id = find_person_id(s, request.team_id, request.slack_user_id)
            outcome = flow.answer_intro(
                s, ref.match_id if ref else None, person_id, scheduled=scheduled, at=at
            )
        if outcome == Answered.RECORDED:
            # the intro stays useful (who, why, times): only its buttons give way
            note = copy.SCHEDULED_NOTE.format(user=mention(request.slack_user_id))
            return then(replace_buttons(request, note), tell(copy.SCHEDULED_THANKS))
        return _after_answer(request, outcome, "", "")

    return handle


def handle_action_keep_going(deps: Deps, *, keep: bool) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(SurveyRef, request.value)
        at = deps.clock()
        with deps.sessions.begin() as s:
            person_id = find_person_id(s, request.team_id, request.slack_user_id)
            outcome = flow.answer_keep_going(
                s, ref.survey_id if ref else None, person_id, keep=keep, at=at
            )
        note = copy.KEEP_GOING_YES_NOTE if keep else copy.KEEP_GOING_NO_NOTE
        return _after_answer(request, outcome, copy.KEEP_GOING_THANKS, note)

    return handle


def handle_action_pulse_open(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(SurveyRef, request.value)
        with deps.sessions.begin() as s:
            person_id = find_person_id(s, request.team_id, request.slack_user_id)
            form = flow.open_pulse(s, ref.survey_id if ref else None, person_id, deps.clock())
        if form is None:
            return then(tell(copy.PULSE_GONE))
        return then(open_view(request.trigger_id, pulse_form(form)))

    return handle


def handle_view_pulse(deps: Deps) -> Callable[[Request], Answer]:
    def handle(request: Request) -> Answer:
        ref = decode(SurveyRef, request.private_metadata)
        if ref is None:
            return Answer(ack={"response_action": "errors", "errors": _gone()})
        at = deps.clock()
        with deps.sessions.begin() as s:
            final = flow.is_final_survey(s, ref.survey_id)
            answer, errors = read_pulse(request.values, final)
            if answer is None:
                return Answer(ack={"response_action": "errors", "errors": errors})
            person_id = find_person_id(s, request.team_id, request.slack_user_id)
            if not flow.record_pulse(s, ref.survey_id, person_id, answer, at):
                return Answer(ack={"response_action": "errors", "errors": _gone()})
        return Answer()

    return handle


def _gone() -> dict[str, str]:
    return {Block.PULSE_VALUE: copy.PULSE_GONE}


# --- commands -------------------------------------------------------------------------------


def handle_command_rematch(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        if request.words:
            raise InvalidError(copy.REMATCH_USAGE)
        with deps.sessions.begin() as s:
            person_id = find_person_id(s, request.team_id, request.slack_user_id)
            ended = flow.rematch(s, person_id, deps.clock())
        return reply(copy.REMATCH_DONE if ended else copy.REMATCH_NONE)

    return handle


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("rematch",), handle_command_rematch(deps))
    for action in ANSWERS:
        registrar.action(action, handle_action_checkin(deps))
    registrar.action(Action.SCHEDULED, handle_action_match(deps, scheduled=True))
    registrar.action(Action.NOT_A_GOOD_FIT, handle_action_match(deps, scheduled=False))
    registrar.action(Action.KEEP_GOING_YES, handle_action_keep_going(deps, keep=True))
    registrar.action(Action.KEEP_GOING_NO, handle_action_keep_going(deps, keep=False))
    registrar.action(Action.PULSE_OPEN, handle_action_pulse_open(deps))
    registrar.view(Callback.PULSE, handle_view_pulse(deps))
