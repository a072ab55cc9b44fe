"""The pacer keeps each method under its Slack tier and each channel at one post a second."""

from __future__ import annotations

from handlers.pacing import Pacer


class VirtualTime:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


def _calls_in_any_minute(times: list[float]) -> int:
    return max(sum(1 for u in times if t <= u < t + 60) for t in times)


def test_tier_three_stays_under_fifty_a_minute_after_a_short_burst() -> None:
    clock = VirtualTime()
    pacer = Pacer(now=clock.now, sleep=clock.sleep)
    times = []
    for _ in range(200):
        pacer.wait("conversations.open")
        times.append(clock.t)
    assert _calls_in_any_minute(times) <= 50
    rate = (len(times) - 1) / (times[-1] - times[0]) * 60
    assert 46 <= rate <= 50  # >= 90% of the tier


def test_posts_are_paced_per_channel_not_across_channels() -> None:
    clock = VirtualTime()
    pacer = Pacer(now=clock.now, sleep=clock.sleep)
    for channel in ("C1", "C2", "C3"):
        assert pacer.wait("chat.postMessage", channel) == 0
    assert pacer.wait("chat.postMessage", "C1") > 0.9


def test_scale_speeds_the_schedule_up() -> None:
    clock = VirtualTime()
    pacer = Pacer(now=clock.now, sleep=clock.sleep, scale=100)
    for _ in range(100):
        pacer.wait("conversations.open")
    assert clock.t < 1.3  # 100 calls at 5,000 a (scaled) minute
