"""Socket Mode as Slack serves it: a loopback WebSocket that says hello, sends envelopes and
waits for their acks; and a driver that sends the test kit's requests over it.

The `websockets` library (a dev dependency) serves the WebSocket: the handshake, masking,
ping/pong and close are RFC 6455 details slack_sdk's client checks, and a well-kept server
gets them right where a hand-written one would be a second thing to test. Envelopes follow
https://docs.slack.dev/apis/events-api/using-socket-mode (hello, events_api, interactive,
slash_commands; the app acks with the envelope_id and, where accepted, a payload, within 3 s).
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve


class Recorder(Protocol):
    """What the server needs of the fake it belongs to: where to record a violation (a
    protocol, so that this module and testkit.slack do not import each other)."""

    violations: list[str]


ACK_SECONDS = 3.0


@dataclass
class _Pending:
    done: threading.Event = field(default_factory=threading.Event)
    ack: dict[str, Any] | None = None


class SocketModeServer:
    """The endpoint apps.connections.open answers; envelopes go to the newest connection."""

    def __init__(self, fake: Recorder) -> None:
        self.fake = fake
        self._lock = threading.Lock()
        self._connected = threading.Condition(self._lock)
        self._connections: list[ServerConnection] = []
        self._pending: dict[str, _Pending] = {}
        self.hellos = 0
        self._server: Server = serve(self._session, "127.0.0.1", 0, ping_interval=None)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        ticket = uuid.uuid4().hex
        return f"ws://{host}:{port}/link/?ticket={ticket}&app_id=AMENTOR"

    def start(self) -> SocketModeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()

    def wait_connected(self, timeout: float) -> bool:
        """Whether an app has connected (and been greeted) within `timeout` seconds."""
        with self._connected:
            return self._connected.wait_for(lambda: bool(self._connections), timeout=timeout)

    def _session(self, connection: ServerConnection) -> None:
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": 1,
                    "debug_info": {"host": "applink-fake", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": "AMENTOR"},
                }
            )
        )
        with self._connected:
            self.hellos += 1
            self._connections.append(connection)
            self._connected.notify_all()
        try:
            for raw in connection:
                self._receive(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self._connections.remove(connection)

    def _receive(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            self.fake.violations.append(f"socket mode: not JSON: {raw!r:.80}")
            return
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        with self._lock:
            pending = self._pending.get(str(envelope_id))
        if pending is None:
            self.fake.violations.append(f"socket mode: ack for no envelope: {raw!r:.80}")
            return
        pending.ack = message
        pending.done.set()

    def deliver(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = ACK_SECONDS,
    ) -> dict[str, Any] | None:
        """Send one envelope; the app's ack (a dict with envelope_id and maybe payload), or
        None, recorded as a violation, when no ack came within Slack's 3 seconds."""
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        pending = _Pending()
        with self._lock:
            if not self._connections:
                raise ConnectionError("no app is connected over Socket Mode")
            connection = self._connections[-1]
            self._pending[envelope_id] = pending
        connection.send(json.dumps(envelope))
        acked = pending.done.wait(timeout)
        with self._lock:
            self._pending.pop(envelope_id, None)
        if not acked:
            self.fake.violations.append(f"socket mode: {kind} not acked within {timeout} s")
            return None
        return pending.ack
