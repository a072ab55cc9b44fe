"""reverse format, micro-mentoring, concerns, hour caps and eligibility marks

Revision ID: 0005f
Revises: 0004
Create Date: 2026-12-10 09:00:00

Programs may be `reverse` (mentors junior to their mentees). A person may cap their monthly
mentoring hours, and an enrollment remembers when eligibility rules excluded it (so the
person is told once). A match can be paused by an admin acting on a concern. Micro requests
(and the experts asked about each) and concerns get their own tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005f"
down_revision: str | None = "0005p"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_FORMATS = "format IN ('one_on_one', 'circle', 'peer')"
NEW_FORMATS = "format IN ('one_on_one', 'circle', 'peer', 'reverse')"


def upgrade() -> None:
    with op.batch_alter_table("programs") as batch:
        batch.drop_constraint(op.f("ck_programs_format"), type_="check")
        batch.create_check_constraint("format", NEW_FORMATS)
    with op.batch_alter_table("enrollments") as batch:
        batch.add_column(sa.Column("hours_cap", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("out_of_scope_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint(
            "hours_cap", "hours_cap IS NULL OR hours_cap BETWEEN 1 AND 200"
        )
    with op.batch_alter_table("matches") as batch:
        batch.add_column(sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "micro_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("asker_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.CheckConstraint(
            "state IN ('asking', 'accepted', 'done', 'unavailable', 'cancelled')",
            name=op.f("ck_micro_requests_state"),
        ),
        sa.CheckConstraint(
            "outcome IN ('helped', 'somewhat', 'not_helped', 'not_met')",
            name=op.f("ck_micro_requests_outcome"),
        ),
        sa.CheckConstraint("minutes BETWEEN 5 AND 240", name=op.f("ck_micro_requests_minutes")),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_micro_requests_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["asker_id"],
            ["people.id"],
            name=op.f("fk_micro_requests_asker_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.id"],
            name=op.f("fk_micro_requests_skill_id_skills"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["people.id"],
            name=op.f("fk_micro_requests_expert_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_micro_requests")),
    )
    op.create_index("ix_micro_requests_program_state", "micro_requests", ["program_id", "state"])
    op.create_table(
        "micro_offers",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('proposed', 'accepted', 'declined', 'passed', 'expired')",
            name=op.f("ck_micro_offers_state"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["micro_requests.id"],
            name=op.f("fk_micro_offers_request_id_micro_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_micro_offers_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("request_id", "person_id", name=op.f("pk_micro_offers")),
    )
    op.create_table(
        "concerns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("match_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=True),
        sa.Column("wants_reply", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "category IN ('conduct', 'confidentiality', 'other')",
            name=op.f("ck_concerns_category"),
        ),
        sa.CheckConstraint("state IN ('open', 'resolved')", name=op.f("ck_concerns_state")),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["programs.id"],
            name=op.f("fk_concerns_program_id_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["match_id"],
            ["matches.id"],
            name=op.f("fk_concerns_match_id_matches"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["people.id"],
            name=op.f("fk_concerns_reporter_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concerns")),
    )
    op.create_index("ix_concerns_program_state", "concerns", ["program_id", "state"])


def downgrade() -> None:
    op.drop_index("ix_concerns_program_state", table_name="concerns")
    op.drop_table("concerns")
    op.drop_table("micro_offers")
    op.drop_index("ix_micro_requests_program_state", table_name="micro_requests")
    op.drop_table("micro_requests")
    with op.batch_alter_table("matches") as batch:
        batch.drop_column("paused_at")
    with op.batch_alter_table("enrollments") as batch:
        batch.drop_constraint(op.f("ck_enrollments_hours_cap"), type_="check")
        batch.drop_column("out_of_scope_at")
        batch.drop_column("hours_cap")
    # a reverse program becomes one-to-one with the older reverse switch on
    op.execute("UPDATE programs SET format = 'one_on_one', reverse = TRUE WHERE format = 'reverse'")
    with op.batch_alter_table("programs") as batch:
        batch.drop_constraint(op.f("ck_programs_format"), type_="check")
        batch.create_check_constraint("format", OLD_FORMATS)
