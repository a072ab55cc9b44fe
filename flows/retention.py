"""Retention: what the bot keeps only as long as it needs it, pruned on the leader's schedule.

Delivered messages keep their row (its key stops a retried decision from sending twice, its
channel lets the next DM skip conversations.open) but lose their payload, which holds names,
goals and reasons, once the retention period is over. Request-signature claims outlive
Slack's replay window only a little; event ids outlive Slack's retries of an event by a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from models.events import prune_claims
from models.outbox import prune_payloads

SIGNATURE_PREFIX = "sig:"  # handlers.replay's claims of request signatures
SIGNATURES_KEPT = timedelta(minutes=10)  # longer than Slack's 5-minute timestamp window
EVENT_IDS_KEPT = timedelta(days=1)  # Slack retries an event for about an hour


@dataclass(frozen=True)
class Pruned:
    payloads: int
    signatures: int
    events: int


def prune(s: Session, *, at: datetime, payloads_kept: timedelta) -> Pruned:
    """Apply every retention rule once; how many rows each rule touched."""
    signatures = prune_claims(s, SIGNATURE_PREFIX, at - SIGNATURES_KEPT)
    events = prune_claims(s, "", at - EVENT_IDS_KEPT)
    return Pruned(prune_payloads(s, at - payloads_kept), signatures, events)
