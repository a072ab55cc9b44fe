"""The sandbox's API without a browser: people act through it, and see what Slack shows.

Each test starts the whole sandbox (fake Slack, the real bot over HTTP, the page server) on
the database fixture, so it runs on SQLite and PostgreSQL, and fails if anything the bot
sent is something Slack would refuse.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from handlers.ids import Action, Block, Callback
from sandbox.web import PageServer
from sandbox.world import Sandbox, start
from testkit.forms import form_state
from tests.sandbox.play import (
    ADMIN,
    ADMINS,
    GENERAL,
    MENTEE,
    MENTOR,
    OTHER_MENTEE,
    START,
    button,
    option_values,
    pick,
    program_values,
    text,
)


@pytest.fixture
def sandbox(db_url: str) -> Iterator[Sandbox]:
    world = start(db_url, at=START)
    yield world
    world.stop()
    assert world.fake.violations == [], "what Slack would refuse"


@pytest.fixture
def page(sandbox: Sandbox) -> Iterator[str]:
    server = PageServer(sandbox).start()
    yield server.url
    server.stop()


def call(url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url.rstrip("/") + path, data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        return {"status": error.code, **json.loads(error.read())}


def seen(url: str, user: str, channel: str | None = None) -> dict[str, Any]:
    query = f"?as={user}" + (f"&channel={channel}" if channel else "")
    found: dict[str, Any] = call(url, "/api/state" + query)
    return found


def texts(state: dict[str, Any]) -> list[str]:
    return [str(i["text"]) for i in state["items"]]


def create_program(url: str) -> None:
    call(
        url,
        "/api/command",
        {"as": ADMIN, "text": "/mentor admin program create", "channel": ADMINS},
    )
    modal = seen(url, ADMIN, ADMINS)["modal"]
    call(url, "/api/submit", {"as": ADMIN, "view_id": modal["id"], "values": program_values()})


def join(url: str, user: str, role: str) -> dict[str, Any]:
    call(url, "/api/command", {"as": user, "text": "join", "channel": GENERAL})
    modal = seen(url, user, GENERAL)["modal"]
    skills = [int(v) for v in option_values(modal, Block.OFFER_EXPERT)[:2]]
    values = form_state(
        role=role,
        expert=skills if role == "mentor" else [],
        goals=skills if role == "mentee" else [],
    )
    answer: dict[str, Any] = call(
        url, "/api/submit", {"as": user, "view_id": modal["id"], "values": values}
    )
    return answer


def dm_of(url: str, user: str, *others: str) -> str:
    """The conversation of the bot with `user` (and `others`), from the person's sidebar."""
    state = seen(url, user)
    names = {"UMAYA00001": "Maya", "UNINA00001": "Nina", "USAM000001": "Sam"}
    want = ", ".join([*sorted(names[o] for o in others), "mentorbot"]) if others else "mentorbot"
    return next(c["id"] for c in state["sidebar"] if c["label"] == want)


def test_a_modal_shows_its_field_errors_to_the_person_who_opened_it_only(page: str) -> None:
    answer = call(
        page,
        "/api/command",
        {"as": ADMIN, "text": "/mentor admin program create", "channel": ADMINS},
    )
    assert answer["status"] == 200
    modal = seen(page, ADMIN, ADMINS)["modal"]
    assert modal["callback_id"] == Callback.PROGRAM_SETTINGS
    assert seen(page, MENTOR, GENERAL)["modal"] is None  # Maya's screen shows no modal

    bad = {**program_values(), Block.P_TIMEZONE: text("Mars/Olympus")}
    answer = call(page, "/api/submit", {"as": ADMIN, "view_id": modal["id"], "values": bad})
    assert answer["ack"]["response_action"] == "errors"
    state = seen(page, ADMIN, ADMINS)
    assert state["modal"]["id"] == modal["id"]
    assert set(state["errors"]) == {Block.P_TIMEZONE}

    call(page, "/api/submit", {"as": ADMIN, "view_id": modal["id"], "values": program_values()})
    assert seen(page, ADMIN, ADMINS)["modal"] is None
    dm = seen(page, ADMIN, dm_of(page, ADMIN))
    assert any("/mentor join engineering-mentoring" in t for t in texts(dm))


def test_a_command_reply_is_shown_to_the_person_who_typed_it_alone(page: str) -> None:
    create_program(page)
    call(page, "/api/command", {"as": MENTOR, "text": "status", "channel": GENERAL})
    assert [i["kind"] for i in seen(page, MENTOR, GENERAL)["items"]] == ["ephemeral"]
    assert seen(page, MENTEE, GENERAL)["items"] == []
    # a non-admin is refused an admin command, in their own reply
    call(page, "/api/command", {"as": MENTOR, "text": "admin round", "channel": GENERAL})
    assert len(seen(page, MENTOR, GENERAL)["items"]) == 2
    assert seen(page, MENTEE, GENERAL)["items"] == []


