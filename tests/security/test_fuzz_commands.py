"""Fuzzed `/mentor` text: always a 200 with a short message, never a traceback or a 500."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers import copy
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack

WORDS = st.sampled_from(
    [
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
        "help",
        "admin",
        "program",
        "create",
        "edit",
        "list",
        "round",
        "report",
        "export",
        "add",
        "remove",
        "--dry-run",
        "until",
        "for",
        "weeks",
        "2026-12-24",
        "yesterday",
        "<@U0000002|bob>",
        '"Engineering mentoring"',
        "'",
        '"',
        "\\",
        "\u202e",
        "日本語",
        "🙂",
        "",
        " ",
        "\t",
        "\n",
        "%00",
        "0",
        "-1",
        "99999999999999999999",
    ]
)
TEXT = st.one_of(
    st.lists(WORDS, max_size=6).map(" ".join),
    st.text(max_size=300),
    st.text(min_size=2000, max_size=2100),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TEXT, user=st.sampled_from(["U0000001", "UADMIN0001"]))
def test_any_text_gets_a_clear_answer(
    slack: SlackDriver, fake_slack: FakeSlack, text: str, user: str
) -> None:
    response = slack.command(user, text)
    assert response.status == 200
    body = ack_json(response)
    if body:  # subcommands that open a modal ack with an empty body
        assert body.get("text")
        assert "Traceback" not in body["text"]
        # An unexpected exception shows the apology with a reference: a bug, not an answer.
        assert copy.INTERNAL_ERROR.split("(")[0] not in body["text"]
        assert len(body["text"]) < 4000
    assert fake_slack.violations == []
