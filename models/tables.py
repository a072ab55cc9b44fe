"""The schema: every table mentorbot keeps, with its integrity rules.

Enumerated values (models.states) are strings guarded by CHECK constraints rather than native
enums, so a new value is a one-line migration on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import states
from models.base import Base
from models.states import values


def _in(column: str, allowed: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in allowed)
    return f"{column} IN ({quoted})"


PROGRAM_FORMATS = values(states.ProgramFormat)
PROGRAM_STATUSES = values(states.ProgramStatus)
ROLES = values(states.Role)
ENROLLMENT_STATUSES = values(states.EnrollmentStatus)
SKILL_KINDS = values(states.SkillKind)
ROUND_KINDS = values(states.RoundKind)
ROUND_STATUSES = values(states.RoundStatus)
MATCH_STATES = values(states.MatchState)
MEMBER_ROLES = values(states.MemberRole)
CHECKIN_ANSWERS = values(states.CheckInAnswer)
SURVEY_KINDS = values(states.SurveyKind)
GOAL_STATUSES = values(states.GoalStatus)
OUTBOX_STATES = values(states.OutboxState)
INTENT_STATES = values(states.IntentState)
MICRO_STATES = values(states.MicroState)
OFFER_STATES = values(states.OfferState)
MICRO_OUTCOMES = values(states.MicroOutcome)
CONCERN_CATEGORIES = values(states.ConcernCategory)
CONCERN_STATES = values(states.ConcernState)


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_team_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    token_revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slack_user_id"),
        Index("ix_people_forgotten_key", "workspace_id", "forgotten_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(200))
    real_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    tz: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(String(200))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    is_guest: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # HR roster attributes (import); used for fairness segments and retention.
    department: Mapped[str | None] = mapped_column(String(200))
    job_level: Mapped[int | None]
    location: Mapped[str | None] = mapped_column(String(200))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    start_date: Mapped[date | None] = mapped_column(Date)
    leave_date: Mapped[date | None] = mapped_column(Date)
    hr_attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    forgotten_at: Mapped[datetime | None]
    # A forgotten person's keyed hash of their Slack id (models.forgetting): the row stays
    # for counts and partners' history, and an HR import can tell it must not write to them.
    forgotten_key: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Program(Base):
    __tablename__ = "programs"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slug"),
        CheckConstraint(_in("format", PROGRAM_FORMATS), name="format"),
        CheckConstraint(_in("status", PROGRAM_STATUSES), name="status"),
        CheckConstraint(
            "capacity_default >= 1 AND capacity_max >= capacity_default", name="capacity"
        ),
        CheckConstraint("meeting_cadence_days >= 1", name="cadence"),
        CheckConstraint("engagement_weeks >= 1", name="engagement"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16), default="one_on_one")
    status: Mapped[str] = mapped_column(String(16), default="open")
    schedule_rrule: Mapped[str | None] = mapped_column(String(500))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    meeting_cadence_days: Mapped[int] = mapped_column(Integer, default=14)
    engagement_weeks: Mapped[int] = mapped_column(Integer, default=12)
    capacity_default: Mapped[int] = mapped_column(Integer, default=2)
    capacity_max: Mapped[int] = mapped_column(Integer, default=3)
    approval_required: Mapped[bool] = mapped_column(Boolean, default=True)
    admin_channel_id: Mapped[str | None] = mapped_column(String(32))
    program_channel_id: Mapped[str | None] = mapped_column(String(32))
    reverse: Mapped[bool] = mapped_column(Boolean, default=False)
    match_newcomers: Mapped[bool] = mapped_column(Boolean, default=True)
    # Component -> weight; see matching.scoring for the components.
    weights: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Thresholds and switches (stall days, repeat window, min overlap, ...).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ProgramAdmin(Base):
    __tablename__ = "program_admins"

    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[datetime]


class WorkspaceAdmin(Base):
    """Someone a workspace admin named an admin of every program in the workspace."""

    __tablename__ = "workspace_admins"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[datetime]


class Skill(Base):
    """A skill in one program's taxonomy; every program starts from the shipped default."""

    __tablename__ = "skills"
    __table_args__ = (UniqueConstraint("program_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    cluster: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Enrollment(Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("program_id", "person_id"),
        CheckConstraint(_in("role", ROLES), name="role"),
        CheckConstraint(_in("status", ENROLLMENT_STATUSES), name="status"),
        CheckConstraint("capacity >= 0", name="capacity"),
        CheckConstraint(
            "work_start_minute >= 0 AND work_end_minute <= 1440 "
            "AND work_start_minute < work_end_minute",
            name="hours",
        ),
        CheckConstraint("hours_cap IS NULL OR hours_cap BETWEEN 1 AND 200", name="hours_cap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")
    paused_until: Mapped[date | None] = mapped_column(Date)
    seniority: Mapped[int | None]
    department: Mapped[str | None] = mapped_column(String(200))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # Working days as ISO weekday numbers 0=Mon..6=Sun, hours as minutes in the person's zone.
    working_days: Mapped[list[int]] = mapped_column(JSON, default=lambda: [0, 1, 2, 3, 4])
    work_start_minute: Mapped[int] = mapped_column(Integer, default=9 * 60)
    work_end_minute: Mapped[int] = mapped_column(Integer, default=17 * 60)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    meeting_frequency_days: Mapped[int | None]
    capacity: Mapped[int] = mapped_column(Integer, default=0)
    free_text_goal: Mapped[str | None] = mapped_column(String(500))
    preferences: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Set when the person was left unmatched or lost a match through no fault of theirs.
    waiting_since: Mapped[datetime | None]
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    # The person's own monthly limit on mentoring hours (all programs); None: the default.
    hours_cap: Mapped[int | None]
    # When the program's eligibility rules last excluded them (they are told once).
    out_of_scope_at: Mapped[datetime | None]
    consent_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    left_at: Mapped[datetime | None]

    skills: Mapped[list[EnrollmentSkill]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    never_match: Mapped[list[NeverMatch]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class EnrollmentSkill(Base):
    __tablename__ = "enrollment_skills"
    __table_args__ = (
        CheckConstraint(_in("kind", SKILL_KINDS), name="kind"),
        CheckConstraint("level BETWEEN 1 AND 3", name="level"),
    )

    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True
    )
    skill_id: Mapped[int] = mapped_column(
        ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, default=2)


class NeverMatch(Base):
    """Someone this enrollee must never be matched with (confidential)."""

    __tablename__ = "never_match"

    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )


class Round(Base):
    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("program_id", "scheduled_for"),
        CheckConstraint(_in("kind", ROUND_KINDS), name="kind"),
        CheckConstraint(_in("status", ROUND_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    # The schedule slot this round fills; NULL for manual and newcomer rounds.
    scheduled_for: Mapped[datetime | None]
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]
    announced_at: Mapped[datetime | None]
    retro_sent_at: Mapped[datetime | None]
    # Aggregates only: counts, score distribution, unmatched reasons, fairness, gaps.
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Match(Base):
    __tablename__ = "matches"
    __table_args__ = (
        CheckConstraint(_in("state", MATCH_STATES), name="state"),
        Index("ix_matches_program_state", "program_id", "state"),
        Index("ix_matches_due", "state", "next_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="proposed")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    conversation_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    first_meeting_at: Mapped[datetime | None]
    last_meeting_at: Mapped[datetime | None]
    last_nudge_at: Mapped[datetime | None]
    stalled_at: Mapped[datetime | None]
    # Paused by an admin acting on a concern: no check-ins or nudges until resumed.
    paused_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # When the engagement job must next look at this match (NULL: at its next run); set by
    # each step from the thresholds ahead, and to now by anything that changes the match.
    next_due_at: Mapped[datetime | None]
    # Coarse, never shown to members: 'no_fault', 'left', 'deactivated', 'completed', ...
    end_reason: Mapped[str | None] = mapped_column(String(32))

    members: Mapped[list[MatchMember]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class MatchMember(Base):
    __tablename__ = "match_members"
    __table_args__ = (
        # A mentee (or peer) at most once per round; a mentor up to their capacity.
        Index(
            "uq_match_members_round_seeker",
            "round_id",
            "person_id",
            unique=True,
            sqlite_where=text("role <> 'mentor'"),
            postgresql_where=text("role <> 'mentor'"),
        ),
        CheckConstraint(_in("role", MEMBER_ROLES), name="role"),
    )

    match_id: Mapped[int] = mapped_column(
        ForeignKey("matches.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollments.id", ondelete="SET NULL")
    )
    role: Mapped[str] = mapped_column(String(8))
    scheduled_confirmed_at: Mapped[datetime | None]
    kudos_opt_in: Mapped[bool | None]


class CheckIn(Base):
    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("match_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    period: Mapped[int] = mapped_column(Integer)
    asked_at: Mapped[datetime]
    since: Mapped[datetime]


class CheckInAnswer(Base):
    __tablename__ = "checkin_answers"
    __table_args__ = (CheckConstraint(_in("answer", CHECKIN_ANSWERS), name="answer"),)

    checkin_id: Mapped[int] = mapped_column(
        ForeignKey("checkins.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    answer: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime]


class PulseSurvey(Base):
    __tablename__ = "pulse_surveys"
    __table_args__ = (
        UniqueConstraint("match_id", "person_id", "kind", "sequence"),
        CheckConstraint(_in("kind", SURVEY_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]


class PulseResponse(Base):
    """One person's private answer to one survey; never shown to the other party."""

    __tablename__ = "pulse_responses"
    __table_args__ = (
        CheckConstraint("value_rating IS NULL OR value_rating BETWEEN 1 AND 5", name="value"),
        CheckConstraint(
            "progress_rating IS NULL OR progress_rating BETWEEN 1 AND 5", name="progress"
        ),
        CheckConstraint("recommend IS NULL OR recommend BETWEEN 0 AND 10", name="recommend"),
    )

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("pulse_surveys.id", ondelete="CASCADE"), primary_key=True
    )
    value_rating: Mapped[int | None]
    progress_rating: Mapped[int | None]
    recommend: Mapped[int | None]
    keep_going: Mapped[bool | None]
    comment: Mapped[str | None] = mapped_column(String(2000))
    goal_progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime]


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint(_in("status", GOAL_STATUSES), name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    measure: Mapped[str | None] = mapped_column(String(500))
    target_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]

    milestones: Mapped[list[Milestone]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="Milestone.id"
    )


class Milestone(Base):
    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    due_date: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None]


class MicroRequest(Base):
    """One person's ask for a single short conversation with an expert on one skill."""

    __tablename__ = "micro_requests"
    __table_args__ = (
        CheckConstraint(_in("state", MICRO_STATES), name="state"),
        CheckConstraint(_in("outcome", MICRO_OUTCOMES), name="outcome"),
        CheckConstraint("minutes BETWEEN 5 AND 240", name="minutes"),
        Index("ix_micro_requests_program_state", "program_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    asker_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    topic: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), default="asking")
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    created_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))


class MicroOffer(Base):
    """One expert asked about one micro request, and what they answered."""

    __tablename__ = "micro_offers"
    __table_args__ = (CheckConstraint(_in("state", OFFER_STATES), name="state"),)

    request_id: Mapped[int] = mapped_column(
        ForeignKey("micro_requests.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(16), default="proposed")
    asked_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]


class Concern(Base):
    """A private report about a match to the program's admins; never shown to the partner."""

    __tablename__ = "concerns"
    __table_args__ = (
        CheckConstraint(_in("category", CONCERN_CATEGORIES), name="category"),
        CheckConstraint(_in("state", CONCERN_STATES), name="state"),
        Index("ix_concerns_program_state", "program_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="SET NULL"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(16))
    # What the reporter wrote; erased (NULL) when someone in the match is forgotten.
    text: Mapped[str | None] = mapped_column(String(2000))
    wants_reply: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A Slack call to make, written in the transaction that decided it."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(_in("state", OUTBOX_STATES), name="state"),
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_priority", "state", "priority", "id"),
        Index("ix_outbox_conversation", "workspace_id", "conversation"),
        Index("ix_outbox_match", "match_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    method: Mapped[str] = mapped_column(String(64))
    # The notice this row renders (flows.notices); NULL for a ready Slack payload.
    kind: Mapped[str | None] = mapped_column(String(64))
    # Lower goes first when Slack's rate is the limit (flows.notices: URGENT .. OPTIONAL).
    priority: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # A channel id, or "users:U1,U2" for a DM that must be opened first.
    conversation: Mapped[str] = mapped_column(String(400))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    # When the latest attempt began: after a crash, the only window its post can be in.
    attempted_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id", ondelete="SET NULL"))
    slack_channel: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Intent(Base):
    """Work an acknowledged request asked for, committed before the ack; the leader does it."""

    __tablename__ = "intents"
    __table_args__ = (
        CheckConstraint(_in("state", INTENT_STATES), name="state"),
        Index("ix_intents_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]


class ProcessedEvent(Base):
    """Slack event ids already handled; a retried delivery finds its id here."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime]


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    actor_slack_user_id: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class Lease(Base):
    """A named lease: one replica at a time holds it (scheduler, outbox worker)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]
