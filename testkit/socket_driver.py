"""The test kit's requests sent as Socket Mode envelopes through the fake's WebSocket.

Apart from testkit.socket_mode (the server) so that the server need not import the HTTP
driver, and the fake the server: no import circle inside the test kit.
"""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_bolt import BoltResponse

from testkit.requests import SlackDriver

if TYPE_CHECKING:
    from testkit.slack import FakeSlack


@dataclass
class SocketDriver(SlackDriver):
    """The test kit's requests as Socket Mode envelopes to the app connected to `fake`.

    Socket Mode requests carry no signature: the WebSocket was opened with the app token.
    """

    fake: FakeSlack | None = None

    def transport(
        self,
        body: str,
        *,
        content_type: str,
        extra_headers: dict[str, str] | None = None,
        timestamp: int | None = None,
    ) -> BoltResponse:
        assert self.fake is not None, "SocketDriver(fake=...)"
        headers = extra_headers or {}
        if content_type.startswith("application/json"):
            ack = self.fake.socket_mode.deliver(
                "events_api",
                json.loads(body),
                retry_attempt=int(headers.get("x-slack-retry-num", 0)),
                retry_reason=headers.get("x-slack-retry-reason", ""),
            )
        else:
            fields = {k: v[-1] for k, v in urllib.parse.parse_qs(body).items()}
            if "payload" in fields:
                ack = self.fake.socket_mode.deliver("interactive", json.loads(fields["payload"]))
            else:
                ack = self.fake.socket_mode.deliver("slash_commands", fields)
        if ack is None:
            return BoltResponse(status=504, body="no ack within 3 s")
        answer = ack.get("payload")
        return BoltResponse(status=200, body=json.dumps(answer) if answer else "")
