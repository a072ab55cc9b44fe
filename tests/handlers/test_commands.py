"""`/mentor` routing through the real app: help, unknown words, admin refusals, bad text."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import Mentorbot
from handlers.commands import CommandRequest
from handlers.listen import Answer, reply
from models.tables import AuditEntry
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.conftest import ADMIN


def test_help_lists_every_participant_command(slack: SlackDriver) -> None:
    response = slack.command("U0000001", "help")
    assert response.status == 200
    body = ack_json(response)
    assert body["response_type"] == "ephemeral"
    for word in (
        "join",
        "profile",
        "status",
        "pause",
        "resume",
        "goals",
        "feedback",
        "rematch",
        "leave",
        "forget-me",
    ):
        assert f"/mentor {word}" in body["text"]
    assert "Admin commands" not in body["text"]


def test_empty_text_shows_help(slack: SlackDriver) -> None:
    assert "/mentor join" in ack_json(slack.command("U0000001", ""))["text"]


def test_admins_also_see_admin_commands(slack: SlackDriver) -> None:
    assert "Admin commands" in ack_json(slack.command(ADMIN, "help"))["text"]


def test_unknown_word_names_it_and_shows_help(slack: SlackDriver) -> None:
    text = ack_json(slack.command("U0000001", "frobnicate now"))["text"]
    assert "I don't know `frobnicate`" in text
    assert "/mentor join" in text


def test_unbalanced_quote_gets_a_clear_message(slack: SlackDriver) -> None:
    text = ack_json(slack.command("U0000001", 'join "Engineering'))["text"]
    assert "quote is not closed" in text


def test_overlong_text_is_refused(slack: SlackDriver) -> None:
    text = ack_json(slack.command("U0000001", "x" * 3000))["text"]
    assert "too long" in text


def test_admin_routes_refuse_non_admins_and_run_for_admins(
    bot: Mentorbot, slack: SlackDriver
) -> None:
    ran: list[CommandRequest] = []

    def secret(request: CommandRequest) -> Answer:
        ran.append(request)
        return reply("done")

    bot.router.add(("admin", "secret"), secret, admin=True)
    refused = ack_json(slack.command("U0000001", "admin secret x"))["text"]
    assert "only program admins" in refused
    assert ran == []
    assert ack_json(slack.command(ADMIN, "admin secret x y"))["text"] == "done"
    assert ran[0].words == ("x", "y")


def test_unexpected_error_gives_a_reference_not_a_traceback(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack
) -> None:
    def broken(request: CommandRequest) -> Answer:
        raise RuntimeError("database exploded at /secret/path")

    bot.router.add(("status",), broken)
    text = ack_json(slack.command("U0000001", "status"))["text"]
    assert "Something went wrong" in text
    assert "ref " in text
    assert "secret" not in text
    assert "Traceback" not in text
    with bot.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0
