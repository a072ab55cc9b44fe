"""`python -m bench.life`: eight weeks of four pairs in five zones, lived at speed.

The real app behind the real HTTP server, its clock injected and stepped through the weeks;
the leader's jobs run as in production, every message is delivered at the moment it was
meant to land, and people click through Slack's signed requests. Pairs: one meets and
answers, one goes silent, one says "not yet" twice and then keeps going, one loses its
mentee mid-way. London, Berlin, Kolkata (+5:30), New York and Tokyo; Europe and the US
change clocks in March. Prints each person's timeline in their own local time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.app import Mentorbot, create_app
from bot.jobs import run_engagement
from bot.migrate import upgrade
from bot.settings import Settings
from bot.work import drain
from flows import notices
from flows.notices import Landing
from flows.rounds import start_round
from handlers.ids import Action, Block, Callback
from handlers.pacing import Pacer
from models.db import make_engine
from models.enrollment import Profile, save_profile
from models.program_admin import ProgramSettings, create_program
from models.tables import Match, OutboxMessage, Person
from models.taxonomy import list_skills
from models.workspace import ensure_person, ensure_workspace
from testkit.requests import SIGNING_SECRET, HttpDriver, Payloads, SlackDriver
from testkit.serve import serve
from testkit.slack import BOT_TOKEN, TEAM_ID, FakeSlack

START = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)  # a Monday; US clocks change on the 14th,
WEEKS = 8  # Europe's on the 28th
JOB_EVERY = timedelta(hours=6)
# (mentor, mentee) zones per pair, and what the pair does
PAIRS = {
    "meets": ("Europe/London", "Asia/Kolkata"),
    "silent": ("Asia/Tokyo", "Asia/Kolkata"),
    "not-yet": ("America/New_York", "Europe/London"),
    "leaves": ("Europe/Berlin", "Asia/Kolkata"),
}
LEAVES_ON = timedelta(days=16)


@dataclass(frozen=True)
class Delivered:
    """One message as its readers saw it."""

    kind: str
    match_id: int | None
    sent_at: datetime
    readers: tuple[str, ...]
    landing: Landing
    closing: bool


@dataclass
class Life:
    zones: dict[str, str]  # Slack user id -> zone
    pairs: dict[str, tuple[str, str]]  # life -> (mentor, mentee)
    delivered: list[Delivered] = field(default_factory=list)
    states: dict[str, str] = field(default_factory=dict)  # life -> final match state

    def local(self, user: str, moment: datetime) -> datetime:
        return moment.astimezone(ZoneInfo(self.zones[user]))

    def timeline(self, user: str) -> list[str]:
        return [
            f"{self.local(user, d.sent_at):%a %d %b %H:%M %Z}  {d.kind}"
            for d in self.delivered
            if user in d.readers
        ]


def _people(bot: Mentorbot, fake: FakeSlack, clock: Callable[[], datetime]) -> Life:
    """The program and its eight people, enrolled as the join form would store them."""
    zones: dict[str, str] = {}
    pairs: dict[str, tuple[str, str]] = {}
    at = clock()
    with bot.sessions.begin() as s:
        workspace = ensure_workspace(s, TEAM_ID, at)
        creator = ensure_person(s, workspace.id, "UADMIN0001", at)
        program = create_program(
            s,
            workspace.id,
            ProgramSettings(
                name="Life at speed",
                format="one_on_one",
                schedule_rrule=None,
                timezone="Europe/London",
                meeting_cadence_days=7,
                engagement_weeks=6,
                capacity_default=1,
                capacity_max=2,
                approval_required=False,
                admin_channel_id=None,
                program_channel_id=None,
            ),
            creator.id,
            at,
        )
        skills = [k.id for k in list_skills(s, program.id)]
        for n, (life, (mentor_tz, mentee_tz)) in enumerate(PAIRS.items()):
            ids = []
            for role, tz in (("mentor", mentor_tz), ("mentee", mentee_tz)):
                user = f"U{role.upper()}{n:03d}"
                fake.add_user(user, real_name=f"{life} {role}", tz=tz)
                person = ensure_person(s, workspace.id, user, at)
                person.tz, person.real_name = tz, f"{life} {role}"
                skill = skills[n * 7]
                save_profile(
                    s,
                    program,
                    person,
                    Profile(
                        role=role,
                        offered=((skill, 3),) if role == "mentor" else (),
                        sought=(skill,) if role == "mentee" else (),
                        timezone=tz,
                        capacity=1 if role == "mentor" else 0,
                    ),
                    at=at,
                )
                zones[user] = tz
                ids.append(user)
            pairs[life] = (ids[0], ids[1])
        program_id = program.id
    with bot.sessions.begin() as s:
        start_round(s, program_id, at=clock())
    return Life(zones, pairs)


class Stepper:
    """Moves the injected clock on, running the jobs and delivering at landing times."""

    def __init__(self, bot: Mentorbot, clock: Any, life: Life) -> None:
        self.bot, self.clock, self.life = bot, clock, life
        self.next_job = clock()

    def until(self, moment: datetime) -> None:
        while self.clock() < moment:
            with self.bot.sessions() as s:
                due = s.scalar(
                    select(func.min(OutboxMessage.next_attempt_at)).where(
                        OutboxMessage.state == "pending"
                    )
                )
            target = min(t for t in (self.next_job, due, moment) if t is not None)
            if target > self.clock():
                self.clock.set(target)
            if self.clock() >= self.next_job:
                run_engagement(self.bot.sessions, self.clock)
                self.next_job = self.clock() + JOB_EVERY
            self.work()

    def work(self) -> None:
        for _ in range(20):
            drain(self.bot.sessions, self.clock)
            if self.bot.deliverer.run_once(limit=200).sent == 0:
                return


def _latest(fake: FakeSlack, users: tuple[str, ...], words: str) -> Any:
    found = [m for m in fake.messages_in(fake.dm_channel(*users)) if words in m.text]
    return found[-1] if found else None


def _button(message: Any, action: str) -> str | None:
    """The value of the message's button `action`, while it is still live."""
    for block in (message.blocks if message is not None else None) or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action:
                return str(element["value"])
    return None


