"""Admin-only buttons and views: refused before the listener runs for anyone else."""

from __future__ import annotations

import json

from bot.app import Mentorbot
from handlers.listen import Answer, Request
from testkit.requests import SlackDriver
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.world import ADMIN_CHANNEL, arrange_channels


def _gated(bot: Mentorbot, ran: list[str]) -> None:
    def listener(request: Request) -> Answer:
        ran.append(request.slack_user_id)
        return Answer()

    bot.registrar.action("test_admin_button", listener, admin=True)
    bot.registrar.view("test_admin_view", listener, admin=True)


def test_non_admin_button_is_refused_before_the_listener(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    ran: list[str] = []
    _gated(bot, ran)
    fake_slack.add_user("UPLAIN0001")
    arrange_channels(fake_slack, ADMIN, "UPLAIN0001")

    response = slack.action("UPLAIN0001", "test_admin_button", channel_id=ADMIN_CHANNEL)

    assert response.status == 200
    assert ran == []
    refusals = fake_slack.calls_to("chat.postEphemeral")
    assert [c.args["user"] for c in refusals] == ["UPLAIN0001"]
    assert "only program admins" in refusals[0].args["text"]

    slack.action(ADMIN, "test_admin_button", channel_id=ADMIN_CHANNEL)
    assert ran == [ADMIN]


def test_non_admin_view_submission_is_refused_with_a_clear_modal(
    bot: Mentorbot, slack: SlackDriver
) -> None:
    ran: list[str] = []
    _gated(bot, ran)

    response = slack.submit("UPLAIN0001", "test_admin_view", {})

    assert ran == []
    body = json.loads(response.body)
    assert body["response_action"] == "update"
    assert "only program admins" in json.dumps(body["view"])
    assert "test_admin_button" in bot.registrar.admin_actions
    assert "test_admin_view" in bot.registrar.admin_views


def test_a_refusal_with_nowhere_to_answer_goes_to_the_apps_dm(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    _gated(bot, [])
    fake_slack.add_user("UPLAIN0001")
    home = {"id": "VHOME0001", "type": "home", "blocks": []}  # a click on App Home
    slack.action("UPLAIN0001", "test_admin_button", view=home)
    (told,) = fake_slack.messages_in(fake_slack.dm_channel("UPLAIN0001"))
    assert "only program admins" in told.text
    assert fake_slack.messages_in(fake_slack.slackbot_dm("UPLAIN0001")) == []
