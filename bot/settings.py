"""Settings from the environment: every problem reported at once, secrets never shown."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["http", "socket", "cli"]

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_RETENTION_DAYS = 30
MIN_SECRET = 16


class SettingsError(Exception):
    """Raised with every missing or invalid variable listed, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Configuration problems:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///mentorbot.db"
    slack_api_url: str = DEFAULT_API_URL
    admins: frozenset[str] = frozenset()
    port: int = 3000
    health_port: int = 3000  # Socket Mode's health endpoint; 0 turns it off
    stop_timeout: float = 20.0  # seconds a stop waits for work in flight
    retention_days: int = DEFAULT_RETENTION_DAYS
    bot_token: str | None = field(default=None, repr=False)
    signing_secret: str | None = field(default=None, repr=False)
    app_token: str | None = field(default=None, repr=False)
    secret: str | None = field(default=None, repr=False)

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def forget_key(self) -> bytes | None:
        """The key of forgotten people's hashes: MENTORBOT_SECRET, else one derived from the
        bot token (stable while the token is); None when neither is set."""
        base = self.secret or self.bot_token
        if not base:
            return None
        return hashlib.sha256(b"mentorbot forget-me\0" + base.encode()).digest()

    @classmethod
    def from_env(cls, env: Mapping[str, str], mode: Mode = "cli") -> Settings:
        problems: list[str] = []

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        bot_token = get("SLACK_BOT_TOKEN")
        signing_secret = get("SLACK_SIGNING_SECRET")
        app_token = get("SLACK_APP_TOKEN")
        if mode != "cli":
            if bot_token is None:
                problems.append("SLACK_BOT_TOKEN is required to serve (a bot token, xoxb-...)")
            elif bot_token.startswith("xapp-"):
                problems.append(
                    "SLACK_BOT_TOKEN holds an app-level token (xapp-...): that belongs in "
                    "SLACK_APP_TOKEN; SLACK_BOT_TOKEN is the Bot User OAuth Token (xoxb-...)"
                )
            elif not bot_token.startswith("xoxb-"):
                problems.append("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        if mode == "http" and signing_secret is None:
            problems.append(
                "SLACK_SIGNING_SECRET is required in HTTP mode"
                + (
                    " (SLACK_APP_TOKEN is set: leave out --http to use Socket Mode)"
                    if app_token
                    else " (or set SLACK_APP_TOKEN, an app-level token xapp-..., for Socket Mode)"
                )
            )
        if mode == "socket" and app_token is None:
            hint = "; SLACK_SIGNING_SECRET is set: for HTTP mode use --http"
            problems.append(
                "SLACK_APP_TOKEN is required for Socket Mode (an app-level token, xapp-...)"
                + (hint if signing_secret else "")
            )
        if app_token is not None and not app_token.startswith("xapp-"):
            hint = " (xoxb-... is the bot token: SLACK_BOT_TOKEN)"
            problems.append(
                "SLACK_APP_TOKEN must be an app-level token starting with xapp-"
                + (hint if app_token.startswith("xoxb-") else "")
            )

        api_url = get("SLACK_API_URL") or DEFAULT_API_URL
        if not re.match(r"^https?://", api_url):
            problems.append("SLACK_API_URL must be an http(s) URL")
        elif not api_url.endswith("/"):
            api_url += "/"

        database_url = get("DATABASE_URL") or "sqlite:///mentorbot.db"
        if database_url.startswith("postgres://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
        elif database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
            problems.append("DATABASE_URL must be a sqlite:/// or postgresql:// URL")

        admins = frozenset(a.strip() for a in (get("MENTORBOT_ADMINS") or "").split(",") if a)
        bad_admins = sorted(a for a in admins if not _USER_ID.match(a))
        if bad_admins:
            problems.append(
                "MENTORBOT_ADMINS must be Slack user ids like U012ABC; not: "
                + ", ".join(bad_admins)
            )

        def number(name: str, default: int, low: int) -> int:
            raw = get(name)
            if raw is None:
                return default
            if raw.isdigit() and low <= int(raw) < 65536:
                return int(raw)
            problems.append(f"{name} must be a number from {low} to 65535")
            return default

        port = number("PORT", 3000, 1)
        health_port = number("HEALTH_PORT", port, 0)
        stop_timeout = 20.0
        raw_stop = get("STOP_TIMEOUT")
        if raw_stop is not None:
            try:
                stop_timeout = float(raw_stop)
                if not 1 <= stop_timeout <= 600:
                    raise ValueError
            except ValueError:
                problems.append("STOP_TIMEOUT must be a number of seconds from 1 to 600")

        secret = get("MENTORBOT_SECRET")
        if secret is not None and len(secret) < MIN_SECRET:
            problems.append(f"MENTORBOT_SECRET must be at least {MIN_SECRET} characters")

        retention = DEFAULT_RETENTION_DAYS
        raw_retention = get("MENTORBOT_RETENTION_DAYS")
        if raw_retention is not None:
            if raw_retention.isdigit() and 1 <= int(raw_retention) <= 3650:
                retention = int(raw_retention)
            else:
                problems.append("MENTORBOT_RETENTION_DAYS must be a number of days from 1 to 3650")

        if problems:
            raise SettingsError(problems)
        return cls(
            database_url=database_url,
            slack_api_url=api_url,
            admins=admins,
            port=port,
            health_port=health_port,
            stop_timeout=stop_timeout,
            retention_days=retention,
            bot_token=bot_token,
            signing_secret=signing_secret,
            app_token=app_token,
            secret=secret,
        )
