"""Keeping pairs alive in Slack: the engagement job, check-in and keep-going buttons, pulses.

Every message lands at 10:00 on a working day in its reader's own zone (a pair's check-in
at the first such time that is inside both members' working hours), is keyed so a rerun or
a second replica adds nothing, and is skipped for paused people. Answers are private: they
are stored against the person and only ever shown back to that person.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View
from sqlalchemy.orm import Session, lazyload

from handlers import copy
from handlers.commands import CommandRequest, CommandRouter, CommandTools, Reply
from handlers.context import Deps
from handlers.enroll_form import V, selected
from handlers.ids import Action, Block, Callback
from handlers.notify import end_match_kindly
from matching.timing import next_local_time, zone
from models import engagement as store
from models import goals, outbox
from models.matches import list_open_match_ids
from models.tables import CheckIn, Match, MatchMember, Program, PulseSurvey
from models.workspace import get_person, get_workspace

if TYPE_CHECKING:  # the registry imports this module
    from handlers.registry import Registrar

log = logging.getLogger("mentorbot.engagement")
ANSWERS = {
    Action.CHECKIN_MET: "met",
    Action.CHECKIN_NOT_YET: "not_yet",
    Action.CHECKIN_RESCHEDULING: "rescheduling",
    Action.CHECKIN_END: "end",
}
ANSWER_WORDS = {
    "met": "you met",
    "not_yet": "not yet",
    "rescheduling": "rescheduling",
    "end": "ending",
}


# --- when a message lands ------------------------------------------------------------------


def _in_hours(member: store.Member, moment: datetime) -> bool:
    local = moment.astimezone(zone(member.tz))
    minute = local.hour * 60 + local.minute
    return (
        local.weekday() in member.working_days and member.start_minute <= minute < member.end_minute
    )


def landing_time(readers: Sequence[store.Member], after: datetime) -> datetime:
    """10:00 on a working day for each reader; for several, the first such time in all hours."""
    candidates = sorted(next_local_time(m.tz, m.working_days, 10, after_utc=after) for m in readers)
    for moment in candidates:
        if all(_in_hours(m, moment) for m in readers):
            return moment
    return candidates[0]


# --- the job ------------------------------------------------------------------------------


def _buttons(*pairs: tuple[str, str, str]) -> dict[str, Any]:
    return ActionsBlock(
        elements=[ButtonElement(text=t, action_id=a, value=v) for t, a, v in pairs]
    ).to_dict()


def _send(
    s: Session,
    match: Match,
    workspace_id: int,
    key: str,
    readers: Sequence[store.Member],
    at: datetime,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    payload: dict[str, Any] = {"text": text}
    if blocks:
        payload["blocks"] = blocks
    outbox.enqueue(
        s,
        workspace_id=workspace_id,
        key=key,
        conversation=outbox.dm_to(*(m.slack_user_id for m in readers)),
        payload=payload,
        at=at,
        match_id=match.id,
        not_before=landing_time(readers, at),
    )


def _slots_text(members: Sequence[store.Member], at: datetime) -> str:
    moments = [landing_time(members, at + timedelta(days=d)) for d in (0, 1, 2)]
    unique = sorted(set(moments))[:3]
    return "\n".join(
        f"• <!date^{int(m.timestamp())}^{{date_short_pretty}} {{time}}|{m:%a %d %b %H:%M} UTC>"
        for m in unique
    )


def engage_match(s: Session, match_id: int, at: datetime) -> None:
    """One step of the engagement ladder for one match; safe to run again at any time."""
    match = s.get(Match, match_id, options=[lazyload(Match.members)])
    if match is None or match.state not in ("active", "stalled") or match.started_at is None:
        return
    program = s.get_one(Program, match.program_id)
    people = store.members(s, match)
    awake = [m for m in people if not m.paused]
    cadence = timedelta(days=program.meeting_cadence_days)
    ws = program.workspace_id

    if match.ends_at is not None and at >= match.ends_at:
        _complete(s, match, program, people, at)
        return

    # the mentee is invited to set goals once, when the match starts
    if at - match.started_at < cadence:
        for member in awake:
            if member.role != "mentee" or goals.goals_in_match(s, match.id, member.person_id):
                continue
            key = f"match:{match.id}:goals-invite:{member.person_id}"
            if outbox.exists(s, key):
                continue
            text = copy.GOALS_INVITE.format(program=program.name)
            _send(
                s,
                match,
                ws,
                key,
                [member],
                at,
                text,
                [
                    SectionBlock(text=text).to_dict(),
                    _buttons((copy.GOALS_BUTTON, Action.GOALS_OPEN, str(match.id))),
                ],
            )

    # check-ins, at the program's cadence, in the pair's DM (not while anyone is paused)
    period = int((at - match.started_at) / cadence)
    if period >= 1 and len(awake) == len(people):
        checkin = store.open_checkin(s, match, period, at)
        if checkin is not None:
            since = f"{checkin.since:%a %d %b}"
            value = json.dumps({"checkin_id": checkin.id})
            _send(
                s,
                match,
                ws,
                f"match:{match.id}:checkin:{period}",
                people,
                at,
                copy.CHECKIN.format(since=since),
                [
                    SectionBlock(text=copy.CHECKIN.format(since=since)).to_dict(),
                    _buttons(
                        (copy.CHECKIN_MET, Action.CHECKIN_MET, value),
                        (copy.CHECKIN_NOT_YET, Action.CHECKIN_NOT_YET, value),
                        (copy.CHECKIN_RESCHEDULING, Action.CHECKIN_RESCHEDULING, value),
                        (copy.CHECKIN_END, Action.CHECKIN_END, value),
                    ),
                ],
            )

    nudge_gap = timedelta(days=store.threshold(program, "nudge_gap_days"))
    may_nudge = match.last_nudge_at is None or at - match.last_nudge_at >= nudge_gap
    first_days = store.threshold(program, "first_meeting_days")
    if (
        match.state == "active"
        and match.first_meeting_at is None
        and at - match.started_at >= timedelta(days=first_days)
        and not outbox.exists(s, f"match:{match.id}:first-nudge")
        and may_nudge
        and len(awake) == len(people)
    ):
        text = copy.FIRST_MEETING_NUDGE.format(days=first_days, slots=_slots_text(people, at))
        _send(s, match, ws, f"match:{match.id}:first-nudge", people, at, text)
        match.last_nudge_at = at
        may_nudge = False

    # the stall ladder
    last = max(t for t in (match.last_meeting_at, match.started_at, match.stalled_at) if t)
    quiet = at - last >= store.threshold(program, "stall_periods") * cadence
    # stalled_at on an active match marks its fresh start after everyone chose to keep going
    streak = store.not_yet_streak(s, match.id, since=match.stalled_at) >= store.threshold(
        program, "not_yet_limit"
    )
    sequence = store.stall_count(s, match.id)
    if match.state == "active" and (quiet or streak) and awake and may_nudge:
        match.state = "stalled"
        match.stalled_at = at
        match.last_nudge_at = at
        sequence += 1
        grace = timedelta(days=store.threshold(program, "grace_days"))
        for member in awake:
            row = store.survey(s, match.id, member.person_id, "keep_going", sequence, at, grace)
            if row is None:
                continue
            value = json.dumps({"survey_id": row.id})
            text = copy.KEEP_GOING.format(program=program.name)
            _send(
                s,
                match,
                ws,
                f"match:{match.id}:keep-going:{sequence}:{member.person_id}",
                [member],
                at,
                text,
                [
                    SectionBlock(text=text).to_dict(),
                    _buttons(
                        (copy.KEEP_GOING_YES, Action.KEEP_GOING_YES, value),
                        (copy.KEEP_GOING_NO, Action.KEEP_GOING_NO, value),
                    ),
                ],
            )
    elif match.state == "stalled" and match.stalled_at is not None:
        answers = store.keep_going_answers(s, match.id, sequence)
        if answers and all(a is True for a in answers.values()):
            match.state = "active"  # everyone wants to go on: a fresh start from now
            match.stalled_at = at
        elif at - match.stalled_at >= timedelta(days=store.threshold(program, "grace_days")):
            end_match_kindly(s, match.id, at=at, reason="stalled")
            return

    _pulses(s, match, program, awake, at)


def _pulses(
    s: Session, match: Match, program: Program, awake: Sequence[store.Member], at: datetime
) -> None:
    if match.first_meeting_at is None or match.state != "active":
        return
    every = timedelta(days=store.threshold(program, "pulse_every_days"))
    sequence = int((at - match.first_meeting_at) / every)
    kind = "first" if sequence == 0 else "monthly"
    expires = timedelta(days=store.threshold(program, "pulse_expire_days"))
    remind = timedelta(days=store.threshold(program, "pulse_remind_days"))
    for member in awake:
        row = store.survey(s, match.id, member.person_id, kind, sequence, at, expires)
        if row is not None:
            _survey_message(s, match, program, member, row, at, copy.PULSE, "pulse")
    for row in s.query(PulseSurvey).filter(
        PulseSurvey.match_id == match.id,
        PulseSurvey.kind.in_(("first", "monthly")),
        PulseSurvey.reminded_at.is_(None),
        PulseSurvey.expires_at > at,
    ):
        reader = next((m for m in awake if m.person_id == row.person_id), None)
        if reader and at - row.sent_at >= remind and store.answered(s, row.id) is None:
            row.reminded_at = at
            _survey_message(s, match, program, reader, row, at, copy.PULSE_REMINDER, "remind")


def _survey_message(
    s: Session,
    match: Match,
    program: Program,
    member: store.Member,
    row: PulseSurvey,
    at: datetime,
    template: str,
    what: str,
) -> None:
    text = template.format(program=program.name)
    _send(
        s,
        match,
        program.workspace_id,
        f"survey:{row.id}:{what}",
        [member],
        at,
        text,
        [
            SectionBlock(text=text).to_dict(),
            _buttons((copy.PULSE_BUTTON, Action.PULSE_OPEN, json.dumps({"survey_id": row.id}))),
        ],
    )


def _complete(
    s: Session, match: Match, program: Program, people: Sequence[store.Member], at: datetime
) -> None:
    match.state = "completed"
    match.ended_at = at
    match.end_reason = "completed"
    expires = timedelta(days=14)
    for member in people:
        row = store.survey(s, match.id, member.person_id, "final", 0, at, expires)
        if row is not None:
            _survey_message(s, match, program, member, row, at, copy.PULSE_FINAL, "final")
        if member.role == "mentee":
            _send(
                s,
                match,
                program.workspace_id,
                f"match:{match.id}:invite-mentor:{member.person_id}",
                [member],
                at,
                copy.MENTEE_INVITE.format(program=program.name),
            )
    _send(
        s,
        match,
        program.workspace_id,
        f"match:{match.id}:thanks",
        people,
        at,
        copy.COMPLETED_THANKS.format(program=program.name),
    )
    s.flush()


def run_engagement(deps: Deps) -> int:
    """Step every running match once; the number of matches looked at."""
    at = deps.clock()
    with deps.sessions.begin() as s:
        ids = store.list_running_matches(s)
    for match_id in ids:
        try:
            with deps.sessions.begin() as s:
                engage_match(s, match_id, at)
        except Exception:  # one bad match must not stop the others
            log.exception("engagement step failed for match %s", match_id)
    return len(ids)


# --- buttons -------------------------------------------------------------------------------


def _value(body: dict[str, Any], key: str) -> int | None:
    raw = str(((body.get("actions") or [{}])[0] or {}).get("value") or "")
    try:
        data = json.loads(raw)
        return int(data[key]) if isinstance(data, dict) else None
    except (ValueError, KeyError, TypeError):
        return None


def _clicker(s: Session, body: dict[str, Any]) -> int | None:
    user = body.get("user") or {}
    team = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
    workspace = get_workspace(s, team)
    person = get_person(s, workspace.id, str(user.get("id") or "")) if workspace else None
    return person.id if person else None


def _tell(respond: Any, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def exit_match(s: Session, match_id: int, at: datetime) -> bool:
    """The no-fault exit: both told the same words, both queued first, nobody told who."""
    return end_match_kindly(s, match_id, at=at, reason="no_fault") is not None


def handle_action_checkin(deps: Deps) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any], respond: Any) -> None:
        ack()
        action = str(((body.get("actions") or [{}])[0] or {}).get("action_id") or "")
        answer = ANSWERS.get(action)  # type: ignore[call-overload]
        checkin_id = _value(body, "checkin_id")
        at = deps.clock()
        with deps.sessions.begin() as s:
            person_id = _clicker(s, body)
            checkin = s.get(CheckIn, checkin_id) if checkin_id else None
            if answer is None or person_id is None or checkin is None:
                _tell(respond, copy.NOT_A_MEMBER)
                return
            if store.member_of(s, checkin.match_id, person_id) is None:
                _tell(respond, copy.NOT_A_MEMBER)
                return
            if not store.answer_checkin(s, checkin.id, person_id, answer, at):
                _tell(respond, copy.CHECKIN_ALREADY)
                return
            if answer == "end":
                exit_match(s, checkin.match_id, at)
                _tell(respond, copy.REMATCH_DONE)
                return
        _tell(respond, copy.CHECKIN_THANKS.format(answer=ANSWER_WORDS[answer]))

    return listener


def handle_action_match(deps: Deps, *, scheduled: bool) -> Callable[..., None]:
    """The intro's buttons: 'We've scheduled' records a meeting; 'Not a good fit' exits."""

    def listener(ack: Any, body: dict[str, Any], respond: Any) -> None:
        ack()
        match_id = _value(body, "match_id")
        at = deps.clock()
        with deps.sessions.begin() as s:
            person_id = _clicker(s, body)
            member = s.get(MatchMember, (match_id, person_id)) if match_id and person_id else None
            match = s.get(Match, match_id) if member else None
            if (
                member is None
                or match is None
                or match.state not in ("proposed", "active", "stalled")
            ):
                _tell(respond, copy.NOT_A_MEMBER)
                return
            if scheduled:
                member.scheduled_confirmed_at = member.scheduled_confirmed_at or at
                store.record_meeting(s, match, at)
                text = copy.SCHEDULED_THANKS
            else:
                exit_match(s, match.id, at)
                text = copy.REMATCH_DONE
        _tell(respond, text)

    return listener


def handle_action_keep_going(deps: Deps, *, keep: bool) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any], respond: Any) -> None:
        ack()
        survey_id = _value(body, "survey_id")
        at = deps.clock()
        with deps.sessions.begin() as s:
            person_id = _clicker(s, body)
            row = s.get(PulseSurvey, survey_id) if survey_id else None
            if row is None or person_id is None or row.kind != "keep_going":
                _tell(respond, copy.PULSE_GONE)
                return
            if not store.respond(s, row.id, person_id, at, keep_going=keep):
                _tell(respond, copy.PULSE_GONE)
                return
            if not keep:
                exit_match(s, row.match_id, at)
        _tell(respond, copy.KEEP_GOING_THANKS)

    return listener


# --- the pulse modal -----------------------------------------------------------------------


def survey_goals(s: Session, survey_id: int) -> list[tuple[int, str, int]]:
    """(goal id, title, progress) of the survey's reader, asked about in the pulse."""
    row = s.get(PulseSurvey, survey_id)
    if row is None or row.kind == "keep_going":
        return []
    return [
        (g.id, g.title, g.progress) for g in goals.goals_in_match(s, row.match_id, row.person_id)
    ]


