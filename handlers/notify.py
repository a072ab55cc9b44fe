"""Outbound notices that several features share, queued through the outbox (or, for an
answer to a click that has no response_url, posted at once to the person's app DM)."""

from __future__ import annotations

from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from handlers import copy
from models import outbox
from models.matches import EndedMatch, end_match


def end_match_kindly(
    s: Session,
    match_id: int,
    *,
    at: datetime,
    reason: str,
    leaving_person_ids: frozenset[int] = frozenset(),
    state: str = "ended",
) -> EndedMatch | None:
    """End a match (see models.matches.end_match) and tell each remaining member kindly.

    The notice never says why or who: the same words whatever the reason. Keys make a
    retried call add nothing.
    """
    ended = end_match(
        s, match_id, at=at, reason=reason, leaving_person_ids=leaving_person_ids, state=state
    )
    if ended is None:
        return None
    text = copy.MATCH_ENDED_KINDLY.format(program=ended.program_name)
    for member in ended.remaining:
        outbox.enqueue(
            s,
            workspace_id=member.workspace_id,
            key=f"match:{match_id}:ended:{member.person_id}",
            conversation=outbox.dm_to(member.slack_user_id),
            payload={"text": text},
            at=at,
            match_id=match_id,
        )
    return ended


def tell_in_dm(client: WebClient, slack_user_id: str, text: str) -> None:
    """Post `text` to the person's DM with the app now. Slack files a post to
    channel=<user id> in their Slackbot DM instead, so the app's DM is opened first."""
    channel = client.conversations_open(users=slack_user_id)["channel"]["id"]
    client.chat_postMessage(channel=channel, text=text)
