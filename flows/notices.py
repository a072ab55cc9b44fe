"""Who is told what: the frozen notices flows emit, stored by the outbox as kind + data.

A notice says what happened in plain values; handlers render it into Block Kit when it is
delivered. Its key (one template per kind, over its own fields) makes a retried decision
add nothing; its landing rule says when it may be sent; a notice about a match that is not
`closing` is dropped once the match has ended, and cancelled when it ends.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar

from flows import keyed
from flows.disclosure import Figure
from flows.keyed import Keyed
from matching.eligibility import Rules

URGENT, NORMAL, OPTIONAL = 0, 1, 2


class Landing(StrEnum):
    NOW = "now"  # a reply to something the reader just did
    READER = "reader"  # each reader's 10:00 on a working day; a group: a time in all hours
    PROGRAM = "program"  # a channel post on the bot's own initiative: 10:00 in the program zone


@dataclasses.dataclass(frozen=True)
class Notice(Keyed):
    KINDS: ClassVar[dict[str, type[Keyed]]] = {}
    METHOD: ClassVar[str] = "chat.postMessage"  # or "files.upload": Slack's two-step upload
    LANDING: ClassVar[Landing] = Landing.NOW
    CLOSING: ClassVar[bool] = False  # may still be sent after its match has ended
    # When Slack's rate tiers are the limit, lower goes first: what someone waits for now
    # (an intro, a check-in in its landing window, an admin's preview) before what can wait.
    PRIORITY: ClassVar[int] = NORMAL

    @property
    def about_match(self) -> int | None:
        value = getattr(self, "match_id", None)
        return value if isinstance(value, int) else None


KINDS = Notice.KINDS


def dump(notice: Notice) -> dict[str, Any]:
    return keyed.dump(notice)


def load(kind: str, data: dict[str, Any]) -> Notice:
    """The notice stored as `kind` + `data`; CodecError for an unknown or garbled one."""
    return keyed.load(Notice, kind, data)


# --- enrollment ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class EnrollmentSaved(Notice):
    """The confirmation of a join or profile edit, with what was stored."""

    KIND: ClassVar[str] = "enrollment_saved"
    KEY: ClassVar[str] = "enroll:{enrollment_id}:saved:{version}"
    PRIORITY: ClassVar[int] = OPTIONAL

    enrollment_id: int
    version: str  # the modal's view id: the same view submitted twice confirms once
    created: bool
    program_name: str
    role: str
    offered: tuple[str, ...]
    goals: tuple[str, ...]
    free_goal: str | None
    working_days: tuple[int, ...]
    start_minute: int
    end_minute: int
    timezone: str
    frequency_days: int | None
    capacity: int
    next_round: datetime | None


@dataclasses.dataclass(frozen=True)
class ChannelInvite(Notice):
    """A newcomer in a program's channel is invited to join it, once per program."""

    KIND: ClassVar[str] = "channel_invite"
    KEY: ClassVar[str] = "invite:{program_id}:{person_id}"

    program_id: int
    person_id: int
    channel_id: str
    program_name: str


@dataclasses.dataclass(frozen=True)
class ProgramSaved(Notice):
    KIND: ClassVar[str] = "program_saved"
    KEY: ClassVar[str] = "program:{program_id}:{action}:{version}"
    PRIORITY: ClassVar[int] = OPTIONAL

    program_id: int
    action: str  # "program.create" or "program.edit"
    version: str
    program_name: str
    slug: str
    schedule_rrule: str | None


# --- rounds ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PreviewPair:
    names: tuple[str, ...]
    score: float
    reasons: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class RoundPreview(Notice):
    """A round's preview for its admins: aggregates, a sample, and the decision buttons."""

    KIND: ClassVar[str] = "round_preview"
    KEY: ClassVar[str] = "round:{round_id}:preview{again}"
    PRIORITY: ClassVar[int] = URGENT

    round_id: int
    program_name: str
    dry_run: bool
    stats: dict[str, Any]
    pairs: tuple[PreviewPair, ...]
    again: str = ""  # ":2", ":3", … when an admin asks for a preview to be posted again