def pulse_form(survey_id: int, final: bool, goal_list: Sequence[tuple[int, str, int]] = ()) -> View:
    ratings = [Option(value=str(n), label=str(n)) for n in range(1, 6)]
    steps = [Option(value=str(n), label=f"{n}%") for n in goals.PROGRESS_STEPS]
    per_goal = [
        InputBlock(
            block_id=f"{Block.PULSE_GOAL}{goal_id}",
            label=f"How far along: {title}"[:150],
            element=StaticSelectElement(
                action_id=V,
                options=steps,
                initial_option=next((o for o in steps if o.value == str(progress)), None),
            ),
        )
        for goal_id, title, progress in goal_list
    ]
    blocks: list[Any] = [
        InputBlock(
            block_id=Block.PULSE_VALUE,
            label="How valuable are your sessions? (1-5)",
            element=StaticSelectElement(action_id=V, options=ratings),
        ),
        InputBlock(
            block_id=Block.PULSE_PROGRESS,
            label="Progress on your goals (1-5)",
            element=StaticSelectElement(action_id=V, options=ratings),
        ),
        *per_goal,
    ]
    if final:
        blocks.append(
            InputBlock(
                block_id=Block.PULSE_RECOMMEND,
                label="Would you recommend mentoring here? (0-10)",
                element=StaticSelectElement(
                    action_id=V, options=[Option(value=str(n), label=str(n)) for n in range(11)]
                ),
            )
        )
        blocks.append(
            InputBlock(
                block_id=Block.PULSE_KUDOS,
                label="Kudos",
                optional=True,
                element=CheckboxesElement(
                    action_id=V,
                    options=[Option(value="yes", label="Thank my partner in the program channel")],
                ),
            )
        )
    blocks.append(
        InputBlock(
            block_id=Block.PULSE_COMMENT,
            label="Anything else? (private)",
            optional=True,
            element=PlainTextInputElement(action_id=V, multiline=True, max_length=1000),
        )
    )
    return View(
        type="modal",
        callback_id=Callback.PULSE,
        title=copy.PULSE_TITLE,
        submit="Send",
        close="Cancel",
        private_metadata=json.dumps({"survey_id": survey_id}),
        blocks=blocks,
    )


