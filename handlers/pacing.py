"""Client-side pacing to Slack's published rate tiers, so the outbox rarely meets a 429.

Slack's tiers are per method and workspace (Tier 3 is 50+ calls a minute, Tier 4 100+),
and chat.postMessage allows about one message a second per channel. Each limit is a GCRA
(virtual scheduling) bucket: a call reserves the next free moment and waits until then.
The steady rate is (limit - burst) a minute less a small margin, so a burst followed by the
steady rate still fits any one-minute window, with room for jitter between reserving and
sending.
`scale` speeds the whole schedule up for a benchmark against a fake that scales time too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

# Calls per minute of each tier (Slack's documented minimums).
TIER_PER_MINUTE: Mapping[str, float] = {"t1": 1, "t2": 20, "t3": 50, "t4": 100}
# Tiers of the methods the outbox makes (from Slack's method reference).
METHOD_TIERS: Mapping[str, str] = {
    "conversations.open": "t3",
    "conversations.history": "t3",
    "chat.update": "t3",
    "users.info": "t4",
    "views.publish": "t4",
}
POST_PER_CHANNEL_PER_SECOND = 1.0
MARGIN = 0.98
BURST = 2  # calls a quiet bucket lets through at once


class Pacer:
    def __init__(
        self,
        *,
        scale: float = 1.0,
        margin: float = MARGIN,
        burst: int = BURST,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.scale = scale
        self.margin = margin
        self.burst = burst
        self._now = now
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tat: dict[tuple[str, str], float] = {}

    def _interval(self, method: str) -> float | None:
        tier = METHOD_TIERS.get(method)
        if tier is None:
            return None
        steady = (TIER_PER_MINUTE[tier] - self.burst) * self.margin
        return 60.0 / (steady * self.scale)

    def _reserve(self, key: tuple[str, str], interval: float, burst: int) -> float:
        with self._lock:
            now = self._now()
            tat = max(self._tat.get(key, now), now)
            self._tat[key] = tat + interval
            return max(0.0, tat - (burst - 1) * interval - now)

    def wait(self, method: str, channel: str | None = None) -> float:
        """Block until `method` may be called (on `channel`); the seconds waited."""
        waits = []
        interval = self._interval(method)
        if interval is not None:
            waits.append(self._reserve((method, ""), interval, self.burst))
        if method == "chat.postMessage" and channel:
            per_channel = 1.0 / (POST_PER_CHANNEL_PER_SECOND * self.margin * self.scale)
            waits.append(self._reserve((method, channel), per_channel, 1))
        delay = max(waits, default=0.0)
        if delay > 0:
            self._sleep(delay)
        return delay
