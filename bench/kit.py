"""What every benchmark shares: signed Slack requests over HTTP and percentiles.

Benchmarks measure the bot as Slack sees it — signed requests over HTTP into the waitress
server — so the figures include parsing, signature checks and the database, not only code.
"""

from __future__ import annotations

import math
import time
import urllib.error
import urllib.parse
import urllib.request

SIGNING_SECRET = "bench-signing-secret"
FORM = "application/x-www-form-urlencoded"


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
