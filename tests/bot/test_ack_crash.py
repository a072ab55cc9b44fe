"""SIGKILL right after the 200: whatever a click, a submission, a command or an event meant
was committed before Slack heard "ok", and after a restart its effects happen exactly once.

Each case starts `mentorbot serve --http` as its own process, sends one signed request as
Slack would, kills the process the moment the answer arrives, checks the database holds
what the request meant, then lets a restarted leader run its intents and deliver its
outbox: every message that request caused arrives once.
"""

from __future__ import annotations

import json
import os
import signal
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.app import Mentorbot, create_app
from flows.rounds import start_round
from handlers.forms import V
from handlers.ids import Action, Block, Callback
from handlers.pacing import Pacer
from handlers.payloads import CheckInRef, MatchRef, RoundRef, SurveyRef, encode
from models import engagement as engagement_store
from models.tables import (
    CheckInAnswer,
    Enrollment,
    Goal,
    Intent,
    Match,
    MatchMember,
    OutboxMessage,
    Person,
    Program,
    PulseResponse,
    Round,
)
from testkit.forms import form_state
from testkit.requests import SIGNING_SECRET, Payloads, post_http, sign
from testkit.serve import ServeProcess, start_serve
from testkit.slack import BOT_TOKEN, FakeSlack
from tests.conftest import ADMIN, InlineExecutor, make_settings
from tests.support.clock import FrozenClock
from tests.support.rounds_world import RoundsWorld, make_rounds_world
from tests.support.work import settle

ADMIN_CHANNEL = "CADMIN0001"
FORM = "application/x-www-form-urlencoded"


@dataclass
class World:
    rounds: RoundsWorld
    round_id: int | None = None
    match_id: int | None = None
    checkin_id: int | None = None
    survey_id: int | None = None
    keep_going_id: int | None = None


def _proposed(bot: Mentorbot, world: World, clock: FrozenClock) -> None:
    with bot.sessions.begin() as s:
        outcome = start_round(s, world.rounds.program_id, at=clock())
        assert outcome is not None
        world.round_id = outcome.round_id
    settle(bot)


def _matched(bot: Mentorbot, world: World, clock: FrozenClock) -> None:
    """An approved round: one active match, a check-in asked, a pulse and a keep-going."""
    with bot.sessions.begin() as s:
        s.get_one(Program, world.rounds.program_id).approval_required = False
    _proposed(bot, world, clock)
    with bot.sessions.begin() as s:
        match = s.scalars(select(Match).order_by(Match.id)).first()
        assert match is not None
        world.match_id = match.id
        checkin = engagement_store.open_checkin(s, match, 1, clock())
        assert checkin is not None
        world.checkin_id = checkin.id
        mentee = next(m.person_id for m in match.members if m.role == "mentee")
        pulse = engagement_store.survey(s, match.id, mentee, "first", 0, clock(), timedelta(7))
        keep = engagement_store.survey(s, match.id, mentee, "keep_going", 1, clock(), timedelta(7))
        assert pulse is not None
        assert keep is not None
        world.survey_id, world.keep_going_id = pulse.id, keep.id


def _mentee(world: World) -> str:
    return world.rounds.mentees[0]


@dataclass(frozen=True)
class Case:
    """A request, the world it needs, and what it must have done once it was answered."""

    prepare: Callable[[Mentorbot, World, FrozenClock], None]
    request: Callable[[Payloads, World], tuple[str, str]]  # (body, content type)
    done: Callable[[Session, World], bool]


def _action(user: str, action: str, value: Callable[[World], str]) -> Any:
    return lambda p, w: (p.block_action(user if user else _mentee(w), action, value(w)), FORM)