def _click(driver: SlackDriver, user: str, message: Any, action: str) -> None:
    value = _button(message, action)
    if value is not None:
        driver.action(user, action, value)


def _pulse(driver: SlackDriver, fake: FakeSlack, user: str) -> None:
    value = _button(_latest(fake, (user,), "How is your mentoring going"), Action.PULSE_OPEN)
    if value is None:
        return
    driver.action(user, Action.PULSE_OPEN, value)
    state: dict[str, dict[str, Any]] = {
        Block.PULSE_VALUE: {"v": {"type": "static_select", "selected_option": {"value": "4"}}},
        Block.PULSE_PROGRESS: {"v": {"type": "static_select", "selected_option": {"value": "4"}}},
    }
    driver.submit(user, Callback.PULSE, state, private_metadata=value)


def live(bot: Mentorbot, fake: FakeSlack, clock: Any, driver: SlackDriver) -> Life:
    """The eight weeks; what every person received, and how each match ended up."""
    bot.deliverer.pacer = Pacer(scale=10_000)
    life = _people(bot, fake, clock)
    step = Stepper(bot, clock, life)
    step.work()
    meets, not_yet, leaves = life.pairs["meets"], life.pairs["not-yet"], life.pairs["leaves"]
    for day in range(1, 7 * WEEKS + 1):
        step.until(START + timedelta(days=day))
        # the meeting pair: "we met" at every check-in, and the mentee answers each pulse
        _click(driver, meets[1], _latest(fake, meets, "check-in"), Action.CHECKIN_MET)
        _pulse(driver, fake, meets[1])
        # "not yet" at the first two check-ins, then both keep going and they meet
        checkin = _latest(fake, not_yet, "check-in")
        if day <= 15:
            _click(driver, not_yet[1], checkin, Action.CHECKIN_NOT_YET)
        else:
            for user in not_yet:
                asked = _latest(fake, (user,), "keep going")
                _click(driver, user, asked, Action.KEEP_GOING_YES)
            _click(driver, not_yet[1], checkin, Action.CHECKIN_MET)
        if day == LEAVES_ON.days:  # the mentee leaves the program mid-way
            driver.command(leaves[1], "leave")
        step.work()
    _record(bot, life)
    return life


def _record(bot: Mentorbot, life: Life) -> None:
    with bot.sessions() as s:
        rows = s.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.state == "sent")
            .order_by(OutboxMessage.sent_at, OutboxMessage.id)
        ).all()
        for row in rows:
            if row.sent_at is None or not row.conversation.startswith("users:") or not row.kind:
                continue
            cls = notices.KINDS[row.kind]
            assert issubclass(cls, notices.Notice)
            life.delivered.append(
                Delivered(
                    kind=row.kind,
                    match_id=row.match_id,
                    sent_at=row.sent_at,
                    readers=tuple(row.conversation.removeprefix("users:").split(",")),
                    landing=cls.LANDING,
                    closing=cls.CLOSING,
                )
            )
        by_user = {u: k for k, pair in life.pairs.items() for u in pair}
        for match in s.scalars(select(Match)):
            users = {s.get_one(Person, m.person_id).slack_user_id for m in match.members}
            for user in users:
                life.states[by_user[user]] = match.state


def run(database_url: str | None) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/life.db"
        engine = make_engine(url)
        upgrade(engine)
        fake = FakeSlack().start()
        clock = _Clock(START)
        bot = create_app(
            Settings(
                database_url=url,
                slack_api_url=fake.api_url,
                bot_token=BOT_TOKEN,
                signing_secret=SIGNING_SECRET,
            ),
            clock=clock,
            engine=engine,
        )
        url_in, stop = serve(bot)
        try:
            driver = HttpDriver(bot.app, Payloads(response_url=fake.response_url()), url=url_in)
            life = live(bot, fake, clock, driver)
        finally:
            stop()
            fake.stop()
            engine.dispose()
    for kind, (mentor, mentee) in life.pairs.items():
        print(f"\n== {kind}: ended {life.states.get(kind)}")
        for user in (mentor, mentee):
            print(f"  {user} ({life.zones[user]})")
            for line in life.timeline(user):
                print(f"    {line}")
    return 0


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.life", description=__doc__)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temp dir")
    args = parser.parse_args(argv)
    return run(args.database_url)


if __name__ == "__main__":
    sys.exit(main())
