"""The scheduler: periodic jobs that only the lease-holding replica runs.

Every replica runs APScheduler, but each job first asks whether this process holds the
"scheduler" lease (renewed every 10 s, 45 s long), so one replica works at a time and
another takes over within a minute of the leader dying, or at once when it stops cleanly
(`stop` releases the lease after the last running job has finished).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from bot.app import Mentorbot
from models import leases

log = logging.getLogger("mentorbot.scheduler")

LEASE_NAME = "scheduler"
LEASE_TTL = timedelta(seconds=45)
RENEW_EVERY = 10
OUTBOX_EVERY = 2


class LeaderScheduler:
    def __init__(self, bot: Mentorbot, holder: str | None = None) -> None:
        self.bot = bot
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.is_leader = False
        self._lock = threading.Lock()
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._jobs: list[tuple[str, int, Callable[[], object], bool]] = []
        self._running: set[str] = set()
        self._idle = threading.Condition()
        self._stopped = False
        self.add_job("outbox", OUTBOX_EVERY, self.deliver)

    def add_job(
        self, name: str, every_seconds: int, job: Callable[[], object], *, leader_only: bool = True
    ) -> None:
        """Run `job` every so many seconds, on the leader only unless said otherwise."""
        self._jobs.append((name, every_seconds, job, leader_only))

    @property
    def jobs(self) -> list[tuple[str, int, Callable[[], object]]]:
        """(name, every seconds, job) of every job added, the outbox first."""
        return [(name, every, job) for name, every, job, _ in self._jobs]

    def deliver(self) -> None:
        """One outbox pass; a line at INFO only when it had something to do."""
        report = self.bot.deliverer.run_once()
        if report.sent or report.recovered or report.retried or report.failed:
            log.info(
                "outbox: sent %d, recovered %d, retrying %d, failed %d",
                report.sent,
                report.recovered,
                report.retried,
                report.failed,
            )

    def renew(self) -> bool:
        with self._lock:
            if self._stopped:
                return False
            try:
                with self.bot.sessions.begin() as s:
                    leader = leases.try_acquire(
                        s, LEASE_NAME, self.holder, self.bot.deps.clock(), LEASE_TTL
                    )
            except Exception:
                log.exception("could not renew the scheduler lease")
                leader = False
            if leader != self.is_leader:
                log.info("%s leadership: %s", "gained" if leader else "lost", self.holder)
            self.is_leader = leader
            return leader

    def _guarded(
        self, name: str, job: Callable[[], object], leader_only: bool = True
    ) -> Callable[[], None]:
        def run() -> None:
            if leader_only and not self.is_leader:
                return
            with self._idle:
                # A run still going when the next is due is simply skipped, quietly.
                if name in self._running or self._stopped:
                    return
                self._running.add(name)
            try:
                job()
            except Exception:
                log.exception("job %s failed", name)
            finally:
                with self._idle:
                    self._running.discard(name)
                    self._idle.notify_all()

        return run

    def start(self) -> None:
        self.renew()
        self._scheduler.add_job(
            self.renew, "interval", seconds=RENEW_EVERY, id="lease", name="lease"
        )
        for name, every, job, leader_only in self._jobs:
            self._scheduler.add_job(
                self._guarded(name, job, leader_only),
                "interval",
                seconds=every,
                id=name,
                name=name,
                max_instances=2,  # the second only sees the first running and returns
                coalesce=True,
                misfire_grace_time=None,  # late under load is fine: run once, warn nobody
            )
        self._scheduler.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop scheduling, let running jobs finish, then hand the lease back; True when clean.

        A job still running after `timeout` keeps the lease: releasing it then would let
        another replica start the same work beside it, so the lease is left to expire.
        """
        with self._lock, self._idle:
            self._stopped = True
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self._running:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    log.warning(
                        "stopping with job(s) %s still running; the lease expires by itself",
                        ", ".join(sorted(self._running)),
                    )
                    return False
                self._idle.wait(left)
        if self.is_leader:
            with self.bot.sessions.begin() as s:
                leases.release(s, LEASE_NAME, self.holder)
            self.is_leader = False
            log.info("released the scheduler lease: %s", self.holder)
        return True
