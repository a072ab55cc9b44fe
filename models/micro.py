"""Micro-mentoring as stored: requests, the experts asked about each, and their counts.

Every move is a conditional update from the state it expects, so a double click (or two
experts answering the same request at once) changes it once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.states import (
    HELD_OUTCOMES,
    MicroOutcome,
    MicroState,
    OfferState,
)
from models.tables import MicroOffer, MicroRequest

MIN_GROUP = 5


def create_request(
    s: Session,
    *,
    program_id: int,
    asker_id: int,
    skill_id: int,
    topic: str | None,
    minutes: int,
    at: datetime,
) -> MicroRequest:
    row = MicroRequest(
        program_id=program_id,
        asker_id=asker_id,
        skill_id=skill_id,
        topic=topic,
        minutes=minutes,
        state=MicroState.ASKING,
        created_at=at,
    )
    s.add(row)
    s.flush()
    return row


def open_request(s: Session, asker_id: int, skill_id: int) -> MicroRequest | None:
    """The asker's request about this skill that is still being arranged or held, if any."""
    return s.scalar(
        select(MicroRequest)
        .where(
            MicroRequest.asker_id == asker_id,
            MicroRequest.skill_id == skill_id,
            MicroRequest.state.in_((MicroState.ASKING, MicroState.ACCEPTED)),
        )
        .order_by(MicroRequest.id.desc())
        .limit(1)
    )


def add_offer(s: Session, request_id: int, person_id: int, at: datetime) -> bool:
    """Record that this expert is being asked; False if they were asked about it before."""
    if s.get(MicroOffer, (request_id, person_id)) is not None:
        return False
    try:
        with s.begin_nested():
            s.add(
                MicroOffer(
                    request_id=request_id,
                    person_id=person_id,
                    state=OfferState.PROPOSED,
                    asked_at=at,
                )
            )
    except IntegrityError:
        return False
    return True


def asked_ids(s: Session, request_id: int) -> set[int]:
    return set(s.scalars(select(MicroOffer.person_id).where(MicroOffer.request_id == request_id)))


def answer_offer(s: Session, request_id: int, person_id: int, state: str, at: datetime) -> bool:
    """Move a proposed offer to `state`; False when it was answered (or expired) already."""
    done = s.execute(
        update(MicroOffer)
        .where(
            MicroOffer.request_id == request_id,
            MicroOffer.person_id == person_id,
            MicroOffer.state == OfferState.PROPOSED,
        )
        .values(state=state, answered_at=at)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def set_state(
    s: Session, request_id: int, *, from_state: str, to_state: str, **values: object
) -> bool:
    done = s.execute(
        update(MicroRequest)
        .where(MicroRequest.id == request_id, MicroRequest.state == from_state)
        .values(state=to_state, **values)
    )
    s.expire_all()
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def open_sessions(s: Session, person_ids: Iterable[int]) -> Counter[int]:
    """Micro sessions each person is being asked about now or has accepted and not held."""
    ids = list(set(person_ids))
    if not ids:
        return Counter()
    asked = s.scalars(
        select(MicroOffer.person_id)
        .join(MicroRequest, MicroRequest.id == MicroOffer.request_id)
        .where(
            MicroOffer.person_id.in_(ids),
            MicroOffer.state == OfferState.PROPOSED,
            MicroRequest.state == MicroState.ASKING,
        )
    )
    accepted = s.scalars(
        select(MicroRequest.expert_id).where(
            MicroRequest.expert_id.in_(ids), MicroRequest.state == MicroState.ACCEPTED
        )
    )
    return Counter(int(p) for p in [*asked, *accepted] if p is not None)


def sessions_since(s: Session, person_ids: Iterable[int], since: datetime) -> Counter[int]:
    """Micro sessions each person accepted since `since`."""
    ids = list(set(person_ids))
    if not ids:
        return Counter()
    rows = s.scalars(
        select(MicroRequest.expert_id).where(
            MicroRequest.expert_id.in_(ids), MicroRequest.accepted_at >= since
        )
    )
    return Counter(int(p) for p in rows if p is not None)


def stale_offers(s: Session, before: datetime) -> list[tuple[int, int]]:
    """(request id, person id) of offers still unanswered that were made before `before`."""
    rows = s.execute(
        select(MicroOffer.request_id, MicroOffer.person_id)
        .join(MicroRequest, MicroRequest.id == MicroOffer.request_id)
        .where(
            MicroOffer.state == OfferState.PROPOSED,
            MicroRequest.state == MicroState.ASKING,
            MicroOffer.asked_at < before,
        )
        .order_by(MicroOffer.request_id, MicroOffer.person_id)
    )
    return [(int(r), int(p)) for r, p in rows]


@dataclass(frozen=True)
class MicroCounts:
    """A program's micro-mentoring, for its report: its own kind beside matches."""

    asked: int
    accepted: int
    held: int
    unavailable: int
    answers: int  # askers who said how it went (held or not)
    helped: int | None  # of `helped_of` sessions held, found helpful; None under MIN_GROUP
    helped_of: int = 0


def counts(s: Session, program_id: int) -> MicroCounts:
    """The program's micro sessions. "Found helpful" counts whole groups of five sessions
    (in the order they were answered), so one new answer never shows up on its own."""
    rows = s.execute(
        select(MicroRequest.state, MicroRequest.outcome, MicroRequest.accepted_at)
        .where(MicroRequest.program_id == program_id)
        .order_by(MicroRequest.done_at, MicroRequest.id)
    ).all()
    held = [o for state, o, _ in rows if state == MicroState.DONE and o in HELD_OUTCOMES]
    answers = [o for state, o, _ in rows if state == MicroState.DONE and o is not None]
    whole = held[: len(held) // MIN_GROUP * MIN_GROUP]
    helped = sum(1 for o in whole if o in (MicroOutcome.HELPED, MicroOutcome.SOMEWHAT))
    return MicroCounts(
        asked=len(rows),
        accepted=sum(1 for _, _, accepted in rows if accepted is not None),
        held=len(held),
        unavailable=sum(1 for state, _, _ in rows if state == MicroState.UNAVAILABLE),
        answers=len(answers),
        helped=helped if whole else None,
        helped_of=len(whole),
    )


def count_held(s: Session, program_id: int, since: datetime, until: datetime) -> int:
    return int(
        s.scalar(
            select(func.count())
            .select_from(MicroRequest)
            .where(
                MicroRequest.program_id == program_id,
                MicroRequest.state == MicroState.DONE,
                MicroRequest.outcome.in_(HELD_OUTCOMES),
                MicroRequest.done_at >= since,
                MicroRequest.done_at < until,
            )
        )
        or 0
    )


def forget_person(s: Session, person_id: int) -> None:
    """Forget-me: the person's asks and the offers made to them go; where they were the
    expert of someone else's session, the session stays as an anonymous count."""
    s.execute(delete(MicroRequest).where(MicroRequest.asker_id == person_id))
    s.execute(delete(MicroOffer).where(MicroOffer.person_id == person_id))
    s.execute(
        update(MicroRequest).where(MicroRequest.expert_id == person_id).values(expert_id=None)
    )
