"""look up the channel an earlier message to the same members went to

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 17:30:00

Delivery reuses a DM's channel instead of calling conversations.open for every message;
the lookup is by workspace and conversation, newest first.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbox_conversation", "outbox", ["workspace_id", "conversation"])


def downgrade() -> None:
    op.drop_index("ix_outbox_conversation", table_name="outbox")
