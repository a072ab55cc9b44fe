"""Two hundred people through 26 weeks, with a frozen clock, through the app or the real
HTTP server: who received what and when, the stall ladder, re-matching, private answers,
nothing twice.

A hundred pairs (mentors in London, mentees in New York) start together; each pair lives one
of four lives, chosen by its mentee: A meets and answers, B goes silent, C says "not yet"
twice and the mentee then says no, D says "not yet" twice and both choose to keep going.
Everyone of one life and role must receive the same messages at the same local times; those
timelines are spelled out below, and every message obeys the landing rules.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.app import Mentorbot
from flows.rounds import start_round
from handlers.ids import Action, Block, Callback
from handlers.pacing import Pacer
from models.tables import Enrollment, Match, MatchMember, OutboxMessage, Person, PulseSurvey
from testkit.requests import HttpDriver, Payloads, SlackDriver
from testkit.serve import serve
from testkit.slack import FakeSlack
from tests.handlers.test_engagement import _button, _deliver, _step
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_rounds_world

PAIRS = 100
DAY = timedelta(days=1)  # the job once a day, one replica: 200 people stay quick
LONDON, NEW_YORK = ZoneInfo("Europe/London"), ZoneInfo("America/New_York")
LIVES = "ABCD"


@pytest.fixture(params=["app", "http"])
def driver(
    request: pytest.FixtureRequest, bot: Mentorbot, fake_slack: FakeSlack
) -> Iterator[SlackDriver]:
    payloads = Payloads(response_url=fake_slack.response_url(), slack=fake_slack)
    if request.param == "app":
        yield SlackDriver(bot.app, payloads)
        return
    url, stop = serve(bot)
    try:
        yield HttpDriver(bot.app, payloads, url=url)
    finally:
        stop()


def _kind(key: str, survey_kinds: dict[int, str]) -> str:
    survey = re.fullmatch(r"survey:(\d+):(\w+)", key)
    if survey:
        return f"{survey_kinds[int(survey.group(1))]}-{survey.group(2)}"
    return re.sub(r":\d+$", "", re.sub(r"^(match|round):\d+:", "", key)).replace("intro:", "intro")


def _timelines(bot: Mentorbot) -> dict[str, list[tuple[str, str]]]:
    """Per person: (kind, local 'Wed 10:00 +day') of every message delivered to them."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    with bot.sessions() as s:
        kinds = dict(s.execute(select(PulseSurvey.id, PulseSurvey.kind)).all())
        rows = s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.state == "sent")
            .order_by(OutboxMessage.sent_at, OutboxMessage.id)
        ).all()
        for row in rows:
            if row.sent_at is None or not row.conversation.startswith("users:"):
                continue
            for user in row.conversation.removeprefix("users:").split(","):
                local = row.sent_at.astimezone(LONDON if user.startswith("UMENTOR") else NEW_YORK)
                out[user].append((_kind(row.key, kinds), f"{local:%a %H:%M}"))
    return out


def _latest(fake: FakeSlack, users: tuple[str, ...], words: str) -> Any:
    found = [m for m in fake.messages_in(fake.dm_channel(*users)) if words in m.text]
    assert found, (users, words)
    return found[-1]


def _click_all(
    driver: SlackDriver,
    fake: FakeSlack,
    pairs: list[tuple[str, str]],
    action: str,
    words: str,
    who: str = "both",
) -> None:
    for mentor, mentee in pairs:
        message = _latest(fake, (mentor, mentee), words)
        for user in {"both": (mentor, mentee), "mentee": (mentee,)}[who]:
            assert driver.action(user, action, _button(message, action)).status == 200


# Each group's messages, in order, with the local weekday and time they landed: what the
# product promises for that life (reviewed against the issue, then written down).
# Mentors read London time, mentees New York; a pair's DM lands at 10:00 New York, which is
# 15:00 in London (inside both members' hours); a lone reader's at 10:00 their own time.
PAIR_DM = {"mentor": "15:00", "mentee": "10:00"}
# The round runs Monday 09:00 UTC (04:00 in New York): its intros wait for a time inside
# both members' hours, like every other pair message.
START_AT = PAIR_DM


