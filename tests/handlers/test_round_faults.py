"""Intros under faults: 429 storms, 5xx (before and after Slack acted), replicas taking over."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import Engine, func, select

from bot.app import Mentorbot, create_app
from bot.scheduler import LeaderScheduler
from bot.work import drain
from flows.rounds import start_round
from handlers.pacing import Pacer
from models.db import make_engine
from models.tables import OutboxMessage
from testkit.slack import FakeSlack
from tests.conftest import InlineExecutor, make_settings
from tests.support.clock import FrozenClock
from tests.support.rounds_world import (
    RoundsWorld,
    intro_counts,
    intro_keys_posted,
    make_rounds_world,
)
from tests.support.work import land_all, next_due

PAIRS = 6


def _announce(bot: Mentorbot, fake: FakeSlack, clock: FrozenClock) -> RoundsWorld:
    bot.deliverer.pacer = Pacer(scale=10_000)  # the fake here does not rate-limit
    with bot.sessions.begin() as s:
        world = make_rounds_world(s, clock(), pairs=PAIRS, fake=fake, approval_required=False)
    with bot.sessions.begin() as s:
        start_round(s, world.program_id, at=clock())
    drain(bot.sessions, clock)  # the leader queues the intros
    land_all(bot, clock)  # and each lands in its pair's hours
    return world


def _pending(bot: Mentorbot) -> int:
    with bot.sessions() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.state == "pending")
            )
            or 0
        )


def _until_done(bot: Mentorbot, clock: FrozenClock, step: Callable[[], object]) -> None:
    for _ in range(60):
        step()
        if _pending(bot) == 0:
            return
        due = next_due(bot)  # a retry's wait, or a message's landing time
        clock.set(max(clock() + timedelta(seconds=61), due or clock()))
    raise AssertionError("outbox never drained")


def _exactly_once(bot: Mentorbot, fake: FakeSlack) -> None:
    with bot.sessions() as s:
        assert intro_counts(fake, s) == [1] * PAIRS
    keys = intro_keys_posted(fake)
    assert len(keys) == len(set(keys)) == PAIRS
    with bot.sessions() as s:
        assert set(s.scalars(select(OutboxMessage.state))) == {"sent"}


def test_rate_limit_storm_delivers_every_intro_once(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _announce(bot, fake_slack, clock)
    fake_slack.inject("conversations.open", status=429, retry_after=30, times=8)
    fake_slack.inject("chat.postMessage", status=429, retry_after=20, times=15)
    _until_done(bot, clock, bot.deliverer.run_once)
    _exactly_once(bot, fake_slack)
    assert len(fake_slack.calls_to("chat.postMessage")) >= PAIRS + 15


def test_server_errors_before_and_after_slack_acted_never_duplicate(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _announce(bot, fake_slack, clock)
    fake_slack.inject("conversations.open", status=503, times=3)
    fake_slack.inject("chat.postMessage", status=500, times=3)
    # Slack posted, then the answer was a 500: the retry must find the post, not repeat it
    fake_slack.inject("chat.postMessage", status=500, times=3, after_success=True)
    _until_done(bot, clock, bot.deliverer.run_once)
    _exactly_once(bot, fake_slack)
    assert fake_slack.calls_to("conversations.history")


def test_replicas_one_sender_at_a_time_and_takeover_loses_nothing(
    engine: Engine, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(3)]
    replicas = [
        LeaderScheduler(
            create_app(
                make_settings(fake_slack, url),
                clock=clock,
                engine=own,
                after_executor=InlineExecutor(),
            ),
            holder=f"replica-{i}",
        )
        for i, own in enumerate(engines)
    ]
    _announce(replicas[0].bot, fake_slack, clock)
    for replica in replicas:
        replica.bot.deliverer.pacer = Pacer(scale=10_000)
    # slow Slack: every call is answered after the first few with a 429, so delivery spans
    # several ticks and the leader dies in the middle of it
    fake_slack.inject("chat.postMessage", status=429, retry_after=10, times=6)
    alive = list(replicas)

    def tick() -> None:
        with ThreadPoolExecutor(max_workers=len(alive)) as pool:
            list(pool.map(lambda r: r.renew(), alive))
            list(
                pool.map(
                    lambda r: r._guarded("outbox", r.bot.deliverer.run_once)(),
                    alive,
                )
            )

    tick()
    leaders = [r for r in alive if r.is_leader]
    assert len(leaders) == 1
    alive.remove(leaders[0])  # the leader dies without releasing its lease
    clock.advance(seconds=46)  # the lease (45 s) lapses: another replica takes over
    _until_done(replicas[1].bot, clock, tick)
    assert sum(r.is_leader for r in alive) == 1
    _exactly_once(replicas[1].bot, fake_slack)
    for own in engines:
        own.dispose()
