"""What one person sees: their sidebar, each conversation's messages, their modal and Home.

Read from Slack's record (the fake) in the order the timeline gives: a message a
response_url post replaced shows its replacement, and ephemerals are shown only to the
person they were for, in the conversation they were posted in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from sandbox import people
from sandbox.person import parse_response_url
from sandbox.timeline import Seen, Timeline
from testkit.slack import FakeSlack

BOT_NAME = "mentorbot"


@dataclass(frozen=True)
class Item:
    """One entry in a conversation, as the page draws it."""

    seq: int
    at: datetime
    kind: str  # message | ephemeral | file
    text: str
    blocks: Any
    ts: str | None = None
    file: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "kind": self.kind,
            "text": self.text,
            "blocks": self.blocks or [],
            "ts": self.ts,
            "file": self.file,
        }


def _name(user_id: str) -> str:
    found = people.by_id(user_id)
    return found.real_name if found else user_id


def sidebar(fake: FakeSlack, user: str) -> list[dict[str, Any]]:
    """The person's conversations: channels they are in, the bot's DM, group DMs."""
    out: list[dict[str, Any]] = []
    with fake.lock:
        conversations = list(fake.state.conversations.values())
    for c in conversations:
        if user not in c.members:
            continue
        if c.slackbot_of is not None:
            label, kind = "Slackbot", "im"
        elif c.kind in ("public", "private"):
            label, kind = c.name, c.kind
        elif c.kind == "im":
            label, kind = BOT_NAME, "im"
        else:
            others = sorted(_name(m).split()[0] for m in c.members if m != user)
            label, kind = ", ".join([*others, BOT_NAME]), "mpim"
        out.append({"id": c.id, "label": label, "kind": kind})
    order = {"public": 0, "private": 0, "im": 1, "mpim": 2}
    out.sort(key=lambda c: (order[c["kind"]], c["label"] != BOT_NAME, c["label"]))
    return out


Replaced = dict[tuple[str, str], dict[str, Any]]


def _replacements(timeline: Timeline) -> tuple[Replaced, list[tuple[Seen, dict[str, Any]]]]:
    """response_url posts: (channel, ts) -> what replaced that message, and the rest (shown
    to the person who clicked, like ephemerals)."""
    replaced: Replaced = {}
    notes: list[tuple[Seen, dict[str, Any]]] = []
    with timeline.fake.lock:
        responses = list(timeline.fake.state.responses)
    for seen, body in zip(timeline.responses, responses, strict=False):
        user, channel, ts = parse_response_url(urlparse(str(body.get("url", ""))).path)
        if channel is None:
            continue
        if (body.get("replace_original") or body.get("delete_original")) and ts is not None:
            replaced[(channel, ts)] = body
        else:
            notes.append((seen, {**body, "user": user, "channel": channel}))
    return replaced, notes


def conversation(timeline: Timeline, user: str, channel: str) -> list[dict[str, Any]]:
    """Everything the person sees in `channel`, oldest first."""
    fake = timeline.fake
    replaced, notes = _replacements(timeline)
    items: list[Item] = []
    with fake.lock:
        messages = list(fake.state.messages)
        ephemerals = list(fake.state.ephemerals)
        files = dict(fake.state.files)
    for seen, m in zip(timeline.messages, messages, strict=False):
        if m.channel != channel:
            continue
        text, blocks = m.text, m.blocks
        body = replaced.get((channel, m.ts))
        if body is not None:
            if body.get("delete_original"):
                continue
            text, blocks = str(body.get("text", text)), body.get("blocks", blocks)
        items.append(Item(seen.seq, seen.at, "message", text, blocks, ts=m.ts))
    ephemeral = [(s, e) for s, e in zip(timeline.ephemerals, ephemerals, strict=False)]
    for seen, e in [*ephemeral, *notes, *timeline.acks]:
        if e.get("channel") == channel and e.get("user") == user:
            items.append(
                Item(seen.seq, seen.at, "ephemeral", str(e.get("text") or ""), e.get("blocks"))
            )
    for file_id, seen in timeline.files.items():
        info = files[file_id]
        if info.get("channel") != channel:
            continue
        shown = {
            "id": file_id,
            "name": str(info.get("filename", "")),
            "title": str(info.get("title") or info.get("filename", "")),
        }
        comment = str(info.get("initial_comment") or "")
        items.append(Item(seen.seq, seen.at, "file", comment, None, file=shown))
    items.sort(key=lambda i: i.seq)
    return [i.as_json() for i in items]


def seen_by(timeline: Timeline, user: str, channel: str | None) -> dict[str, Any]:
    """The person's whole screen: sidebar, the open conversation, modal and Home."""
    timeline.sync()
    bar = sidebar(timeline.fake, user)
    ids = [c["id"] for c in bar]
    shown = channel if channel is not None and channel in ids else None
    counts = {c: len(conversation(timeline, user, c)) for c in ids}
    modal = timeline.modal(user)
    with timeline.fake.lock:
        home = timeline.fake.state.home.get(user)
    return {
        "user": user,
        "sidebar": [{**c, "count": counts[c["id"]]} for c in bar],
        "channel": shown,
        "items": conversation(timeline, user, shown) if shown is not None else [],
        "modal": modal,
        "errors": timeline.errors.get(modal["id"], {}) if modal else {},
        "home": home,
    }
