"""HR roster import: bad rows rejected with reasons, a dry run changes nothing, idempotent."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from bot.app import Mentorbot
from bot.cli import main
from bot.import_cli import run_import
from bot.settings import Settings
from models.tables import Enrollment, Person
from testkit.slack import BOT_TOKEN, FakeSlack
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_rounds_world

ROSTER = """Work Email,Dept,job_level,manager_email,timezone,start_date,leave_date
mentor 0@example.com,Platform,5,,Europe/Berlin,2019-04-01,
umentee000@example.com,Data,2,umentor000@example.com,Mars/Base,2024-01-15,
umentee001@example.com,Data,9,,,2024-01-15,
nobody@example.com,Data,2,,,2024-01-15,
not-an-email,Data,2,,,,
umentee001@example.com,Data,2,umentor000@example.com,,2024-01-15,2026-10-31
"""


def test_import_rejects_bad_rows_dry_runs_and_is_idempotent(
    bot: Mentorbot,
    engine: Engine,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock(), pairs=2, fake=fake_slack)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER.replace("mentor 0@", "umentor000@"))
    args = ["import", str(roster), "--program", "eng", "--map", "Work Email=email,Dept=department"]

    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "6 rows: would update 2, unchanged 0, rejected 4" in out
    for reason in (
        "row 3: unknown time zone 'Mars/Base'",
        "row 4: job level '9' is not 1-7",
        "row 5: no Slack user with this email",
        "row 6: no valid email",
    ):
        assert reason in out
    with bot.sessions.begin() as s:
        assert (
            s.scalars(select(Person.department).where(Person.department.is_not(None))).all() == []
        )

    assert main(args) == 0
    assert "updated 2, unchanged 0, rejected 4" in capsys.readouterr().out
    with bot.sessions.begin() as s:
        mentee = s.scalars(select(Person).where(Person.slack_user_id == "UMENTEE001")).one()
        mentor = s.scalars(select(Person).where(Person.slack_user_id == "UMENTOR000")).one()
        assert (mentee.department, mentee.job_level, str(mentee.leave_date)) == (
            "Data",
            2,
            "2026-10-31",
        )
        assert mentee.manager_id == mentor.id
        assert mentor.tz == "Europe/London"  # the person's own zone is kept without --overwrite
        enrolled = s.scalars(select(Enrollment).where(Enrollment.person_id == mentee.id)).one()
        assert enrolled.seniority == 1  # set by the person: kept

    assert main(args) == 0
    assert "updated 0, unchanged 2, rejected 4" in capsys.readouterr().out
    assert main([*args, "--overwrite"]) == 0
    with bot.sessions.begin() as s:
        mentor = s.scalars(select(Person).where(Person.slack_user_id == "UMENTOR000")).one()
        assert mentor.tz == "Europe/Berlin"
    assert main(["import", str(tmp_path / "missing.csv"), "--program", "eng"]) == 2


def test_import_waits_out_rate_limits_and_never_mistakes_an_outage_for_a_missing_user(
    bot: Mentorbot,
    engine: Engine,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock(), pairs=2, fake=fake_slack)
    roster = tmp_path / "roster.csv"
    roster.write_text("email,department\numentee000@example.com,Data\numentee001@example.com,Ops\n")
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        slack_api_url=fake_slack.api_url,
        bot_token=BOT_TOKEN,
    )
    waits: list[float] = []

    def run() -> str:
        code = run_import(
            settings,
            str(roster),
            "eng",
            mapping=None,
            dry_run=False,
            overwrite=False,
            sleep=waits.append,
        )
        assert code == 0
        return capsys.readouterr().out

    fake_slack.inject("users.lookupByEmail", status=429, retry_after=7, times=2)
    assert "updated 2, unchanged 0, rejected 0" in run()
    assert waits == [7.0, 7.0]  # Retry-After honoured, through the injected sleep

    with bot.sessions.begin() as s:
        for person in s.scalars(select(Person)):
            person.department = None
    fake_slack.inject("users.lookupByEmail", status=503, times=20)
    out = run()
    assert "rejected 2" in out
    assert "Slack lookup failed" in out
    assert "no Slack user" not in out
    with bot.sessions.begin() as s:  # nothing was written for the rows Slack could not resolve
        assert (
            s.scalars(select(Person.department).where(Person.department.is_not(None))).all() == []
        )


def _write_beside_the_import(engine: Engine) -> None:
    """What the serving bot does meanwhile: a short write, waiting at most 2 s for locks."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA busy_timeout=2000")
        else:
            conn.exec_driver_sql("SET lock_timeout = '2s'")
        conn.execute(
            update(Person).where(Person.slack_user_id == "UMENTEE000").values(title="Analyst")
        )
        conn.commit()


def test_slack_lookups_hold_no_database_lock(
    bot: Mentorbot,
    engine: Engine,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    with bot.sessions.begin() as s:
        make_rounds_world(s, clock(), pairs=2, fake=fake_slack)
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "email,department\n"
        + "".join(f"u{who}@example.com,Data\n" for who in ("mentee000", "mentee001", "mentor000"))
        + "umentor001@example.com,Ops\n"
    )
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        slack_api_url=fake_slack.api_url,
        bot_token=BOT_TOKEN,
    )
    arrived, release = fake_slack.hold("users.lookupByEmail", after=1)
    codes: list[int] = []
    importing = threading.Thread(
        target=lambda: codes.append(
            run_import(settings, str(roster), "eng", mapping=None, dry_run=False, overwrite=False)
        )
    )
    importing.start()
    try:
        assert arrived.wait(timeout=30), "the import never looked anyone up"
        _write_beside_the_import(engine)  # raises "database is locked" / lock timeout if held
    finally:
        release.set()
        importing.join(timeout=60)
    assert codes == [0]
    assert "4 rows: updated 4, unchanged 0, rejected 0" in capsys.readouterr().out
    with bot.sessions() as s:
        mentee = s.scalars(select(Person).where(Person.slack_user_id == "UMENTEE000")).one()
        assert (mentee.title, mentee.department) == ("Analyst", "Data")
