"""Goals and feedback: a mentee sets SMART goals; the mentor sees them, never the ratings."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.app import Mentorbot
from handlers.enroll_form import V
from handlers.ids import Block, Callback
from models.tables import Goal
from tests.fakes.slack import FakeSlack
from tests.handlers.test_engagement import _start
from tests.support.clock import FrozenClock
from tests.support.slack_requests import SlackDriver, ack_json


def _goal(n: int, title: str, measure: str = "", when: str = "") -> dict[str, Any]:
    def text(value: str) -> dict[str, Any]:
        return {V: {"type": "plain_text_input", "value": value or None}}

    return {
        f"{Block.GOAL_TITLE}{n}": text(title),
        f"{Block.GOAL_MEASURE}{n}": text(measure),
        f"{Block.GOAL_DATE}{n}": text(when),
    }


def test_mentee_sets_goals_and_the_mentor_sees_them(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _start(bot, fake_slack, clock)
    mentor, mentee = world.mentors[0], world.mentees[0]
    slack.command(mentee, "goals")
    assert any(v.get("callback_id") == Callback.GOALS for v in fake_slack.state.views.values())

    empty = ack_json(slack.submit(mentee, Callback.GOALS, _goal(1, "")))
    assert "at least one goal" in empty["errors"][f"{Block.GOAL_TITLE}1"]
    past = ack_json(
        slack.submit(mentee, Callback.GOALS, _goal(1, "Lead a review", when="2020-01-01"))
    )
    assert "in the future" in past["errors"][f"{Block.GOAL_DATE}1"]
    with bot.sessions.begin() as s:
        assert s.scalars(select(Goal)).all() == []

    values = {
        **_goal(1, "Lead a design review", "one review led", "2027-03-31"),
        **_goal(2, "Speak at a meetup"),
    }
    assert ack_json(slack.submit(mentee, Callback.GOALS, values)) == {}
    shown = ack_json(slack.command(mentor, "goals"))["text"]
    assert f"Goals* of <@{mentee}>" in shown
    assert "Lead a design review (measured by: one review led), by 31 Mar 2027" in shown
    assert "Speak at a meetup" in shown
    assert "no survey open" in ack_json(slack.command(mentee, "feedback"))["text"]
