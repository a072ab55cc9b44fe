"""Only the lease holder runs jobs; a second replica takes over when the first goes quiet."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.app import create_app
from bot.scheduler import LeaderScheduler
from testkit.slack import FakeSlack
from tests.conftest import InlineExecutor, make_settings
from tests.support.clock import FrozenClock


def test_one_leader_among_replicas_and_takeover(
    fake_slack: FakeSlack, engine: Engine, clock: FrozenClock
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    replicas = [
        LeaderScheduler(
            create_app(
                make_settings(fake_slack, url),
                clock=clock,
                engine=engine,
                after_executor=InlineExecutor(),
            ),
            holder=name,
        )
        for name in ("replica-a", "replica-b")
    ]
    a, b = replicas
    ran: list[str] = []
    assert a.renew()
    assert not b.renew()
    for replica in replicas:
        replica._guarded("probe", lambda name=replica.holder: ran.append(name))()
    assert ran == ["replica-a"]
    # replica-a dies: it stops renewing; within the lease (45 s) b still waits.
    clock.advance(seconds=40)
    assert not b.renew()
    clock.advance(seconds=6)
    assert b.renew()
    assert not a.renew()
    ran.clear()
    for replica in replicas:
        replica._guarded("probe", lambda name=replica.holder: ran.append(name))()
    assert ran == ["replica-b"]
