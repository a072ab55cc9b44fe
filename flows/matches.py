"""A match's people as an audience, and ending a match kindly: the one path every exit takes.

Leave, forget-me, a deactivated user, a vanished user at intro time, the stall ladder, "Not a
good fit", a rematch: the match closes, what was still queued about it is cancelled, the
members who stay are queued first for their next match and told the same words whatever
the reason, at a time inside their own working hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from flows import notices
from flows.notify import Reader, ToPeople, cancel_about_match, emit
from matching.landing import Hours
from models.engagement import close_surveys
from models.matches import Member, end_match, list_members
from models.states import MatchState


def hours_of(member: Member) -> Hours:
    return Hours(member.tz, member.working_days, member.start_minute, member.end_minute)


def to_members(members: Sequence[Member]) -> ToPeople:
    """A DM to these members (a group DM for several), landing inside all their hours."""
    return ToPeople(tuple(Reader(m.slack_user_id, hours_of(m)) for m in members))


def end_kindly(
    s: Session,
    match_id: int,
    *,
    at: datetime,
    reason: str,
    leaving_person_ids: frozenset[int] = frozenset(),
    state: str = MatchState.ENDED,
) -> bool:
    """End an open match and tell each remaining member; False when it had ended already."""
    members = {m.person_id: m for m in list_members(s, match_id)}
    ended = end_match(
        s, match_id, at=at, reason=reason, leaving_person_ids=leaving_person_ids, state=state
    )
    if ended is None:
        return False
    cancel_about_match(s, match_id)
    close_surveys(s, match_id, at=at)
    for person in ended.remaining:
        member = members.get(person.person_id)
        hours = hours_of(member) if member else Hours("UTC")
        emit(
            s,
            notices.MatchEnded(
                match_id=match_id, person_id=person.person_id, program_name=ended.program_name
            ),
            to=ToPeople((Reader(person.slack_user_id, hours),)),
            workspace_id=person.workspace_id,
            at=at,
        )
    return True
