"""What an operator sees when they get something wrong: one or two lines, a non-zero exit.

Each case runs the real command line (`bot.cli.main`) the way a person would, and checks
the words that tell them what to do, the exit code, and that no traceback is printed.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.cli import main
from models.tables import Person
from testkit.slack import BOT_TOKEN, FakeSlack
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_rounds_world

SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*SLACK_VARIABLES, "DATABASE_URL", "LOG_LEVEL", "LOG_FORMAT", "PORT"):
        monkeypatch.delenv(name, raising=False)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def _said(err: str) -> list[str]:
    """The lines mentorbot itself printed (its message), without log lines."""
    return [line for line in err.splitlines() if line and not line[:4].isdigit()]


@pytest.mark.parametrize("command", [["report", "eng"], ["round", "eng"]])
def test_no_database_names_the_file_it_looked_for_and_creates_nothing(
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, *command)
    assert code == 1
    said = _said(err)
    assert len(said) == 2
    assert f"no mentorbot database: the SQLite file {tmp_path / 'mentorbot.db'}" in said[0]
    assert "relative path" in said[0]
    assert "Run `mentorbot db upgrade`" in said[1]
    assert not (tmp_path / "mentorbot.db").exists()


@pytest.mark.parametrize(
    "command",
    [["report", "eng"], ["round", "eng"], ["import", "ROSTER", "--program", "eng"]],
)
def test_a_never_migrated_database_says_run_db_upgrade(
    command: list[str],
    empty_database: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_slack: FakeSlack,
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("email\nsomeone@example.com\n")
    monkeypatch.setenv("DATABASE_URL", empty_database)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    if empty_database.startswith("sqlite"):
        Path(empty_database.removeprefix("sqlite:///")).touch()
    code, _, err = _run(capsys, *[str(roster) if a == "ROSTER" else a for a in command])
    assert code == 1
    said = _said(err)
    assert len(said) == 2
    assert "has no mentorbot tables" in said[0]
    assert said[1].startswith("Run `mentorbot db upgrade` first")


def test_an_unreachable_database_server_is_one_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:secret@127.0.0.1:9/mentorbot")
    code, _, err = _run(capsys, "report", "eng")
    assert code == 1
    said = _said(err)
    assert said[0].startswith(
        "mentorbot: cannot open PostgreSQL database mentorbot at bot@127.0.0.1:9"
    )
    assert "secret" not in err
    assert "Check DATABASE_URL" in said[1]


def test_serve_without_slack_settings_names_both_modes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    code, _, err = _run(capsys, "serve")
    assert code == 2
    text = " ".join(_said(err))
    for words in ("SLACK_APP_TOKEN", "Socket Mode", "SLACK_SIGNING_SECRET", "--http"):
        assert words in text
    assert len(_said(err)) == 2


@pytest.mark.parametrize(
    ("env", "argv", "expected"),
    [
        ({"SLACK_APP_TOKEN": "xapp-1"}, ["serve", "--http"], "leave out --http"),
        ({"SLACK_SIGNING_SECRET": "s"}, ["serve", "--socket"], "for HTTP mode use --http"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, ["serve", "--port", "8080"], "--port is for HTTP mode"),
        ({"SLACK_APP_TOKEN": "xoxb-2"}, ["serve", "--socket"], "is the bot token"),
    ],
)
def test_tokens_for_one_mode_and_flags_for_the_other(
    env: dict[str, str],
    argv: list[str],
    expected: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert expected in err
    assert len(_said(err)) <= 2


def test_an_app_token_in_the_bot_token_variable_is_pointed_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xapp-1-abc")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-abc")
    code, _, err = _run(capsys, "serve")
    assert code == 2
    assert "belongs in SLACK_APP_TOKEN" in err
    assert "xapp-1-abc" not in err


def _serve_env(monkeypatch: pytest.MonkeyPatch, db_url: str, api_url: str, token: str) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("SLACK_API_URL", api_url)


def test_serve_with_slack_unreachable_says_so_in_two_lines(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _serve_env(monkeypatch, db_url, "http://127.0.0.1:9/api/", BOT_TOKEN)
    code, _, err = _run(capsys, "serve", "--http")
    assert code == 1
    said = _said(err)
    assert said == [
        "mentorbot: cannot reach Slack at http://127.0.0.1:9/api/ "
        "(unreachable: [Errno 111] Connection refused).",
        "Check the network (or proxy) and SLACK_API_URL, then start mentorbot again.",
    ]
    assert err.count("\n") == 2  # and nothing else: no log lines, no traceback


@pytest.mark.parametrize(("token", "fault"), [("xoxb-wrong", None), (BOT_TOKEN, "token_revoked")])
def test_serve_with_a_bad_or_revoked_token_says_which_token(
    token: str,
    fault: str | None,
    db_url: str,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if fault:
        fake_slack.inject("auth.test", error=fault)
    _serve_env(monkeypatch, db_url, fake_slack.api_url, token)
    code, _, err = _run(capsys, "serve", "--http")
    assert code == 1
    said = _said(err)
    assert said[0] == (
        f"mentorbot: Slack refused SLACK_BOT_TOKEN ({fault or 'invalid_auth'}): "
        "the token is wrong or was revoked."
    )
    assert "OAuth & Permissions" in said[1]
    assert len(said) == 2


@pytest.mark.parametrize(
    ("fault", "answer"), [({"status": 429}, "ratelimited"), ({"status": 503}, "internal_error")]
)
def test_serve_when_slack_is_busy_or_down_says_try_again(
    fault: dict[str, int],
    answer: str,
    db_url: str,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_slack.inject("auth.test", **fault)
    _serve_env(monkeypatch, db_url, fake_slack.api_url, BOT_TOKEN)
    code, _, err = _run(capsys, "serve", "--http")
    assert code == 1
    assert _said(err) == [
        f"mentorbot: Slack did not confirm the token: auth.test answered {answer}.",
        "Slack is busy or down for the moment: start mentorbot again in a minute.",
    ]


def test_serve_on_a_port_in_use_says_which_setting_moves_it(
    db_url: str,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _serve_env(monkeypatch, db_url, fake_slack.api_url, BOT_TOKEN)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = _run(capsys, "serve", "--http", "--host", "127.0.0.1", "--port", str(port))
    assert code == 1
    assert _said(err) == [
        f"mentorbot: cannot listen on 127.0.0.1:{port} (Address already in use).",
        "Is another mentorbot (or another server) using it? Choose another with PORT or --port.",
    ]


def test_socket_mode_with_a_refused_app_token_says_which_token(
    db_url: str,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _serve_env(monkeypatch, db_url, fake_slack.api_url, BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-not-this-app")
    monkeypatch.setenv("HEALTH_PORT", "0")
    code, _, err = _run(capsys, "serve", "--socket")
    assert code == 1
    said = _said(err)
    assert said[0] == "mentorbot: Slack refused SLACK_APP_TOKEN (invalid_auth)."
    assert "connections:write" in said[1]
    assert len(said) == 2
    assert "xapp-1-not-this-app" not in err


def test_tracebacks_come_back_with_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--debug", "report", "eng"]) == 1
    assert "Traceback" in capsys.readouterr().err
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    assert main(["report", "eng"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == "mentorbot 0.1.0"


# -- the HR import's file and mapping ------------------------------------------------------


@pytest.fixture
def import_env(
    engine: Engine,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy.orm import Session

    with Session(engine) as s, s.begin():
        make_rounds_world(s, clock(), pairs=1, fake=fake_slack)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)


@pytest.mark.usefixtures("import_env")
@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("latin-1", ","), ("cp1252", ";"), ("utf-16", "\t")]
)
def test_a_roster_from_a_spreadsheet_imports_whatever_its_encoding(
    encoding: str,
    delimiter: str,
    engine: Engine,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    roster = tmp_path / "roster.csv"
    lines = ["Work Email", "Location"], ["umentee000@example.com", "Zürich Löwenbräu"]
    roster.write_bytes("\r\n".join(delimiter.join(row) for row in lines).encode(encoding))
    code, out, _ = _run(
        capsys, "import", str(roster), "--program", "eng", "--map", "Work Email=email"
    )
    assert code == 0
    assert "1 rows: updated 1, unchanged 0, rejected 0" in out
    with engine.connect() as conn:
        stored = conn.scalar(select(Person.location).where(Person.slack_user_id == "UMENTEE000"))
    assert stored == lines[1][1]
    if encoding != "utf-16":
        assert "is not UTF-8; read it as Windows-1252" in out


@pytest.mark.usefixtures("import_env")
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("Work Email=emial", "--map: 'emial' is not a field; the fields are email, department"),
        ("Wrok Email=email", "--map: {roster} has no column 'Wrok Email'; its columns are"),
        ("Work Email", "--map: 'Work Email' is not COLUMN=field"),
    ],
)
def test_a_bad_map_is_reported_as_the_mappings_fault(
    spec: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "good.csv"
    roster.write_text("Work Email,Dept\numentee000@example.com,Data\n")
    code, _, err = _run(capsys, "import", str(roster), "--program", "eng", "--map", spec)
    assert code == 2
    assert _said(err) == [_said(err)[0]]
    assert expected.format(roster=roster) in err
    assert "cannot read" not in err


@pytest.mark.usefixtures("import_env")
def test_a_roster_that_cannot_be_read_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.csv"
    code, _, err = _run(capsys, "import", str(missing), "--program", "eng")
    assert (code, _said(err)) == (2, [f"mentorbot: cannot read {missing}: no such file"])
    workbook = tmp_path / "roster.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + bytes(200))
    code, _, err = _run(capsys, "import", str(workbook), "--program", "eng")
    assert code == 2
    assert f"{workbook} is a spreadsheet workbook, not a CSV file" in err
    headerless = tmp_path / "names.csv"
    headerless.write_text("Name,Team\nAda,Data\n")
    code, _, err = _run(capsys, "import", str(headerless), "--program", "eng")
    assert code == 2
    assert "has no email column (its columns are Name, Team)" in err
