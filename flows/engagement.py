"""Keeping pairs alive: one engagement step per match, and what members answer.

`step_match` is the ladder a running match climbs, written as small named steps: complete it
when its time is up, invite the mentee to set goals, ask "did you meet?" each cadence, nudge a
first meeting, stall a quiet pair and ask each member whether to keep going, send pulses.
Every step is keyed, so running it again (a rerun, a second replica) adds nothing; nothing is
asked of a paused member or of a match an admin paused, and every ask lands in its reader's
working hours.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from flows import impact, notices
from flows.matches import end_kindly, hours_of, to_members
from flows.notify import ToChannel, cancel_about_match, emit, emitted, lands_at
from matching.landing import landing_time
from models import engagement as store
from models import goals, outbox
from models.engagement import close_surveys
from models.matches import Member, get_with_program, list_members, list_open_match_ids
from models.states import (
    CheckInAnswer,
    EndReason,
    MatchState,
    MemberRole,
    SurveyKind,
)
from models.tables import CheckIn, Match, Program, PulseSurvey

log = logging.getLogger("mentorbot.engagement")

FINAL_SURVEY_DAYS = 14


@dataclass
class _Step:
    """One match at one moment, as every step of the ladder sees it."""

    s: Session
    match: Match
    program: Program
    people: list[Member]
    at: datetime

    @property
    def awake(self) -> list[Member]:
        return [m for m in self.people if not m.paused]

    @property
    def everyone_awake(self) -> bool:
        return all(not m.paused for m in self.people)

    @property
    def cadence(self) -> timedelta:
        return timedelta(days=self.program.meeting_cadence_days)

    def days(self, name: str) -> timedelta:
        return timedelta(days=store.threshold(self.program, name))

    def emit(
        self,
        notice: notices.Notice,
        readers: Sequence[Member],
        not_before: datetime | None = None,
    ) -> bool:
        """Queue `notice` at its landing time, or at the first one after `not_before`."""
        to = to_members(readers)
        # a landing at the very moment of `not_before` is fine (sent after it, by priority)
        after = max(self.at, not_before - timedelta(seconds=1)) if not_before else self.at
        return emit(
            self.s,
            notice,
            to=to,
            workspace_id=self.program.workspace_id,
            at=self.at,
            not_before=lands_at(notice, to, after),
        )


def step_match(s: Session, match_id: int, at: datetime) -> None:
    """One step of the engagement ladder for one match; safe to run again at any time."""
    found = get_with_program(s, match_id)
    if found is None:
        return
    match, program = found
    if match.state not in (MatchState.ACTIVE, MatchState.STALLED):
        return
    if match.started_at is None or match.paused_at is not None:
        return  # not started, or paused by an admin acting on a concern
    step = _Step(s, match, program, list_members(s, match.id), at)
    if match.ends_at is not None and at >= match.ends_at:
        _complete(step)
        return
    _invite_goals(step)
    _ask_checkin(step)
    nudged = _nudge_first_meeting(step)
    if _stall_ladder(step, may_nudge=not nudged):
        return  # ended
    unreminded = _pulses(step)
    match.next_due_at = _next_due(step, unreminded)


def _next_due(step: _Step, unreminded: Sequence[datetime]) -> datetime:
    """When this match next needs a step: the earliest threshold ahead of now (`unreminded`:
    when each open pulse not yet reminded was sent). Anything that changes the match between
    steps (an answer, a meeting, a pause) wakes it sooner."""
    match, at = step.match, step.at
    assert match.started_at is not None
    cadence = step.cadence
    ahead: list[datetime] = [
        match.started_at + (int((at - match.started_at) / cadence) + 1) * cadence
    ]  # the next check-in
    if match.ends_at is not None:
        ahead.append(match.ends_at)
    if match.last_nudge_at is not None:
        ahead.append(match.last_nudge_at + step.days("nudge_gap_days"))
    if match.state == MatchState.ACTIVE:
        if match.first_meeting_at is None:
            ahead.append(match.started_at + step.days("first_meeting_days"))
        last = max(t for t in (match.last_meeting_at, match.started_at, match.stalled_at) if t)
        ahead.append(last + store.threshold(step.program, "stall_periods") * cadence)
    if match.state == MatchState.STALLED and match.stalled_at is not None:
        ahead.append(match.stalled_at + step.days("grace_days"))
    if match.state == MatchState.ACTIVE and match.first_meeting_at is not None:
        every = step.days("pulse_every_days")
        done = int((at - match.first_meeting_at) / every)
        ahead.append(match.first_meeting_at + (done + 1) * every)
        remind = step.days("pulse_remind_days")
        ahead += [sent + remind for sent in unreminded]
    future = [moment for moment in ahead if moment > at]
    return min(future, default=at + cadence)


def _invite_goals(step: _Step) -> None:
    """The mentee is invited to set goals once, in the match's first cadence period."""
    match = step.match
    assert match.started_at is not None
    if step.at - match.started_at >= step.cadence:
        return
    for member in step.awake:
        if member.role != MemberRole.MENTEE:
            continue
        notice = notices.GoalsInvite(match.id, member.person_id, step.program.name)
        if emitted(step.s, notice.key) or goals.has_goals(
            step.s, step.program.id, member.person_id
        ):
            continue
        # never before the intro it follows (a pair's intro lands at a time in both hours)
        intro = outbox.pending_until(step.s, match.id, notices.MatchIntro.KIND)
        step.emit(notice, [member], not_before=intro)


