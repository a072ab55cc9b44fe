"""The fake must refuse what Slack refuses, or a passing suite would prove nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from testkit.slack import BOT_TOKEN, FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake.api_url)


def test_a_misspelled_argument_is_a_violation(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        client.api_call("chat.postMessage", json={"chanel": "C1", "text": "hi"})
    assert caught.value.response["error"] == "invalid_arguments"
    assert fake.violations == [
        "chat.postMessage: unknown argument(s) ['chanel']",
    ]
    assert fake.messages_in("C1") == []


def test_a_missing_required_argument_is_a_violation(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.api_call("users.info", params={})
    assert fake.violations == ["users.info: missing required argument(s) ['user']"]


def test_an_unknown_method_is_a_violation(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.api_call("chat.postMesage", json={"channel": "C1", "text": "hi"})
    assert fake.violations == ["unknown method chat.postMesage"]


def test_prose_rules_are_enforced(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError):
        client.views_open(view={"type": "modal"})  # neither trigger_id nor pointer
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", blocks=[])  # no text fallback
    with pytest.raises(SlackApiError):
        client.conversations_open(users=",".join(f"U{i}" for i in range(9)))
    assert len(fake.violations) == 3


def test_a_wrong_token_is_refused(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as caught:
        WebClient(token="xoxb-wrong", base_url=fake.api_url).auth_test()
    assert caught.value.response["error"] == "invalid_auth"


def test_faults_are_injected_once(fake: FakeSlack, client: WebClient) -> None:
    fake.inject("chat.postMessage", status=429, retry_after=3)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C1", text="hi")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers.get("Retry-After") == "3"
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
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
