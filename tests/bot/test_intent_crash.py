"""SIGKILL right after every committed intent step: the leader that restarts finishes the
rest, and every message the intents caused arrives exactly once.

Each step runs in its own process (tests/support/intent_worker.py), which kills itself the
instant its transaction commits; the next process takes the next step, as a restarted
leader would, until nothing is due.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

from sqlalchemy import Engine, func, select

from bot.app import Mentorbot
from bot.work import drain
from flows.rounds import start_round
from handlers.pacing import Pacer
from models.tables import Intent, OutboxMessage
from testkit.requests import SlackDriver
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.crash import ROOT
from tests.support.rounds_world import make_rounds_world
from tests.support.work import live_through

PAIRS = 4
STEPS = 40  # far more than the intents here take; a loop that never ends fails instead


def _intents(bot: Mentorbot, state: str) -> int:
    with bot.sessions() as s:
        return int(
            s.scalar(select(func.count()).select_from(Intent).where(Intent.state == state)) or 0
        )


def test_a_kill_after_each_committed_intent_step_loses_and_repeats_nothing(
    bot: Mentorbot, slack: SlackDriver, engine: Engine, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    bot.deliverer.pacer = Pacer(scale=10_000)
    fake_slack.add_user(ADMIN)
    with bot.sessions.begin() as s:
        world = make_rounds_world(s, clock(), pairs=PAIRS, fake=fake_slack, approval_required=False)
    with bot.sessions.begin() as s:
        start_round(s, world.program_id, at=clock())  # an announce intent: the intros
    slack.command(ADMIN, "admin report", channel_id="CADMIN0001")  # a report intent
    slack.command(ADMIN, "admin export", channel_id="CADMIN0001")  # an export intent
    assert _intents(bot, "pending") >= 3
    url = engine.url.render_as_string(hide_password=False)
    killed = 0
    for _ in range(STEPS):
        step = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.support.intent_worker",
                url,
                fake_slack.api_url,
                clock().isoformat(),
            ],
            cwd=ROOT,
            capture_output=True,
            timeout=120,
        )
        if step.returncode == 3:
            break
        assert step.returncode == -9, step.stderr.decode()[-2000:]
        killed += 1
    else:
        raise AssertionError("the intents never finished")
    assert killed >= 3
    assert _intents(bot, "pending") == 0
    assert drain(bot.sessions, clock) == 0  # the restarted leader finds nothing left to do
    live_through(bot, clock)  # and the outbox delivers what the steps queued
    keys = Counter(
        ((m.metadata or {}).get("event_payload") or {}).get("key")
        for m in fake_slack.state.messages
    )
    assert all(n == 1 for n in keys.values()), keys
    intros = [k for k in keys if k and ":intro:" in k]
    assert len(intros) == PAIRS
    shared = [
        json.loads(c.args["files"])[0]["title"]
        for c in fake_slack.calls_to("files.completeUploadExternal")
    ]
    assert sorted(shared).count("Engineering mentoring: matches") == 1, shared  # the export
    assert len(shared) == len(set(shared)), shared  # the chart and the CSV, once each
    assert any("Report for" in m.text for m in fake_slack.messages_in("CADMIN0001"))
    with bot.sessions() as s:
        states = set(s.scalars(select(OutboxMessage.state)))
    assert states == {"sent"}