@dataclasses.dataclass(frozen=True)
class RoundDecision(Notice):
    """What an admin decided about a round, said in the admin channel."""

    KIND: ClassVar[str] = "round_decision"
    KEY: ClassVar[str] = "round:{round_id}:{decision}"
    PRIORITY: ClassVar[int] = URGENT

    round_id: int
    decision: str  # "approved", "introduced", "discarded", "rerun"
    by_slack_user_id: str | None
    program_name: str
    matches: int = 0
    first_intro_at: datetime | None = None
    last_intro_at: datetime | None = None
    reach_all_by: datetime | None = None  # Slack's pace for new conversations included


@dataclasses.dataclass(frozen=True)
class RoundExpired(Notice):
    """A preview nobody decided on was discarded: said on the bot's own initiative."""

    KIND: ClassVar[str] = "round_expired"
    KEY: ClassVar[str] = "round:{round_id}:expired"
    LANDING: ClassVar[Landing] = Landing.PROGRAM

    round_id: int
    program_name: str


@dataclasses.dataclass(frozen=True)
class IntroMember:
    slack_user_id: str
    name: str
    role: str
    title: str | None
    timezone: str
    goals: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class MatchIntro(Notice):
    """The group DM that introduces a match: who, why, goals, times, what we ask."""

    KIND: ClassVar[str] = "match_intro"
    KEY: ClassVar[str] = "round:{round_id}:intro:{match_id}"
    PRIORITY: ClassVar[int] = URGENT
    LANDING: ClassVar[Landing] = Landing.READER

    round_id: int
    match_id: int
    program_name: str
    members: tuple[IntroMember, ...]
    reasons: tuple[str, ...]
    slots: tuple[datetime, ...]
    cadence_days: int
    engagement_weeks: int
    expectations: str | None
    reverse: bool = False  # reverse mentoring: the mentor is the junior one


# --- engagement ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GoalsInvite(Notice):
    KIND: ClassVar[str] = "goals_invite"
    KEY: ClassVar[str] = "match:{match_id}:goals-invite:{person_id}"
    LANDING: ClassVar[Landing] = Landing.READER

    match_id: int
    person_id: int
    program_name: str


@dataclasses.dataclass(frozen=True)
class CheckInAsk(Notice):
    KIND: ClassVar[str] = "checkin_ask"
    KEY: ClassVar[str] = "match:{match_id}:checkin:{period}"
    PRIORITY: ClassVar[int] = URGENT
    LANDING: ClassVar[Landing] = Landing.READER

    match_id: int
    period: int
    checkin_id: int
    since: date


@dataclasses.dataclass(frozen=True)
class FirstMeetingNudge(Notice):
    KIND: ClassVar[str] = "first_meeting_nudge"
    KEY: ClassVar[str] = "match:{match_id}:first-nudge"
    PRIORITY: ClassVar[int] = URGENT
    LANDING: ClassVar[Landing] = Landing.READER

    match_id: int
    days: int
    slots: tuple[datetime, ...]


@dataclasses.dataclass(frozen=True)
class KeepGoingAsk(Notice):
    """A quiet match asks each member privately whether to go on."""

    KIND: ClassVar[str] = "keep_going_ask"
    KEY: ClassVar[str] = "match:{match_id}:keep-going:{sequence}:{person_id}"
    PRIORITY: ClassVar[int] = URGENT
    LANDING: ClassVar[Landing] = Landing.READER

    match_id: int
    sequence: int
    person_id: int
    survey_id: int
    program_name: str


@dataclasses.dataclass(frozen=True)
class SurveyAsk(Notice):
    """An invitation to answer one survey (the kinds below differ in wording only)."""

    LANDING: ClassVar[Landing] = Landing.READER

    match_id: int
    survey_id: int
    program_name: str


@dataclasses.dataclass(frozen=True)
class PulseAsk(SurveyAsk):
    KIND: ClassVar[str] = "pulse_ask"
    KEY: ClassVar[str] = "survey:{survey_id}:pulse"


@dataclasses.dataclass(frozen=True)
class PulseReminder(SurveyAsk):
    KIND: ClassVar[str] = "pulse_reminder"
    KEY: ClassVar[str] = "survey:{survey_id}:remind"


