"""Leases: one holder at a time; another takes over once the holder stops renewing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from models.leases import get_holder, release, try_acquire
from tests.support.clock import FrozenClock

TTL = timedelta(seconds=45)


def test_one_holder_and_takeover_after_expiry(engine: Engine, clock: FrozenClock) -> None:
    with Session(engine) as s, s.begin():
        assert try_acquire(s, "scheduler", "a", clock(), TTL)
    with Session(engine) as s, s.begin():
        assert not try_acquire(s, "scheduler", "b", clock(), TTL)
    clock.advance(seconds=30)
    with Session(engine) as s, s.begin():
        assert try_acquire(s, "scheduler", "a", clock(), TTL)  # renewal
    clock.advance(seconds=44)
    with Session(engine) as s, s.begin():
        assert not try_acquire(s, "scheduler", "b", clock(), TTL)
    clock.advance(seconds=2)
    with Session(engine) as s, s.begin():
        assert try_acquire(s, "scheduler", "b", clock(), TTL)
        assert get_holder(s, "scheduler", clock()) == "b"
    with Session(engine) as s, s.begin():
        release(s, "scheduler", "a")  # not the holder: nothing happens
        assert get_holder(s, "scheduler", clock()) == "b"
        release(s, "scheduler", "b")
        assert get_holder(s, "scheduler", clock()) is None
