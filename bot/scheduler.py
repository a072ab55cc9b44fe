"""The scheduler: periodic jobs that only the lease-holding replica runs.

Every replica runs APScheduler, but each job first asks whether this process holds the
"scheduler" lease (renewed every 10 s, 45 s long), so one replica works at a time and
another takes over within a minute of the leader dying.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
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


class LeaderScheduler:
    def __init__(self, bot: Mentorbot, holder: str | None = None) -> None:
        self.bot = bot
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.is_leader = False
        self._lock = threading.Lock()
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._jobs: list[tuple[str, int, Callable[[], object]]] = []
        self.add_job("outbox", 2, lambda: bot.deliverer.run_once())

    def add_job(self, name: str, every_seconds: int, job: Callable[[], object]) -> None:
        """Run `job` every so many seconds, on the leader only."""
        self._jobs.append((name, every_seconds, job))

    def renew(self) -> bool:
        with self._lock:
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

    def _guarded(self, name: str, job: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            if not self.is_leader:
                return
            try:
                job()
            except Exception:
                log.exception("job %s failed", name)

        return run

    def start(self) -> None:
        self.renew()
        self._scheduler.add_job(self.renew, "interval", seconds=RENEW_EVERY, id="lease")
        for name, every, job in self._jobs:
            self._scheduler.add_job(
                self._guarded(name, job),
                "interval",
                seconds=every,
                id=name,
                max_instances=1,
                coalesce=True,
            )
        self._scheduler.start()

    def stop(self) -> None:
        self._scheduler.shutdown(wait=True)
        if self.is_leader:
            with self.bot.sessions.begin() as s:
                leases.release(s, LEASE_NAME, self.holder)
            self.is_leader = False