def handle_action_pulse_open(deps: Deps) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any], client: Any, respond: Any) -> None:
        ack()
        survey_id = _value(body, "survey_id")
        with deps.sessions.begin() as s:
            person_id = _clicker(s, body)
            row = s.get(PulseSurvey, survey_id) if survey_id else None
            open_ = (
                row is not None
                and row.person_id == person_id
                and row.expires_at > deps.clock()
                and store.answered(s, row.id) is None
            )
            final = bool(row and row.kind == "final")
            goal_list = survey_goals(s, survey_id) if open_ and survey_id else []
        if not open_ or survey_id is None:
            _tell(respond, copy.PULSE_GONE)
            return
        client.views_open(
            trigger_id=str(body.get("trigger_id") or ""),
            view=pulse_form(survey_id, final, goal_list),
        )

    return listener


def _rating(values: dict[str, Any], block: str, top: int) -> int | None:
    raw = selected(values, block)
    return int(raw) if raw is not None and raw.isdigit() and int(raw) <= top else None


def handle_view_pulse(deps: Deps) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        values = (view.get("state") or {}).get("values") or {}
        try:
            survey_id = int(json.loads(str(view.get("private_metadata") or "{}"))["survey_id"])
        except (ValueError, KeyError, TypeError):
            ack(response_action="errors", errors={Block.PULSE_VALUE: copy.PULSE_GONE})
            return
        at = deps.clock()
        with deps.sessions.begin() as s:
            row = s.get(PulseSurvey, survey_id)
            final = bool(row and row.kind == "final")
            errors: dict[str, str] = {}
            value = _rating(values, Block.PULSE_VALUE, 5)
            progress = _rating(values, Block.PULSE_PROGRESS, 5)
            recommend = _rating(values, Block.PULSE_RECOMMEND, 10) if final else None
            if value is None or value < 1:
                errors[Block.PULSE_VALUE] = copy.ERR_RATING
            if progress is None or progress < 1:
                errors[Block.PULSE_PROGRESS] = copy.ERR_RATING
            if final and recommend is None:
                errors[Block.PULSE_RECOMMEND] = copy.ERR_RATING
            progress_by_goal: dict[int, int] = {}
            for block in values if isinstance(values, dict) else ():
                if str(block).startswith(Block.PULSE_GOAL):
                    goal_id, step = str(block)[len(Block.PULSE_GOAL) :], selected(values, block)
                    if (
                        not goal_id.isdigit()
                        or step is None
                        or not step.isdigit()
                        or int(step) not in goals.PROGRESS_STEPS
                    ):
                        errors[str(block)] = copy.ERR_RATING
                    else:
                        progress_by_goal[int(goal_id)] = int(step)
            comment_raw = ((values.get(Block.PULSE_COMMENT) or {}).get(V) or {}).get("value")
            comment = comment_raw.strip()[:1000] if isinstance(comment_raw, str) else None
            if errors:
                ack(response_action="errors", errors=errors)
                return
            person_id = _clicker(s, body)
            if (
                row is None
                or person_id is None
                or not store.respond(
                    s,
                    row.id,
                    person_id,
                    at,
                    value_rating=value,
                    progress_rating=progress,
                    recommend=recommend,
                    comment=comment or None,
                )
            ):
                ack(response_action="errors", errors={Block.PULSE_VALUE: copy.PULSE_GONE})
                return
            answer = store.answered(s, row.id)
            if answer is not None and progress_by_goal:  # only once the answer is accepted
                answer.goal_progress = goals.record_progress(s, person_id, progress_by_goal, at)
            if final:
                kudos = ((values.get(Block.PULSE_KUDOS) or {}).get(V) or {}).get("selected_options")
                member = store.member_of(s, row.match_id, person_id)
                if member is not None:
                    member.kudos_opt_in = bool(kudos)
                _maybe_kudos(s, row.match_id, at)
        ack()

    return listener


