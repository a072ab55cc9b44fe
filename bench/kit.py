"""What every benchmark shares: signed Slack requests over HTTP and percentiles.

Benchmarks measure the bot as Slack sees it — signed requests over HTTP into the waitress
server — so the figures include parsing, signature checks and the database, not only code.
"""

from __future__ import annotations

import math
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from typing import Any

SIGNING_SECRET = "bench-signing-secret"
FORM = "application/x-www-form-urlencoded"
POSTS_PER_WORKSPACE_MINUTE = 600  # chat.postMessage has no published workspace figure


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def command_body(
    user_id: str, text: str, n: int, *, response_url: str = "http://127.0.0.1:9/respond"
) -> str:
    return urllib.parse.urlencode(
        {
            "team_id": "T0MENTOR",
            "channel_id": "C0GENERAL",
            "user_id": user_id,
            "command": "/mentor",
            "text": text,
            "api_app_id": "AMENTOR",
            "response_url": f"{response_url}/{n}",
            "trigger_id": f"{n}.trigger.{user_id}",
        }
    )


def post_signed(
    url: str, body: str, *, content_type: str = FORM, secret: str = SIGNING_SECRET
) -> tuple[int, float, bytes]:
    """POST a freshly signed Slack request; (status, seconds until the answer, answer)."""
    from slack_sdk.signature import SignatureVerifier

    ts = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    request = urllib.request.Request(
        url,
        data=body.encode(),
        method="POST",
        headers={
            "Content-Type": content_type,
            "x-slack-request-timestamp": ts,
            "x-slack-signature": str(signature),
        },
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = response.read()
            return response.status, time.perf_counter() - started, answer
    except urllib.error.HTTPError as error:
        return error.code, time.perf_counter() - started, error.read()


def rate_limited_slack(scale: float = 1.0, tier4: float | None = None) -> Any:
    """The validated Slack fake (it lives with the tests) with Slack's rate limits added: each
    method's tier per minute, chat.postMessage one a second per channel and a workspace cap;
    over a limit it answers 429 with Retry-After. Time runs `scale` times faster than real.
    Tier 4 is "100+ per minute, generous bursts": `tier4` a minute, 0 for no ceiling."""
    from handlers.pacing import TIER_PER_MINUTE
    from testkit.slack import METHODS, FakeSlack

    class RateLimitedSlack(FakeSlack):
        def __init__(self) -> None:
            super().__init__()
            self.windows: dict[tuple[str, str], deque[float]] = {}
            self.limited = 0
            self.window_lock = threading.Lock()

        def _over(self, key: tuple[str, str], per_window: float, window: float) -> float:
            """0 if allowed now (and counted), else the real seconds until it would be."""
            now = time.monotonic()
            with self.window_lock:
                seen = self.windows.setdefault(key, deque())
                while seen and seen[0] <= now - window:
                    seen.popleft()
                if len(seen) >= per_window:
                    return seen[0] + window - now
                seen.append(now)
                return 0.0

        def handle(
            self, method: str, args: dict[str, Any], token: str | None
        ) -> tuple[int, dict[str, Any], dict[str, str]]:
            minute = 60.0 / scale
            waits = []
            tier = str(METHODS.get(method, {}).get("tier", ""))
            per_minute = tier4 if tier == "t4" and tier4 is not None else TIER_PER_MINUTE.get(tier)
            if per_minute:
                waits.append(self._over((method, ""), per_minute, minute))
            if method == "chat.postMessage":
                channel = str(args.get("channel", ""))
                waits.append(self._over((method, channel), 1, 1.0 / scale))
                waits.append(self._over((method, "*"), POSTS_PER_WORKSPACE_MINUTE, minute))
            wait = max(waits, default=0.0)
            if wait > 0:
                with self.lock:
                    self.limited += 1
                retry_after = str(max(1, math.ceil(wait * scale)))
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": retry_after}
            return super().handle(method, args, token)

    return RateLimitedSlack()
