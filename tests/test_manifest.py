"""app.yaml declares exactly what the code registers and needs: command, events,
interactivity, bot scopes (declared = used, both ways) and how command text arrives.

The scopes used are derived from the Web API methods the product's code calls
(testkit.manifest.web_api_methods) and Slack's method reference (testkit/slack_methods.json):
a new call without its scope fails here, and the fake refuses it in every test that makes it.
A method whose scope depends on the conversation type (conversations.history: channels:,
groups:, im:, mpim:) needs the scope of each type the product uses it on, read from the code.
"""

from __future__ import annotations

from typing import Any

from bot.app import Mentorbot
from handlers.commands import MENTION
from handlers.ids import Block
from handlers.program_admin import program_settings_form
from testkit import manifest
from testkit.slack import METHODS, TYPE_PREFIX


def _channel_kinds(element: dict[str, Any]) -> set[str]:
    """The conversation types a settings-modal channel picker can choose."""
    if element["type"] in ("channels_select", "multi_channels_select"):
        return {"public"}
    include = (element.get("filter") or {}).get("include") or list(TYPE_PREFIX)
    return set(include)


def _picker_kinds() -> dict[str, set[str]]:
    """The conversation types each settings-modal channel picker can choose."""
    form = program_settings_form(None, None).to_dict()
    return {
        block["block_id"]: _channel_kinds(block["element"])
        for block in form["blocks"]
        if block.get("block_id") in (Block.P_ADMIN_CHANNEL, Block.P_CHANNEL)
    }


def _conversation_kinds() -> dict[str, set[str]]:
    """The conversation types each per-type method is called on.

    conversations.open opens DMs and group DMs by user ids (the outbox's dm_to and
    notify.tell_in_dm); the outbox posts, and after an uncertain attempt reads history, in
    those and in each program's admin and program channels, whatever the settings modal
    lets an admin pick; the settings modal reads conversations.info of the admin channel
    to check the bot is in it.
    """
    pickers = _picker_kinds()
    channels = set().union(*pickers.values())
    return {
        "conversations.open": {"im", "mpim"},
        "conversations.history": {"im", "mpim", *channels},
        "conversations.info": pickers[Block.P_ADMIN_CHANNEL],
    }


# Events whose scope depends on the channel type, and the channels they arrive from: a join
# to the program channel (its picker's types) invites the newcomer.
EVENT_KINDS = {"member_joined_channel": Block.P_CHANNEL}
EVENT_SCOPE = {"public": "channels:read", "private": "groups:read"}


def scopes_used() -> set[str]:
    kinds = _conversation_kinds()
    used: set[str] = set()
    for method in manifest.web_api_methods():
        needed: list[str] = METHODS[method]["scopes"]
        per_type = len(needed) > 1 and all(s.split(":")[0] in TYPE_PREFIX.values() for s in needed)
        if not per_type:
            used |= set(needed)
            continue
        assert method in kinds, f"{method}: say which conversation types the product uses"
        prefixes = {TYPE_PREFIX[kind] for kind in kinds[method]}
        used |= {s for s in needed if s.split(":")[0] in prefixes}
    pickers = _picker_kinds()
    for event in manifest.load().events:
        if event in EVENT_KINDS:
            used |= {EVENT_SCOPE[k] for k in pickers[EVENT_KINDS[event]] if k in EVENT_SCOPE}
    return used | {"commands"}  # the slash command itself


def test_declared_scopes_are_exactly_the_ones_the_code_uses() -> None:
    declared = manifest.load().bot_scopes
    used = scopes_used()
    assert used - declared == set(), "the code calls methods app.yaml grants no scope for"
    assert declared - used == set(), "app.yaml asks for scopes no code uses"


def test_a_new_call_without_its_scope_would_fail() -> None:
    # users.profile.get needs users.profile:read, which app.yaml does not grant.
    assert "users.profile:read" in METHODS["users.profile.get"]["scopes"]
    assert "users.profile:read" not in manifest.load().bot_scopes


def test_manifest_matches_registered_listeners(bot: Mentorbot) -> None:
    app = manifest.load()
    registrar = bot.registrar
    assert set(app.commands) == registrar.commands
    assert app.events == registrar.events
    assert app.shortcuts == registrar.shortcuts
    # Slash command answers and modals need interactivity once any action or view exists.
    assert app.interactive == (registrar.interactive or bool(registrar.commands))
    assert app.socket_mode  # the README's first command runs Socket Mode


def test_command_text_arrives_as_the_parser_reads_it() -> None:
    """`/mentor admin add @bob`: the parser reads Slack's escaped mention <@U…|bob>, which
    Slack sends only with should_escape on; with it off the typed @bob would arrive."""
    assert MENTION.match("<@U0BOB00001|bob>")
    assert not MENTION.match("@bob")
    assert manifest.load().commands["/mentor"] is True
