"""Defects the faithful Slack fake shows through the real app, left for their larger fixes.

Each test asserts what a person would see once the defect is fixed and is marked
xfail(strict=True), so the fix flips it to a pass that must drop the mark. Each one reads
and clears the fake's violations itself (the refusal is the defect it shows), so the
fixture's own check does not turn the expected failure into an error.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from bot.app import Mentorbot
from bot.work import drain
from handlers.enroll_form import program_choice
from handlers.ids import Block, Callback
from models.goals import set_milestones
from models.tables import Goal, Program
from models.taxonomy import add_skill
from testkit.requests import SlackDriver, ack_json
from testkit.slack import TEAM_ID, FakeSlack
from tests.conftest import ADMIN
from tests.handlers.test_enroll import ALICE, _world
from tests.handlers.test_program_admin import _settings
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_rounds_world
from tests.support.world import (
    ADMIN_CHANNEL,
    make_enrollment,
    make_match,
    make_person,
    make_program,
    make_round,
    make_workspace,
)


def _refused(fake: FakeSlack) -> list[str]:
    refused = list(fake.violations)
    fake.violations.clear()
    return refused


def test_the_join_form_opens_when_admins_added_over_100_skills(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    with bot.sessions.begin() as s:
        for n in range(101):  # what five saves of the settings modal add up to, and more
            add_skill(s, world.program_id, f"Internal tool {n:03d}", "Added by admins", clock())
    slack.command(ALICE, "join")
    assert _refused(fake_slack) == []
    forms = [v for v in fake_slack.state.views.values() if v["callback_id"] == Callback.JOIN]
    assert forms, "the join form never opened"
    offered = json.dumps(forms[0]["blocks"])
    # every skill is still there to pick, the admins' own in parts of at most 100
    assert "Internal tool 000" in offered
    assert "Internal tool 100" in offered
    assert "Added by admins (1 of 2)" in offered
    assert "Added by admins (2 of 2)" in offered


def test_an_admin_channel_the_bot_is_not_in_is_caught_when_it_is_chosen(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user(ADMIN)
    fake_slack.add_channel(ADMIN_CHANNEL, "mentoring-admins", members={ADMIN}, bot_member=False)
    slack.command(ADMIN, "admin program create")
    answer = ack_json(slack.submit(ADMIN, Callback.PROGRAM_SETTINGS, _settings()))
    told = Block.P_ADMIN_CHANNEL in (answer.get("errors") or {})
    joined = fake_slack.state.conversations[ADMIN_CHANNEL].bot_member
    _refused(fake_slack)
    assert told or joined, "saved an admin channel where previews can never be posted"


def test_a_private_admin_channel_can_be_chosen_and_is_posted_to_once(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    fake_slack.add_user(ADMIN)
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock(), pairs=2, fake=fake_slack)
    slack.command(ADMIN, "admin program create")
    (form,) = fake_slack.state.views.values()
    picker = next(b for b in form["blocks"] if b.get("block_id") == Block.P_ADMIN_CHANNEL)
    offers_private = picker["element"]["type"] == "conversations_select" and "private" in (
        picker["element"].get("filter", {}).get("include", [])
    )
    private = fake_slack.add_channel("CSECRET001", "mentoring-admins", private=True)
    private.members.add(ADMIN)
    with bot.sessions.begin() as s:
        s.scalars(select(Program)).one().admin_channel_id = "CSECRET001"
    # Slack took the preview but the answer was lost: the retry must find it, not repost.
    fake_slack.inject("chat.postMessage", status=503, after_success=True)
    slack.command(ADMIN, "admin round --dry-run", channel_id="CSECRET001")
    drain(bot.sessions, clock)  # the leader matches; the preview is queued
    for _ in range(3):
        bot.deliverer.run_once()
        clock.advance(seconds=30)
    previews = [m for m in fake_slack.messages_in("CSECRET001") if m.blocks]
    refused = _refused(fake_slack)
    assert offers_private, "the settings modal cannot pick a private channel"
    assert refused == []  # conversations.history there: missing_scope groups:history
    assert len(previews) == 1


def test_goals_of_a_mentor_with_many_mentees_fit_in_slack(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    at = clock()
    with bot.sessions.begin() as s:
        workspace = make_workspace(s, at, team_id=TEAM_ID)
        program = make_program(s, workspace, at)
        mentor = make_enrollment(
            s, program, make_person(s, workspace, "UMENTOR001", at), "mentor", at, capacity=20
        )
        round_ = make_round(s, program, at)
        for n in range(15):
            mentee = make_enrollment(
                s, program, make_person(s, workspace, f"UMENTEE{n:03d}", at), "mentee", at
            )
            make_match(s, round_, [(mentor, "mentor"), (mentee, "mentee")], at)
            for g in range(3):
                goal = Goal(
                    enrollment_id=mentee.id,
                    title=f"Goal {g} " + "t" * 290,
                    measure="m" * 500,
                    target_date=date(2027, 6, 30),
                    created_at=at,
                )
                s.add(goal)
                s.flush()
                set_milestones(s, goal, [f"Step {i} " + "s" * 100 for i in range(10)])
    fake_slack.add_user("UMENTOR001")
    answer = ack_json(slack.command("UMENTOR001", "goals"))
    refused = _refused(fake_slack)
    assert refused == []  # the ack: msg_too_long
    shown = json.dumps(answer)
    assert "Goal 0" in shown
    assert "<@UMENTEE014>" in shown  # every mentee is there, titles only
    assert "goals show @mentee" in shown
    assert "Step 0" not in shown
    one = json.dumps(ack_json(slack.command("UMENTOR001", "goals show <@UMENTEE003>")))
    assert _refused(fake_slack) == []
    assert "<@UMENTEE003>" in one  # one mentee's goals in full
    assert "Step 9" in one
    assert "<@UMENTEE004>" not in one
    stranger = json.dumps(ack_json(slack.command("UMENTOR001", "goals show <@UNOBODY01>")))
    assert "Name one of your mentees" in stranger


def test_a_workspace_of_more_than_100_programs_can_still_join_each() -> None:
    """The chooser's menu takes 100; the others are named, never silently dropped."""
    view = program_choice([(n, f"Program {n:03d}") for n in range(130)]).to_dict()
    shown = json.dumps(view["blocks"])
    assert "Program 099" in shown
    assert "Program 100" not in shown
    assert "30 more programs" in shown
    assert "/mentor join <program>" in shown
