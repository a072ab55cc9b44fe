"""forgotten people's keyed hash, workspace admins, the outbox's attempt start

Revision ID: 0005p
Revises: 0004
Create Date: 2026-12-05 09:00:00

Forget-me keeps a keyed hash of the Slack id instead of the id itself; workspace admins can
name other workspace admins; the outbox remembers when its latest attempt began, so a check
for a post that may have gone through reads only that attempt's window of history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005p"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("forgotten_key", sa.String(length=64), nullable=True))
    op.create_index("ix_people_forgotten_key", "people", ["workspace_id", "forgotten_key"])
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "workspace_admins",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_workspace_admins_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_workspace_admins_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "person_id", name=op.f("pk_workspace_admins")),
    )


def downgrade() -> None:
    op.drop_table("workspace_admins")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("attempted_at")
    op.drop_index("ix_people_forgotten_key", table_name="people")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("forgotten_key")
