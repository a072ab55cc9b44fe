"""What every listener needs from the outside: sessions, the clock and the admin list."""

from __future__ import annotations

from dataclasses import dataclass

from models.clock import Clock
from models.db import SessionFactory


@dataclass(frozen=True)
class Deps:
    sessions: SessionFactory
    clock: Clock
    global_admins: frozenset[str]
