"""Eight weeks of four pairs in five zones, through the real HTTP server, on both databases.

Every message the bot sends on its own lands inside its reader's rule (a lone reader at
10:00 on a working day; a pair inside both members' hours, or at one member's 10:00 when
they share no working time at all), across a half-hour zone and both March clock changes;
nothing about a match follows the notice of its end; nothing is sent twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bench.life import START, Delivered, Life, live
from bot.app import Mentorbot
from flows.notices import Landing
from testkit.requests import HttpDriver, Payloads
from testkit.serve import serve
from testkit.slack import FakeSlack
from tests.support.clock import FrozenClock

WORK = (9 * 60, 17 * 60)


def _working(zone: str, moment: datetime) -> bool:
    local = moment.astimezone(ZoneInfo(zone))
    minute = local.hour * 60 + local.minute
    return local.weekday() < 5 and WORK[0] <= minute < WORK[1]


def _share_time(zones: list[str], after: datetime) -> bool:
    """An independent look: is there any quarter hour in the next two weeks when all work?"""
    moment = after.replace(minute=after.minute - after.minute % 15, second=0, microsecond=0)
    for _ in range(14 * 24 * 4):
        if all(_working(z, moment) for z in zones):
            return True
        moment += timedelta(minutes=15)
    return False


def _at_ten(zone: str, moment: datetime) -> bool:
    local = moment.astimezone(ZoneInfo(zone))
    return local.weekday() < 5 and (local.hour, local.minute) == (10, 0)


@pytest.fixture
def life(bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock) -> Iterator[Life]:
    clock.set(START)
    url, stop = serve(bot)
    try:
        driver = HttpDriver(bot.app, Payloads(response_url=fake_slack.response_url()), url=url)
        yield live(bot, fake_slack, clock, driver)
    finally:
        stop()


def _lands_in_its_readers_rule(life: Life, d: Delivered) -> bool:
    zones = [life.zones[u] for u in d.readers]
    if len(zones) == 1:
        return _at_ten(zones[0], d.sent_at)
    if all(_working(z, d.sent_at) for z in zones):
        return True
    # no shared working time at all: the earliest member's 10:00 on a working day
    return any(_at_ten(z, d.sent_at) for z in zones) and not _share_time(
        zones, d.sent_at - timedelta(days=1)
    )


def test_every_notice_lands_in_its_readers_hours_and_nothing_follows_an_end(
    life: Life,
) -> None:
    assert life.states == {
        "meets": "completed",
        "silent": "ended",
        "not-yet": "completed",
        "leaves": "ended",
    }
    own = [d for d in life.delivered if d.landing is not Landing.NOW]
    assert len(own) > 40
    wrong = [
        (d.kind, [f"{life.local(u, d.sent_at):%a %H:%M}" for u in d.readers])
        for d in own
        if not _lands_in_its_readers_rule(life, d)
    ]
    assert wrong == []

    # the end: after "your match has come to an end" (or the completion thanks) nothing
    # about that match arrives but what may follow an end (final surveys, the invitation)
    for d in life.delivered:
        if d.kind not in ("match_ended", "completed_thanks"):
            continue
        later = [
            x.kind
            for x in life.delivered
            if x.match_id == d.match_id and x.sent_at > d.sent_at and not x.closing
        ]
        assert later == [], (d.kind, later)
    ended = {d.match_id for d in life.delivered if d.kind == "match_ended"}
    assert len(ended) == 2  # the silent pair and the pair whose mentee left

    # both clock changes were crossed: London's lone readers saw 10:00 in GMT and in BST,
    # and New York's reader got pair messages inside their hours in EST and in EDT
    london = {
        life.local(u, d.sent_at).utcoffset()
        for d in own
        if len(d.readers) == 1
        for u in d.readers
        if life.zones[u] == "Europe/London"
    }
    new_york = {
        life.local(u, d.sent_at).utcoffset()
        for d in own
        for u in d.readers
        if life.zones[u] == "America/New_York"
    }
    assert len(london) == 2
    assert len(new_york) == 2
    # a half-hour zone: Kolkata's lone readers at 10:00 IST, i.e. 04:30 UTC
    kolkata = [
        d.sent_at for d in own if len(d.readers) == 1 and life.zones[d.readers[0]] == "Asia/Kolkata"
    ]
    assert kolkata
    assert all((t.hour, t.minute) == (4, 30) for t in kolkata)

    # a mentee is invited to set goals for a match only once introduced to it
    for d in life.delivered:
        if d.kind != "goals_invite":
            continue
        intro = [
            x.sent_at
            for x in life.delivered
            if x.kind == "match_intro" and x.match_id == d.match_id
        ]
        assert intro, d
        assert d.sent_at >= intro[0], (d.readers, d.sent_at, intro)

    # the mentee who left hears nothing more; their partner is told once
    mentor, mentee = life.pairs["leaves"]
    match_ids = {d.match_id for d in life.delivered if mentee in d.readers and d.match_id}
    told = [d for d in life.delivered if d.kind == "match_ended" and d.match_id in match_ids]
    assert [d.readers for d in told] == [(mentor,)]
    leave_day = START + timedelta(days=16)
    after = [d.kind for d in life.delivered if mentee in d.readers and d.sent_at > leave_day]
    assert after == []
