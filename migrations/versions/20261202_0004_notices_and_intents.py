"""notices in the outbox, intents, matches stepped when due

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00

The outbox stores notices (kind + data, rendered at delivery) beside ready payloads, and is
looked up by match so an ended match's queued messages can be cancelled. Intents hold what
an acknowledged request asked for until the leader has done it. A match keeps when its next
engagement step is due, indexed, so a run reads only what is due.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("priority", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
    op.create_index("ix_outbox_priority", "outbox", ["state", "priority", "id"])
    op.create_index("ix_outbox_match", "outbox", ["match_id", "state"])
    with op.batch_alter_table("matches") as batch:
        batch.add_column(sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_matches_due", "matches", ["state", "next_due_at"])
    op.create_table(
        "intents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('pending', 'done', 'failed')", name=op.f("ck_intents_state")),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_intents_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intents")),
        sa.UniqueConstraint("key", name=op.f("uq_intents_key")),
    )
    op.create_index("ix_intents_due", "intents", ["state", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_intents_due", table_name="intents")
    op.drop_table("intents")
    op.drop_index("ix_matches_due", table_name="matches")
    with op.batch_alter_table("matches") as batch:
        batch.drop_column("next_due_at")
    op.drop_index("ix_outbox_match", table_name="outbox")
    op.drop_index("ix_outbox_priority", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("priority")
        batch.drop_column("kind")
