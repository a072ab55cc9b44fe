"""Settings: every problem at once, sensible defaults, secrets never shown."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError


def test_defaults_for_the_command_line() -> None:
    settings = Settings.from_env({}, mode="cli")
    assert settings.database_url == "sqlite:///mentorbot.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.admins == frozenset()


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(
            {"PORT": "http", "DATABASE_URL": "mysql://x", "MENTORBOT_ADMINS": "U123ABC,bob"},
            mode="http",
        )
    text = str(caught.value)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PORT", "DATABASE_URL", "bob"):
        assert name in text
    assert len(caught.value.problems) == 5


def test_socket_mode_needs_an_app_token_and_the_right_token_kinds() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxp-user-token"}, mode="socket")
    assert any("xoxb-" in p for p in caught.value.problems)
    assert any("SLACK_APP_TOKEN" in p for p in caught.value.problems)


def test_secrets_never_appear_in_repr_or_errors() -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-very-secret",
        "SLACK_SIGNING_SECRET": "sign-secret",
        "SLACK_APP_TOKEN": "xapp-secret",
        "SLACK_API_URL": "http://127.0.0.1:9/api",
        "DATABASE_URL": "postgres://u:p@db/mentor",
        "MENTORBOT_ADMINS": "U123ABC, W999XYZ",
    }
    settings = Settings.from_env(env, mode="socket")
    shown = repr(settings)
    assert "very-secret" not in shown
    assert "sign-secret" not in shown
    assert "xapp-secret" not in shown
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert settings.database_url == "postgresql+psycopg://u:p@db/mentor"
    assert settings.admins == frozenset({"U123ABC", "W999XYZ"})
    assert settings.socket_mode
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({**env, "SLACK_BOT_TOKEN": "xoxp-very-secret"}, mode="http")
    assert "very-secret" not in str(caught.value)
