"""The best available expert for one micro ask: every refusal, then the order."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from matching.experts import Asker, Candidate, Expert, Unavailable, candidate, rank
from matching.hours import Budget

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ASKER = Asker(person_id=1, timezone="Europe/London")


def expert(person_id: int, **values: object) -> Expert:
    fields: dict[str, object] = {"name": f"E{person_id}", "level": 3, "timezone": "Europe/Berlin"}
    fields.update(values)
    return Expert(person_id=person_id, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("who", "why"),
    [
        (expert(1), Unavailable.SAME_PERSON),
        (expert(2, never_match=frozenset({1})), Unavailable.EXCLUDED),
        (expert(2, paused=True), Unavailable.PAUSED),
        (expert(2, open_sessions=1, max_sessions=1), Unavailable.BUSY),
        (expert(2, budget=Budget(cap=4, logged=3.75)), Unavailable.OVER_CAP),
        (expert(2, budget=Budget(cap=4, committed=4)), Unavailable.OVER_CAP),
    ],
)
def test_who_may_not_be_asked(who: Expert, why: Unavailable) -> None:
    assert candidate(ASKER, who, minutes=30, start=MONDAY) is why


def test_room_under_the_cap_or_no_cap_is_enough() -> None:
    for budget in (Budget(cap=4, logged=3.5), Budget(cap=None, logged=99)):
        assert isinstance(
            candidate(ASKER, expert(2, budget=budget), minutes=30, start=MONDAY), Candidate
        )


def test_an_exclusion_by_the_asker_counts_too() -> None:
    asker = Asker(person_id=1, never_match=frozenset({2}))
    assert candidate(asker, expert(2), minutes=30, start=MONDAY) is Unavailable.EXCLUDED


def test_no_shared_working_time_this_week_rules_an_expert_out() -> None:
    # London 09-17 against Honolulu 09-10 (19:00-20:00 London): no 30 minutes in common
    far = expert(2, timezone="Pacific/Honolulu", start_minute=9 * 60, end_minute=10 * 60)
    assert candidate(ASKER, far, minutes=30, start=MONDAY) is Unavailable.NO_TIME


def test_a_language_must_be_shared_when_both_name_one() -> None:
    asker = Asker(person_id=1, languages=("English",))
    assert candidate(asker, expert(2, languages=("German",)), minutes=30, start=MONDAY) is (
        Unavailable.NO_LANGUAGE
    )
    assert isinstance(
        candidate(asker, expert(2, languages=("english", "German")), minutes=30, start=MONDAY),
        Candidate,
    )


def test_slots_fit_both_people_and_the_session_length() -> None:
    found = candidate(ASKER, expert(2), minutes=45, start=MONDAY)
    assert isinstance(found, Candidate)
    assert 1 <= len(found.slots) <= 3
    for slot in found.slots:
        london = slot.astimezone(ZoneInfo("Europe/London"))
        berlin = slot.astimezone(ZoneInfo("Europe/Berlin"))
        assert london.hour >= 9
        assert (london.hour * 60 + london.minute + 45) <= 17 * 60
        assert berlin.hour >= 9
        assert (berlin.hour * 60 + berlin.minute + 45) <= 17 * 60


def test_the_most_expert_comes_first_then_the_least_busy_this_month() -> None:
    ranked = rank(
        ASKER,
        [
            expert(2, level=2),
            expert(3, level=3, sessions_this_month=2),
            expert(4, level=3, sessions_this_month=0),
            expert(5, level=0),
            expert(6, level=3, paused=True),
        ],
        minutes=30,
        start=MONDAY,
    )
    assert [c.expert.person_id for c in ranked] == [4, 3, 2, 5]


def test_people_already_asked_are_skipped() -> None:
    ranked = rank(ASKER, [expert(2), expert(3)], minutes=30, start=MONDAY, exclude=frozenset({2}))
    assert [c.expert.person_id for c in ranked] == [3]
