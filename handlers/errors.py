"""The one place where failures become user text: domain errors verbatim, the rest logged.

An unexpected error is logged with a short correlation id that the user also sees, so a
support request can be matched to its traceback without showing the traceback.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from handlers import copy
from handlers.text import esc
from models.errors import DomainError

log = logging.getLogger("mentorbot")


def shown(error: DomainError) -> str:
    """A refusal for mrkdwn: what the person typed, escaped, inside the message's words."""
    if not error.typed:
        return str(error)
    return error.template.format(**{name: esc(value) for name, value in error.typed.items()})


def user_message(error: BaseException, context: str = "") -> str:
    if isinstance(error, DomainError):
        return shown(error)
    if isinstance(error, SlackApiError):  # a 429 storm or an outage: say so, plainly
        code = str((error.response or {}).get("error") or "no answer")
        log.warning("Slack refused a call %s: %s", context, code)
        return copy.SLACK_REFUSED.format(error=code[:40])
    ref = uuid.uuid4().hex[:8]
    log.error("unhandled error ref=%s %s", ref, context, exc_info=error)
    return copy.INTERNAL_ERROR.format(ref=ref)


def handle_app_error(error: Exception, body: dict[str, Any], respond: Callable[..., Any]) -> None:
    """Bolt's global error handler: anything a listener raised after it acked."""
    kind = body.get("type") or body.get("command") or "request"
    text = user_message(error, context=f"in {kind}")
    if body.get("response_url") or body.get("response_urls"):
        try:
            respond(text=text, response_type="ephemeral", replace_original=False)
        except Exception:  # the error is already logged; a failed apology must not mask it
            log.warning("could not tell the user about an error", exc_info=True)
