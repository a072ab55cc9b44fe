"""Authorization sweep: every admin command, button and modal refuses a participant.

The lists come from what the app registered (router.admin_routes, registrar.admin_actions,
registrar.admin_views), so a feature added later is swept without editing this file. A
refusal must change no row and post nothing anywhere but the refusal itself.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.app import Mentorbot
from handlers.forms import V
from handlers.ids import Action, Block, Callback
from models.admins import add_admin
from models.tables import Base, Concern, Program, Round, Workspace
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_rounds_world
from tests.support.work import settle
from tests.support.world import ADMIN_CHANNEL, make_person, make_program

PARTICIPANT = "UMENTEE000"
REFUSAL = "only program admins"
ARGUMENTS = ("", "Engineering", "--dry-run", "@uadmin0001", "add @umentee000")
QUIET_METHODS = {"chat.postEphemeral", "users.info", "auth.test", "team.info"}


def _row_counts(s: Session) -> dict[str, int]:
    """Rows per table, except the replay guard's own log of request signatures."""
    return {
        table.name: int(s.scalar(select(func.count()).select_from(table)) or 0)
        for table in Base.metadata.sorted_tables
        if table.name != "processed_events"
    }


def _world(bot: Mentorbot, slack: SlackDriver, fake: FakeSlack, clock: FrozenClock) -> int:
    fake.add_user(ADMIN, real_name="Ada Admin")
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock(), pairs=2, fake=fake)
    fake.add_members(ADMIN_CHANNEL, PARTICIPANT)  # a participant who can see its buttons
    slack.command(ADMIN, "admin round", channel_id=ADMIN_CHANNEL)  # a proposed round to target
    settle(bot)
    with bot.sessions.begin() as s:
        return int(s.scalars(select(Round.id)).one())


def _assert_nothing_changed(
    bot: Mentorbot, fake: FakeSlack, before: dict[str, int], messages: int, what: str
) -> None:
    with bot.sessions.begin() as s:
        assert _row_counts(s) == before, what
    assert len(fake.state.messages) == messages, what
    loud = {c.method for c in fake.calls} - QUIET_METHODS
    assert loud == set(), (what, loud)


def test_every_admin_command_refuses_a_participant(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, slack, fake_slack, clock)
    routes = bot.router.admin_routes
    assert routes, "no admin commands registered"
    with bot.sessions.begin() as s:
        before = _row_counts(s)
    messages = len(fake_slack.state.messages)
    fake_slack.reset_calls()
    tried = 0
    for words in routes:
        for argument in ARGUMENTS:
            text = " ".join((*words, argument)).strip()
            for channel in ("C0GENERAL", ADMIN_CHANNEL):
                answer = ack_json(slack.command(PARTICIPANT, text, channel_id=channel))
                assert REFUSAL in answer["text"], text
                tried += 1
    _assert_nothing_changed(bot, fake_slack, before, messages, "admin commands")
    assert tried == len(routes) * len(ARGUMENTS) * 2


