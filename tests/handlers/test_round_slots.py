"""First-meeting slots: inside every member's working hours, shown in each reader's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.rounds import match_intro, meeting_slots
from matching.rounds import IntroMatch, IntroMember
from matching.timing import zone

START = datetime(2026, 11, 23, 6, tzinfo=UTC)  # a Monday


def _member(n: int, tz: str, role: str) -> IntroMember:
    return IntroMember(
        person_id=n,
        slack_user_id=f"U{n:05d}",
        name=f"Person {n}",
        title=None,
        role=role,
        timezone=tz,
        working_days=(0, 1, 2, 3, 4),
        start_minute=9 * 60,
        end_minute=17 * 60,
        deleted=False,
        goals=("Learn SQL",) if role == "mentee" else (),
    )


def _inside_hours(slot: datetime, member: IntroMember) -> bool:
    local = slot.astimezone(zone(member.timezone))
    end = (slot + timedelta(minutes=30)).astimezone(zone(member.timezone))
    minutes = local.hour * 60 + local.minute
    return (
        local.weekday() in member.working_days
        and member.start_minute <= minutes
        and end.hour * 60 + end.minute <= member.end_minute
    )


def test_circle_slots_fit_everyone_and_fall_in_the_next_week() -> None:
    members = [
        _member(1, "Europe/London", "mentor"),
        _member(2, "America/New_York", "mentee"),
        _member(3, "Europe/Berlin", "mentee"),
    ]
    slots = meeting_slots(members, START)
    assert len(slots) == 3
    for slot in slots:
        assert START <= slot < START + timedelta(days=7)
        assert all(_inside_hours(slot, m) for m in members)


def test_intro_shows_each_slot_in_each_readers_own_clock() -> None:
    members = [_member(1, "Asia/Kolkata", "mentor"), _member(2, "Europe/London", "mentee")]
    slots = meeting_slots(members, START)
    intro = IntroMatch(1, 1, 1, 1, "Eng", 14, 12, None, ("You both like SQL",), tuple(members))
    text, blocks = match_intro(intro, slots)
    assert "Person 1" in text
    lines = next(b for b in blocks if "Three times" in str(b))["text"]["text"].splitlines()[1:]
    for slot, line in zip(slots, lines, strict=True):
        kolkata = slot.astimezone(zone("Asia/Kolkata")).strftime("%H:%M")
        london = slot.astimezone(zone("Europe/London")).strftime("%H:%M")
        assert f"Person 1 {slot.astimezone(zone('Asia/Kolkata')):%a %d %b} {kolkata}" in line
        assert f"Person 2 {slot.astimezone(zone('Europe/London')):%a %d %b} {london}" in line
        assert f"<!date^{int(slot.timestamp())}^" in line
