"""Goals and feedback: a mentee sets SMART goals; the mentor sees them, never the ratings."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.app import Mentorbot
from handlers.enroll_form import V
from handlers.ids import Action, Block, Callback
from models import engagement
from models.tables import Goal, Match, PulseResponse
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.handlers.test_engagement import _button, _messages, _start, _step
from tests.support.clock import FrozenClock


def _goal(n: int, title: str, measure: str = "", when: str = "") -> dict[str, Any]:
    def text(value: str) -> dict[str, Any]:
        return {V: {"type": "plain_text_input", "value": value or None}}

    return {
        f"{Block.GOAL_TITLE}{n}": text(title),
        f"{Block.GOAL_MEASURE}{n}": text(measure),
        f"{Block.GOAL_DATE}{n}": {V: {"type": "datepicker", "selected_date": when or None}},
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
    # goals set before the job first looked at the match: no invitation to set them
    _step(bot, clock, clock() + timedelta(days=1))
    assert not [m for m in _messages(fake_slack, mentee) if "Set one to three goals" in m.text]


def _latest_view(fake: FakeSlack) -> dict[str, Any]:
    return list(fake.state.views.values())[-1]


def test_goal_invitation_milestones_and_progress_from_the_pulse(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _start(bot, fake_slack, clock)
    mentor, mentee = world.mentors[0], world.mentees[0]
    _step(bot, clock, clock() + timedelta(days=1))
    invites = [m for m in _messages(fake_slack, mentee) if "Set one to three goals" in m.text]
    assert len(invites) == 1  # once, though the job ran more than once
    assert not [m for m in _messages(fake_slack, mentor) if "Set one to three goals" in m.text]

    slack.action(mentee, Action.GOALS_OPEN, _button(invites[0], Action.GOALS_OPEN))
    form = _latest_view(fake_slack)
    assert form["callback_id"] == Callback.GOALS
    assert "Milestones, one per line" in json.dumps(form["blocks"])
    steps = {
        f"{Block.GOAL_MILESTONES}1": {
            V: {"type": "plain_text_input", "value": "Shadow a review\nLead one"}
        }
    }
    values = {**_goal(1, "Lead a design review", "one review led", "2027-03-31"), **steps}
    assert ack_json(slack.submit(mentee, Callback.GOALS, values)) == {}
    shown = ack_json(slack.command(mentor, "goals"))["text"]
    assert "Lead a design review" in shown
    assert "◦ Shadow a review" in shown
    assert "◦ Lead one" in shown

    # the first pulse asks how far along each goal is; the answer moves the goal
    with bot.sessions.begin() as s:
        match = s.scalars(select(Match).order_by(Match.id)).first()
        assert match is not None
        engagement.record_meeting(s, match, clock())
    _step(bot, clock, clock() + timedelta(days=2))
    pulse = [m for m in _messages(fake_slack, mentee) if "How is your mentoring going" in m.text]
    value = _button(pulse[0], Action.PULSE_OPEN)
    slack.action(mentee, Action.PULSE_OPEN, value)
    blocks = json.dumps(_latest_view(fake_slack)["blocks"])
    assert "How far along: Lead a design review" in blocks
    with bot.sessions() as s:
        goal = s.scalars(select(Goal)).one()
    chosen = {
        Block.PULSE_VALUE: {V: {"type": "static_select", "selected_option": {"value": "4"}}},
        Block.PULSE_PROGRESS: {V: {"type": "static_select", "selected_option": {"value": "3"}}},
        f"{Block.PULSE_GOAL}{goal.id}": {
            V: {"type": "static_select", "selected_option": {"value": "75"}}
        },
        f"{Block.PULSE_GOAL}999999": {  # a forged goal id that is not theirs: ignored
            V: {"type": "static_select", "selected_option": {"value": "100"}}
        },
    }
    bad = {
        **chosen,
        f"{Block.PULSE_GOAL}{goal.id}": {
            V: {"type": "static_select", "selected_option": {"value": "60"}}
        },
    }
    assert (
        f"{Block.PULSE_GOAL}{goal.id}"
        in ack_json(slack.submit(mentee, Callback.PULSE, bad, private_metadata=value))["errors"]
    )
    assert slack.submit(mentee, Callback.PULSE, chosen, private_metadata=value).body == ""
    with bot.sessions() as s:
        assert s.get_one(Goal, goal.id).progress == 75
        response = s.scalars(select(PulseResponse)).one()
        assert response.goal_progress == {str(goal.id): 75}
    # the mentee sees their own progress; the mentor sees the goal, never the private figure
    assert (
        "Lead a design review (measured by: one review led), by 31 Mar 2027: 75%"
        in ack_json(slack.command(mentee, "goals show"))["text"]
    )
    to_mentor = ack_json(slack.command(mentor, "goals"))["text"]
    assert "Lead a design review (measured by: one review led), by 31 Mar 2027" in to_mentor
    assert "75%" not in to_mentor
