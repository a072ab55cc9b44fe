"""Hostile text in every free-text field reaches no surface unescaped.

Each field a person types into (or sets in their Slack profile, or an HR roster brings) gets
its own tagged hostile string: a channel ping, a user mention, a phishing link, a typed
entity, a bidirectional override and a NUL. The program then runs through the real app
(program, joins, Home, status, preview, intros, goals, report, retro, errors), and every
surface Slack was given is read: in mrkdwn nothing hostile is live, in plain text nothing
is disguised, and each tag shows up somewhere (so the sweep cannot pass by seeing nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.app import Mentorbot
from bot.jobs import post_retros
from handlers.forms import V
from handlers.ids import Action, Block, Callback
from models import hr_import
from models.tables import Program, Round, Skill
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.enroll_world import form_state, metadata, opened_form
from tests.support.work import live_through, settle

ADMIN_CHANNEL = "CADMIN0001"
MENTOR, MENTEE = "UMENTOR001", "UMENTEE001"
OTHERS = [f"UOTHER{i:04d}" for i in range(5)]
LIVE = ("<!channel>", "<@UHOSTILE1>", "<https://evil")
DISGUISE = ("\u202e", "\x00")


def hostile(tag: str, short: bool = False) -> str:
    """A string that pings, mentions, links, fakes an entity, reverses and ends early."""
    if short:  # fits a 60-character skill name
        return f"<!channel><@UHOSTILE1>&lt;zq{tag}&gt;\u202e{tag}\x00"
    return f"<!channel> <@UHOSTILE1> <https://evil.x|SSO {tag}> &lt;zq{tag}&gt; \u202e{tag}\x00"


def as_slack_sends(text: str) -> str:
    """Slash-command text as Slack delivers it: &, < and > escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _strings(value: Any, mrkdwn: bool) -> Iterator[tuple[str, bool]]:
    """Every string a surface shows, and whether Slack reads it as mrkdwn."""
    if isinstance(value, dict):
        kind = value.get("type")
        for key, item in value.items():
            if key in ("value", "private_metadata", "action_id", "block_id", "callback_id"):
                continue  # opaque to people: our own payloads and ids
            if key == "text" and isinstance(item, str):
                yield item, kind == "mrkdwn" or (kind != "plain_text" and mrkdwn)
            else:
                yield from _strings(item, mrkdwn and kind != "plain_text")
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, mrkdwn)
    elif isinstance(value, str):
        yield value, False  # initial values, labels, errors: plain text


