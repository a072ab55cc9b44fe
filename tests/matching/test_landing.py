"""The landing rule: a lone reader's 10:00 on a working day; a group inside all its hours."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from matching.landing import Hours, in_hours, landing_time

FRIDAY_EVENING = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


def _local(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%a %H:%M}"


def test_a_lone_reader_gets_10_00_on_their_next_working_day() -> None:
    assert _local(landing_time([Hours("Asia/Kolkata")], FRIDAY_EVENING), "Asia/Kolkata") == (
        "Mon 10:00"
    )
    sunday_off = Hours("Asia/Dubai", working_days=(6, 0, 1, 2, 3))
    assert _local(landing_time([sunday_off], FRIDAY_EVENING), "Asia/Dubai") == "Sun 10:00"


def test_10_00_holds_across_a_clock_change() -> None:
    before = datetime(2027, 3, 26, 12, tzinfo=UTC)  # London changes clocks on Sunday the 28th
    landed = landing_time([Hours("Europe/London")], before)
    assert landed == datetime(2027, 3, 29, 9, tzinfo=UTC)  # 10:00 BST


def test_a_pair_lands_at_a_members_10_00_inside_both_hours() -> None:
    pair = [Hours("Europe/London"), Hours("America/New_York")]
    landed = landing_time(pair, FRIDAY_EVENING)
    assert _local(landed, "America/New_York") == "Mon 10:00"
    assert all(in_hours(h, landed) for h in pair)


def test_a_pair_without_a_shared_10_00_lands_when_both_first_work() -> None:
    # Berlin on summer time and Tokyo share 07:00-08:00 UTC: 09:00 in Berlin, 16:00 in Tokyo
    pair = [Hours("Europe/Berlin"), Hours("Asia/Tokyo")]
    landed = landing_time(pair, datetime(2027, 4, 2, 12, tzinfo=UTC))
    assert landed == datetime(2027, 4, 5, 7, 0, tzinfo=UTC)
    assert all(in_hours(h, landed) for h in pair)


def test_a_pair_that_never_works_together_gets_the_earliest_10_00() -> None:
    # in winter Berlin (08-16 UTC) and Tokyo (00-08 UTC) never overlap
    pair = [Hours("Europe/Berlin"), Hours("Asia/Tokyo")]
    landed = landing_time(pair, FRIDAY_EVENING)
    assert _local(landed, "Asia/Tokyo") == "Mon 10:00"
