"""Benchmark: launch-day load over HTTP — `python -m bench.load burst|joins [...]`.

`burst` fires N slash commands at the same instant (default 200) from N threads at the
real server and prints p50/p99/max ack time and errors. `joins` is launch day: P people each
run `/mentor join` and submit the modal (default 5,000 within 10 minutes) against
`mentorbot serve --http` in its own process; the submit's ack turns the modal into "You're
in", so its p99 is Submit -> visible confirmation, while Home and the optional DM follow
through a fake that holds every method to its Slack tier. Both run against SQLite or
`--database-url` (PostgreSQL for the real figure) and a loopback Slack fake that checks
every Web API call against Slack's reference.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.kit import SIGNING_SECRET, command_body, percentile, post_signed, rate_limited_slack
from bot.app import Mentorbot, create_app
from bot.migrate import upgrade
from bot.settings import Settings
from models.db import make_engine
from testkit.serve import serve, serve_process

LAUNCH_P99 = 0.300  # seconds: issue 8's target for both acks (Slack's own limit is 3 s)
TRIES = 3  # a person told "Slack did not accept that just now" tries again ...
RETRY_AFTER = 60.0  # ... a minute later, as the message asks


def _bot(database_url: str | None, fake: Any) -> Mentorbot:
    from testkit.slack import BOT_TOKEN

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


def _serve_process(bot: Mentorbot, fake: Any) -> tuple[str, Callable[[], None]]:
    """`mentorbot serve --http` in its own process (its own GIL, as in production)."""
    from bot.server import SLACK_PATH
    from testkit.slack import BOT_TOKEN

    base, stop = serve_process(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": bot.engine.url.render_as_string(hide_password=False),
            "MENTORBOT_ADMINS": "UBENCHADMIN",
        }
    )
    return base + SLACK_PATH, stop


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


def run_burst(
    count: int, text: str, database_url: str | None, threads: int, separate: bool = True
) -> int:
    from testkit.slack import FakeSlack

    fake = FakeSlack().start()
    bot = _bot(database_url, fake)
    url, close = _serve_process(bot, fake) if separate else serve(bot, threads=threads)
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


def _program(bot: Mentorbot) -> tuple[int, list[int]]:
    from models.program_admin import ProgramSettings, create_program
    from models.tables import Skill
    from models.workspace import ensure_person, ensure_workspace
    from testkit.slack import TEAM_ID

    at = datetime.now(UTC)
    with bot.sessions.begin() as s:
        workspace = ensure_workspace(s, TEAM_ID, at)
        admin = ensure_person(s, workspace.id, "UBENCHADMIN", at)
        settings = ProgramSettings(
            name="Launch day",
            format="one_on_one",
            schedule_rrule="FREQ=WEEKLY;INTERVAL=4;BYDAY=MO;BYHOUR=10;BYMINUTE=0",
            timezone="Europe/Berlin",
            meeting_cadence_days=14,
            engagement_weeks=12,
            capacity_default=2,
            capacity_max=3,
            approval_required=True,
            admin_channel_id="CADMIN0001",
            program_channel_id=None,
        )
        program = create_program(s, workspace.id, settings, admin.id, at)
        skills = list(s.scalars(select(Skill.id).where(Skill.program_id == program.id)))
        return program.id, skills


def run_joins(
    people: int,
    minutes: float,
    workers: int,
    database_url: str | None,
    threads: int,
    separate: bool = True,
    tier4: float | None = None,
) -> int:
    """Launch day: each person runs /mentor join, then submits the modal. The submit's ack
    is what they see ("You're in", in the modal), so its time is Submit -> visible
    confirmation; Home is published after it and the DM is optional, both through a fake
    that limits every method to its Slack tier (429 with Retry-After beyond it)."""
    from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

    from handlers.copy import JOINED_TITLE
    from handlers.ids import Callback
    from handlers.payloads import JoinForm, encode
    from models.tables import Enrollment, OutboxMessage
    from testkit.forms import form_state

    fake = rate_limited_slack(tier4=tier4).start()
    sent_at: dict[str, float] = {}  # trigger -> when its /mentor join was sent
    late = 0  # forms opened after their trigger's 3 s (Slack: expired_trigger_id)
    bot = _bot(database_url, fake)
    program_id, skills = _program(bot)
    zones = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Europe/London")
    for i in range(people):
        fake.add_user(f"UJOIN{i:05d}", tz=zones[i % len(zones)])
    url, close = _serve_process(bot, fake) if separate else serve(bot, threads=threads)
    respond = fake.response_url("joins")
    command_acks: list[float] = []
    confirmed: list[float] = []  # Submit -> the "You're in" view, as the person sees it
    submitted: dict[str, float] = {}  # user -> monotonic time of Submit
    by_minute: dict[int, list[float]] = {}  # Submit -> confirmation, by minute done
    errors = retried = never = 0
    lock = threading.Lock()

    started = time.perf_counter()
    gap = minutes * 60 / people  # launch day: everyone within `minutes`, evenly spread

    shown_triggers: set[str] = set()
    read_upto = 0  # how far into the fake's calls shown_triggers has read

    def form_opened(trigger: str, deadline: float) -> bool:
        """Whether Slack showed this trigger's modal before `deadline` (it lives 3 s)."""
        nonlocal late, read_upto
        while True:
            with lock:
                with fake.lock:
                    fresh = fake.calls[read_upto:]
                    read_upto = len(fake.calls)
                for c in fresh:
                    if c.method == "views.open":
                        key = str(c.args.get("trigger_id"))
                        shown_triggers.add(key)
                        late += c.at - sent_at.get(key, c.at) > 3
                if trigger in shown_triggers:
                    return True
            if time.monotonic() >= deadline:
                return False
            threading.Event().wait(0.1)

    def one(i: int, attempt: int) -> bool:
        """One try of person i: /mentor join, and if the form opens, Submit. False when
        Slack did not open it (the bot then says to try again in a minute)."""
        nonlocal errors, retried
        user = f"UJOIN{i:05d}"
        n = i + attempt * people
        with lock:
            sent_at[f"{n}.trigger.{user}"] = time.monotonic()
        status, seconds, _ = post_signed(url, command_body(user, "join", n, response_url=respond))
        with lock:
            if status == 200:
                command_acks.append(seconds)
            errors += status != 200
        if not form_opened(f"{n}.trigger.{user}", time.monotonic() + 3):
            return False
        with lock:
            retried += attempt > 0
        mentor = i % 3 == 0
        state = form_state(
            role="mentor" if mentor else "mentee",
            expert=[skills[i % len(skills)]] if mentor else [],
            goals=[] if mentor else [skills[(i * 7) % len(skills)]],
        )
        payload = {
            "type": "view_submission",
            "team": {"id": "T0MENTOR"},
            "user": {"id": user, "team_id": "T0MENTOR"},
            "api_app_id": "AMENTOR",
            "view": {
                "id": f"VJOIN{i:05d}",
                "type": "modal",
                "callback_id": Callback.JOIN,
                "private_metadata": encode(JoinForm(program_id, zones[i % len(zones)])),
                "state": {"values": state},
                "hash": f"h{i}",
            },
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        at = time.monotonic()
        status2, seconds2, answer = post_signed(url, body)
        shown = _confirmation(answer) == JOINED_TITLE
        with lock:
            submitted[user] = at
            if status2 == 200 and shown:
                confirmed.append(seconds2)
            minute = int((time.perf_counter() - started) // 60)
            by_minute.setdefault(minute, []).append(seconds2)
            errors += status2 != 200 or not shown
        return True

    # This process is the load generator and Slack: it keeps every call and view, and its
    # full collections (up to 2 s with 5,000 people) would be measured as the server's delay.
    gc.disable()
    # tries by time: everyone's first within `minutes`, evenly spread; a retry a minute after
    # its refusal (a waiting person holds no client)
    tries = [(i * gap, i, 0) for i in range(people)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        running: dict[Future[bool], tuple[int, int]] = {}
        while tries or running:
            now = time.perf_counter() - started
            while tries and tries[0][0] <= now:
                _, i, attempt = heapq.heappop(tries)
                running[pool.submit(one, i, attempt)] = (i, attempt)
            wake = min(tries[0][0] - now, 0.05) if tries else 0.05
            done, _ = wait(list(running), timeout=max(wake, 0.001), return_when=FIRST_COMPLETED)
            for future in done:
                i, attempt = running.pop(future)
                if future.result():
                    continue
                later = time.perf_counter() - started + RETRY_AFTER
                if attempt + 1 < TRIES:
                    heapq.heappush(tries, (later, i, attempt + 1))
                else:
                    never += 1
    gc.enable()
    elapsed = time.perf_counter() - started
    close()
    if separate:  # the server was our only child: its CPU time is what one replica spent
        times = os.times()
        spent = times.children_user + times.children_system
        print(f"server CPU: {spent:.1f} s in {elapsed:.1f} s ({spent / elapsed:.0%} of one core)")
    with bot.sessions() as s:
        stored = s.scalar(select(func.count()).select_from(Enrollment)) or 0
        by_state = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        dms = {str(state): int(n) for state, n in s.execute(by_state)}
    opened = len(fake.calls_to("views.open"))
    rate = people / elapsed
    print(f"{people} people joined in {elapsed:.1f}s ({rate:.1f} joins/s, {workers} clients)")
    _report("/mentor join ack", command_acks, 0)
    _report("Submit -> 'You're in' in the modal (validated, stored, shown)", confirmed, 0)
    first_home: dict[str, float] = {}
    for c in fake.calls_to("views.publish"):
        first_home.setdefault(str(c.args.get("user_id")), c.at)
    homes = [at - submitted[u] for u, at in first_home.items() if u in submitted]
    _report("Submit -> their Home published", homes, 0)
    print(f"  Home published for {len(homes)} of {people}; 429s from the tiers: {fake.limited}")
    ceiling = "without a ceiling" if tier4 == 0 else f"{tier4 or 100:g} a minute"
    print(
        f"  forms opened at the first try {people - retried - never}, on a later try {retried},"
        f" never in {TRIES} tries {never}; opened after the trigger's 3 s {late} (Slack would"
        f" refuse those); Tier 4 {ceiling}"
    )
    print(
        "p99 Submit -> confirmation, minute by minute: "
        + ", ".join(f"{percentile(v, 0.99) * 1000:.0f}" for _, v in sorted(by_minute.items()))
        + " ms"
    )
    print(
        f"errors: {errors}; modals opened: {opened}; enrollments stored: {stored}; "
        f"confirmation DMs (optional, paced last) by state at the end: {dms}; "
        f"conversations.open calls {len(fake.calls_to('conversations.open'))}"
    )
    violations = sorted(set(fake.violations))
    print(f"Slack method reference violations: {len(violations)}")
    fake.stop()
    bot.engine.dispose()
    slowest = max(percentile(acks, 0.99) if acks else 99.0 for acks in (command_acks, confirmed))
    met = errors == 0 and stored == people - never and not violations and slowest < LAUNCH_P99
    print(
        f"launch-day target (p99 < {LAUNCH_P99 * 1000:.0f} ms for both acks, the second "
        "carrying the confirmation; 0 errors, all stored): " + ("met" if met else "MISSED")
    )
    return 0 if met else 1


def _confirmation(answer: bytes) -> str | None:
    """The title of the view a submit's ack turns the modal into, if it updates it."""
    try:
        ack = json.loads(answer or b"{}")
    except ValueError:
        return None
    if not isinstance(ack, dict) or ack.get("response_action") != "update":
        return None
    return str(ack.get("view", {}).get("title", {}).get("text", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("mode", choices=["burst", "joins"])
    parser.add_argument("--count", type=int, default=200, help="burst: commands at once")
    parser.add_argument("--people", type=int, default=5000, help="joins: people enrolling")
    parser.add_argument("--clients", type=int, default=64, help="joins: concurrent clients")
    parser.add_argument("--minutes", type=float, default=10.0, help="joins: spread over")
    parser.add_argument(
        "--scale-minutes",
        action="store_true",
        help="joins: keep launch day's rate (5,000 per --minutes) for fewer people",
    )
    parser.add_argument(
        "--tier4",
        type=float,
        default=None,
        help="joins: Tier 4 methods a minute (views.open, users.info, views.publish); Slack says "
        "'100+, generous bursts': default 100, 0 for no ceiling",
    )
    parser.add_argument("--text", default="help")
    parser.add_argument("--threads", type=int, default=16, help="server worker threads")
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="serve from this process (it then shares its GIL with the clients and the fake)",
    )
    args = parser.parse_args(argv)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # a burst queues by design
    if args.mode == "joins":
        minutes = args.minutes * args.people / 5000 if args.scale_minutes else args.minutes
        return run_joins(
            args.people,
            minutes,
            args.clients,
            args.database_url,
            args.threads,
            separate=not args.in_process,
            tier4=args.tier4,
        )
    return run_burst(
        args.count, args.text, args.database_url, args.threads, separate=not args.in_process
    )


if __name__ == "__main__":
    sys.exit(main())
