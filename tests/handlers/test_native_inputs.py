"""Slack's own inputs where people expect them: confirm dialogs before a mass or irreversible
action, number inputs and date pickers instead of typed text, and an answered question's
message updated so that its buttons are gone."""

from __future__ import annotations

from typing import Any

from bot.app import Mentorbot
from bot.jobs import run_engagement
from handlers.goals import goals_form
from handlers.ids import Action, Block, Callback
from testkit.requests import SlackDriver
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_rounds_world
from tests.support.work import live_through, settle
from tests.support.world import ADMIN_CHANNEL


def _element(message: Any, action_id: str) -> dict[str, Any]:
    for block in message.blocks or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return dict(element)
    raise AssertionError(f"no {action_id} in {message.text!r}")


def test_mass_and_irreversible_buttons_ask_first_and_answered_ones_go(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    fake_slack.add_user(ADMIN)
    with bot.sessions.begin() as s:
        world = make_rounds_world(s, clock(), pairs=2, fake=fake_slack)
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    settle(bot)
    (preview,) = [m for m in fake_slack.messages_in(ADMIN_CHANNEL) if m.text.startswith("*Round")]
    approve = _element(preview, Action.ROUND_APPROVE)
    assert approve["confirm"]["confirm"]["text"]  # Approve DMs every pair: Slack asks first
    slack.action(ADMIN, Action.ROUND_APPROVE, approve["value"], channel_id=ADMIN_CHANNEL)
    live_through(bot, clock)
    pair = fake_slack.dm_channel(world.mentors[0], world.mentees[0])
    (intro,) = fake_slack.messages_in(pair)
    assert _element(intro, Action.NOT_A_GOOD_FIT)["confirm"]["title"]["text"]
    assert "confirm" not in _element(intro, Action.SCHEDULED)  # a harmless answer: no dialog

    asks: list[Any] = []
    for _ in range(21):  # the days until the first cadence: each pair is asked how it went
        clock.advance(days=1)
        run_engagement(bot.sessions, bot.deps.clock)
        live_through(bot, clock, days=1)
        asks = [m for m in fake_slack.messages_in(pair) if _has(m, Action.CHECKIN_MET)]
        if asks:
            break
    (ask,) = asks
    assert _element(ask, Action.CHECKIN_END)["confirm"]["deny"]["text"]
    met = _element(ask, Action.CHECKIN_MET)
    slack.action(
        world.mentees[0], Action.CHECKIN_MET, met["value"], channel_id=pair, message_ts=ask.ts
    )
    update = [r for r in fake_slack.state.responses if r.get("replace_original")][-1]
    assert not [b for b in update["blocks"] if b["type"] == "actions"]  # no live buttons left
    assert ask.text in str(update["blocks"])  # the question stays readable above the note


def _has(message: Any, action_id: str) -> bool:
    return any(
        e.get("action_id") == action_id for b in message.blocks or [] for e in b.get("elements", [])
    )


def test_numbers_are_number_inputs_and_goal_dates_are_date_pickers(
    slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user(ADMIN)
    slack.command(ADMIN, "admin program create")
    (form,) = [
        v for v in fake_slack.state.views.values() if v["callback_id"] == Callback.PROGRAM_SETTINGS
    ]
    kinds = {b.get("block_id"): b.get("element", {}).get("type") for b in form["blocks"]}
    for block in (Block.P_CADENCE, Block.P_WEEKS, Block.P_CAPACITY, Block.P_CAPACITY_MAX):
        assert kinds[block] == "number_input", block
    goals = goals_form([]).to_dict()
    dates = [b for b in goals["blocks"] if str(b.get("block_id", "")).startswith(Block.GOAL_DATE)]
    assert dates
    assert {b["element"]["type"] for b in dates} == {"datepicker"}
