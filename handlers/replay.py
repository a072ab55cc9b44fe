"""Refuse a replayed request: the same signed request seen twice inside Slack's window.

Slack's signature only proves a request is recent (5 minutes), so a captured request could
be sent again inside that window. Each HTTP request's signature is claimed once, in the
database every replica shares; a second arrival is acknowledged and dropped (flows.retention
prunes the claims once the window is over). Slack's own
retries are new requests with new signatures: event ids and idempotent commands cover them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse

from flows.retention import SIGNATURE_PREFIX as KEY_PREFIX
from handlers.context import Deps
from models.events import claim_event

log = logging.getLogger("mentorbot")


def request_key(req: BoltRequest) -> str | None:
    """The claim key of an HTTP request, or None (Socket Mode requests carry no signature)."""
    values = req.headers.get("x-slack-signature") or []
    signature = values[0] if values else ""
    if req.mode != "http" or not signature.startswith("v0="):
        return None
    return KEY_PREFIX + signature[3:63]


def replay_guard(deps: Deps) -> Callable[..., BoltResponse | None]:
    def guard(req: BoltRequest, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        key = request_key(req)
        if key is not None:
            with deps.sessions.begin() as s:
                fresh = claim_event(s, key, deps.clock())
            if not fresh:
                log.warning("dropped a replayed request")
                return BoltResponse(status=200, body="")
        return next()

    return guard
