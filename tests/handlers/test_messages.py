"""Notices rendered into Slack messages: valid Block Kit, each slot in each reader's clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk.models.blocks import Block

from flows import notices
from handlers.messages import RENDERERS, render
from matching.landing import Hours, meeting_slots
from matching.timing import zone

START = datetime(2026, 11, 23, 6, tzinfo=UTC)  # a Monday


def _inside_hours(slot: datetime, hours: Hours) -> bool:
    local = slot.astimezone(zone(hours.timezone))
    end = (slot + timedelta(minutes=30)).astimezone(zone(hours.timezone))
    minutes = local.hour * 60 + local.minute
    return (
        local.weekday() in hours.working_days
        and hours.start_minute <= minutes
        and end.hour * 60 + end.minute <= hours.end_minute
    )


def test_circle_slots_fit_everyone_and_fall_in_the_next_week() -> None:
    members = [Hours("Europe/London"), Hours("America/New_York"), Hours("Europe/Berlin")]
    slots = meeting_slots(members, START)
    assert len(slots) == 3
    for slot in slots:
        assert START <= slot < START + timedelta(days=7)
        assert all(_inside_hours(slot, m) for m in members)


def _intro(slots: list[datetime]) -> notices.MatchIntro:
    return notices.MatchIntro(
        round_id=1,
        match_id=1,
        program_name="Eng",
        members=(
            notices.IntroMember("U00001", "Person 1", "mentor", None, "Asia/Kolkata", ()),
            notices.IntroMember("U00002", "Person 2", "mentee", None, "Europe/London", ("SQL",)),
        ),
        reasons=("You both like SQL",),
        slots=tuple(slots),
        cadence_days=14,
        engagement_weeks=12,
        expectations=None,
    )


def test_intro_shows_each_slot_in_each_readers_own_clock() -> None:
    slots = meeting_slots([Hours("Asia/Kolkata"), Hours("Europe/London")], START)
    payload = render(_intro(slots))
    assert "Person 1" in payload["text"]
    blocks = payload["blocks"]
    lines = next(b for b in blocks if "Three times" in str(b))["text"]["text"].splitlines()[1:]
    for slot, line in zip(slots, lines, strict=True):
        kolkata = slot.astimezone(zone("Asia/Kolkata")).strftime("%H:%M")
        london = slot.astimezone(zone("Europe/London")).strftime("%H:%M")
        assert f"Person 1 {slot.astimezone(zone('Asia/Kolkata')):%a %d %b} {kolkata}" in line
        assert f"Person 2 {slot.astimezone(zone('Europe/London')):%a %d %b} {london}" in line
        assert f"<!date^{int(slot.timestamp())}^" in line


def test_every_notice_kind_has_a_renderer() -> None:
    assert set(notices.KINDS.values()) == set(RENDERERS)


def test_a_rendered_intro_is_valid_block_kit() -> None:
    payload = render(_intro(meeting_slots([Hours("UTC"), Hours("UTC")], START)))
    for block in payload["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.to_dict()  # slack_sdk validates lengths and required fields here
