"""What rides in a button's value or a modal's private_metadata: one small dataclass each.

Encoded with flows.codec as JSON of the dataclass, and decoded the same way, so a stale or
forged value reads as None (the listener then says the button is out of date) instead of
being parsed by hand.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TypeVar

from flows import codec

T = TypeVar("T")
MAX_VALUE = 2000  # Slack's button value limit; private_metadata allows 3000


def encode(value: object) -> str:
    return codec.dumps(value)


def decode(cls: type[T], raw: str | None) -> T | None:
    """The value in `raw`, or None when it is missing, stale or not ours."""
    if not raw or len(raw) > 3000:
        return None
    try:
        return codec.loads(cls, raw)
    except codec.CodecError:
        pass
    # Messages sent before values were JSON carry a bare id: read it for one-id values.
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if raw.isdigit() and len(raw) < 12 and len(fields) == 1:
        try:
            return codec.load(cls, {fields[0].name: int(raw)})
        except codec.CodecError:
            return None
    return None


@dataclass(frozen=True)
class RoundRef:
    round_id: int


@dataclass(frozen=True)
class MatchRef:
    match_id: int


@dataclass(frozen=True)
class CheckInRef:
    checkin_id: int


@dataclass(frozen=True)
class SurveyRef:
    survey_id: int


@dataclass(frozen=True)
class ProgramRef:
    program_id: int


@dataclass(frozen=True)
class AdminPeopleForm:
    """The admins modal: adding (True) or removing."""

    adding: bool = True


@dataclass(frozen=True)
class ProgramForm:
    """The settings modal: which program it edits (None: a new one)."""

    program_id: int | None = None


@dataclass(frozen=True)
class JoinForm:
    """The enrollment modal: its program and the zone its hours were asked in."""

    program_id: int
    tz: str


@dataclass(frozen=True)
class MicroRef:
    """A micro-mentoring request (its proposal's, follow-up's and suggestion modal's value)."""

    request_id: int


@dataclass(frozen=True)
class ConcernRef:
    concern_id: int


@dataclass(frozen=True)
class ConcernForm:
    """The concern modal: the match its button was on (None: chosen in the modal)."""

    match_id: int | None = None


@dataclass(frozen=True)
class SuggestForm:
    """The "suggest someone" modal: the request it answers."""

    request_id: int
