"""Alembic migrations; `target_metadata` is `models.Base.metadata`."""
