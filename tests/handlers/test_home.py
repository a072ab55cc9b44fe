"""App Home and enrollment events through the real app."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.app import Mentorbot
from handlers.ids import Action, Callback
from models.tables import Enrollment, Match, Person, Program, Workspace
from testkit.requests import SlackDriver
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.handlers.test_enroll import ALICE, BOB, _drain, _join, _matched, _world
from tests.support.clock import FrozenClock
from tests.support.enroll_world import opened_form
from tests.support.work import live_through
from tests.support.world import make_program


def _home(fake: FakeSlack, user: str) -> str:
    return json.dumps(fake.state.home[user]["blocks"])


def _open_home(slack: SlackDriver, user: str) -> None:
    slack.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"})


def _button(fake: FakeSlack, user: str, action: str) -> str:
    for block in fake.state.home[user]["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action:
                return str(element["value"])
    raise AssertionError(f"no {action} on {user}'s Home")


def test_home_invites_then_shows_everything_the_bot_knows(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    _open_home(slack, ALICE)
    assert "Join Engineering mentoring" in _home(fake_slack, ALICE)
    slack.action(ALICE, Action.HOME_JOIN, _button(fake_slack, ALICE, Action.HOME_JOIN))
    assert opened_form(fake_slack)["callback_id"] == Callback.JOIN

    _join(slack, fake_slack, ALICE, goals=[world.skills["SQL"]], free_goal="Speak up", never=[BOB])
    _open_home(slack, ALICE)
    home = _home(fake_slack, ALICE)
    for fact in (
        "Goals: SQL",
        "Speak up",
        "Mon, Tue, Wed, Thu, Fri, 09:00 to 17:00",
        "America/New_York",
        "Never matched with: 1 people (only you see this)",
        "Consent given",
    ):
        assert fact in home, fact
    assert BOB not in home  # the never-match list is counted, never named
    assert "Programs you run" not in home

    slack.action(ALICE, Action.HOME_PAUSE, "pause")
    with bot.sessions.begin() as s:
        assert s.scalars(select(Enrollment.status)).one() == "paused"
    assert "Resume" in _home(fake_slack, ALICE)
    slack.action(ALICE, Action.HOME_RESUME, "resume")
    with bot.sessions.begin() as s:
        assert s.scalars(select(Enrollment.status)).one() == "active"

    slack.action(ALICE, Action.HOME_EDIT, str(world.program_id))
    assert '"initial_value": "Speak up"' in json.dumps(opened_form(fake_slack)["blocks"])


def test_forget_me_from_home_asks_in_a_modal_then_deletes(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    _join(slack, fake_slack, ALICE, goals=[world.skills["SQL"]])
    _open_home(slack, ALICE)
    slack.action(ALICE, Action.HOME_FORGET, "forget")
    asked = [
        v for v in fake_slack.state.views.values() if v.get("callback_id") == Callback.FORGET_ME
    ]
    assert "cannot be undone" in json.dumps(asked[0])
    answer = json.loads(slack.submit(ALICE, Callback.FORGET_ME, {}).body)
    assert "data is deleted" in json.dumps(answer["view"])
    with bot.sessions.begin() as s:
        assert s.scalars(select(Enrollment)).all() == []
    assert "Join Engineering mentoring" in _home(fake_slack, ALICE)


def test_admins_see_their_programs_headline_numbers(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    fake_slack.add_user(ADMIN)
    _join(slack, fake_slack, ALICE, goals=[world.skills["SQL"]])
    _matched(bot, fake_slack, clock, world)
    _open_home(slack, ADMIN)
    home = _home(fake_slack, ADMIN)
    assert "Programs you run" in home
    # one of each: groups under 5, so not counted out loud (flows.disclosure)
    hidden = "not shown"
    assert f"{hidden} mentors, {hidden} mentees, {hidden} open matches" in home


def test_a_newcomer_in_the_program_channel_is_invited_once(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock, program_channel_id="CPROGRAM01")
    joined: dict[str, Any] = {
        "type": "member_joined_channel",
        "user": ALICE,
        "channel": "CPROGRAM01",
    }
    slack.event(joined, event_id="Ev0JOIN001")
    slack.event(joined, event_id="Ev0JOIN001", retry_num=1)  # Slack's retry
    slack.event(joined, event_id="Ev0JOIN002")  # left and came back
    slack.event({**joined, "channel": "CRANDOM001"}, event_id="Ev0JOIN003")
    _drain(bot)
    dms = fake_slack.messages_in(fake_slack.dm_channel(ALICE))
    assert len(dms) == 1
    assert "Want to join?" in dms[0].text
    assert Action.INVITE_JOIN in json.dumps(dms[0].blocks)


def test_a_deactivated_user_is_withdrawn_and_the_partner_told_once(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    _join(slack, fake_slack, ALICE, goals=[world.skills["SQL"]])
    match_id = _matched(bot, fake_slack, clock, world)
    change = {"type": "user_change", "user": {"id": ALICE, "deleted": True}}
    for retry in (None, 1, 2, 3):
        slack.event(change, event_id="Ev0GONE001", retry_num=retry)
    live_through(bot, clock)  # the partner is told in their own hours
    with bot.sessions.begin() as s:
        alice = s.scalars(select(Person).where(Person.slack_user_id == ALICE)).one()
        assert alice.is_deleted
        enrollment = s.scalars(select(Enrollment).where(Enrollment.person_id == alice.id)).one()
        assert enrollment.status == "left"
        assert s.get_one(Match, match_id).end_reason == "deactivated"
        assert s.scalars(select(Program.status)).one() == "open"
    assert len(fake_slack.messages_in(fake_slack.dm_channel(BOB))) == 1


def test_home_offers_every_open_program_to_join(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock)
    with bot.sessions.begin() as s:
        first = s.scalars(select(Program)).one()
        make_program(
            s, s.get_one(Workspace, first.workspace_id), clock(), slug="design", name="Design"
        )
    _open_home(slack, ALICE)  # Slack refuses a Home whose Join buttons share an action_id
    home = _home(fake_slack, ALICE)
    assert "Join Engineering mentoring" in home
    assert "Join Design" in home


def test_a_join_home_cannot_start_is_explained_in_the_apps_dm(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, fake_slack, clock)
    fake_slack.add_user("UGUEST0001", "gus", is_restricted=True)
    _open_home(slack, "UGUEST0001")
    program = _button(fake_slack, "UGUEST0001", Action.HOME_JOIN)
    slack.action("UGUEST0001", Action.HOME_JOIN, program)  # guests cannot enroll
    (told,) = fake_slack.messages_in(fake_slack.dm_channel("UGUEST0001"))
    assert "guest" in told.text.lower()
    assert fake_slack.messages_in(fake_slack.slackbot_dm("UGUEST0001")) == []