def _count(s: Session, table: type, *where: Any) -> int:
    return int(s.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def _round_status(s: Session, w: World) -> str:
    return s.get_one(Round, w.round_id).status


CASES: dict[str, Case] = {
    "admin round": Case(
        lambda bot, w, c: None,
        lambda p, w: (p.slash_command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL), FORM),
        lambda s, w: _count(s, Intent, Intent.kind == "run_round") == 1,
    ),
    "approve": Case(
        _proposed,
        lambda p, w: (
            p.block_action(
                ADMIN,
                Action.ROUND_APPROVE,
                encode(RoundRef(w.round_id or 0)),
                channel_id=ADMIN_CHANNEL,
            ),
            FORM,
        ),
        lambda s, w: _round_status(s, w) in ("approved", "announced"),
    ),
    "discard": Case(
        _proposed,
        lambda p, w: (
            p.block_action(
                ADMIN,
                Action.ROUND_DISCARD,
                encode(RoundRef(w.round_id or 0)),
                channel_id=ADMIN_CHANNEL,
            ),
            FORM,
        ),
        lambda s, w: _round_status(s, w) == "discarded",
    ),
    "re-run": Case(
        _proposed,
        lambda p, w: (
            p.block_action(
                ADMIN,
                Action.ROUND_RERUN,
                encode(RoundRef(w.round_id or 0)),
                channel_id=ADMIN_CHANNEL,
            ),
            FORM,
        ),
        lambda s, w: (
            _round_status(s, w) == "discarded"
            and _count(s, Intent, Intent.kind == "run_round") == 1
        ),
    ),
    "scheduled": Case(
        _matched,
        _action("", Action.SCHEDULED, lambda w: encode(MatchRef(w.match_id or 0))),
        lambda s, w: _count(s, MatchMember, MatchMember.scheduled_confirmed_at.is_not(None)) == 1,
    ),
    "not a good fit": Case(
        _matched,
        _action("", Action.NOT_A_GOOD_FIT, lambda w: encode(MatchRef(w.match_id or 0))),
        lambda s, w: s.get_one(Match, w.match_id).state == "ended",
    ),
    **{
        f"check-in {answer}": Case(
            _matched,
            _action("", action, lambda w: encode(CheckInRef(w.checkin_id or 0))),
            lambda s, w: _count(s, CheckInAnswer) == 1,
        )
        for answer, action in (
            ("met", Action.CHECKIN_MET),
            ("not yet", Action.CHECKIN_NOT_YET),
            ("rescheduling", Action.CHECKIN_RESCHEDULING),
            ("end", Action.CHECKIN_END),
        )
    },
    "keep going yes": Case(
        _matched,
        _action("", Action.KEEP_GOING_YES, lambda w: encode(SurveyRef(w.keep_going_id or 0))),
        lambda s, w: _count(s, PulseResponse, PulseResponse.keep_going.is_(True)) == 1,
    ),
    "keep going no": Case(
        _matched,
        _action("", Action.KEEP_GOING_NO, lambda w: encode(SurveyRef(w.keep_going_id or 0))),
        lambda s, w: (
            _count(s, PulseResponse, PulseResponse.keep_going.is_(False)) == 1
            and s.get_one(Match, w.match_id).state == "ended"
        ),
    ),
    "pulse": Case(
        _matched,
        lambda p, w: (
            p.view_submission(
                _mentee(w),
                Callback.PULSE,
                {
                    Block.PULSE_VALUE: {
                        V: {"type": "static_select", "selected_option": {"value": "4"}}
                    },
                    Block.PULSE_PROGRESS: {
                        V: {"type": "static_select", "selected_option": {"value": "3"}}
                    },
                },
                private_metadata=encode(SurveyRef(w.survey_id or 0)),
            ),
            FORM,
        ),
        lambda s, w: _count(s, PulseResponse, PulseResponse.value_rating == 4) == 1,
    ),
    "goals": Case(
        _matched,
        lambda p, w: (
            p.view_submission(
                _mentee(w),
                Callback.GOALS,
                {
                    f"{Block.GOAL_TITLE}1": {
                        V: {"type": "plain_text_input", "value": "Lead a review"}
                    }
                },
            ),
            FORM,
        ),
        lambda s, w: _count(s, Goal) == 1,
    ),
    "join": Case(
        lambda bot, w, c: None,
        lambda p, w: (
            p.view_submission(
                "UNEWCOMER1",
                Callback.JOIN,
                form_state(role="mentee", goals=[w.rounds.skill_ids["python"]]),
                private_metadata=json.dumps({"program_id": w.rounds.program_id, "tz": "UTC"}),
                view_id="VJOINCRASH",
            ),
            FORM,
        ),
        lambda s, w: (
            _count(s, Enrollment) == 5
            and _count(s, OutboxMessage, OutboxMessage.kind == "enrollment_saved") == 1
        ),
    ),
    "home pause": Case(
        lambda bot, w, c: None,
        _action("", Action.HOME_PAUSE, lambda w: "pause"),
        lambda s, w: _count(s, Enrollment, Enrollment.status == "paused") == 1,
    ),
    "pause command": Case(
        lambda bot, w, c: None,
        lambda p, w: (p.slash_command(_mentee(w), "pause for 2 weeks"), FORM),
        lambda s, w: _count(s, Enrollment, Enrollment.status == "paused") == 1,
    ),
    "leave": Case(
        _matched,
        lambda p, w: (p.slash_command(_mentee(w), "leave"), FORM),
        lambda s, w: (
            _count(s, Enrollment, Enrollment.status == "left") == 1
            and s.get_one(Match, w.match_id).state == "ended"
        ),
    ),
    "forget-me": Case(
        lambda bot, w, c: None,
        _action("", Action.FORGET_ME_CONFIRM, lambda w: "forget"),
        lambda s, w: _count(s, Person, Person.forgotten_at.is_not(None)) == 1,
    ),
    "deactivated": Case(
        _matched,
        lambda p, w: (
            p.event(
                {"type": "user_change", "user": {"id": _mentee(w), "deleted": True}},
                event_id="EvCRASH0001",
            ),
            "application/json",
        ),
        lambda s, w: (
            _count(s, Person, Person.is_deleted.is_(True)) == 1
            and s.get_one(Match, w.match_id).state == "ended"
        ),
    ),
    "admin report": Case(
        lambda bot, w, c: None,
        lambda p, w: (p.slash_command(ADMIN, "admin report"), FORM),
        lambda s, w: _count(s, Intent, Intent.kind == "post_report") == 1,
    ),
    "admin export": Case(
        lambda bot, w, c: None,
        lambda p, w: (p.slash_command(ADMIN, "admin export"), FORM),
        lambda s, w: _count(s, Intent, Intent.kind == "export") == 1,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_kill_right_after_the_200_loses_and_repeats_nothing(
    bot: Mentorbot, fake_slack: FakeSlack, engine: Engine, clock: FrozenClock, name: str
) -> None:
    case = CASES[name]
    clock.set(datetime.now(UTC))  # the server process runs on the real clock: share it
    bot.deliverer.pacer = Pacer(scale=10_000)
    fake_slack.add_user(ADMIN)
    with bot.sessions.begin() as s:
        world = World(make_rounds_world(s, clock(), pairs=2, fake=fake_slack))
    fake_slack.add_user("UNEWCOMER1")
    case.prepare(bot, world, clock)
    body, content_type = case.request(Payloads(response_url=fake_slack.response_url()), world)
    url = engine.url.render_as_string(hide_password=False)
    server: ServeProcess = start_serve(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "DATABASE_URL": url,
            "MENTORBOT_ADMINS": ADMIN,
        },
        args=["--http", "--no-jobs"],  # this replica only serves: the test is the leader
    )
    try:
        status, _ = post_http(
            f"{server.url}/slack/events", body, content_type=content_type, headers=sign(body)
        )
    finally:
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=30)
    assert status == 200
    with bot.sessions() as s:  # what the request meant is there, though the process died
        assert case.done(s, world), name

    clock.set(datetime.now(UTC) + timedelta(seconds=1))  # the restart, just after the crash
    restarted = create_app(
        make_settings(fake_slack, url), clock=clock, engine=engine, after_executor=InlineExecutor()
    )
    restarted.deliverer.pacer = Pacer(scale=10_000)
    settle(restarted)
    settle(restarted)  # a second leader pass adds nothing
    keys = Counter(
        ((m.metadata or {}).get("event_payload") or {}).get("key")
        for m in fake_slack.state.messages
    )
    assert all(n == 1 for n in keys.values()), keys
    with bot.sessions() as s:
        assert _count(s, Intent, Intent.state == "pending") == 0
        assert (
            _count(
                s,
                OutboxMessage,
                OutboxMessage.state == "pending",
                OutboxMessage.next_attempt_at <= clock(),
            )
            == 0
        )
