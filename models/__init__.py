"""Storage: the schema, the session factory and the domain functions that use them."""

from models.base import Base
from models.tables import *  # noqa: F403 - registers every table on Base.metadata

__all__ = ["Base"]
