"""The Slack app manifest (app.yaml) as the fake and the manifest test read it.

PyYAML reads it (a dependency: the sandbox runs the fake too): the manifest is YAML that
people edit by hand, and a regex reader breaks on the first flow list, comment or reordered
key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PATH = Path(__file__).resolve().parents[1] / "app.yaml"


@dataclass(frozen=True)
class Manifest:
    bot_scopes: frozenset[str]
    commands: dict[str, bool]
    """Each slash command and its should_escape."""
    events: frozenset[str]
    shortcuts: frozenset[str]
    interactive: bool
    socket_mode: bool


def parse(raw: dict[str, Any]) -> Manifest:
    features = raw.get("features") or {}
    settings = raw.get("settings") or {}
    scopes = ((raw.get("oauth_config") or {}).get("scopes") or {}).get("bot") or []
    commands = {
        str(c["command"]): bool(c.get("should_escape", False))
        for c in features.get("slash_commands") or []
    }
    shortcuts = frozenset(str(s["callback_id"]) for s in features.get("shortcuts") or [])
    events = (settings.get("event_subscriptions") or {}).get("bot_events") or []
    return Manifest(
        bot_scopes=frozenset(str(s) for s in scopes),
        commands=commands,
        events=frozenset(str(e) for e in events),
        shortcuts=shortcuts,
        interactive=bool((settings.get("interactivity") or {}).get("is_enabled")),
        socket_mode=bool(settings.get("socket_mode_enabled")),
    )


@cache
def load(path: Path = PATH) -> Manifest:
    return parse(yaml.safe_load(path.read_text()))


def web_api_methods(root: Path = PATH.parent) -> set[str]:
    """Every Web API method the product's code calls (bot/, handlers/, flows/): each
    `client.<method>(`, slack_sdk's two-step upload behind files_upload_v2, and what the
    outbox queues (`method="…"`, chat.postMessage by default)."""
    called = {"chat.postMessage"}  # the outbox's default method
    for path in [*root.glob("handlers/*.py"), *root.glob("bot/*.py"), *root.glob("flows/*.py")]:
        text = path.read_text()
        for name in re.findall(r"client\.([a-z]+_[A-Za-z_0-9]+)\(", text):
            if name == "files_upload_v2":
                called |= {"files.getUploadURLExternal", "files.completeUploadExternal"}
            elif name != "api_call":
                called.add(name.replace("_", ".", 1))
        called |= set(re.findall(r"""\bmethod=["']([a-z]+\.[A-Za-z.]+)["']""", text))
    return called