def _expected(life: str, role: str) -> list[tuple[str, str]]:
    pair, intro = PAIR_DM[role], START_AT[role]
    opening = [("intro", f"Mon {intro}")]
    opening += [("goals-invite", "Mon 10:00")] if role == "mentee" else []  # set goals
    opening += [("first-nudge", f"Thu {pair}")]  # day 10: no first meeting confirmed
    checkin = ("checkin", f"Mon {pair}")
    keep_going = ("keep-going:1", "Mon 10:00")  # four quiet weeks: asked privately
    ending = [("final-final", "Mon 10:00")]
    ending += [("impact", "Mon 10:00")] if role == "mentor" else []  # what it achieved
    ending += [("invite-mentor", "Mon 10:00")] if role == "mentee" else []
    ending += [("thanks", f"Mon {pair}")]
    if life == "A":  # met at the first check-in; only mentees answer their pulses
        remind = [] if role == "mentee" else [("first-remind", "Fri 10:00")]
        return [
            *opening,
            checkin,
            ("first-pulse", "Tue 10:00"),
            *remind,
            checkin,
            checkin,
            ("monthly-pulse", "Thu 10:00"),
            ("monthly-remind", "Mon 10:00"),
            checkin,
            checkin,
            ("monthly-pulse", "Mon 10:00"),
            ("monthly-remind", "Tue 10:00"),
            *ending,
        ]
    # B, C and D are asked "keep going?" on day 28, the same day as their second check-in
    middle = [checkin, keep_going, checkin] if role == "mentor" else [checkin, checkin, keep_going]
    if life == "B":  # silence through the grace week: ended on day 35, told at 10:00
        return [*opening, *middle, ("ended", "Mon 10:00")]
    if life == "C":  # the mentee said no on day 31 (a Thursday): told at 10:00 that day
        return [*opening, *middle, ("ended", "Thu 10:00")]
    return [  # D: both keep going, meet at check-in 3, then as A (no pulse answers)
        *opening,
        *middle,
        checkin,
        ("first-pulse", "Tue 10:00"),
        ("first-remind", "Fri 10:00"),
        checkin,
        checkin,
        ("monthly-pulse", "Thu 10:00"),
        ("monthly-remind", "Mon 10:00"),
        *ending,
    ]


