"""Working-hour math in UTC, including weeks when only one zone has changed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.timing import (
    interval_table,
    next_local_time,
    overlap_minutes,
    pattern_of,
    suggest_slots,
    weekly_overlap_hours,
    working_intervals,
)
from tests.matching.helpers import ZONES, person

NEW_YORK = person(1, timezone="America/New_York")  # 9:00-17:00, Monday to Friday
LONDON = person(2, timezone="Europe/London")
NAIVE_2023 = datetime(2023, 1, 1, tzinfo=UTC).replace(tzinfo=None)
NAIVE_2026 = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("monday", "hours"),
    [
        (datetime(2024, 3, 4, tzinfo=UTC), 15.0),  # both on winter time: 3 h a day
        (datetime(2024, 3, 11, tzinfo=UTC), 20.0),  # US switched, UK not yet: 4 h a day
        (datetime(2024, 4, 8, tzinfo=UTC), 15.0),  # both on summer time: 3 h a day
        (datetime(2024, 10, 28, tzinfo=UTC), 20.0),  # UK back on winter time, US not yet
    ],
)
def test_new_york_london_overlap_follows_each_zones_own_clock_change(
    monday: datetime, hours: float
) -> None:
    assert weekly_overlap_hours(NEW_YORK, LONDON, monday) == pytest.approx(hours)
    assert weekly_overlap_hours(LONDON, NEW_YORK, monday) == pytest.approx(hours)


def test_no_overlap_between_new_york_and_tokyo_office_hours() -> None:
    tokyo = person(3, timezone="Asia/Tokyo")
    assert weekly_overlap_hours(NEW_YORK, tokyo, datetime(2024, 3, 11, tzinfo=UTC)) == 0


def test_working_days_are_local_days() -> None:
    # Sunday-to-Thursday in Dubai against Monday-to-Friday in London: four shared days.
    dubai = person(4, timezone="Asia/Dubai", working_days=(6, 0, 1, 2, 3))
    hours = weekly_overlap_hours(dubai, LONDON, datetime(2024, 3, 4, tzinfo=UTC))
    assert hours == pytest.approx(4 * 4)  # 9-17 Dubai is 5-13 UTC; London 9-17 UTC


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(ZONES),
            st.integers(0, 20),
            st.integers(1, 8),
            st.sampled_from([(0, 1, 2, 3, 4), (6, 0, 1, 2, 3), (2,)]),
        ),
        min_size=2,
        max_size=5,
    ),
    st.datetimes(min_value=NAIVE_2023, max_value=NAIVE_2026, timezones=st.just(UTC)),
)
def test_vectorised_overlap_equals_the_interval_walk(
    specs: list[tuple[str, int, int, tuple[int, ...]]], week: datetime
) -> None:
    people = [
        person(
            i,
            timezone=z,
            start_minute=s * 60,
            end_minute=min(1440, (s + d) * 60),
            working_days=days,
        )
        for i, (z, s, d, days) in enumerate(specs)
    ]
    table = interval_table([pattern_of(p) for p in people], week)
    minutes = overlap_minutes(table, table)
    for i, a in enumerate(people):
        for j, b in enumerate(people):
            assert minutes[i, j] == pytest.approx(weekly_overlap_hours(a, b, week) * 60, abs=1)


def test_suggested_slots_sit_inside_both_working_days_on_different_days() -> None:
    start = datetime(2024, 3, 11, tzinfo=UTC)
    slots = suggest_slots(NEW_YORK, LONDON, start, days=7, n=3, duration_minutes=30)
    assert len(slots) == 3
    assert len({s.date() for s in slots}) == 3
    for slot in slots:
        assert slot.tzinfo is not None
        for who in (NEW_YORK, LONDON):
            spans = working_intervals(pattern_of(who), start, start + timedelta(days=7))
            assert any(b <= slot and slot + timedelta(minutes=30) <= e for b, e in spans)


def test_no_slots_when_hours_never_meet() -> None:
    tokyo = person(3, timezone="Asia/Tokyo")
    assert suggest_slots(NEW_YORK, tokyo, datetime(2024, 3, 11, tzinfo=UTC)) == []


def test_next_local_time_is_ten_oclock_local_on_a_working_day_across_dst() -> None:
    weekdays = (0, 1, 2, 3, 4)
    friday = next_local_time(
        "America/New_York", weekdays, after_utc=datetime(2024, 3, 8, 12, tzinfo=UTC)
    )
    assert friday == datetime(2024, 3, 8, 15, tzinfo=UTC)  # 10:00 EST
    monday = next_local_time(
        "America/New_York", weekdays, after_utc=datetime(2024, 3, 8, 15, tzinfo=UTC)
    )
    assert monday == datetime(2024, 3, 11, 14, tzinfo=UTC)  # 10:00 EDT, after the weekend


def test_next_local_time_rejects_naive_datetimes_and_empty_days() -> None:
    with pytest.raises(ValueError, match="aware"):
        next_local_time("UTC", (0,), after_utc=NAIVE_2023)
    with pytest.raises(ValueError, match="working_days"):
        next_local_time("UTC", (), after_utc=datetime(2024, 1, 1, tzinfo=UTC))
