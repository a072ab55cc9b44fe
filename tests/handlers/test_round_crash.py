"""A worker process killed while an intro is in flight: restarted, it sends each intro once."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bot.app import Mentorbot
from testkit.slack import FakeSlack
from tests.handlers.test_round_faults import _announce, _exactly_once, _until_done
from tests.support.clock import FrozenClock
from tests.support.crash import kill_when


@pytest.mark.parametrize(
    "held",
    [
        "conversations.open",  # killed after the commit, before the intro was posted
        "chat.postMessage",  # killed after Slack took the intro, before it was marked sent
    ],
)
def test_killed_worker_neither_loses_nor_repeats_an_intro(
    bot: Mentorbot, engine: Engine, fake_slack: FakeSlack, clock: FrozenClock, held: str
) -> None:
    _announce(bot, fake_slack, clock)
    arrived, release = fake_slack.hold(held)
    kill_when(
        arrived,
        "tests.support.outbox_worker",
        engine.url.render_as_string(hide_password=False),
        fake_slack.api_url,
        clock().isoformat(),
    )
    before = len(fake_slack.calls_to(held))
    release.set()  # Slack finishes what it was asked before the crash
    while len(fake_slack.calls_to(held)) == before:
        arrived.wait(0.01)
    _until_done(bot, clock, bot.deliverer.run_once)  # the restarted worker
    _exactly_once(bot, fake_slack)
    if held == "chat.postMessage":  # found by its outbox key in the history, not re-posted
        assert fake_slack.calls_to("conversations.history")
