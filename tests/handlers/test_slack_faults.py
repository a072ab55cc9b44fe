"""Every Web API method the bot calls, failing with a 429 storm or a 5xx: the person gets a
clear answer (never a 500 or a traceback), nothing is half-written, and once Slack recovers
the same action works and its effect happens once.

Methods and the surface that reaches them: views.open, users.info and views.update (join),
views.publish (App Home), chat.postEphemeral (an admin-only button refused),
files.getUploadURLExternal and files.completeUploadExternal (admin
export), conversations.open, chat.postMessage and conversations.history (the outbox).
users.lookupByEmail (the HR import) is swept in tests/bot/test_import.py, auth.test (serve's
startup check and its health job) in tests/bot/test_operator_errors.py. METHODS_SWEPT is
checked against the methods the code calls, so a new one cannot be added without a row here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import Mentorbot
from bot.work import drain
from handlers.forms import V
from handlers.ids import Block, Callback
from handlers.listen import Answer
from handlers.pacing import Pacer
from models import outbox
from models.tables import Base, Enrollment, OutboxMessage, Program, Skill, Workspace
from models.workspace import ensure_person
from testkit.manifest import web_api_methods
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.handlers.test_enroll import ALICE, _join, _world
from tests.handlers.test_home import _open_home
from tests.handlers.test_program_admin import _settings
from tests.support.clock import FrozenClock
from tests.support.enroll_world import opened_form

ROOT = Path(__file__).resolve().parents[2]
FAULTS = {
    "429 storm": {"status": 429, "retry_after": 30, "times": 4},
    "5xx": {"status": 503, "times": 4},
}
METHODS_SWEPT = {
    "views.open",
    "users.info",
    "views.update",
    "views.publish",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
    "conversations.open",
    "chat.postMessage",
    "conversations.history",
    "users.lookupByEmail",
    "chat.postEphemeral",
    "auth.test",
    "conversations.info",
}


def _rows(bot: Mentorbot) -> dict[str, int]:
    with bot.sessions() as s:
        return {
            t.name: int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
            if t.name not in ("processed_events", "audit_log", "people", "workspaces")
        }


def _replies(fake: FakeSlack) -> list[str]:
    return [str(r.get("text") or "") for r in fake.state.responses]


def _join_once(bot: Mentorbot, slack: SlackDriver, fake: FakeSlack) -> None:
    assert slack.command(ALICE, "join").status == 200


def _submit_join(bot: Mentorbot, slack: SlackDriver, fake: FakeSlack) -> None:
    with bot.sessions() as s:
        goal = s.scalars(select(Skill.id).order_by(Skill.id)).first()
    assert "errors" not in _join(slack, fake, ALICE, role="mentee", goals=[goal])


def _join_in_new_zone(bot: Mentorbot, slack: SlackDriver, fake: FakeSlack) -> None:
    """Alice, known in Lisbon, joins from New York: the open form is updated to her zone."""
    with bot.sessions.begin() as s:
        workspace = s.scalars(select(Workspace)).one()
        ensure_person(s, workspace.id, ALICE, datetime.now(UTC)).tz = "Europe/Lisbon"
    _submit_join(bot, slack, fake)


def _home(bot: Mentorbot, slack: SlackDriver, fake: FakeSlack) -> None:
    _open_home(slack, ALICE)


def _create_program(bot: Mentorbot, slack: SlackDriver, fake: FakeSlack) -> None:
    """A new program whose admin channel the settings modal checks with conversations.info."""
    fake.add_channel("CSALES0001", "sales-admins", private=True, members=[ADMIN])
    values = _settings(
        **{
            Block.P_NAME: {V: {"type": "plain_text_input", "value": "Sales"}},
            Block.P_ADMIN_CHANNEL: {
                V: {"type": "conversations_select", "selected_conversation": "CSALES0001"}
            },
        }
    )
    answer = ack_json(slack.submit(ADMIN, Callback.PROGRAM_SETTINGS, values, private_metadata="{}"))
    assert answer == {}, answer


def _programs(bot: Mentorbot) -> set[str]:
    with bot.sessions() as s:
        return set(s.scalars(select(Program.name)))


def _export(bot: Mentorbot, slack: SlackDriver, fake: FakeSlack) -> None:
    assert slack.command(ADMIN, "admin export").status == 200


def _deliver(bot: Mentorbot, clock: FrozenClock) -> None:
    for _ in range(40):
        bot.deliverer.run_once()
        with bot.sessions() as s:
            if not s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.state == "pending")
            ):
                return
        clock.advance(seconds=31)
    raise AssertionError("outbox never drained")


Scenario = Callable[[Mentorbot, SlackDriver, FakeSlack], None]
INTERACTIVE: dict[str, tuple[Scenario, Callable[[Mentorbot, FakeSlack], bool]]] = {
    # method: (what the person does, how to tell it worked)
    "views.open": (_join_once, lambda bot, fake: bool(fake.state.views)),
    "users.info": (_submit_join, lambda bot, fake: _enrolled(bot) == 1),
    "views.update": (
        _join_in_new_zone,
        lambda bot, fake: _enrolled(bot) == 1 and "New_York" in str(opened_form(fake)),
    ),
    "views.publish": (_home, lambda bot, fake: ALICE in fake.state.home),
    "conversations.info": (_create_program, lambda bot, fake: "Sales" in _programs(bot)),
}


def _enrolled(bot: Mentorbot) -> int:
    with bot.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Enrollment)) or 0)


def test_every_method_the_bot_calls_is_swept() -> None:
    called = web_api_methods(ROOT)
    assert called <= METHODS_SWEPT, called - METHODS_SWEPT


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("method", sorted(INTERACTIVE))
def test_interactive_call_failing_answers_clearly_and_works_after(
    bot: Mentorbot,
    slack: SlackDriver,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    method: str,
    fault: str,
) -> None:
    _world(bot, fake_slack, clock, admin_channel_id="CADMIN0001")
    fake_slack.add_user(ADMIN)
    scenario, worked = INTERACTIVE[method]
    before = _rows(bot)
    fake_slack.inject(method, **FAULTS[fault])
    with contextlib.suppress(AssertionError):  # its success checks need not hold meanwhile
        scenario(bot, slack, fake_slack)
    assert "Traceback" not in " ".join(_replies(fake_slack))
    if method == "views.open":
        # the person asked for something Slack could not show: they are told so
        assert any("Slack" in r for r in _replies(fake_slack)), _replies(fake_slack)
        assert _rows(bot) == before  # and nothing was stored
    with fake_slack.lock:
        fake_slack.faults.clear()
    scenario(bot, slack, fake_slack)
    assert worked(bot, fake_slack)
    assert _enrolled(bot) <= 1


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("method", ["conversations.open", "chat.postMessage"])
def test_outbox_call_failing_still_delivers_once(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock, method: str, fault: str
) -> None:
    bot.deliverer.pacer = Pacer(scale=10_000)
    world = _world(bot, fake_slack, clock)
    with bot.sessions.begin() as s:
        for i in range(3):
            outbox.enqueue(
                s,
                workspace_id=world.workspace_id,
                key=f"sweep:{i}",
                conversation=outbox.dm_to(ALICE),
                payload={"text": f"message {i}"},
                at=clock(),
            )
    spec: dict[str, Any] = dict(FAULTS[fault])
    if method == "chat.postMessage" and fault == "5xx":
        spec["after_success"] = True  # Slack posted, then the answer was lost
    fake_slack.inject(method, **spec)
    _deliver(bot, clock)
    texts = [m.text for m in fake_slack.messages_in(fake_slack.dm_channel(ALICE))]
    assert sorted(texts) == ["message 0", "message 1", "message 2"]
    if spec.get("after_success"):
        assert fake_slack.calls_to("conversations.history")  # looked before re-posting


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("method", ["files.getUploadURLExternal", "files.completeUploadExternal"])
def test_an_export_whose_upload_fails_is_retried_and_shared_once(
    bot: Mentorbot,
    slack: SlackDriver,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    method: str,
    fault: str,
) -> None:
    bot.deliverer.pacer = Pacer(scale=10_000)
    _world(bot, fake_slack, clock, admin_channel_id="CADMIN0001")
    fake_slack.add_user(ADMIN)
    fake_slack.inject(method, **FAULTS[fault])
    _export(bot, slack, fake_slack)  # acknowledged at once: the upload is queued, not lost
    drain(bot.sessions, clock)
    _deliver(bot, clock)
    shared = [f for f in fake_slack.state.files.values() if f.get("channel") == "CADMIN0001"]
    assert len(shared) == 1


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_refusal_stands_when_slack_cannot_show_it(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock, fault: str
) -> None:
    ran: list[str] = []
    bot.registrar.action(
        "sweep_admin_button", lambda request: (ran.append("ran"), Answer())[1], admin=True
    )
    _world(bot, fake_slack, clock)
    before = _rows(bot)
    fake_slack.inject("chat.postEphemeral", **FAULTS[fault])
    response = slack.action(ALICE, "sweep_admin_button", channel_id="CADMIN0001")
    assert response.status == 200
    assert ran == []
    assert _rows(bot) == before
    assert fake_slack.calls_to("chat.postEphemeral")  # it tried to tell them
