"""app.yaml declares exactly what the code registers: command, events, interactivity."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.app import Mentorbot

MANIFEST = Path(__file__).resolve().parent.parent / "app.yaml"


def _manifest() -> dict[str, Any]:
    # PyYAML is not a dependency; the manifest's lists are simple enough to read directly.
    text = MANIFEST.read_text()
    commands = re.findall(r"^\s*- command: (\S+)", text, re.M)
    events_block = re.search(r"bot_events:(.*?)(?:\n  \w|\Z)", text, re.S)
    events: list[str] = []
    if events_block:
        events = re.findall(r"^\s*- (\w+)\s*$", events_block.group(1), re.M)
        if "[]" in events_block.group(1).split("\n")[0]:
            events = []
    shortcuts = re.findall(r"^\s*callback_id: (\S+)", text, re.M)
    interactive = re.search(r"interactivity:\s*\n\s*is_enabled: (true|false)", text)
    return {
        "commands": set(commands),
        "events": set(events),
        "shortcuts": set(shortcuts),
        "interactive": interactive is not None and interactive.group(1) == "true",
    }


def test_manifest_matches_registered_listeners(bot: Mentorbot) -> None:
    manifest = _manifest()
    registrar = bot.registrar
    assert manifest["commands"] == registrar.commands
    assert manifest["events"] == registrar.events
    assert manifest["shortcuts"] == registrar.shortcuts
    # Slash command answers and modals need interactivity once any action or view exists.
    assert manifest["interactive"] == (registrar.interactive or bool(registrar.commands))


def test_scopes_cover_the_features() -> None:
    text = MANIFEST.read_text()
    for scope in ("commands", "chat:write", "im:write", "mpim:write", "users:read"):
        assert f"- {scope}\n" in text