def _ask_checkin(step: _Step) -> None:
    """At each cadence period, in the pair's DM (not while anyone is paused)."""
    match = step.match
    assert match.started_at is not None
    period = int((step.at - match.started_at) / step.cadence)
    if period < 1 or not step.everyone_awake:
        return
    checkin = store.open_checkin(step.s, match, period, step.at)
    if checkin is not None:
        step.emit(
            notices.CheckInAsk(match.id, period, checkin.id, checkin.since.date()), step.people
        )


def _may_nudge(step: _Step) -> bool:
    last = step.match.last_nudge_at
    return last is None or step.at - last >= step.days("nudge_gap_days")


def _nudge_first_meeting(step: _Step) -> bool:
    """No first meeting some days after the intro: times that fit everyone. True if sent."""
    match = step.match
    assert match.started_at is not None
    first_days = store.threshold(step.program, "first_meeting_days")
    if (
        match.state != MatchState.ACTIVE
        or match.first_meeting_at is not None
        or step.at - match.started_at < timedelta(days=first_days)
        or not _may_nudge(step)
        or not step.everyone_awake
    ):
        return False
    hours = [hours_of(m) for m in step.people]
    slots = sorted({landing_time(hours, step.at + timedelta(days=d)) for d in (0, 1, 2)})[:3]
    notice = notices.FirstMeetingNudge(match.id, first_days, tuple(slots))
    if not step.emit(notice, step.people):
        return False  # queued before (a rerun)
    match.last_nudge_at = step.at
    return True


def _stall_ladder(step: _Step, *, may_nudge: bool) -> bool:
    """A quiet pair is stalled and asked to keep going; after the grace it ends kindly.
    True when the match ended."""
    s, match, at = step.s, step.match, step.at
    if match.state == MatchState.ACTIVE:
        if not (step.awake and may_nudge and _may_nudge(step)):
            return False
        last = max(t for t in (match.last_meeting_at, match.started_at, match.stalled_at) if t)
        quiet = at - last >= store.threshold(step.program, "stall_periods") * step.cadence
        # stalled_at on an active match marks its fresh start after everyone kept going
        if quiet or store.not_yet_streak(s, match.id, since=match.stalled_at) >= (
            store.threshold(step.program, "not_yet_limit")
        ):
            _stall(step, store.stall_count(s, match.id) + 1)
        return False
    if match.stalled_at is None:
        return False
    answers = store.keep_going_answers(s, match.id, store.stall_count(s, match.id))
    if answers and all(a is True for a in answers.values()):
        match.state = MatchState.ACTIVE  # everyone wants to go on: a fresh start from now
        match.stalled_at = at
    elif at - match.stalled_at >= step.days("grace_days"):
        end_kindly(s, match.id, at=at, reason=EndReason.STALLED)
        return True
    return False


def _stall(step: _Step, sequence: int) -> None:
    match = step.match
    match.state = MatchState.STALLED
    match.stalled_at = step.at
    match.last_nudge_at = step.at
    grace = step.days("grace_days")
    for member in step.awake:
        row = store.survey(
            step.s, match.id, member.person_id, SurveyKind.KEEP_GOING, sequence, step.at, grace
        )
        if row is not None:
            step.emit(
                notices.KeepGoingAsk(
                    match.id, sequence, member.person_id, row.id, step.program.name
                ),
                [member],
            )


