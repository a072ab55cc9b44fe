"""Reverse mentoring through the real app: the settings modal, a strict round, its intros."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.app import Mentorbot
from handlers.ids import Action, Block, Callback
from models.tables import Match, MatchMember, Person, Program
from testkit.requests import SlackDriver, ack_json
from testkit.slack import TEAM_ID, FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.features import ADMIN_CHANNEL, button, dms, join, seat, seen
from tests.support.rounds_world import make_skills
from tests.support.work import live_through, settle
from tests.support.world import make_program, make_workspace


def _reverse_world(bot: Mentorbot, fake: FakeSlack, at: datetime, rule: str) -> int:
    fake.add_user(ADMIN, real_name="Ada Admin")
    seat(fake, ADMIN_CHANNEL, ADMIN)
    with bot.sessions.begin() as s:
        workspace = make_workspace(s, at, team_id=TEAM_ID)
        program = make_program(
            s,
            workspace,
            at,
            slug="reverse",
            name="Reverse mentoring",
            format="reverse",
            settings={"reverse_rule": rule},
        )
        skills = make_skills(s, program, at)
        join(
            s,
            fake,
            program,
            "ULEADER01",
            "mentee",
            at,
            skills,
            seeks=("python",),
            name="Lee Leader",
            seniority=6,
        )
        join(
            s,
            fake,
            program,
            "UJUNIOR01",
            "mentor",
            at,
            skills,
            offers=(("python", 3),),
            name="Jo Junior",
            seniority=2,
            capacity=1,
        )
        join(
            s,
            fake,
            program,
            "USENIOR01",
            "mentor",
            at,
            skills,
            offers=(("python", 3),),
            name="Sam Senior",
            seniority=7,
            capacity=1,
        )
        # a second leader whose only possible mentor is as senior as they are
        join(
            s,
            fake,
            program,
            "ULEADER02",
            "mentee",
            at,
            skills,
            seeks=("sql",),
            name="Kim Chief",
            seniority=7,
        )
        join(
            s,
            fake,
            program,
            "USENIOR02",
            "mentor",
            at,
            skills,
            offers=(("sql", 3),),
            name="Max Veteran",
            seniority=7,
            capacity=1,
        )
        return program.id


def _run_and_approve(
    bot: Mentorbot, slack: SlackDriver, fake: FakeSlack, clock: FrozenClock
) -> Any:
    slack.command(ADMIN, "admin round reverse", channel_id=ADMIN_CHANNEL)
    settle(bot)
    preview = next(m for m in fake.messages_in(ADMIN_CHANNEL) if m.text.startswith("*Round"))
    slack.action(
        ADMIN, Action.ROUND_APPROVE, button(preview, Action.ROUND_APPROVE), channel_id=ADMIN_CHANNEL
    )
    live_through(bot, clock)  # intros land in their readers' hours
    return preview


def _pairs(bot: Mentorbot) -> set[tuple[str, str]]:
    with bot.sessions.begin() as s:
        rows = s.execute(
            select(MatchMember.match_id, MatchMember.role, Person.slack_user_id)
            .join(Person, Person.id == MatchMember.person_id)
            .join(Match, Match.id == MatchMember.match_id)
            .where(Match.state == "active")
        ).all()
    by_match: dict[int, dict[str, str]] = {}
    for match_id, role, user in rows:
        by_match.setdefault(match_id, {})[role] = user
    return {(m["mentor"], m["mentee"]) for m in by_match.values()}


def test_a_strict_reverse_round_pairs_juniors_with_seniors_and_says_so(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _reverse_world(bot, fake_slack, clock(), "must")
    preview = _run_and_approve(bot, slack, fake_slack, clock)
    # the second leader's only mentor is not junior: left out, and the admins see why
    assert "junior-mentor rule (" in seen(preview)
    assert _pairs(bot) == {("UJUNIOR01", "ULEADER01")}
    intro = dms(fake_slack, "UJUNIOR01", "ULEADER01")
    assert len(intro) == 1
    text = seen(intro[0])
    assert "*This is reverse mentoring*: <@UJUNIOR01> is the mentor here" in text
    assert "Jo Junior is 4 levels more junior: reverse mentoring" in text
    assert dms(fake_slack, "USENIOR02", "ULEADER02") == []


def test_when_juniors_are_only_preferred_a_senior_mentor_is_still_possible(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _reverse_world(bot, fake_slack, clock(), "may")
    _run_and_approve(bot, slack, fake_slack, clock)
    assert _pairs(bot) == {("UJUNIOR01", "ULEADER01"), ("USENIOR02", "ULEADER02")}
    junior_intro = seen(dms(fake_slack, "UJUNIOR01", "ULEADER01")[0])
    assert "reverse mentoring" in junior_intro


def _settings(fmt: str, rule: str, **extra: Any) -> dict[str, dict[str, Any]]:
    from handlers.forms import V

    def text(value: str | None) -> dict[str, Any]:
        return {"type": "plain_text_input", "value": value}

    def pick(value: str | None) -> dict[str, Any]:
        return {
            "type": "static_select",
            "selected_option": None if value is None else {"value": value},
        }

    values = {
        Block.P_NAME: text("Reverse mentoring"),
        Block.P_FORMAT: pick(fmt),
        Block.P_SCHEDULE: text(None),
        Block.P_TIMEZONE: text("Europe/Berlin"),
        Block.P_CADENCE: {"type": "number_input", "value": "14"},
        Block.P_WEEKS: {"type": "number_input", "value": "12"},
        Block.P_CAPACITY: {"type": "number_input", "value": "1"},
        Block.P_CAPACITY_MAX: {"type": "number_input", "value": "2"},
        Block.P_APPROVAL: pick("yes"),
        Block.P_ADMIN_CHANNEL: {"type": "conversations_select", "selected_conversation": "GADMIN"},
        Block.P_CHANNEL: {"type": "channels_select", "selected_channel": None},
        Block.P_SKILLS: text("Generative AI"),
        Block.P_REVERSE_RULE: pick(rule),
        Block.P_HOURS_CAP: {"type": "number_input", "value": extra.get("cap")},
        Block.P_DEPARTMENTS: text(extra.get("departments")),
        Block.P_LEVEL_MIN: pick(extra.get("low")),
        Block.P_LEVEL_MAX: pick(extra.get("high")),
        Block.P_TENURE: {"type": "number_input", "value": extra.get("tenure")},
        Block.P_LOCATIONS: text(extra.get("locations")),
        Block.P_THANKS: pick(extra.get("thanks", "off")),
    }
    return {block: {V: value} for block, value in values.items()}


def test_the_settings_modal_creates_a_reverse_program_with_its_rules(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user(ADMIN, real_name="Ada Admin")
    fake_slack.add_channel("GADMIN", "mentoring-admins", private=True, members=[ADMIN])
    answer = slack.submit(
        ADMIN,
        Callback.PROGRAM_SETTINGS,
        _settings(
            "reverse",
            "must",
            cap="6",
            departments="Engineering, Data",
            low="3",
            tenure="6",
            thanks="monthly",
        ),
        private_metadata="{}",
    )
    errors = ack_json(answer)
    assert errors.get("errors", {}).get(Block.P_THANKS), errors  # needs a program channel
    answer = slack.submit(
        ADMIN,
        Callback.PROGRAM_SETTINGS,
        _settings("reverse", "must", cap="6", departments="Engineering, Data", low="3", tenure="6"),
        private_metadata="{}",
    )
    assert ack_json(answer) == {}
    with bot.sessions.begin() as s:
        program = s.scalars(select(Program)).one()
        assert program.format == "reverse"
        assert program.settings == {
            "reverse_rule": "must",
            "hours_cap": 6,
            "eligibility": {
                "departments": ["Engineering", "Data"],
                "min_level": 3,
                "min_tenure_months": 6,
            },
        }
        program_id = program.id
    # editing shows what was stored, and a one-to-one program drops the reverse rule
    slack.command(ADMIN, "admin program edit")
    form = json.dumps(list(fake_slack.state.views.values())[-1])
    assert "Engineering, Data" in form
    assert "Juniors only" in form
    slack.submit(
        ADMIN,
        Callback.PROGRAM_SETTINGS,
        _settings("one_on_one", "must"),
        private_metadata=json.dumps({"program_id": program_id}),
        view_id="VEDIT",
    )
    with bot.sessions.begin() as s:
        assert s.get_one(Program, program_id).settings == {}
