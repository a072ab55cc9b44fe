"""Authorization sweep: every admin command, button and modal refuses a participant.

The lists come from what the app registered (router.admin_routes, registrar.admin_actions,
registrar.admin_views), so a feature added later is swept without editing this file. A
refusal must change no row and post nothing anywhere but the refusal itself.
"""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.app import Mentorbot
from models.tables import Base, Round
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_rounds_world
from tests.support.work import settle
from tests.support.world import ADMIN_CHANNEL

PARTICIPANT = "UMENTEE000"
REFUSAL = "only program admins"
ARGUMENTS = ("", "Engineering", "--dry-run", "@uadmin0001", "add @umentee000")
QUIET_METHODS = {"chat.postEphemeral", "users.info", "auth.test", "team.info"}


def _row_counts(s: Session) -> dict[str, int]:
    """Rows per table, except the replay guard's own log of request signatures."""
    return {
        table.name: int(s.scalar(select(func.count()).select_from(table)) or 0)
        for table in Base.metadata.sorted_tables
        if table.name != "processed_events"
    }


def _world(bot: Mentorbot, slack: SlackDriver, fake: FakeSlack, clock: FrozenClock) -> int:
    fake.add_user(ADMIN, real_name="Ada Admin")
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock(), pairs=2, fake=fake)
    fake.add_members(ADMIN_CHANNEL, PARTICIPANT)  # a participant who can see its buttons
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)  # a proposed round to target
    settle(bot)
    with bot.sessions.begin() as s:
        return int(s.scalars(select(Round.id)).one())


def _assert_nothing_changed(
    bot: Mentorbot, fake: FakeSlack, before: dict[str, int], messages: int, what: str
) -> None:
    with bot.sessions.begin() as s:
        assert _row_counts(s) == before, what
    assert len(fake.state.messages) == messages, what
    loud = {c.method for c in fake.calls} - QUIET_METHODS
    assert loud == set(), (what, loud)


def test_every_admin_command_refuses_a_participant(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, slack, fake_slack, clock)
    routes = bot.router.admin_routes
    assert routes, "no admin commands registered"
    with bot.sessions.begin() as s:
        before = _row_counts(s)
    messages = len(fake_slack.state.messages)
    fake_slack.reset_calls()
    tried = 0
    for words in routes:
        for argument in ARGUMENTS:
            text = " ".join((*words, argument)).strip()
            for channel in ("C0GENERAL", ADMIN_CHANNEL):
                answer = ack_json(slack.command(PARTICIPANT, text, channel_id=channel))
                assert REFUSAL in answer["text"], text
                tried += 1
    _assert_nothing_changed(bot, fake_slack, before, messages, "admin commands")
    assert tried == len(routes) * len(ARGUMENTS) * 2


def test_every_admin_button_refuses_a_participant_even_when_crafted(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    round_id = _world(bot, slack, fake_slack, clock)
    actions = sorted(bot.registrar.admin_actions)
    assert actions, "no admin buttons registered"
    with bot.sessions.begin() as s:
        before = _row_counts(s)
    messages = len(fake_slack.state.messages)
    fake_slack.reset_calls()
    values = [json.dumps({"round_id": round_id, "program_id": 1, "id": 1}), "", "{}"]
    for action_id in actions:
        for value in values:
            for channel in (ADMIN_CHANNEL, None):
                response = slack.action(PARTICIPANT, action_id, value, channel_id=channel)
                assert response.status == 200
    refusals = [c.args["text"] for c in fake_slack.calls_to("chat.postEphemeral")]
    refusals += [str(r.get("text")) for r in fake_slack.state.responses[-len(actions) * 3 :]]
    assert refusals
    assert all(REFUSAL in text for text in refusals), refusals
    _assert_nothing_changed(bot, fake_slack, before, messages, "admin buttons")


def test_every_admin_modal_refuses_a_participant(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, slack, fake_slack, clock)
    views = sorted(bot.registrar.admin_views)
    if not views:
        # No admin modals yet; the gate itself is covered in tests/handlers/test_admin_gate.
        assert not any(v for v in bot.registrar.views if v in bot.registrar.admin_views)
        return
    with bot.sessions.begin() as s:
        before = _row_counts(s)
    messages = len(fake_slack.state.messages)
    fake_slack.reset_calls()
    for callback_id in views:
        answer = json.loads(slack.submit(PARTICIPANT, callback_id, {}).body)
        assert answer["response_action"] == "update"
        assert REFUSAL in json.dumps(answer["view"])
    _assert_nothing_changed(bot, fake_slack, before, messages, "admin modals")


def test_admin_commands_are_exactly_the_admin_words(bot: Mentorbot) -> None:
    """Every `/mentor admin …` route is gated, and nothing else is."""
    for words, route in bot.router.routes.items():
        assert route.admin == (words[0] == "admin"), words