def _pulses(step: _Step) -> list[datetime]:
    """A pulse to each member every so often after the first meeting, and one reminder;
    when each open pulse still unreminded was sent."""
    s, match, at = step.s, step.match, step.at
    if match.first_meeting_at is None or match.state != MatchState.ACTIVE:
        return []
    every = step.days("pulse_every_days")
    sequence = int((at - match.first_meeting_at) / every)
    kind = SurveyKind.FIRST if sequence == 0 else SurveyKind.MONTHLY
    expires = step.days("pulse_expire_days")
    remind = step.days("pulse_remind_days")
    existing = store.pulses(s, match.id, (SurveyKind.FIRST, SurveyKind.MONTHLY))
    asked = {row.person_id for row, _ in existing if row.kind == kind and row.sequence == sequence}
    unreminded: list[datetime] = []
    for member in step.awake:
        if member.person_id in asked:
            continue
        opened = store.survey(s, match.id, member.person_id, kind, sequence, at, expires)
        if opened is not None:
            step.emit(notices.PulseAsk(match.id, opened.id, step.program.name), [member])
            unreminded.append(opened.since)
    for row, answered in existing:
        if row.reminded_at is not None or row.expires_at <= at:
            continue
        reader = next((m for m in step.awake if m.person_id == row.person_id), None)
        if reader and at - row.sent_at >= remind and not answered:
            row.reminded_at = at
            step.emit(notices.PulseReminder(match.id, row.id, step.program.name), [reader])
        else:
            unreminded.append(row.sent_at)
    return unreminded


def _complete(step: _Step) -> None:
    """The planned end: final surveys, an invitation to mentor, and thanks."""
    s, match, at, program = step.s, step.match, step.at, step.program
    match.state = MatchState.COMPLETED
    match.ended_at = at
    match.end_reason = EndReason.COMPLETED
    cancel_about_match(s, match.id)  # a check-in still queued never follows the thanks
    close_surveys(s, match.id, at=at)
    expires = timedelta(days=FINAL_SURVEY_DAYS)
    for member in step.people:
        row = store.survey(s, match.id, member.person_id, SurveyKind.FINAL, 0, at, expires)
        if row is not None:
            step.emit(notices.FinalSurvey(match.id, row.id, program.name), [member])
        if member.role == MemberRole.MENTEE:
            step.emit(notices.MentorInvite(match.id, member.person_id, program.name), [member])
        if member.role == MemberRole.MENTOR:
            impact.completion_summary(
                s, program, match.id, member.person_id, to_members([member]), at
            )
    step.emit(notices.CompletedThanks(match.id, program.name), step.people)
    s.flush()


# --- what members answer ------------------------------------------------------------------


class Answered(StrEnum):
    """What an answer did, for the reply: a code the handler turns into words."""

    RECORDED = "recorded"
    ALREADY = "already"
    NOT_A_MEMBER = "not_a_member"
    GONE = "gone"
    ENDED = "ended"


def exit_match(s: Session, match_id: int, at: datetime) -> bool:
    """The no-fault exit: both told the same words, both queued first, nobody told who."""
    return end_kindly(s, match_id, at=at, reason=EndReason.NO_FAULT)


def answer_checkin(
    s: Session, checkin_id: int | None, person_id: int | None, answer: str, at: datetime
) -> str:
    checkin = s.get(CheckIn, checkin_id) if checkin_id is not None else None
    if person_id is None or checkin is None:
        return Answered.NOT_A_MEMBER
    if store.member_of(s, checkin.match_id, person_id) is None:
        return Answered.NOT_A_MEMBER
    if not store.answer_checkin(s, checkin.id, person_id, answer, at):
        return Answered.ALREADY
    if answer == CheckInAnswer.END:
        exit_match(s, checkin.match_id, at)
        return Answered.ENDED
    return Answered.RECORDED


def answer_intro(
    s: Session, match_id: int | None, person_id: int | None, *, scheduled: bool, at: datetime
) -> str:
    """The intro's buttons: 'We've scheduled' records a meeting; 'Not a good fit' exits."""
    member = (
        store.member_of(s, match_id, person_id)
        if match_id is not None and person_id is not None
        else None
    )
    match = s.get(Match, match_id) if member is not None else None
    if (
        member is None
        or match is None
        or match.state
        not in (
            MatchState.PROPOSED,
            MatchState.ACTIVE,
            MatchState.STALLED,
        )
    ):
        return Answered.NOT_A_MEMBER
    if not scheduled:
        exit_match(s, match.id, at)
        return Answered.ENDED
    member.scheduled_confirmed_at = member.scheduled_confirmed_at or at
    store.record_meeting(s, match, at)
    return Answered.RECORDED


