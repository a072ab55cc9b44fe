"""Named leases so that exactly one replica runs the scheduler and the outbox at a time.

A lease row is taken when free or expired and renewed by its holder; row locks (PostgreSQL
FOR UPDATE) or SQLite's single writer make two replicas' attempts serial, so at most one wins.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.tables import Lease


def try_acquire(s: Session, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease; True if `holder` holds it until now + ttl."""
    lease = s.scalar(select(Lease).where(Lease.name == name).with_for_update())
    if lease is None:
        try:
            with s.begin_nested():
                s.add(Lease(name=name, holder=holder, expires_at=now + ttl))
        except IntegrityError:
            return False
        return True
    if lease.holder == holder or lease.expires_at <= now:
        lease.holder = holder
        lease.expires_at = now + ttl
        return True
    return False


def release(s: Session, name: str, holder: str) -> None:
    lease = s.scalar(select(Lease).where(Lease.name == name).with_for_update())
    if lease is not None and lease.holder == holder:
        s.delete(lease)
        s.flush()


def get_lease(s: Session, name: str) -> tuple[str, datetime] | None:
    """Who holds the lease and until when (an expired row included: it says who held it)."""
    lease = s.get(Lease, name)
    return None if lease is None else (lease.holder, lease.expires_at)


def get_holder(s: Session, name: str, now: datetime) -> str | None:
    lease = s.get(Lease, name)
    if lease is None or lease.expires_at <= now:
        return None
    return lease.holder
