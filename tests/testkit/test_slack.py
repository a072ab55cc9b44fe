"""The fake must refuse what Slack refuses, or a passing suite would prove nothing."""

from __future__ import annotations

import json
import socket
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.sync.client import connect

from testkit import manifest
from testkit.requests import Payloads, SlackDriver
from testkit.slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from testkit.socket_driver import SocketDriver


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake.api_url)


def _refused(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as caught:
        call()
    return dict(caught.value.response.data)  # type: ignore[arg-type]


def _section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def _button(action_id: str, text: str = "Go") -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text},
        "value": "v",
    }


def _options(n: int) -> list[dict[str, Any]]:
    return [{"text": {"type": "plain_text", "text": f"o{i}"}, "value": str(i)} for i in range(n)]


# -- the method reference ------------------------------------------------------------------


def test_a_misspelled_argument_is_a_violation(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C0123ABCDEF")
    with pytest.raises(SlackApiError) as caught:
        client.api_call("chat.postMessage", json={"chanel": "C0123ABCDEF", "text": "hi"})
    assert caught.value.response["error"] == "invalid_arguments"
    assert fake.violations == [
        "chat.postMessage: unknown argument(s) ['chanel']",
    ]
    assert fake.messages_in("C0123ABCDEF") == []


def test_a_missing_required_argument_is_a_violation(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.api_call("users.info", params={})
    assert fake.violations == ["users.info: missing required argument(s) ['user']"]


def test_a_request_cut_off_before_its_body_is_never_handled(fake: FakeSlack) -> None:
    """A worker killed between its headers and its body: Slack drops the request unanswered."""
    fake.add_channel("C0123ABCDEF")
    body = json.dumps({"channel": "C0123ABCDEF", "text": "hello there"}).encode()
    url = urllib.parse.urlparse(fake.api_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/chat.postMessage HTTP/1.1\r\n"
            b"Host: slack\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {BOT_TOKEN}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        )  # the headers went out, the body never did
        sock.shutdown(socket.SHUT_WR)  # the process is gone
        assert sock.recv(1024) == b""  # no answer: the connection is simply closed
    assert fake.calls_to("chat.postMessage") == []
    assert fake.violations == []
    assert fake.messages_in("C0123ABCDEF") == []


def test_an_unknown_method_is_a_violation(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.api_call("chat.postMesage", json={"channel": "C1", "text": "hi"})
    assert fake.violations == ["unknown method chat.postMesage"]


def test_prose_rules_are_enforced(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.views_open(view={"type": "modal"})  # neither trigger_id nor pointer
    with pytest.raises(SlackApiError), pytest.warns(UserWarning, match="text"):
        client.chat_postMessage(channel="C1", blocks=[])  # no text fallback
    with pytest.raises(SlackApiError):
        client.conversations_open(users=",".join(f"U{i}" for i in range(9)))
    assert len(fake.violations) == 3


def test_a_wrong_token_is_refused(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as caught:
        WebClient(token="xoxb-wrong", base_url=fake.api_url).auth_test()
    assert caught.value.response["error"] == "invalid_auth"


def test_faults_are_injected_once(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C0123ABCDEF")
    fake.inject("chat.postMessage", status=429, retry_after=3)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C0123ABCDEF", text="hi")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers.get("Retry-After") == "3"
    assert client.chat_postMessage(channel="C0123ABCDEF", text="hi")["ok"]
    assert fake.violations == []


def test_deactivated_users_cannot_be_reached(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1")
    fake.add_user("U2", deleted=True)
    with pytest.raises(SlackApiError) as caught:
        client.conversations_open(users="U1,U2")
    assert caught.value.response["error"] == "user_disabled"
    assert client.users_info(user="U2")["user"]["deleted"] is True
    opened = client.conversations_open(users="U1")
    assert opened["channel"]["id"] == fake.dm_channel("U1")
    assert opened["channel"]["id"].startswith("D")
    assert len(opened["channel"]["id"]) == 11


# -- scopes ---------------------------------------------------------------------------------


def test_the_bot_is_granted_what_app_yaml_declares() -> None:
    fake = FakeSlack()
    assert fake.scopes == manifest.load().bot_scopes
    assert fake.should_escape == manifest.load().commands["/mentor"]


def test_a_method_without_its_scope_is_missing_scope(fake: FakeSlack) -> None:
    narrow = FakeSlack(scopes={"chat:write"}).start()
    try:
        client = WebClient(token=BOT_TOKEN, base_url=narrow.api_url)
        narrow.add_user("U1")
        answer = _refused(lambda: client.users_info(user="U1"))
        assert answer["error"] == "missing_scope"
        assert answer["needed"] == "users:read"
        assert answer["provided"] == "chat:write"
        assert narrow.violations == [
            "users.info: missing_scope: needs users:read; app.yaml grants ['chat:write']"
        ]
    finally:
        narrow.stop()


@pytest.mark.parametrize(
    ("private", "needed"), [(False, "channels:history"), (True, "groups:history")]
)
def test_history_needs_the_scope_of_the_channel_type(private: bool, needed: str) -> None:
    fake = FakeSlack(scopes={"chat:write", "im:history", "mpim:history"}).start()
    try:
        client = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
        fake.add_channel("C0ADMINXYZ1", private=private)
        answer = _refused(lambda: client.conversations_history(channel="C0ADMINXYZ1"))
        assert (answer["error"], answer["needed"]) == ("missing_scope", needed)
    finally:
        fake.stop()


def test_opening_a_dm_needs_im_write_and_a_group_dm_mpim_write() -> None:
    fake = FakeSlack(scopes={"im:write"}).start()
    try:
        client = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
        fake.add_user("U1")
        fake.add_user("U2")
        assert client.conversations_open(users="U1")["ok"]
        answer = _refused(lambda: client.conversations_open(users="U1,U2"))
        assert (answer["error"], answer["needed"]) == ("missing_scope", "mpim:write")
    finally:
        fake.stop()


# -- channels and membership --------------------------------------------------------------


def test_a_channel_the_bot_is_not_in_is_not_in_channel(fake: FakeSlack, client: WebClient) -> None:
    fake.scopes |= {"channels:history"}
    fake.add_channel("C0PROGRAM01", "mentoring", bot_member=False)
    fake.add_channel("C0UPLOADS01", bot_member=False)
    assert _refused(lambda: client.chat_postMessage(channel="C0PROGRAM01", text="hi"))["error"] == (
        "not_in_channel"
    )
    assert _refused(lambda: client.conversations_history(channel="C0PROGRAM01"))["error"] == (
        "not_in_channel"
    )
    assert _refused(
        lambda: client.files_upload_v2(channel="C0UPLOADS01", content="a,b", filename="x.csv")
    )["error"] == ("not_in_channel")
    assert _refused(lambda: client.chat_postMessage(channel="C0NOWHERE01", text="hi"))["error"] == (
        "channel_not_found"
    )
    assert [v.split(":")[1].strip() for v in fake.violations] == [
        "not_in_channel",
        "not_in_channel",
        "not_in_channel",
        "channel_not_found",
    ]


def test_a_tolerated_refusal_is_answered_but_not_a_violation(
    fake: FakeSlack, client: WebClient
) -> None:
    fake.add_channel("C0PROGRAM01", bot_member=False)
    fake.tolerate("not_in_channel")
    assert _refused(lambda: client.chat_postMessage(channel="C0PROGRAM01", text="hi"))
    assert fake.violations == []
    assert fake.refusals == [("chat.postMessage", "not_in_channel")]


def test_joining_a_public_channel_lets_the_bot_post() -> None:
    fake = FakeSlack(scopes={"chat:write", "channels:join"}).start()
    try:
        client = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
        fake.add_channel("C0PROGRAM01", bot_member=False)
        fake.add_channel("C0SECRET001", private=True, bot_member=False)
        assert client.conversations_join(channel="C0PROGRAM01")["channel"]["is_member"]
        assert client.chat_postMessage(channel="C0PROGRAM01", text="hi")["ok"]
        fake.tolerate("channel_not_found")
        assert _refused(lambda: client.conversations_join(channel="C0SECRET001"))["error"] == (
            "channel_not_found"
        )
    finally:
        fake.stop()


def test_joining_needs_channels_join(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C0PROGRAM01", bot_member=False)
    answer = _refused(lambda: client.conversations_join(channel="C0PROGRAM01"))
    assert (answer["error"], answer["needed"]) == ("missing_scope", "channels:join")


def test_info_and_members_show_only_what_the_bot_can_see() -> None:
    fake = FakeSlack(scopes={"channels:read", "groups:read"}).start()
    try:
        client = WebClient(token=BOT_TOKEN, base_url=fake.api_url)
        fake.add_channel("C0PROGRAM01", "mentoring", members={"U1"}, bot_member=False)
        fake.add_channel("C0SECRET001", private=True, members={"U1"}, bot_member=False)
        info = client.conversations_info(channel="C0PROGRAM01")["channel"]
        assert (info["is_private"], info["is_member"]) == (False, False)
        assert client.conversations_members(channel="C0PROGRAM01")["members"] == ["U1"]
        fake.tolerate("channel_not_found")
        assert _refused(lambda: client.conversations_info(channel="C0SECRET001"))["error"] == (
            "channel_not_found"
        )
        fake.scopes = frozenset({"channels:read"})
        fake.add_channel("C0SECRET002", private=True)
        answer = _refused(lambda: client.conversations_members(channel="C0SECRET002"))
        assert (answer["error"], answer["needed"]) == ("missing_scope", "groups:read")
        fake.violations.clear()
    finally:
        fake.stop()


def test_a_post_to_a_user_id_lands_in_their_slackbot_dm(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1")
    posted = client.chat_postMessage(channel="U1", text="psst")
    assert posted["channel"] == fake.slackbot_dm("U1") != fake.dm_channel("U1")
    assert [m.text for m in fake.messages_in(fake.slackbot_dm("U1"))] == ["psst"]
    app_dm = client.conversations_open(users="U1")["channel"]["id"]
    assert client.conversations_history(channel=app_dm)["messages"] == []
    fake.tolerate("channel_not_found")
    assert _refused(lambda: client.conversations_history(channel=posted["channel"]))


def test_an_ephemeral_goes_only_to_a_member(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C0ADMINXYZ1", private=True, members={"U1"})
    assert client.chat_postEphemeral(channel="C0ADMINXYZ1", user="U1", text="hi")["ok"]
    answer = _refused(lambda: client.chat_postEphemeral(channel="C0ADMINXYZ1", user="U2", text="x"))
    assert answer["error"] == "user_not_in_channel"


# -- Block Kit ----------------------------------------------------------------------------

INVALID_MESSAGES = {
    "duplicate action_id in a block": (
        [{"type": "actions", "elements": [_button("join"), _button("join")]}],
        "action_id must be unique in the block [json-pointer:/blocks/0/elements/1/action_id]",
    ),
    "duplicate block_id": (
        [_section("a", block_id="x"), _section("b", block_id="x")],
        "block_id must be unique in the surface [json-pointer:/blocks/1/block_id]",
    ),
    "101 options": (
        [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "pick"},
                "accessory": {"type": "static_select", "action_id": "s", "options": _options(101)},
            }
        ],
        "must provide no more than 100 items [json-pointer:/blocks/0/accessory/options]",
    ),
    "initial option not among the options": (
        [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "pick"},
                "accessory": {
                    "type": "static_select",
                    "action_id": "s",
                    "options": _options(2),
                    "initial_option": _options(3)[2],
                },
            }
        ],
        "must match one of the provided options [json-pointer:/blocks/0/accessory/initial_option]",
    ),
    "section text over 3000": (
        [_section("x" * 3001)],
        "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
    ),
    "header over 150": (
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
        "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
    ),
    "button text over 75": (
        [{"type": "actions", "elements": [_button("b", "t" * 76)]}],
        "must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]",
    ),
    "option value over 150": (
        [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "pick"},
                "accessory": {
                    "type": "static_select",
                    "action_id": "s",
                    "options": [{"text": {"type": "plain_text", "text": "o"}, "value": "v" * 151}],
                },
            }
        ],
        "must be less than 151 characters [json-pointer:/blocks/0/accessory/options/0/value]",
    ),
    "51 blocks": (
        [_section(str(i)) for i in range(51)],
        "must provide no more than 50 items [json-pointer:/blocks]",
    ),
    "a misspelled property": (
        [{"type": "section", "text": {"type": "mrkdwn", "text": "a"}, "acessory": {}}],
        "unknown property 'acessory' [json-pointer:/blocks/0/acessory]",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID_MESSAGES))
def test_blocks_slack_refuses_are_invalid_blocks(
    fake: FakeSlack, client: WebClient, case: str
) -> None:
    blocks, line = INVALID_MESSAGES[case]
    fake.add_channel("C0123ABCDEF")
    answer = _refused(
        lambda: client.chat_postMessage(channel="C0123ABCDEF", text="t", blocks=blocks)
    )
    assert answer["error"] == "invalid_blocks"
    assert line in answer["errors"]
    assert f"[ERROR] {line}" in answer["response_metadata"]["messages"]
    assert len(fake.violations) == 1
    assert fake.messages_in("C0123ABCDEF") == []


def test_message_text_over_40000_is_msg_too_long(fake: FakeSlack, client: WebClient) -> None:
    fake.add_channel("C0123ABCDEF")
    assert client.chat_postMessage(channel="C0123ABCDEF", text="x" * 40_000)["ok"]
    answer = _refused(lambda: client.chat_postMessage(channel="C0123ABCDEF", text="x" * 40_001))
    assert answer["error"] == "msg_too_long"


def _modal(**extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Join"},
        "blocks": [_section("hello")],
        **extra,
    }


INVALID_VIEWS = {
    "title over 24": (
        _modal(title={"type": "plain_text", "text": "t" * 25}),
        "[json-pointer:/view/title]",
    ),
    "private_metadata over 3000": (
        _modal(private_metadata="m" * 3001),
        "must be at most 3000 characters [json-pointer:/view/private_metadata]",
    ),
    "101 blocks": (
        _modal(blocks=[_section(str(i)) for i in range(101)]),
        "must provide no more than 100 items [json-pointer:/view/blocks]",
    ),
    "inputs without submit": (
        _modal(
            blocks=[
                {
                    "type": "input",
                    "block_id": "name",
                    "label": {"type": "plain_text", "text": "Name"},
                    "element": {"type": "plain_text_input", "action_id": "v"},
                }
            ]
        ),
        "a modal with input blocks needs submit [json-pointer:/view/submit]",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID_VIEWS))
def test_views_slack_refuses_are_refused(fake: FakeSlack, client: WebClient, case: str) -> None:
    view, line = INVALID_VIEWS[case]
    answer = _refused(lambda: client.views_open(trigger_id="1.t", view=view))
    assert answer["error"] == "invalid_arguments"
    assert any(line in m for m in answer["response_metadata"]["messages"]), answer
    assert fake.state.views == {}


def test_home_with_duplicate_action_ids_is_refused(fake: FakeSlack, client: WebClient) -> None:
    fake.add_user("U1")
    home = {
        "type": "home",
        "blocks": [{"type": "actions", "elements": [_button("home_join"), _button("home_join")]}],
    }
    answer = _refused(lambda: client.views_publish(user_id="U1", view=home))
    assert answer["error"] == "invalid_arguments"
    assert "U1" not in fake.state.home


# -- acks and response_url ----------------------------------------------------------------


def _app(fake: FakeSlack) -> App:
    return App(
        client=WebClient(token=BOT_TOKEN, base_url=fake.api_url),
        signing_secret="test-signing-secret",
        token_verification_enabled=False,
    )


def test_an_ack_naming_a_block_that_is_not_an_input_is_a_violation(fake: FakeSlack) -> None:
    app = _app(fake)

    @app.view("form")
    def submitted(ack: Any) -> None:
        ack(response_action="errors", errors={"intro": "no", "name": "Say your name"})

    driver = SlackDriver(app, Payloads(slack=fake))
    blocks = [
        _section("intro", block_id="intro"),
        {
            "type": "input",
            "block_id": "name",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "v"},
        },
    ]
    WebClient(token=BOT_TOKEN, base_url=fake.api_url).views_open(
        trigger_id="1.t",
        view=_modal(callback_id="form", blocks=blocks, submit={"type": "plain_text", "text": "Go"}),
    )
    driver.submit("U1", "form", {"name": {"v": {"type": "plain_text_input", "value": ""}}})
    assert fake.violations == [
        "view_submission ack: invalid_arguments: errors must name an input block of the view "
        "[json-pointer:/errors/intro]"
    ]


def test_a_command_ack_with_invalid_blocks_is_a_violation(fake: FakeSlack) -> None:
    app = _app(fake)

    @app.command("/mentor")
    def command(ack: Any) -> None:
        ack(text="hi", blocks=[_section("x" * 3001)])

    SlackDriver(app, Payloads(slack=fake)).command("U1", "help")
    assert fake.violations == [
        "slash command ack: invalid_blocks: must be less than 3001 characters "
        "[json-pointer:/blocks/0/text/text]"
    ]


def test_a_response_url_body_is_checked(fake: FakeSlack) -> None:
    from slack_sdk.webhook import WebhookClient

    answer = WebhookClient(fake.response_url("x")).send(text="x" * 40_001)
    assert json.loads(answer.body)["error"] == "msg_too_long"
    assert fake.state.responses == []
    assert len(fake.violations) == 1


# -- slash-command text ------------------------------------------------------------------


def test_command_text_is_escaped_as_slack_would() -> None:
    fake = FakeSlack(should_escape=True)
    fake.add_user("U0BOB00001", "bob")
    assert fake.typed("admin add @bob") == "admin add <@U0BOB00001|bob>"
    assert fake.typed("in #general") == "in <#C0GENERAL|general>"
    assert fake.typed("see https://example.com/x?a=1") == "see <https://example.com/x?a=1>"
    assert fake.typed("@nobody @here") == "@nobody <!here>"
    assert fake.typed("R&D <team>") == "R&amp;D &lt;team&gt;"


def test_without_escaping_names_arrive_as_typed() -> None:
    fake = FakeSlack(should_escape=False)
    fake.add_user("U0BOB00001", "bob")
    assert fake.typed("admin add @bob #general") == "admin add @bob #general"
    assert fake.typed("R&D") == "R&amp;D"


# -- Socket Mode ---------------------------------------------------------------------------


def test_socket_mode_needs_an_app_token(fake: FakeSlack, client: WebClient) -> None:
    answer = _refused(lambda: client.apps_connections_open(app_token=BOT_TOKEN))
    assert answer["error"] == "not_allowed_token_type"
    url = WebClient(base_url=fake.api_url).apps_connections_open(app_token=APP_TOKEN)["url"]
    assert url.startswith("ws://127.0.0.1:")
    fake.violations.clear()


def test_socket_mode_greets_delivers_and_reads_the_ack(fake: FakeSlack) -> None:
    app = _app(fake)

    @app.command("/mentor")
    def command(ack: Any, body: dict[str, Any]) -> None:
        ack(text=f"you said {body['text']}")

    handler = SocketModeHandler(app, APP_TOKEN)
    handler.connect()  # type: ignore[no-untyped-call]
    try:
        assert fake.socket_mode.wait_connected(timeout=10)
        driver = SocketDriver(app, Payloads(slack=fake), fake=fake)
        response = driver.command("U1", "help")
        assert response.status == 200
        assert json.loads(response.body) == {"text": "you said help"}
        assert fake.socket_mode.hellos == 1
    finally:
        handler.close()  # type: ignore[no-untyped-call]


def test_an_envelope_not_acked_within_3_seconds_is_a_violation(fake: FakeSlack) -> None:
    url = WebClient(base_url=fake.api_url).apps_connections_open(app_token=APP_TOKEN)["url"]
    with connect(url) as silent:
        assert json.loads(silent.recv(timeout=5))["type"] == "hello"
        assert fake.socket_mode.wait_connected(timeout=5)
        assert fake.socket_mode.deliver("events_api", {"type": "x"}, timeout=0.2) is None
        envelope = json.loads(silent.recv(timeout=5))
        assert envelope["type"] == "events_api"
        assert envelope["envelope_id"]
    assert fake.violations == ["socket mode: events_api not acked within 0.2 s"]
    fake.violations.clear()
