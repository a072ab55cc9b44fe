"""Intents: slow work a request asked for, recorded before its ack and done by the leader.

Like notices, each intent is a frozen value with a key template over its fields (a double
click records one) and is stored as kind + data; flows.work performs them.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from flows import keyed
from flows.keyed import Keyed
from models import intents as store


@dataclasses.dataclass(frozen=True)
class Intent(Keyed):
    KINDS: ClassVar[dict[str, type[Keyed]]] = {}
    WHAT: ClassVar[str] = ""  # what the requester is told failed, should it give up


@dataclasses.dataclass(frozen=True)
class RunRound(Intent):
    """`/mentor admin round`: match the program and post its preview (or introduce)."""

    KIND: ClassVar[str] = "run_round"
    KEY: ClassVar[str] = "run-round:{program_id}:{request}"
    WHAT: ClassVar[str] = "round"

    program_id: int
    request: str
    requested_by: int | None
    requester: str | None
    dry_run: bool = False


@dataclasses.dataclass(frozen=True)
class Announce(Intent):
    """An approved round: start its matches and queue their intros, a batch at a time."""

    KIND: ClassVar[str] = "announce"
    KEY: ClassVar[str] = "announce:{round_id}"
    WHAT: ClassVar[str] = "introductions"

    round_id: int
    by: str | None


@dataclasses.dataclass(frozen=True)
class PostReport(Intent):
    KIND: ClassVar[str] = "post_report"
    KEY: ClassVar[str] = "report:{program_id}:{request}"
    WHAT: ClassVar[str] = "report"

    program_id: int
    request: str
    requester: str


@dataclasses.dataclass(frozen=True)
class Export(Intent):
    KIND: ClassVar[str] = "export"
    KEY: ClassVar[str] = "export:{program_id}:{request}"
    WHAT: ClassVar[str] = "export"

    program_id: int
    request: str
    requester: str


def submit(s: Session, intent: Intent, *, at: datetime, workspace_id: int | None) -> bool:
    """Record `intent` (in the caller's transaction); False if it was recorded before."""
    return store.submit(
        s,
        key=intent.key,
        kind=intent.KIND,
        data=keyed.dump(intent),
        at=at,
        workspace_id=workspace_id,
    )


def load(kind: str, data: dict[str, Any]) -> Intent:
    return keyed.load(Intent, kind, data)