def test_two_hundred_people_for_twenty_six_weeks(
    bot: Mentorbot, driver: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    bot.deliverer.pacer = Pacer(scale=10_000)
    with bot.sessions.begin() as s:
        world = make_rounds_world(
            s,
            clock(),
            pairs=PAIRS,
            fake=fake_slack,
            approval_required=False,
            engagement_weeks=12,
        )
    with bot.sessions.begin() as s:
        start_round(s, world.program_id, at=clock())
    _deliver(bot)
    start = clock()
    with bot.sessions() as s:
        pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
        first_partner: dict[str, str] = {}
        for match in s.scalars(select(Match).order_by(Match.id)):
            ids = {m.role: s.get_one(Person, m.person_id).slack_user_id for m in match.members}
            life = LIVES[int(ids["mentee"][-3:]) % 4]
            pairs[life].append((ids["mentor"], ids["mentee"]))
            first_partner[ids["mentor"]], first_partner[ids["mentee"]] = (
                ids["mentee"],
                ids["mentor"],
            )
    assert sum(len(p) for p in pairs.values()) == PAIRS
    life_of = {u: life for life, ps in pairs.items() for pair in ps for u in pair}

    # two weeks: the first check-in. A meets (both click: one meeting); C and D: not yet
    _step(bot, clock, start + timedelta(days=15), every=DAY, replicas=1)
    _click_all(driver, fake_slack, pairs["A"], Action.CHECKIN_MET, "check-in")
    for life in "CD":
        _click_all(driver, fake_slack, pairs[life], Action.CHECKIN_NOT_YET, "check-in")
    # A's mentees answer their first pulse privately, with a comment
    _step(bot, clock, start + timedelta(days=17), every=DAY, replicas=1)
    for i, (_, mentee) in enumerate(pairs["A"]):
        pulse = _latest(fake_slack, (mentee,), "How is your mentoring going")
        value = _button(pulse, Action.PULSE_OPEN)
        assert driver.action(mentee, Action.PULSE_OPEN, value).status == 200
        state = {
            Block.PULSE_VALUE: {"v": {"type": "static_select", "selected_option": {"value": "4"}}},
            Block.PULSE_PROGRESS: {
                "v": {"type": "static_select", "selected_option": {"value": "3"}}
            },
            Block.PULSE_COMMENT: {"v": {"type": "plain_text_input", "value": f"SECRET-{i}"}},
        }
        response = driver.submit(mentee, Callback.PULSE, state, private_metadata=value)
        assert response.status == 200

    # four weeks: the second check-in; A meets again, C and D say not yet again
    _step(bot, clock, start + timedelta(days=29), every=DAY, replicas=1)
    _click_all(driver, fake_slack, pairs["A"], Action.CHECKIN_MET, "check-in", who="mentee")
    for life in "CD":
        _click_all(driver, fake_slack, pairs[life], Action.CHECKIN_NOT_YET, "check-in")
    _step(bot, clock, start + timedelta(days=31), every=DAY, replicas=1)
    for mentor, mentee in pairs["C"]:  # asked privately; the mentee says no
        driver.action(
            mentor,
            Action.KEEP_GOING_YES,
            _button(_latest(fake_slack, (mentor,), "keep going"), Action.KEEP_GOING_YES),
        )
        driver.action(
            mentee,
            Action.KEEP_GOING_NO,
            _button(_latest(fake_slack, (mentee,), "keep going"), Action.KEEP_GOING_NO),
        )
    for mentor, mentee in pairs["D"]:
        for user in (mentor, mentee):
            message = _latest(fake_slack, (user,), "keep going")
            driver.action(user, Action.KEEP_GOING_YES, _button(message, Action.KEEP_GOING_YES))

    # six weeks: A and D meet at every check-in from now on; B's grace week has run out
    for day in (43, 57, 71):
        _step(bot, clock, start + timedelta(days=day), every=DAY, replicas=1)
        for life in "AD":
            _click_all(
                driver, fake_slack, pairs[life], Action.CHECKIN_MET, "check-in", who="mentee"
            )
    with bot.sessions() as s:
        states = dict(s.execute(select(Match.state, func.count()).group_by(Match.state)).all())
        queued = set(
            s.scalars(
                select(Person.slack_user_id)
                .join(Enrollment, Enrollment.person_id == Person.id)
                .where(Enrollment.priority.is_(True))
            )
        )
    assert states == {
        "active": len(pairs["A"]) + len(pairs["D"]),
        "ended": len(pairs["B"]) + len(pairs["C"]),
    }
    assert queued == {u for life in "BC" for pair in pairs[life] for u in pair}
    timelines_before_rematch = {u: list(t) for u, t in _timelines(bot).items()}

    # the next round re-matches everyone whose match ended, never with the same partner
    with bot.sessions.begin() as s:
        start_round(s, world.program_id, at=clock())
    _deliver(bot)
    with bot.sessions() as s:
        second: dict[str, str] = {}
        for match in s.scalars(select(Match).where(Match.state == "active")):
            ids = {m.role: s.get_one(Person, m.person_id).slack_user_id for m in match.members}
            if ids["mentee"] in queued:
                second[ids["mentee"]] = ids["mentor"]
    assert len(second) == len(pairs["B"]) + len(pairs["C"])
    assert all(first_partner[mentee] != mentor for mentee, mentor in second.items())

    _step(bot, clock, start + timedelta(weeks=26), every=DAY, replicas=1)

    # per person, per life: the exact messages, in order, at the same local times
    timelines = _timelines(bot)
    for life in LIVES:
        for index, role in enumerate(("mentor", "mentee")):
            for pair in pairs[life]:
                person = pair[index]
                seen = timelines_before_rematch[person] if life in "BC" else timelines[person]
                assert seen == _expected(life, role), (life, role, person)
                if life in "BC":  # then a second intro: re-matched
                    later = timelines[person][len(seen) :]
                    assert later[0][0] == "intro", (person, later)
    # landing rules: a lone reader at 10:00 on a working day; a pair inside both hours
    for user, timeline in timelines.items():
        for kind, when in timeline:
            day, hour = when.split()
            assert day not in ("Sat", "Sun"), (user, kind, when)
            lone = kind.endswith(("-pulse", "-remind", "-final", "invite-mentor", "ended"))
            if lone or kind.startswith("keep-going"):
                assert hour == "10:00", (user, kind, when)
            else:
                assert "09:00" <= hour < "17:00", (user, kind, when)
    # nothing twice, and nobody's private words reached anyone
    posted = [
        ((m.metadata or {}).get("event_payload") or {}).get("key")
        for m in fake_slack.state.messages
    ]
    assert len(posted) == len(set(posted))
    every = json.dumps([[m.text, m.blocks] for m in fake_slack.state.messages])
    assert "SECRET-" not in every
    with bot.sessions() as s:  # and the answers were stored, one per mentee of A
        assert len(s.scalars(select(MatchMember)).all()) >= 2 * PAIRS
    assert {life_of[u] for u in queued} == {"B", "C"}
