"""Every state, role and kind the bot stores, as StrEnums: the tables' CHECKs come from these.

They are plain strings on the wire and in the database, so a value read back compares equal
to its member and adding one is a one-line change here plus a migration for its CHECK.
"""

from __future__ import annotations

from enum import StrEnum


class ProgramFormat(StrEnum):
    ONE_ON_ONE = "one_on_one"
    CIRCLE = "circle"
    PEER = "peer"
    REVERSE = "reverse"  # one-to-one where the mentor is the junior one (reverse mentoring)


class ReverseRule(StrEnum):
    """How a reverse program treats seniority: a preference, or a hard rule."""

    MAY = "may"  # juniors guiding seniors score best; other pairs stay possible
    MUST = "must"  # a mentor must be more junior than their mentee


class ProgramStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Role(StrEnum):
    """What a person enrolls as."""

    MENTOR = "mentor"
    MENTEE = "mentee"
    BOTH = "both"
    PEER = "peer"


GIVING_ROLES = (Role.MENTOR, Role.BOTH)
SEEKING_ROLES = (Role.MENTEE, Role.BOTH, Role.PEER)


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class SkillKind(StrEnum):
    OFFER = "offer"
    SEEK = "seek"


class RoundKind(StrEnum):
    SCHEDULED = "scheduled"
    MANUAL = "manual"
    NEWCOMER = "newcomer"


class RoundStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    ANNOUNCED = "announced"
    DISCARDED = "discarded"
    DRY_RUN = "dry_run"


class MatchState(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    STALLED = "stalled"
    ENDED = "ended"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


OPEN_MATCH_STATES = (MatchState.PROPOSED, MatchState.ACTIVE, MatchState.STALLED)
RUNNING_MATCH_STATES = (MatchState.ACTIVE, MatchState.STALLED)


class MemberRole(StrEnum):
    """What a person is inside one match."""

    MENTOR = "mentor"
    MENTEE = "mentee"
    PEER = "peer"


class EndReason(StrEnum):
    """Why a match ended: coarse, for aggregate reports only, never shown to members."""

    NO_FAULT = "no_fault"
    LEFT = "left"
    DEACTIVATED = "deactivated"
    VANISHED = "vanished"
    FORGOTTEN = "forgotten"
    STALLED = "stalled"
    COMPLETED = "completed"
    DISCARDED = "discarded"


class CheckInAnswer(StrEnum):
    MET = "met"
    NOT_YET = "not_yet"
    RESCHEDULING = "rescheduling"
    END = "end"


class SurveyKind(StrEnum):
    FIRST = "first"
    MONTHLY = "monthly"
    FINAL = "final"
    KEEP_GOING = "keep_going"


PULSE_KINDS = (SurveyKind.FIRST, SurveyKind.MONTHLY, SurveyKind.FINAL)


class GoalStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class MicroState(StrEnum):
    """A one-off micro-mentoring request, from the ask to the question afterwards."""

    ASKING = "asking"  # an expert has been asked and has not answered yet
    ACCEPTED = "accepted"  # an expert said yes: the conversation is open
    DONE = "done"  # the asker said how it went
    UNAVAILABLE = "unavailable"  # nobody who fits had the time this week
    CANCELLED = "cancelled"


OPEN_MICRO_STATES = (MicroState.ASKING, MicroState.ACCEPTED)


class OfferState(StrEnum):
    """One expert asked about one micro request."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    PASSED = "passed"  # suggested someone else instead
    EXPIRED = "expired"  # no answer in time: the next expert was asked


class MicroOutcome(StrEnum):
    """The asker's one answer afterwards."""

    HELPED = "helped"
    SOMEWHAT = "somewhat"
    NOT_HELPED = "not_helped"
    NOT_MET = "not_met"


HELD_OUTCOMES = (MicroOutcome.HELPED, MicroOutcome.SOMEWHAT, MicroOutcome.NOT_HELPED)


class ConcernCategory(StrEnum):
    CONDUCT = "conduct"
    CONFIDENTIALITY = "confidentiality"
    OTHER = "other"


class ConcernState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class IntentState(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)
