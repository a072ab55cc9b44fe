"""What every listener needs from the outside: sessions, the clock, admins, keys, Slack."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from models.clock import Clock
from models.db import SessionFactory


@dataclass(frozen=True)
class Deps:
    sessions: SessionFactory
    clock: Clock
    global_admins: frozenset[str]
    # The key of forgotten people's hashes (bot.settings.Settings.forget_key).
    forget_key: bytes | None = None
    # For the few reads a listener needs before it can answer (is a channel private?).
    client: WebClient | None = None