def test_a_round_check_in_and_pulse_lived_through_the_clock(page: str) -> None:
    create_program(page)
    for user, role in ((MENTOR, "mentor"), (MENTEE, "mentee"), (OTHER_MENTEE, "mentee")):
        answer = join(page, user, role)
        assert answer["ack"]["response_action"] == "update"  # "You're in", in the modal

    call(page, "/api/command", {"as": ADMIN, "text": "admin round", "channel": ADMINS})
    preview = seen(page, ADMIN, ADMINS)["items"][-1]
    assert "Round preview" in preview["text"]
    approve = button(preview, Action.ROUND_APPROVE)
    assert approve is not None
    action = {k: approve[k] for k in ("action_id", "block_id", "type", "value")}
    call(
        page, "/api/action", {"as": ADMIN, "action": action, "channel": ADMINS, "ts": preview["ts"]}
    )
    decided = seen(page, ADMIN, ADMINS)["items"]
    assert (
        button(next(i for i in decided if i["ts"] == preview["ts"]), Action.ROUND_APPROVE) is None
    )

    # the intros land in each pair's working hours, within a day
    call(page, "/api/clock", {"move": "day"})
    pair = dm_of(page, MENTEE, MENTOR)
    intro = seen(page, MENTEE, pair)
    assert any("Meet your Engineering mentoring match" in t for t in texts(intro))
    assert dm_of(page, OTHER_MENTEE, MENTOR) != pair  # each pair in its own group DM

    # two weeks on, the check-in asks the pair whether they met; the mentee says yes
    for _ in range(2):
        moved = call(page, "/api/clock", {"move": "week"})
    assert moved["now"] == "2026-12-22T14:00:00+00:00"
    checkin = next(
        i for i in seen(page, MENTEE, pair)["items"] if button(i, Action.CHECKIN_MET) is not None
    )
    assert seen(page, MENTOR, pair)["items"][-1]["ts"] == checkin["ts"]  # both see it
    met = button(checkin, Action.CHECKIN_MET)
    assert met is not None
    action = {k: met[k] for k in ("action_id", "block_id", "type", "value")}
    call(
        page, "/api/action", {"as": MENTEE, "action": action, "channel": pair, "ts": checkin["ts"]}
    )
    answered = next(i for i in seen(page, MENTEE, pair)["items"] if i["ts"] == checkin["ts"])
    assert button(answered, Action.CHECKIN_MET) is None  # the answer replaced the buttons

    # after a first meeting, the pulse asks each of them how it is going
    call(page, "/api/clock", {"move": "day"})
    dm = dm_of(page, MENTEE)
    ask = next(
        i for i in seen(page, MENTEE, dm)["items"] if button(i, Action.PULSE_OPEN) is not None
    )
    opened = button(ask, Action.PULSE_OPEN)
    assert opened is not None
    action = {k: opened[k] for k in ("action_id", "block_id", "type", "value")}
    call(page, "/api/action", {"as": MENTEE, "action": action, "channel": dm, "ts": ask["ts"]})
    pulse = seen(page, MENTEE, dm)["modal"]
    assert pulse is not None
    assert pulse["callback_id"] == Callback.PULSE
    values = {
        Block.PULSE_VALUE: pick("4"),
        Block.PULSE_PROGRESS: pick("5"),
    }
    answer = call(page, "/api/submit", {"as": MENTEE, "view_id": pulse["id"], "values": values})
    assert answer["ack"].get("response_action") != "errors", answer
    after = seen(page, MENTEE, dm)
    assert after["modal"] is None or after["modal"].get("callback_id") != Callback.PULSE
    # it was recorded: the same button now says so, to the mentee alone
    call(page, "/api/action", {"as": MENTEE, "action": action, "channel": dm, "ts": ask["ts"]})
    assert texts(seen(page, MENTEE, dm))[-1] == "This survey has closed or was already answered."


def test_the_page_refuses_a_stranger_and_an_unknown_clock_move(page: str) -> None:
    assert call(page, "/api/state?as=UNOBODY")["status"] == 400
    assert call(page, "/api/clock", {"move": "year"})["status"] == 400
    with urllib.request.urlopen(page, timeout=10) as response:
        assert '<script src="/page.js">' in response.read().decode()


def status(url: str, headers: dict[str, str], body: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_only_the_page_itself_can_act(page: str, sandbox: Sandbox) -> None:
    move = json.dumps({"move": "week"}).encode()
    # another site's form can post text/plain without asking: refused, the clock stays
    assert status(page + "api/clock", {"Content-Type": "text/plain"}, move) == 415
    # a domain rebound to 127.0.0.1 names itself in Host: refused
    assert status(page + "api/people", {"Host": "evil.example"}) == 421
    assert sandbox.clock() == START
