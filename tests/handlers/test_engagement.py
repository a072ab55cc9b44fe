"""Keeping pairs alive over a whole engagement, with a frozen clock stepped through 26 weeks.

Three pairs (mentors in London, mentees in New York) live three different lives: one meets
and answers, one goes silent, one keeps saying "not yet". The test asserts who received
what and when (10:00 local, working days, inside both members' hours for the pair's DM),
the stall ladder, private answers, completion, and that nothing is ever sent twice even
with two replicas running the job at the same moments.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.app import Mentorbot
from bot.jobs import run_engagement
from flows.rounds import start_round
from handlers.ids import Action, Block, Callback
from handlers.pacing import Pacer
from models.tables import Enrollment, Match, OutboxMessage, Person, PulseResponse
from testkit.requests import SlackDriver
from testkit.slack import FakeSlack
from tests.support.clock import FrozenClock
from tests.support.rounds_world import RoundsWorld, make_rounds_world
from tests.support.work import settle

LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")


def _start(bot: Mentorbot, fake: FakeSlack, clock: FrozenClock) -> RoundsWorld:
    bot.deliverer.pacer = Pacer(scale=10_000)
    with bot.sessions.begin() as s:
        world = make_rounds_world(
            s, clock(), pairs=3, fake=fake, approval_required=False, engagement_weeks=12
        )
    with bot.sessions.begin() as s:
        start_round(s, world.program_id, at=clock())
    _deliver(bot)
    return world


def _deliver(bot: Mentorbot) -> None:
    settle(bot)


def _step(
    bot: Mentorbot,
    clock: FrozenClock,
    until: Any,
    *,
    every: timedelta = timedelta(hours=6),
    replicas: int = 2,
) -> None:
    """Advance to `until`, running the job (once per replica) `every` so often and delivering
    each message at exactly the time it was meant to land."""
    next_job = clock()
    while clock() < until:
        with bot.sessions() as s:
            due = s.scalar(
                select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.state == "pending"
                )
            )
        target = min(t for t in (next_job, due, until) if t is not None)
        if target > clock():
            clock.set(target)
        if clock() >= next_job:
            for _ in range(replicas):
                run_engagement(bot.sessions, bot.deps.clock)
            next_job = clock() + every
        _deliver(bot)


def _messages(fake: FakeSlack, *users: str) -> list[Any]:
    return fake.messages_in(fake.dm_channel(*users))


def _button(message: Any, action: str) -> str:
    for block in message.blocks or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action:
                return str(element["value"])
    raise AssertionError(f"no {action} in {message.text!r}")


def _sent(bot: Mentorbot, key_part: str) -> list[OutboxMessage]:
    with bot.sessions() as s:
        return list(
            s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.key.contains(key_part), OutboxMessage.state == "sent")
                .order_by(OutboxMessage.id)
            )
        )


def test_twenty_six_weeks_of_three_pairs(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _start(bot, fake_slack, clock)
    start = clock()
    (m0, m1, m2), (e0, e1, e2) = world.mentors, world.mentees

    # pair 0 schedules its first meeting on day 2 (both click; one meeting counted)
    _step(bot, clock, start + timedelta(days=2))
    intro = _messages(fake_slack, m0, e0)[0]
    for user in (m0, e0):
        slack.action(user, Action.SCHEDULED, _button(intro, Action.SCHEDULED))

    # the first pulse to pair 0's members, each alone; the mentee answers privately
    _step(bot, clock, start + timedelta(days=4))
    pulse = [m for m in _messages(fake_slack, e0) if "How is your mentoring going" in m.text]
    assert len(pulse) == 1
    survey = json.loads(_button(pulse[0], Action.PULSE_OPEN))["survey_id"]
    slack.action(e0, Action.PULSE_OPEN, _button(pulse[0], Action.PULSE_OPEN))
    state = {
        Block.PULSE_VALUE: {"v": {"type": "static_select", "selected_option": {"value": "2"}}},
        Block.PULSE_PROGRESS: {"v": {"type": "static_select", "selected_option": {"value": "4"}}},
        Block.PULSE_COMMENT: {"v": {"type": "plain_text_input", "value": "SECRET-WORDS"}},
    }
    meta = json.dumps({"survey_id": survey})
    # a forged rating the form never offered is refused in the modal and stores nothing
    forged = {**state, Block.PULSE_VALUE: {"v": {"selected_option": {"value": "9"}}}}
    refused = json.loads(slack.submit(e0, Callback.PULSE, forged, private_metadata=meta).body)
    assert refused["response_action"] == "errors"
    assert Block.PULSE_VALUE in refused["errors"]
    with bot.sessions() as s:
        assert s.get(PulseResponse, survey) is None
    assert slack.submit(e0, Callback.PULSE, state, private_metadata=meta).body == ""
    assert slack.submit(e0, Callback.PULSE, state, private_metadata=meta).body != ""  # once

    # day 10: pair 1 and 2 have not met: a nudge with slots; pair 0 gets none
    _step(bot, clock, start + timedelta(days=11))
    assert [len(_sent(bot, f"match:{i}:first-nudge")) for i in (1, 2, 3)] == [0, 1, 1]

    # check-ins every 14 days: pair 0 says met (twice, one counted); pair 2 says not yet
    for period in (1, 2):
        _step(bot, clock, start + timedelta(days=14 * period, hours=23))
        for mentor, mentee, action in (
            (m0, e0, Action.CHECKIN_MET),
            (m2, e2, Action.CHECKIN_NOT_YET),
        ):
            checkins = [m for m in _messages(fake_slack, mentor, mentee) if "check-in" in m.text]
            assert len(checkins) == period
            for user in (mentor, mentee):
                slack.action(user, action, _button(checkins[-1], action))

    # pair 1 (quiet for two periods) and pair 2 (two "not yet"s) are asked privately
    _step(bot, clock, start + timedelta(days=30))
    asked = {
        u: [m for m in _messages(fake_slack, u) if "keep going" in m.text] for u in (m1, e1, m2, e2)
    }
    assert {u: len(v) for u, v in asked.items()} == {m1: 1, e1: 1, m2: 1, e2: 1}
    slack.action(m1, Action.KEEP_GOING_YES, _button(asked[m1][0], Action.KEEP_GOING_YES))
    slack.action(e1, Action.KEEP_GOING_NO, _button(asked[e1][0], Action.KEEP_GOING_NO))
    # pair 2 stays silent: the grace period ends it
    _step(bot, clock, start + timedelta(days=40))

    with bot.sessions() as s:
        states = dict(s.execute(select(Match.id, Match.state)).all())
        reasons = dict(s.execute(select(Match.id, Match.end_reason)).all())
        assert states == {1: "active", 2: "ended", 3: "ended"}
        assert (reasons[2], reasons[3]) == ("no_fault", "stalled")
        queued = s.scalars(
            select(Person.slack_user_id)
            .join(Enrollment, Enrollment.person_id == Person.id)
            .where(Enrollment.priority.is_(True))
        ).all()
        assert sorted(queued) == sorted([m1, e1, m2, e2])
    # both members of pair 1 read the same words: nobody learns who said no
    ended = {
        u: [m.text for m in _messages(fake_slack, u) if "come to an end" in m.text]
        for u in (m1, e1)
    }
    assert ended[m1] == ended[e1]
    assert len(ended[m1]) == 1

    # pair 0 keeps meeting to the end of the engagement (12 weeks), then on to week 26
    for period in (3, 4, 5):
        _step(bot, clock, start + timedelta(days=14 * period, hours=23))
        checkins = [m for m in _messages(fake_slack, m0, e0) if "check-in" in m.text]
        assert len(checkins) == period
        slack.action(e0, Action.CHECKIN_MET, _button(checkins[-1], Action.CHECKIN_MET))
    _step(bot, clock, start + timedelta(weeks=26))
    with bot.sessions() as s:
        assert s.get_one(Match, 1).state == "completed"
        response = s.get_one(PulseResponse, survey)
        assert (response.value_rating, response.comment) == (2, "SECRET-WORDS")
    finals = [m for m in _messages(fake_slack, m0) if "planned end" in m.text]
    assert len(finals) == 1
    assert len([m for m in _messages(fake_slack, e0) if "as a mentor next round" in m.text]) == 1
    pair0 = len([m for m in _messages(fake_slack, m0, e0) if "check-in" in m.text])
    assert pair0 == 5  # periods 1..5 of 14 days fit in 12 weeks; none after completion

    # privacy: the mentee's answers appear in no message anybody received
    for message in fake_slack.state.messages:
        assert "SECRET-WORDS" not in json.dumps([message.text, message.blocks])

    # when: every message landed at 10:00 for a lone reader, and inside both members'
    # working hours on a working day for the pair's DM; never twice
    with bot.sessions() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.state == "sent")).all()
        keys = [r.key for r in rows]
        assert len(keys) == len(set(keys))
        for row in rows:
            if ":intro:" in row.key or row.sent_at is None or ":ended:" in row.key:
                continue
            if not row.conversation.startswith("users:"):
                continue  # the admin channel's notes follow the round, not a reader's hours
            readers = row.conversation.removeprefix("users:").split(",")
            local = [
                row.sent_at.astimezone(LONDON if u.startswith("UMENTOR") else NEW_YORK)
                for u in readers
            ]
            assert all(t.weekday() < 5 for t in local), row.key
            if len(readers) == 1:
                assert (local[0].hour, local[0].minute) == (10, 0), (row.key, local)
            else:
                assert all(9 <= t.hour < 17 for t in local), (row.key, local)
    posted = [
        ((m.metadata or {}).get("event_payload") or {}).get("key")
        for m in fake_slack.state.messages
    ]
    posted = [k for k in posted if k]
    assert len(posted) == len(set(posted))