def surfaces(fake: FakeSlack, acks: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    found: list[tuple[str, bool]] = []
    for m in fake.state.messages:
        found += [(m.text, True), *_strings(m.blocks or [], True)]
    for e in (*fake.state.ephemerals, *fake.state.responses):
        found += list(_strings(e, True))
    for view in (*fake.state.views.values(), *fake.state.home.values()):
        found += list(_strings(view.get("blocks", []), True))
        found += list(_strings({k: view.get(k) for k in ("title", "submit", "close")}, False))
    for ack in acks:
        found += list(_strings(ack, True))
    for upload in fake.state.files.values():
        found += [
            (str(upload.get("title", "")), False),
            (str(upload.get("initial_comment", "")), True),
        ]
    return found


def _join(slack: SlackDriver, fake: FakeSlack, user: str, acks: list[Any], **answers: Any) -> None:
    slack.command(user, "join")
    form = opened_form(fake)
    ack = ack_json(
        slack.submit(
            user,
            Callback.JOIN,
            form_state(**answers),
            private_metadata=metadata(form),
            view_id=form["id"],
        )
    )
    assert "errors" not in ack, ack  # saved: "You're in", or nothing to show
    acks.append(ack)


def _text(value: str) -> dict[str, Any]:
    return {V: {"type": "plain_text_input", "value": value}}


def _pick(value: str) -> dict[str, Any]:
    return {V: {"type": "static_select", "selected_option": {"value": value}}}


def _button(fake: FakeSlack, channel: str, action: str) -> str:
    for message in reversed(fake.messages_in(channel)):
        for block in message.blocks or []:
            for element in block.get("elements", []):
                if element.get("action_id") == action:
                    return str(element["value"])
    raise AssertionError(f"no {action} button in {channel}")


def test_hostile_text_in_every_field_reaches_no_surface_unescaped(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    acks: list[dict[str, Any]] = []
    tags = {
        "program": "tgPR",
        "skill": "tgSK",
        "free goal": "tgFG",
        "department": "tgDE",
        "languages": "tgLA",
        "real name": "tgRN",
        "title": "tgTI",
        "goal": "tgGO",
        "measure": "tgME",
        "milestone": "tgMI",
        "hr department": "tgHR",
        "command word": "tgCW",
    }
    fake_slack.add_user(ADMIN, real_name="Ada Admin")
    fake_slack.add_user(MENTOR, real_name="Mona Lind", title=hostile(tags["title"]), tz="UTC")
    fake_slack.add_user(MENTEE, real_name=hostile(tags["real name"]), tz="UTC")
    for user in OTHERS:
        fake_slack.add_user(user, tz="UTC")
    fake_slack.add_channel(ADMIN_CHANNEL, private=True, members=[ADMIN])

    # an admin creates the program, naming it and a skill in hostile words
    settings = {
        Block.P_NAME: _text(hostile(tags["program"])),
        Block.P_FORMAT: _pick("one_on_one"),
        Block.P_SCHEDULE: _text(""),
        Block.P_TIMEZONE: _text("UTC"),
        Block.P_CADENCE: _text("14"),
        Block.P_WEEKS: _text("12"),
        Block.P_CAPACITY: _text("6"),
        Block.P_CAPACITY_MAX: _text("6"),
        Block.P_APPROVAL: _pick("yes"),
        Block.P_ADMIN_CHANNEL: {
            V: {"type": "conversations_select", "selected_conversation": ADMIN_CHANNEL}
        },
        Block.P_CHANNEL: {V: {"type": "channels_select", "selected_channel": None}},
        Block.P_SKILLS: _text(hostile(tags["skill"], short=True)),
    }
    ack = ack_json(slack.submit(ADMIN, Callback.PROGRAM_SETTINGS, settings, private_metadata="{}"))
    assert "errors" not in ack, ack  # saved: "You're in", or nothing to show
    acks.append(ack_json(slack.command(ADMIN, "admin program list")))
    with bot.sessions.begin() as s:
        program = s.scalars(select(Program)).one()
        program.created_at = clock() - timedelta(days=1)
        skill = next(k.id for k in s.scalars(select(Skill)) if tags["skill"] in k.name)

    # people join, with hostile words in every free-text field of the form
    _join(slack, fake_slack, MENTOR, acks, role="mentor", expert=[skill], capacity=6)
    _join(
        slack,
        fake_slack,
        MENTEE,
        acks,
        role="mentee",
        goals=[skill],
        free_goal=hostile(tags["free goal"]),
        department=hostile(tags["department"]),
        languages=f"English, {hostile(tags['languages'])}",
    )
    for user in OTHERS:
        _join(slack, fake_slack, user, acks, role="mentee", goals=[skill], department="")
    with bot.sessions.begin() as s:  # the HR roster's department for the others
        program = s.scalars(select(Program)).one()
        for user in OTHERS:
            row = {
                "email": f"{user.lower()}@example.com",
                "department": hostile(tags["hr department"]),
            }
            values, refused = hr_import.check_row(row)  # as the import reads a roster
            assert refused is None
            hr_import.apply_row(s, program, user, values, None, clock(), overwrite=False)
    for user in (MENTOR, MENTEE):
        acks.append(ack_json(slack.command(user, "status")))
        slack.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"})

    # a round: the preview (names, reasons), then the intros (names, titles, goals)
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)
    settle(bot)
    value = _button(fake_slack, ADMIN_CHANNEL, Action.ROUND_APPROVE)
    slack.action(ADMIN, Action.ROUND_APPROVE, value, channel_id=ADMIN_CHANNEL)
    live_through(bot, clock)  # intros land in their readers' hours

    # goals: set by the mentee, seen by both, offered again in the modal
    goals = {
        f"{Block.GOAL_TITLE}1": _text(hostile(tags["goal"])),
        f"{Block.GOAL_MEASURE}1": _text(hostile(tags["measure"])),
        f"{Block.GOAL_MILESTONES}1": _text(hostile(tags["milestone"])),
    }
    acks.append(ack_json(slack.submit(MENTEE, Callback.GOALS, goals)))
    for user in (MENTEE, MENTOR):
        acks.append(ack_json(slack.command(user, "goals show")))
    slack.command(MENTEE, "goals")

    # what admins see: report, chart, retro; and refusals that quote a typed word
    slack.command(ADMIN, "admin report")
    settle(bot)
    with bot.sessions.begin() as s:
        round_ = s.scalars(select(Round)).one()
        round_.announced_at = clock() - timedelta(days=15)
    assert post_retros(bot.sessions, bot.deps.clock) == 1
    settle(bot)
    word = hostile(tags["command word"]).replace("\x00", "")  # the fake escapes as Slack does
    for text in (f"join {word}", f"admin report {word}", f"pause {word}", word):
        acks.append(ack_json(slack.command(MENTEE if "admin" not in text else ADMIN, text)))

    shown = surfaces(fake_slack, acks)
    problems = []
    for text, mrkdwn in shown:
        problems += [f"disguised: {text!r}" for d in DISGUISE if d in text]
        if mrkdwn:
            problems += [f"live {live!r}: {text!r}" for live in LIVE if live in text]
            if re.search(r"(?<!&amp;)&lt;zq", text):
                problems.append(f"typed entity read as <: {text!r}")
    assert problems == [], "\n".join(problems)
    unseen = [name for name, tag in tags.items() if not any(tag in text for text, _ in shown)]
    assert unseen == []
    escaped = [
        name
        for name, tag in tags.items()
        if any(tag in text and "&lt;!channel&gt;" in text for text, md in shown if md)
    ]
    assert set(escaped) >= {"program", "free goal", "goal", "real name", "hr department"}