def test_every_admin_button_refuses_a_participant_even_when_crafted(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    round_id = _world(bot, slack, fake_slack, clock)
    actions = sorted(bot.registrar.admin_actions)
    assert actions, "no admin buttons registered"
    with bot.sessions.begin() as s:
        before = _row_counts(s)
    messages = len(fake_slack.state.messages)
    fake_slack.reset_calls()
    values = [json.dumps({"round_id": round_id, "program_id": 1, "id": 1}), "", "{}"]
    for action_id in actions:
        for value in values:
            for channel in (ADMIN_CHANNEL, None):
                response = slack.action(PARTICIPANT, action_id, value, channel_id=channel)
                assert response.status == 200
    refusals = [c.args["text"] for c in fake_slack.calls_to("chat.postEphemeral")]
    refusals += [str(r.get("text")) for r in fake_slack.state.responses[-len(actions) * 3 :]]
    assert refusals
    assert all(REFUSAL in text for text in refusals), refusals
    _assert_nothing_changed(bot, fake_slack, before, messages, "admin buttons")


def test_every_admin_modal_refuses_a_participant(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _world(bot, slack, fake_slack, clock)
    views = sorted(bot.registrar.admin_views)
    if not views:
        # No admin modals yet; the gate itself is covered in tests/handlers/test_admin_gate.
        assert not any(v for v in bot.registrar.views if v in bot.registrar.admin_views)
        return
    with bot.sessions.begin() as s:
        before = _row_counts(s)
    messages = len(fake_slack.state.messages)
    fake_slack.reset_calls()
    for callback_id in views:
        answer = json.loads(slack.submit(PARTICIPANT, callback_id, {}).body)
        assert answer["response_action"] == "update"
        assert REFUSAL in json.dumps(answer["view"])
    _assert_nothing_changed(bot, fake_slack, before, messages, "admin modals")


def test_admin_commands_are_exactly_the_admin_words(bot: Mentorbot) -> None:
    """Every `/mentor admin …` route is gated, and nothing else is."""
    for words, route in bot.router.routes.items():
        assert route.admin == (words[0] == "admin"), words


# --- an admin of one program, on every admin path of another --------------------------------

ALPHA_ADMIN = "UALPHA0001"
ALPHA_CHANNEL = "CADMINA001"
OUTSIDER = "UOUTSIDE01"
# How each admin subcommand names program B ("eng", whose admin channel is ADMIN_CHANNEL).
# A new admin subcommand fails the sweep until it says here how it names a program.
NAMING_B = {
    ("admin", "program"): ("edit eng", "edit Engineering mentoring"),
    ("admin", "round"): ("eng", "eng --dry-run", "eng --repost"),
    ("admin", "report"): ("eng",),
    ("admin", "export"): ("eng",),
    ("admin", "add"): (f"<@{OUTSIDER}> eng", f"<@{OUTSIDER}> --workspace"),
    ("admin", "remove"): (f"<@{ADMIN}> eng", f"<@{ADMIN}> --workspace"),
    ("admin", "concerns"): ("eng",),
    ("admin", "skills"): ("eng", 'merge "SQL" into "Python" eng', 'retire "SQL" eng'),
}
NOT_THEIRS = ("only admins of", "only workspace admins")


def _two_programs(
    bot: Mentorbot, slack: SlackDriver, fake: FakeSlack, clock: FrozenClock
) -> tuple[int, int]:
    """Program B ("eng") with a proposed round; program A ("alpha") administered by one
    person who administers nothing else. (B's id, B's round id)."""
    round_id = _world(bot, slack, fake, clock)
    fake.add_user(ALPHA_ADMIN, real_name="Al Pha")
    with bot.sessions.begin() as s:
        b = s.scalars(select(Program).where(Program.slug == "eng")).one()
        alpha = make_program(
            s,
            s.get_one(Workspace, b.workspace_id),
            clock(),
            slug="alpha",
            name="Alpha circle",
            admin_channel_id=ALPHA_CHANNEL,
        )
        person = make_person(s, s.get_one(Workspace, b.workspace_id), ALPHA_ADMIN, clock())
        add_admin(s, alpha.id, person.id, clock())
        return b.id, round_id


def test_an_admin_of_one_program_is_refused_on_every_admin_command_of_another(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    _two_programs(bot, slack, fake_slack, clock)
    routes = bot.router.admin_routes
    assert set(routes) <= set(NAMING_B), f"say how {set(routes) - set(NAMING_B)} names a program"
    with bot.sessions.begin() as s:
        before = _row_counts(s)
    messages = len(fake_slack.state.messages)
    fake_slack.reset_calls()
    for words in routes:
        for argument in NAMING_B[words]:
            text = " ".join((*words, argument))
            for channel in (ADMIN_CHANNEL, ALPHA_CHANNEL):
                answer = ack_json(slack.command(ALPHA_ADMIN, text, channel_id=channel))
                assert any(refusal in answer["text"] for refusal in NOT_THEIRS), (text, answer)
    creating = ack_json(slack.command(ALPHA_ADMIN, "admin program create"))["text"]
    assert "only workspace admins" in creating
    listing = ack_json(slack.command(ALPHA_ADMIN, "admin program list"))["text"]
    assert "Alpha circle" in listing
    assert "Engineering" not in listing  # another program's numbers are not theirs either
    _assert_nothing_changed(bot, fake_slack, before, messages, "another program's commands")
    # ...while their own program answers them
    mine = ack_json(slack.command(ALPHA_ADMIN, "admin report alpha", channel_id=ALPHA_CHANNEL))
    assert "on its way" in mine["text"]


def test_an_admin_of_one_program_is_refused_on_every_button_and_modal_of_another(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    program_b, round_b = _two_programs(bot, slack, fake_slack, clock)
    # B's admin channel, where its buttons are: one can click only where one can see
    fake_slack.add_members(ADMIN_CHANNEL, ALPHA_ADMIN)
    with bot.sessions.begin() as s:  # a concern raised in program B
        space = s.get_one(Workspace, s.get_one(Program, program_b).workspace_id)
        reporter = make_person(s, space, OUTSIDER, clock())
        concern = Concern(
            program_id=program_b,
            reporter_id=reporter.id,
            category="conduct",
            text="Something happened",
            created_at=clock(),
            updated_at=clock(),
        )
        s.add(concern)
        s.flush()
        concern_b = json.dumps({"concern_id": concern.id})
    # What each admin button or modal of program B is sent with; a new one fails the sweep
    # until it is listed here (its scope is what the gate checks).
    buttons = {
        Action.ROUND_APPROVE: json.dumps({"round_id": round_b}),
        Action.ROUND_DISCARD: json.dumps({"round_id": round_b}),
        Action.ROUND_RERUN: json.dumps({"round_id": round_b}),
        Action.CONCERN_PAUSE: concern_b,
        Action.CONCERN_RESUME: concern_b,
        Action.CONCERN_END: concern_b,
        Action.CONCERN_RESOLVE: concern_b,
        Action.CONCERN_REPLY: concern_b,
    }
    picked_b = {
        Block.ADMIN_PERSON: {V: {"type": "users_select", "selected_user": ALPHA_ADMIN}},
        Block.ADMIN_PROGRAM: {
            V: {"type": "static_select", "selected_option": {"value": str(program_b)}}
        },
    }
    every = {
        **picked_b,
        Block.ADMIN_PROGRAM: {
            V: {"type": "static_select", "selected_option": {"value": "workspace"}}
        },
    }
    no_values: dict[str, Any] = {}
    modals: dict[str, tuple[tuple[str, dict[str, Any]], ...]] = {
        Callback.PROGRAM_SETTINGS: (
            (json.dumps({"program_id": program_b}), no_values),
            ("{}", no_values),
        ),
        Callback.CONCERN_REPLY: ((concern_b, no_values),),
        Callback.ADMIN_PEOPLE: (('{"adding": true}', picked_b), ('{"adding": true}', every)),
    }
    assert set(bot.registrar.admin_actions) <= set(buttons)
    assert set(bot.registrar.admin_views) <= set(modals)
    assert all(bot.registrar.admin_scopes[k] is not None for k in (*buttons, *modals))
    with bot.sessions.begin() as s:
        before = _row_counts(s)
    messages = len(fake_slack.state.messages)
    fake_slack.reset_calls()
    for action_id in sorted(bot.registrar.admin_actions):
        response = slack.action(
            ALPHA_ADMIN, action_id, buttons[action_id], channel_id=ADMIN_CHANNEL
        )
        assert response.status == 200
    refusals = [c.args["text"] for c in fake_slack.calls_to("chat.postEphemeral")]
    assert len(refusals) == len(bot.registrar.admin_actions)
    assert all("only admins of that program" in text for text in refusals), refusals
    for callback_id in sorted(bot.registrar.admin_views):
        for meta, values in modals[callback_id]:  # e.g. editing B, and creating a program
            answer = json.loads(
                slack.submit(ALPHA_ADMIN, callback_id, values, private_metadata=meta).body
            )
            assert answer["response_action"] == "update"
            assert "only admins of that program" in json.dumps(answer["view"])
    _assert_nothing_changed(bot, fake_slack, before, messages, "another program's buttons")
    with bot.sessions.begin() as s:
        assert s.get_one(Round, round_b).status == "proposed"
