"""Schedules in words become RRULEs that run when the admin said, and read back the same."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from matching.schedule import next_slot
from matching.schedule_text import ScheduleError, describe_schedule, parse_schedule


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            "every 4 weeks on Monday at 10:00",
            "FREQ=WEEKLY;INTERVAL=4;BYDAY=MO;BYHOUR=10;BYMINUTE=0",
        ),
        (
            "Every week on Tue, Thu at 2pm",
            "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH;BYHOUR=14;BYMINUTE=0",
        ),
        (
            "every other week on wednesday at 9:30",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE;BYHOUR=9;BYMINUTE=30",
        ),
        (
            "every month on the first Monday at 10:00",
            "FREQ=MONTHLY;INTERVAL=1;BYDAY=1MO;BYHOUR=10;BYMINUTE=0",
        ),
        (
            "every 3 months on the last friday at 16:00",
            "FREQ=MONTHLY;INTERVAL=3;BYDAY=-1FR;BYHOUR=16;BYMINUTE=0",
        ),
    ],
)
def test_words_become_rules_and_read_back(text: str, rule: str) -> None:
    assert parse_schedule(text) == rule
    assert parse_schedule(describe_schedule(rule)) == rule


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("whenever", "Write it like"),
        ("every 4 weeks on Funday at 10:00", "don't know the day"),
        ("every 4 weeks on Monday at 25:00", "time like"),
        ("every 99 weeks on Monday at 10:00", "between 1 and 52"),
        ("FREQ=SOMETIMES", "not valid"),
    ],
)
def test_unreadable_schedules_say_what_to_write(text: str, words: str) -> None:
    with pytest.raises(ScheduleError, match=words):
        parse_schedule(text)


def test_the_rule_runs_at_local_time_across_the_clock_change() -> None:
    rule = parse_schedule("every week on Monday at 10:00")
    created = datetime(2026, 10, 20, 12, tzinfo=UTC)
    # Berlin leaves summer time on 25 Oct: 10:00 local is 08:00 UTC before and 09:00 after
    assert next_slot(rule, "Europe/Berlin", created, created) == datetime(
        2026, 10, 26, 9, tzinfo=UTC
    )
