"""Operator logs: one line per event, JSON lines on request, libraries quiet, jobs named."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot import logs
from bot.app import Mentorbot
from bot.jobs import install_jobs
from bot.migrate import upgrade
from bot.scheduler import LeaderScheduler
from models.db import make_engine


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _boom() -> None:
    try:
        raise ValueError("the roster has\ntwo lines")
    except ValueError:
        logging.getLogger("mentorbot.jobs").exception("job %s failed", "engagement")


def test_an_error_is_one_line_unless_debugging(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure({"LOG_LEVEL": "INFO"})
    _boom()
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.rstrip().endswith(
        "ERROR mentorbot.jobs job engagement failed: ValueError: the roster has | two lines"
    )
    logs.configure({"LOG_LEVEL": "DEBUG"})
    _boom()
    assert "Traceback (most recent call last)" in capsys.readouterr().err


def test_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure({"LOG_FORMAT": "json"})
    logging.getLogger("mentorbot").info("round %s for %s", 7, "Engineering")
    _boom()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert (first["level"], first["logger"], first["msg"]) == (
        "INFO",
        "mentorbot",
        "round 7 for Engineering",
    )
    assert first["ts"].endswith("+00:00")
    assert second["error"] == "ValueError: the roster has\ntwo lines"
    assert "traceback" not in second


def test_a_bad_level_is_named_and_info_used(capsys: pytest.CaptureFixture[str]) -> None:
    assert not logs.configure({"LOG_LEVEL": "LOUD"})
    assert "LOG_LEVEL 'LOUD' is not one of DEBUG, INFO" in capsys.readouterr().err
    assert logging.getLogger().level == logging.INFO


def test_migrating_says_nothing_at_info(
    empty_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure({})
    engine = make_engine(empty_database)
    upgrade(engine)
    engine.dispose()
    assert capsys.readouterr().err == ""


def test_every_scheduled_job_has_a_name(bot: Mentorbot) -> None:
    scheduler = LeaderScheduler(bot)
    install_jobs(bot, scheduler)
    scheduler.start()
    try:
        jobs = scheduler._scheduler.get_jobs()
        assert {job.name for job in jobs} == {job.id for job in jobs}
        assert {"lease", "outbox", "rounds", "engagement"} <= {job.name for job in jobs}
    finally:
        assert scheduler.stop(timeout=10)
