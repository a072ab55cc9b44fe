"""Whether Slack accepts the bot token: checked at startup, then by a job, read by health probes.

One `auth.test` answers both questions an operator has (can we reach Slack? does it still
take our token?). The answer is cached, so a health probe every few seconds costs Slack
nothing; a success also clears a workspace's revocation mark, so a rotated token and a
restart bring delivery back.
"""

from __future__ import annotations

import logging
import threading
import urllib.error
from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import OperatorError
from models.clock import Clock
from models.db import SessionFactory
from models.workspace import restore_token

log = logging.getLogger("mentorbot.slack")

# What Slack says when the token itself is the problem, not the network.
TOKEN_REFUSED = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}
)


@dataclass(frozen=True)
class SlackCheck:
    ok: bool
    checked_at: datetime | None = None
    team_id: str | None = None
    team: str | None = None
    bot_user_id: str | None = None
    error: str | None = None  # Slack's error code, or why it could not be reached
    refused: bool = False  # Slack answered and refused the token

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checked_at": self.checked_at.isoformat() if self.checked_at else None,
            "team_id": self.team_id,
            "team": self.team,
            "error": self.error,
        }

    def workspace(self) -> str:
        return f"{self.team} ({self.team_id})"


class SlackStatus:
    """The last `auth.test` answer; `check()` asks again and remembers."""

    def __init__(self, client: WebClient, clock: Clock) -> None:
        self.client = client
        self.clock = clock
        self._lock = threading.Lock()
        self.last = SlackCheck(ok=False, error="not checked yet")

    def check(self) -> SlackCheck:
        at = self.clock()
        try:
            answer = self.client.auth_test()
            result = SlackCheck(
                ok=True,
                checked_at=at,
                team_id=str(answer.get("team_id")),
                team=str(answer.get("team")),
                bot_user_id=str(answer.get("user_id")),
            )
        except SlackApiError as error:
            code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
            result = SlackCheck(ok=False, checked_at=at, error=code, refused=code in TOKEN_REFUSED)
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", None) or error
            result = SlackCheck(ok=False, checked_at=at, error=f"unreachable: {reason}")
        with self._lock:
            if result.ok != self.last.ok and self.last.checked_at is not None:
                if result.ok:
                    log.info("Slack takes the token again (%s)", result.workspace())
                else:
                    log.error("Slack check failed: %s", result.error)
            self.last = result
        return result


def require_token(status: SlackStatus, api_url: str) -> SlackCheck:
    """The startup check: Slack reachable and the token accepted, or an OperatorError."""
    result = status.check()
    if result.ok:
        return result
    if result.refused:
        raise OperatorError(
            f"Slack refused SLACK_BOT_TOKEN ({result.error}): the token is wrong or was revoked.\n"
            "Copy the Bot User OAuth Token (xoxb-...) from the app's OAuth & Permissions page."
        )
    if result.error and result.error.startswith("unreachable"):
        raise OperatorError(
            f"cannot reach Slack at {api_url} ({result.error}).\n"
            "Check the network (or proxy) and SLACK_API_URL, then start mentorbot again."
        )
    raise OperatorError(
        f"Slack did not confirm the token: auth.test answered {result.error}.\n"
        "Slack is busy or down for the moment: start mentorbot again in a minute."
    )


def clear_revocation(sessions: SessionFactory, result: SlackCheck) -> bool:
    """After Slack accepted the token, lift the workspace's revocation mark, so the outbox
    and the jobs serve it again; True when a mark was lifted."""
    if not result.ok or not result.team_id:
        return False
    with sessions.begin() as s:
        cleared = restore_token(s, result.team_id)
    if cleared:
        log.info("workspace %s: Slack takes the token again; delivery resumes", result.workspace())
    return cleared