def answer_keep_going(
    s: Session, survey_id: int | None, person_id: int | None, *, keep: bool, at: datetime
) -> str:
    row = s.get(PulseSurvey, survey_id) if survey_id is not None else None
    if row is None or person_id is None or row.kind != SurveyKind.KEEP_GOING:
        return Answered.GONE
    if not store.respond(s, row.id, person_id, at, keep_going=keep):
        return Answered.GONE
    if not keep:
        exit_match(s, row.match_id, at)
    return Answered.RECORDED


def rematch(s: Session, person_id: int | None, at: datetime) -> int:
    """End the person's open matches without fault; how many ended."""
    ids = list_open_match_ids(s, person_id) if person_id is not None else []
    return sum(1 for match_id in ids if exit_match(s, match_id, at))


# --- the pulse ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PulseForm:
    """What the pulse modal needs: whose survey, whether final, the reader's goals."""

    survey_id: int
    final: bool
    goals: tuple[tuple[int, str, int], ...]  # (goal id, title, progress)


def open_pulse(
    s: Session, survey_id: int | None, person_id: int | None, at: datetime
) -> PulseForm | None:
    """The pulse the person may answer now, or None (not theirs, expired, answered)."""
    row = s.get(PulseSurvey, survey_id) if survey_id is not None else None
    if (
        row is None
        or person_id is None
        or row.person_id != person_id
        or row.expires_at <= at
        or store.answered(s, row.id) is not None
    ):
        return None
    return PulseForm(row.id, row.kind == SurveyKind.FINAL, survey_goals(s, row.id))


def survey_goals(s: Session, survey_id: int) -> tuple[tuple[int, str, int], ...]:
    """(goal id, title, progress) of the survey's reader, asked about in the pulse."""
    row = s.get(PulseSurvey, survey_id)
    if row is None or row.kind == SurveyKind.KEEP_GOING:
        return ()
    return tuple(
        (g.id, g.title, g.progress) for g in goals.goals_in_match(s, row.match_id, row.person_id)
    )


def latest_open_pulse(s: Session, person_id: int | None, at: datetime) -> PulseForm | None:
    """`/mentor feedback`: the newest survey the person has not answered yet."""
    if person_id is None:
        return None
    for survey_id in store.list_open_surveys(s, person_id, at):
        found = open_pulse(s, survey_id, person_id, at)
        if found is not None:
            return found
    return None


def is_final_survey(s: Session, survey_id: int) -> bool:
    row = s.get(PulseSurvey, survey_id)
    return bool(row and row.kind == SurveyKind.FINAL)


@dataclass(frozen=True)
class PulseAnswer:
    value: int
    progress: int
    recommend: int | None
    comment: str | None
    goal_progress: dict[int, int]
    kudos: bool


def record_pulse(
    s: Session, survey_id: int, person_id: int | None, answer: PulseAnswer, at: datetime
) -> bool:
    """Store a member's private answer once; False if not theirs, expired or answered."""
    row = s.get(PulseSurvey, survey_id)
    if row is None or person_id is None:
        return False
    final = row.kind == SurveyKind.FINAL
    if not store.respond(
        s,
        row.id,
        person_id,
        at,
        value_rating=answer.value,
        progress_rating=answer.progress,
        recommend=answer.recommend if final else None,
        comment=answer.comment or None,
    ):
        return False
    response = store.answered(s, row.id)
    if response is not None and answer.goal_progress:
        response.goal_progress = goals.record_progress(s, person_id, answer.goal_progress, at)
    if final:
        member = store.member_of(s, row.match_id, person_id)
        if member is not None:
            member.kudos_opt_in = answer.kudos
        _maybe_kudos(s, row.match_id, at)
    return True


def _maybe_kudos(s: Session, match_id: int, at: datetime) -> None:
    """Thank the mentor in the program channel once both members have opted in."""
    match = s.get_one(Match, match_id)
    program = s.get_one(Program, match.program_id)
    if not program.program_channel_id or not all(m.kudos_opt_in for m in match.members):
        return
    people = list_members(s, match.id)
    mentor = next((m for m in people if m.role == MemberRole.MENTOR), None)
    mentee = next((m for m in people if m.role == MemberRole.MENTEE), None)
    if mentor is None or mentee is None:
        return
    emit(
        s,
        notices.Kudos(match_id, mentor.slack_user_id, mentee.slack_user_id, program.name),
        to=ToChannel(program.program_channel_id, program.timezone),
        workspace_id=program.workspace_id,
        at=at,
    )
