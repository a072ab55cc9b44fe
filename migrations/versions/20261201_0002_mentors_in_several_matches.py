"""a mentor may hold several matches in one round; a seeker still at most one

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 14:00:00

The initial schema made (round_id, person_id) unique for every member, which refused a
mentor with capacity 2 taking two mentees in one round. The rule now applies to mentees,
peers and circle members only, as a partial unique index (SQLite and PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = sa.text("role <> 'mentor'")


def upgrade() -> None:
    with op.batch_alter_table("match_members") as batch:
        batch.drop_constraint("uq_match_members_round_id_person_id", type_="unique")
    op.create_index(
        "uq_match_members_round_seeker",
        "match_members",
        ["round_id", "person_id"],
        unique=True,
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("uq_match_members_round_seeker", table_name="match_members")
    with op.batch_alter_table("match_members") as batch:
        batch.create_unique_constraint(
            "uq_match_members_round_id_person_id", ["round_id", "person_id"]
        )