def _maybe_kudos(s: Session, match_id: int, at: datetime) -> None:
    """Thank the mentor in the program channel once both members have opted in."""
    match = s.get_one(Match, match_id)
    program = s.get_one(Program, match.program_id)
    if not program.program_channel_id or not all(m.kudos_opt_in for m in match.members):
        return
    people = store.members(s, match)
    mentor = next((m for m in people if m.role == "mentor"), None)
    mentee = next((m for m in people if m.role == "mentee"), None)
    if mentor is None or mentee is None:
        return
    outbox.enqueue(
        s,
        workspace_id=program.workspace_id,
        key=f"match:{match_id}:kudos",
        conversation=program.program_channel_id,
        payload={
            "text": copy.KUDOS.format(
                mentor=mentor.slack_user_id, mentee=mentee.slack_user_id, program=program.name
            )
        },
        at=at,
        match_id=match_id,
    )


# --- commands -------------------------------------------------------------------------------


def handle_command_rematch(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        at = deps.clock()
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, request.team_id)
            person = get_person(s, workspace.id, request.slack_user_id) if workspace else None
            ids = list_open_match_ids(s, person.id) if person else []
            if not ids:
                return Reply(copy.REMATCH_NONE)
            for match_id in ids:
                exit_match(s, match_id, at)
        return Reply(copy.REMATCH_DONE)

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
