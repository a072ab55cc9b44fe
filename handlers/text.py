"""The one escape for typed text on every surface, and Slack's date tokens.

Slack reads `<…>` as mentions, channel pings (`<!channel>`) and links, and `&` as the start
of an entity, in every mrkdwn field of a message, a modal or Home. Everything a person or an
admin typed (goals, names, departments, languages, skill and program names) goes through
`esc` before it is placed into mrkdwn, so it always shows as typed and never pings or links.
Bidirectional overrides (which make "exe.txt" read as "txt.exe") are dropped on every surface,
mrkdwn or plain, since Slack shows them as they come.
"""

from __future__ import annotations

from datetime import UTC, datetime

from models.text import BIDI_CONTROLS

_NO_BIDI = {ord(c): None for c in BIDI_CONTROLS}


def esc(text: str | None) -> str:
    """Typed text made inert in Slack mrkdwn (only &, < and > need escaping)."""
    if not text:
        return ""
    text = text.translate(_NO_BIDI)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str | None, limit: int) -> str:
    """Typed text for a plain_text field (shown as is by Slack), cut to `limit` characters."""
    if not text:
        return ""
    text = text.translate(_NO_BIDI)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cut(text: str, limit: int) -> str:
    """Text cut to `limit` characters with an ellipsis, never inside an escape sequence."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    amp = head.rfind("&")
    if amp != -1 and ";" not in head[amp:]:
        head = head[:amp]
    return head + "…"


def mention(slack_user_id: str) -> str:
    """A user mention; ids come from Slack, never from typed text."""
    return f"<@{slack_user_id}>" if slack_user_id.isalnum() else esc(slack_user_id)


def channel_link(channel_id: str) -> str:
    return f"<#{channel_id}>" if channel_id.isalnum() else esc(channel_id)


def slack_date(moment: datetime, token: str = "{date_short_pretty} {time}") -> str:
    """A date Slack shows in each reader's own zone, with a UTC fallback."""
    fallback = moment.astimezone(UTC).strftime("%a %d %b %Y %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{token}|{fallback}>"
