"""End to end through `mentorbot serve`, over HTTP and over Socket Mode: run a round,
approve it, intros arrive once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bot.app import Mentorbot
from handlers.ids import Action
from models.tables import OutboxMessage
from testkit.requests import SIGNING_SECRET, Payloads, SlackDriver, ack_json
from testkit.serve import MODES, ServeProcess, process_driver, start_serve
from testkit.slack import BOT_TOKEN, FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.rounds_world import (
    intro_counts,
    intro_keys_posted,
    make_rounds_world,
    match_pairs,
)
from tests.support.work import settle

ADMIN_CHANNEL = "CADMIN0001"
FORM = "application/x-www-form-urlencoded"


@dataclass
class Running:
    process: ServeProcess
    driver: SlackDriver


@pytest.fixture(params=MODES)
def round_server(
    request: pytest.FixtureRequest, fake_slack: FakeSlack, engine: Engine
) -> Iterator[Running]:
    server = start_serve(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "MENTORBOT_ADMINS": ADMIN,
        },
        (f"--{request.param}",),
        fake=fake_slack,
    )
    try:
        yield Running(server, process_driver(request.param, server.url, fake_slack))
    finally:
        server.stop()


def _eventually(check: Callable[[], bool], timeout: float = 30) -> None:
    """Wait for a real process to act: the outbox worker runs every two seconds."""
    tick = threading.Event()
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the server did not get there in time")
        tick.wait(0.1)


def _send(server: Running, body: str) -> dict[str, Any]:
    response = server.driver.send(body, content_type=FORM)
    assert response.status == 200
    return ack_json(response)


def _previews(fake: FakeSlack) -> list[Any]:
    return [m for m in fake.messages_in(ADMIN_CHANNEL) if m.blocks]


def test_admin_runs_and_approves_a_round_and_each_pair_gets_one_intro(
    round_server: Running, bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock(), pairs=2, fake=fake_slack)
    payloads = Payloads(response_url=fake_slack.response_url(), slack=fake_slack)

    _send(round_server, payloads.slash_command(ADMIN, "admin round --dry-run", ADMIN_CHANNEL))
    _eventually(lambda: len(_previews(fake_slack)) == 1)
    assert "Dry run" in _previews(fake_slack)[0].text
    assert fake_slack.calls_to("conversations.open") == []

    _send(round_server, payloads.slash_command(ADMIN, "admin round", ADMIN_CHANNEL))
    _eventually(lambda: len(_previews(fake_slack)) == 2)
    preview = _previews(fake_slack)[1]
    value = next(
        e["value"]
        for b in preview.blocks
        for e in b.get("elements", [])
        if e.get("action_id") == Action.ROUND_APPROVE
    )
    for _ in range(2):  # a double click
        _send(
            round_server,
            payloads.block_action(ADMIN, Action.ROUND_APPROVE, value, channel_id=ADMIN_CHANNEL),
        )

    def queued() -> bool:  # the server's leader started the matches and queued their intros
        with bot.sessions() as s:
            keys = s.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == "match_intro"))
            return len(list(keys)) == 2

    _eventually(queued)
    with bot.sessions() as s:  # each intro waits for a time inside both members' hours
        lands = s.scalar(
            select(func.max(OutboxMessage.next_attempt_at)).where(
                OutboxMessage.kind == "match_intro"
            )
        )
    assert lands is not None
    round_server.process.stop()  # the rest is the outbox at that time: a leader on the bot's clock
    clock.set(lands)
    settle(bot)
    with bot.sessions() as s:
        assert intro_counts(fake_slack, s) == [1, 1]
    with bot.sessions() as s:
        pairs = match_pairs(s)
    for users in pairs:
        [intro] = fake_slack.messages_in(fake_slack.dm_channel(*users))
        body = json.dumps(intro.blocks)
        assert "Why you two" in body
        assert "Europe/London" not in body  # times are shown as local clock times
        slots = next(b for b in intro.blocks if "Three times" in json.dumps(b))
        lines = slots["text"]["text"].splitlines()[1:]
        assert len(lines) == 3
        assert all("Mentor " in line and "Mentee " in line for line in lines)

    # everything queued is marked sent, so no later cycle can post again; each once
    settle(bot)
    with bot.sessions() as s:
        assert set(s.scalars(select(OutboxMessage.state))) == {"sent"}
    keys = intro_keys_posted(fake_slack)
    assert len(keys) == len(set(keys)) == 2