@dataclasses.dataclass(frozen=True)
class FinalSurvey(SurveyAsk):
    KIND: ClassVar[str] = "final_survey"
    KEY: ClassVar[str] = "survey:{survey_id}:final"
    CLOSING: ClassVar[bool] = True


@dataclasses.dataclass(frozen=True)
class MentorInvite(Notice):
    """A mentee whose match completed is invited to mentor next."""

    KIND: ClassVar[str] = "mentor_invite"
    KEY: ClassVar[str] = "match:{match_id}:invite-mentor:{person_id}"
    LANDING: ClassVar[Landing] = Landing.READER
    CLOSING: ClassVar[bool] = True

    match_id: int
    person_id: int
    program_name: str


@dataclasses.dataclass(frozen=True)
class CompletedThanks(Notice):
    KIND: ClassVar[str] = "completed_thanks"
    KEY: ClassVar[str] = "match:{match_id}:thanks"
    LANDING: ClassVar[Landing] = Landing.READER
    CLOSING: ClassVar[bool] = True

    match_id: int
    program_name: str


@dataclasses.dataclass(frozen=True)
class Kudos(Notice):
    """Both members opted in: the mentor is thanked in the program channel."""

    KIND: ClassVar[str] = "kudos"
    KEY: ClassVar[str] = "match:{match_id}:kudos"
    LANDING: ClassVar[Landing] = Landing.PROGRAM
    CLOSING: ClassVar[bool] = True

    match_id: int
    mentor_slack_user_id: str
    mentee_slack_user_id: str
    program_name: str


@dataclasses.dataclass(frozen=True)
class MatchEnded(Notice):
    """A match ended through no fault of the reader; the same words whatever the reason."""

    KIND: ClassVar[str] = "match_ended"
    KEY: ClassVar[str] = "match:{match_id}:ended:{person_id}"
    PRIORITY: ClassVar[int] = URGENT
    LANDING: ClassVar[Landing] = Landing.READER
    CLOSING: ClassVar[bool] = True

    match_id: int
    person_id: int
    program_name: str


@dataclasses.dataclass(frozen=True)
class WorkNote(Notice):
    """What became of work someone asked for, when it could not be done as asked."""

    KIND: ClassVar[str] = "work_note"
    KEY: ClassVar[str] = "work:{intent_key}:{outcome}"
    PRIORITY: ClassVar[int] = URGENT

    intent_key: str
    outcome: str  # "round_pending", "failed"
    what: str  # "round", "introductions", "report", "export"
    program_name: str
    detail: str = ""


# --- insight ------------------------------------------------------------------------------


Cells = tuple[tuple[str, Figure], ...]  # named figures, in the order they are shown


@dataclasses.dataclass(frozen=True)
class RoundFigures:
    round_id: int
    day: date
    kind: str
    match_rate: Figure
    pulse: Figure


@dataclasses.dataclass(frozen=True)
class GapFigures:
    skill: str
    wanted: Figure
    places: Figure


@dataclasses.dataclass(frozen=True)
class RetentionFigures:
    start: date
    end: date
    participants: Figure  # share still employed
    participants_total: Figure
    others: Figure
    others_total: Figure


@dataclasses.dataclass(frozen=True)
class ReportFigures:
    """A program's KPIs, every figure already through flows.disclosure's rule."""

    program: str
    mentors: Figure
    mentees: Figure
    matches: Figure
    matched: Figure  # mentees matched (hidden whenever the share is)
    match_rate: Figure
    median_days_to_match: Figure
    first_meeting_14d: Figure
    meetings_per_pair_month: Figure
    pulse_value: Figure
    pulse_progress: Figure
    would_recommend: Figure
    goal_completion: Figure
    states: Cells
    end_reasons: Cells
    rematched: Figure  # share of mentees matched again after an early end
    mentor_utilisation: Figure
    coverage_gaps: tuple[GapFigures, ...]
    by_department: Cells
    by_level: Cells
    trend: tuple[RoundFigures, ...]
    retention: RetentionFigures | None


@dataclasses.dataclass(frozen=True)
class RetroFigures:
    """A round's story one cadence period on, every figure through the same rule."""

    program: str
    day: date
    days_on: int
    seekers: Figure
    matched: Figure
    match_rate: Figure
    matches: Figure
    met: Figure
    states: Cells
    pulse: Figure
    unmatched: Figure
    gaps: tuple[str, ...]
    intros_hours: float | None = None  # announcement to the last intro delivered


