"""Recognition through the real app: `/mentor impact`, the would-recommend score only in whole
groups of five, a thank-you card where the mentor chooses, a summary at completion, and the
program's opt-in monthly thank-you."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from bot.app import Mentorbot
from bot.jobs import post_thanks, run_engagement
from handlers.forms import V
from handlers.ids import Action, Block, Callback
from handlers.impact import make_share_failure_hook
from models.tables import (
    CheckIn,
    CheckInAnswer,
    Goal,
    Match,
    Program,
    PulseResponse,
    PulseSurvey,
)
from testkit.requests import SlackDriver, ack_json
from testkit.slack import TEAM_ID, FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.features import PROGRAM_CHANNEL, button, dms, join, seat, seen
from tests.support.rounds_world import make_skills
from tests.support.work import settle
from tests.support.world import make_match, make_program, make_round, make_workspace

MENTOR = "UMENTOR01"
PYTHON = (("python", 3),)


def _met(s: Session, match: Match, at: datetime) -> None:
    checkin = CheckIn(match_id=match.id, period=1, asked_at=at, since=at)
    s.add(checkin)
    s.flush()
    for member in match.members:
        s.add(
            CheckInAnswer(
                checkin_id=checkin.id, person_id=member.person_id, answer="met", answered_at=at
            )
        )
    s.flush()


def _record(bot: Mentorbot, fake: FakeSlack, at: datetime, recommends: list[int]) -> int:
    """A mentor with one completed match per recommendation, each met once, one goal reached."""
    fake.add_user(ADMIN, real_name="Ada Admin")
    with bot.sessions.begin() as s:
        workspace = make_workspace(s, at, team_id=TEAM_ID)
        program = make_program(s, workspace, at, program_channel_id=PROGRAM_CHANNEL)
        skills = make_skills(s, program, at)
        mentor = join(
            s,
            fake,
            program,
            MENTOR,
            "mentor",
            at,
            skills,
            offers=PYTHON,
            name="Mia Mentor",
            capacity=3,
        )
        for i, value in enumerate(recommends):
            mentee = join(
                s, fake, program, f"UMENTEE{i:02d}", "mentee", at, skills, seeks=("python",)
            )
            match = make_match(
                s,
                make_round(s, program, at),
                [(mentor, "mentor"), (mentee, "mentee")],
                at - timedelta(days=90),
                state="completed",
                ended_at=at,
            )
            _met(s, match, at - timedelta(days=60))
            survey = PulseSurvey(
                match_id=match.id,
                person_id=mentee.person_id,
                kind="final",
                sequence=0,
                sent_at=at,
                expires_at=at + timedelta(days=14),
            )
            s.add(survey)
            s.flush()
            s.add(
                PulseResponse(
                    survey_id=survey.id,
                    value_rating=5,
                    progress_rating=4,
                    recommend=value,
                    submitted_at=at + timedelta(minutes=i),
                )
            )
            if i == 0:
                s.add(
                    Goal(
                        enrollment_id=mentee.id,
                        match_id=match.id,
                        title="Ship it",
                        status="done",
                        progress=100,
                        created_at=at,
                    )
                )
        return program.id


def test_impact_shows_what_mentoring_achieved_and_averages_only_whole_groups_of_five(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _record(bot, fake_slack, clock(), [10, 9, 8, 10, 9, 3])
    text = ack_json(slack.command(MENTOR, "impact"))["text"]
    assert "People you've mentored or helped: 6" in text
    assert "Mentoring relationships: 6 (6 completed)" in text
    assert "Goals your mentees reached: 1" in text
    assert "Hours given: 6 in all, 0 this month" in text
    # the sixth answer (3) is not in the average until four more have come in
    assert "(0-10, average of 5 answers, anonymous): 9.2" in text


def test_under_five_answers_there_is_no_score(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _record(bot, fake_slack, clock(), [10, 2, 9, 8])
    text = ack_json(slack.command(MENTOR, "impact"))["text"]
    assert "shown once 5 mentees have answered (4 so far)" in text
    assert "average of" not in text


def test_a_thank_you_card_goes_where_the_mentor_chooses_or_they_learn_why_not(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _record(bot, fake_slack, clock(), [10, 9])
    bot.deliverer.add_failure_hook(make_share_failure_hook(bot.deps))
    seat(fake_slack, "CTEAM0001", MENTOR)
    slack.command(MENTOR, "impact")
    slack.action(MENTOR, Action.IMPACT_SHARE, "share")
    modal = [
        v for v in fake_slack.state.views.values() if v.get("callback_id") == Callback.IMPACT_SHARE
    ]
    assert len(modal) == 1
    assert "they've helped 2 people" in json.dumps(modal[0])  # the preview of the card

    def share(channel: str, view_id: str) -> None:
        slack.submit(
            MENTOR,
            Callback.IMPACT_SHARE,
            {
                Block.SHARE_CHANNEL: {
                    V: {"type": "conversations_select", "selected_conversation": channel}
                }
            },
            view_id=view_id,
        )

    share("CTEAM0001", "VSHARE1")
    settle(bot)
    card = fake_slack.messages_in("CTEAM0001")
    assert len(card) == 1
    assert (
        "*Thank you, <@UMENTOR01>!* Through mentoring, they've helped 2 people, given 2 hours"
        in (seen(card[0]))
    )
    # a channel the bot is not in: Slack refuses, and the mentor is told how to share it
    fake_slack.inject("chat.postMessage", error="not_in_channel")
    if hasattr(fake_slack, "tolerate"):
        fake_slack.tolerate("not_in_channel")
    share("CELSEWHERE", "VSHARE2")
    settle(bot)
    settle(bot)  # the note the failure queued goes out on the worker's next pass
    told = [m for m in dms(fake_slack, MENTOR) if "couldn't post your thank-you card" in m.text]
    assert len(told) == 1
    assert "Invite me there (`/invite @mentorbot`)" in told[0].text


def test_at_a_matchs_planned_end_its_mentor_sees_their_impact(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    at = clock()
    with bot.sessions.begin() as s:
        workspace = make_workspace(s, at, team_id=TEAM_ID)
        program = make_program(s, workspace, at)
        skills = make_skills(s, program, at)
        mentor = join(s, fake_slack, program, MENTOR, "mentor", at, skills, offers=PYTHON)
        mentee = join(s, fake_slack, program, "UMENTEE01", "mentee", at, skills, seeks=("python",))
        match = make_match(
            s,
            make_round(s, program, at),
            [(mentor, "mentor"), (mentee, "mentee")],
            at - timedelta(weeks=12),
            ends_at=at - timedelta(hours=1),
        )
        _met(s, match, at - timedelta(weeks=6))
    run_engagement(bot.sessions, bot.deps.clock)
    clock.advance(hours=1)
    settle(bot)
    summary = [
        m
        for m in dms(fake_slack, MENTOR)
        if "has finished as planned. Thank you for mentoring!" in m.text
    ]
    assert len(summary) == 1
    assert "People you've mentored or helped: 1" in seen(summary[0])
    assert button(summary[0], Action.IMPACT_SHARE)
    assert not [m for m in dms(fake_slack, "UMENTEE01") if "what your mentoring" in m.text]


def _thanks_world(bot: Mentorbot, fake: FakeSlack, at: datetime, mentors: int) -> int:
    with bot.sessions.begin() as s:
        workspace = make_workspace(s, at, team_id=TEAM_ID)
        program = make_program(
            s, workspace, at, program_channel_id=PROGRAM_CHANNEL, settings={"thanks": "monthly"}
        )
        skills = make_skills(s, program, at)
        for i in range(mentors):
            mentor = join(s, fake, program, f"UMENTOR{i:02d}", "mentor", at, skills, offers=PYTHON)
            mentee = join(
                s, fake, program, f"UMENTEE{i:02d}", "mentee", at, skills, seeks=("python",)
            )
            match = make_match(
                s,
                make_round(s, program, at),
                [(mentor, "mentor"), (mentee, "mentee")],
                at - timedelta(days=20),
            )
            _met(s, match, at)
        return program.id


def test_the_monthly_thank_you_names_only_who_asked_and_shows_totals_from_five(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    program_id = _thanks_world(bot, fake_slack, clock(), mentors=5)
    seat(fake_slack, PROGRAM_CHANNEL)
    slack.action("UMENTOR03", Action.IMPACT_NAME_ME, "yes")
    clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    assert post_thanks(bot.sessions, bot.deps.clock) == 1
    assert post_thanks(bot.sessions, bot.deps.clock) == 0  # once a month
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))  # 10:00 in the program's zone
    settle(bot)
    posts = fake_slack.messages_in(PROGRAM_CHANNEL)
    assert len(posts) == 1
    text = seen(posts[0])
    assert "In November 2026, 5 mentors gave 5 hours across 5 sessions, helping 5 people." in text
    assert "Special thanks to <@UMENTOR03>." in text
    assert "<@UMENTOR00>" not in text
    with bot.sessions.begin() as s:
        assert s.get_one(Program, program_id).settings["thanks"] == "monthly"


def test_under_five_mentors_the_thank_you_shows_no_totals(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _thanks_world(bot, fake_slack, clock(), mentors=3)
    seat(fake_slack, PROGRAM_CHANNEL)
    clock.set(datetime(2026, 12, 1, 6, 0, tzinfo=UTC))
    assert post_thanks(bot.sessions, bot.deps.clock) == 0  # nobody named and under five
    slack.action("UMENTOR01", Action.IMPACT_NAME_ME, "yes")
    assert post_thanks(bot.sessions, bot.deps.clock) == 1
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    settle(bot)
    text = seen(fake_slack.messages_in(PROGRAM_CHANNEL)[0])
    assert "for your time in November 2026. Special thanks to <@UMENTOR01>." in text
    assert "hours" not in text
