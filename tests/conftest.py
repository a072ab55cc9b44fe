"""Shared fixtures: both databases, the Slack fake, a frozen clock, and the real app."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.app import Mentorbot, create_app
from bot.settings import Settings
from models.db import make_engine
from testkit.requests import SIGNING_SECRET, Payloads, SlackDriver
from testkit.slack import BOT_TOKEN, FakeSlack
from tests.support import db
from tests.support.clock import FrozenClock

ADMIN = "UADMIN0001"
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def worker_name(request: pytest.FixtureRequest) -> str:
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    return str(worker)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return db.migrated_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def pg_url(worker_name: str) -> Iterator[str | None]:
    admin = db.pg_admin_url()
    if admin is None:
        yield None
        return
    # Unique per checkout and worker, so parallel runs on one cluster never collide.
    checkout = hashlib.sha1(str(Path(__file__).resolve()).encode()).hexdigest()[:8]
    name = f"mentorbot_test_{checkout}_{worker_name}"
    url = db.migrated_pg(admin, name)
    yield url
    db.drop_pg_database(admin, name)


def _required(pg_url: str | None) -> str:
    """The PostgreSQL URL; without one a test skips here, and fails on CI."""
    if pg_url is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL half: set {db.PG_ENV}")
        pytest.skip(f"PostgreSQL not configured ({db.PG_ENV})")
    return pg_url


@pytest.fixture
def pg_only_url(pg_url: str | None) -> str:
    """For a test of PostgreSQL's own behaviour (its pool, its server)."""
    return _required(pg_url)


@pytest.fixture(params=BACKENDS)
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, pg_url: str | None
) -> str:
    if request.param == "sqlite":
        return db.sqlite_copy(sqlite_template, tmp_path / "mentorbot.db")
    pg_url = _required(pg_url)
    engine = make_engine(pg_url)
    db.truncate_all(engine)
    engine.dispose()
    return pg_url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def fake_slack(clock: FrozenClock) -> Iterator[FakeSlack]:
    fake = FakeSlack(clock=clock).start()
    yield fake
    fake.stop()
    assert fake.violations == [], (
        "what Slack would refuse: method reference, scopes, channels, Block Kit"
    )


class InlineExecutor(Executor):
    """Runs Bolt listeners on the dispatching thread, so a test sees their whole effect."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future


def make_settings(fake: FakeSlack, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "slack_api_url": fake.api_url,
        "bot_token": BOT_TOKEN,
        "signing_secret": SIGNING_SECRET,
        "admins": frozenset({ADMIN}),
        "secret": "test secret of the forget-me hashes",
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def bot(fake_slack: FakeSlack, engine: Engine, clock: FrozenClock) -> Mentorbot:
    return create_app(
        make_settings(fake_slack, str(engine.url.render_as_string(hide_password=False))),
        clock=clock,
        engine=engine,
        after_executor=InlineExecutor(),
    )


@pytest.fixture
def slack(bot: Mentorbot, fake_slack: FakeSlack) -> SlackDriver:
    return SlackDriver(bot.app, Payloads(response_url=fake_slack.response_url(), slack=fake_slack))