@dataclasses.dataclass(frozen=True)
class HoursFigures:
    """Mentors' hours this month against their caps (aggregates; small groups pooled)."""

    mentors: int
    hours: float
    capped: int | None  # None: not shown (flows.disclosure's rule)
    mean_share: float | None
    at_cap: int | None  # None: not shown
    groups: tuple[tuple[str, float], ...]
    suppressed: bool


@dataclasses.dataclass(frozen=True)
class MicroFigures:
    """Micro-mentoring in the program, counted as its own kind."""

    asked: int | None  # requests; None: not shown (flows.disclosure's rule)
    accepted: int | None
    held: int | None
    unavailable: int | None
    answers: int
    helped: int | None  # None: not shown (fewer than 5 sessions held, or by the rule)
    helped_of: int = 0  # the sessions `helped` counts: whole groups of five


@dataclasses.dataclass(frozen=True)
class ReportPosted(Notice):
    KIND: ClassVar[str] = "report"
    KEY: ClassVar[str] = "report:{program_id}:{request}"

    program_id: int
    request: str
    report: ReportFigures
    hours: HoursFigures | None = None
    micro: MicroFigures | None = None


@dataclasses.dataclass(frozen=True)
class RoundRetro(Notice):
    KIND: ClassVar[str] = "round_retro"
    KEY: ClassVar[str] = "round:{round_id}:retro"
    LANDING: ClassVar[Landing] = Landing.PROGRAM

    round_id: int
    retro: RetroFigures


@dataclasses.dataclass(frozen=True)
class ChartPoint:
    label: str
    match_rate: float | None
    pulse: float | None


@dataclasses.dataclass(frozen=True)
class ReportChart(Notice):
    """The report's chart, uploaded to the admin channel."""

    KIND: ClassVar[str] = "report_chart"
    KEY: ClassVar[str] = "report:{program_id}:{request}:chart"
    METHOD: ClassVar[str] = "files.upload"

    program_id: int
    request: str
    program_name: str
    slug: str
    day: date
    points: tuple[ChartPoint, ...]


@dataclasses.dataclass(frozen=True)
class MatchesExport(Notice):
    """One CSV row per match, uploaded to the admin channel."""

    KIND: ClassVar[str] = "matches_export"
    KEY: ClassVar[str] = "export:{program_id}:{request}"
    METHOD: ClassVar[str] = "files.upload"

    program_id: int
    request: str
    program_name: str
    slug: str
    day: date
    csv: str


# --- eligibility ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OutOfScope(Notice):
    """Someone enrolled is now outside the program's rules: told once, kindly."""

    KIND: ClassVar[str] = "out_of_scope"
    KEY: ClassVar[str] = "scope:{enrollment_id}:{since}"
    LANDING: ClassVar[Landing] = Landing.READER

    enrollment_id: int
    since: str  # when they moved out of scope (ISO): a later move out is told again
    program_name: str
    rules: Rules
    failed: tuple[str, ...]


# --- micro-mentoring -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MicroProposal(Notice):
    """An expert is asked, privately, to give one short conversation."""

    KIND: ClassVar[str] = "micro_proposal"
    KEY: ClassVar[str] = "micro:{request_id}:ask:{person_id}"
    LANDING: ClassVar[Landing] = Landing.READER

    request_id: int
    person_id: int
    asker_slack_user_id: str
    skill: str
    topic: str | None
    program_name: str
    minutes: int
    slots: tuple[datetime, ...]
    timezone: str  # the expert's, for the times shown
    suggested_by: str | None = None  # Slack user id of who suggested them


@dataclasses.dataclass(frozen=True)
class MicroIntro(Notice):
    """The expert said yes: the two are introduced in a group DM with times that fit."""

    KIND: ClassVar[str] = "micro_intro"
    KEY: ClassVar[str] = "micro:{request_id}:intro"

    request_id: int
    asker_slack_user_id: str
    expert_slack_user_id: str
    skill: str
    topic: str | None
    program_name: str
    minutes: int
    slots: tuple[datetime, ...]


@dataclasses.dataclass(frozen=True)
class MicroFollowUp(Notice):
    """The one question afterwards, to the asker."""

    KIND: ClassVar[str] = "micro_followup"
    KEY: ClassVar[str] = "micro:{request_id}:followup"
    LANDING: ClassVar[Landing] = Landing.READER

    request_id: int
    expert_slack_user_id: str
    skill: str
    program_name: str


@dataclasses.dataclass(frozen=True)
class MicroUnavailable(Notice):
    """Nobody who fits could take the conversation this week."""

    KIND: ClassVar[str] = "micro_unavailable"
    KEY: ClassVar[str] = "micro:{request_id}:unavailable"

    request_id: int
    skill: str
    program_name: str


# --- concerns -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ConcernReport(Notice):
    """A concern, privately to one admin of the program (never to anyone in the match)."""

    KIND: ClassVar[str] = "concern_report"
    KEY: ClassVar[str] = "concern:{concern_id}:report:{admin}"

    concern_id: int
    admin: str  # the reading admin's Slack user id
    program_name: str
    category: str
    text: str
    reporter: str
    members: tuple[str, ...]  # the match's members (Slack ids), the reporter among them
    match_since: date | None
    match_state: str | None
    wants_reply: bool


@dataclasses.dataclass(frozen=True)
class ConcernReceived(Notice):
    """The acknowledgment to the reporter: who will see it, and who will not."""

    KIND: ClassVar[str] = "concern_received"
    KEY: ClassVar[str] = "concern:{concern_id}:received"

    concern_id: int
    program_name: str
    reached: int  # admins it went to
    wants_reply: bool


@dataclasses.dataclass(frozen=True)
class ConcernReply(Notice):
    """An admin's answer to the reporter."""

    KIND: ClassVar[str] = "concern_reply"
    KEY: ClassVar[str] = "concern:{concern_id}:reply:{version}"

    concern_id: int
    version: str
    program_name: str
    text: str


# --- recognition ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ImpactFigures:
    """What a mentor's mentoring achieved, as they may see (and choose to share) it."""

    people: int
    matches: int
    completed: int
    micro_sessions: int
    goals_reached: int
    hours: float
    hours_this_month: float
    cap: float | None
    recommend: float | None  # mean over whole groups of five answers; None under five
    recommend_answers: int
    programs: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ImpactSummary(Notice):
    """At a match's planned end, its mentor sees what their mentoring achieved."""

    KIND: ClassVar[str] = "impact_summary"
    KEY: ClassVar[str] = "match:{match_id}:impact:{person_id}"
    LANDING: ClassVar[Landing] = Landing.READER
    CLOSING: ClassVar[bool] = True

    person_id: int
    match_id: int
    program_name: str
    figures: ImpactFigures


@dataclasses.dataclass(frozen=True)
class ThankYouCard(Notice):
    """A mentor's thank-you card, shared in a channel they chose."""

    KIND: ClassVar[str] = "thank_you_card"
    KEY: ClassVar[str] = "impact:{person_id}:card:{version}"

    person_id: int
    version: str
    mentor_slack_user_id: str
    channel_id: str
    figures: ImpactFigures


@dataclasses.dataclass(frozen=True)
class ShareFailed(Notice):
    """The card could not be posted where the mentor chose (the bot is not in it)."""

    KIND: ClassVar[str] = "share_failed"
    KEY: ClassVar[str] = "impact:{person_id}:card:{version}:failed"

    person_id: int
    version: str
    channel_id: str


@dataclasses.dataclass(frozen=True)
class ImpactThanks(Notice):
    """The program's periodic thank-you to its mentors (admins opt in)."""

    KIND: ClassVar[str] = "impact_thanks"
    KEY: ClassVar[str] = "impact:{program_id}:thanks:{month}"
    LANDING: ClassVar[Landing] = Landing.PROGRAM

    program_id: int
    month: str  # "2026-11"
    program_name: str
    mentors: int | None  # None: fewer than five mentors gave time (totals not shown)
    hours: float | None
    sessions: int | None
    people: int | None
    named: tuple[str, ...]  # Slack ids of mentors who asked to be named
