"""`mentorbot import FILE.csv --program P [--map COL=field,...] [--dry-run] [--overwrite]`.

Emails are resolved to Slack users with users.lookupByEmail (cached per run), so the
command needs SLACK_BOT_TOKEN. Every look-up happens before any write and outside any
transaction, and the writes are committed in small batches: on SQLite a transaction holds
the one write lock, so a look-up inside one would stall the serving bot for its duration.
A dry run writes in one transaction that it rolls back.

HR exports come from spreadsheets: UTF-8 (with or without a BOM), UTF-16, or, from Excel's
plain "CSV" on Windows, Windows-1252; comma, semicolon or tab separated. All of them import.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import USAGE, OperatorError
from bot.migrate import require_current
from bot.settings import Settings
from bot.slack_status import SlackStatus, require_token
from flows.enrollment import review_import
from models.clock import system_clock
from models.db import make_engine, make_session_factory
from models.errors import DomainError
from models.hr_import import FIELDS, ImportResult, apply_row, check_row, manager_id_for
from models.programs import resolve_program
from models.tables import Program, Workspace
from models.workspace import get_person

LOOKUP_TRIES = 5
BATCH = 50  # rows per write transaction: short enough never to hold the bot up
DELIMITERS = ",;\t|"
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (zip), .xls (OLE)


@dataclass(frozen=True)
class Roster:
    columns: list[str]
    rows: list[dict[str, str]]
    encoding: str


def decode(raw: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with; UTF-8 is tried first because a
    non-ASCII text that happens to be valid UTF-8 in another encoding is vanishingly rare."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    for encoding, name in (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252")):
        try:
            return raw.decode(encoding), name
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "Latin-1"


def read_roster(path: str) -> Roster:
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        reason = "no such file" if isinstance(error, FileNotFoundError) else error.strerror
        raise OperatorError(f"cannot read {path}: {reason or error}", exit_code=USAGE) from error
    if raw.startswith(WORKBOOK_MAGIC):
        raise OperatorError(
            f"{path} is a spreadsheet workbook, not a CSV file.\n"
            "Save it as CSV (UTF-8) from the spreadsheet program and import that file.",
            exit_code=USAGE,
        )
    text, encoding = decode(raw)
    first = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        columns = [c for c in (reader.fieldnames or []) if c is not None]
        rows = [
            {k: (v or "") for k, v in row.items() if k is not None and isinstance(v, str | None)}
            for row in reader
        ]
    except csv.Error as error:
        message = f"{path} is not a readable CSV file: {error}"
        raise OperatorError(message, exit_code=USAGE) from error
    if not columns:
        raise OperatorError(f"{path} is empty: it needs a header row", exit_code=USAGE)
    return Roster(columns, rows, encoding)


def _mapping(spec: str | None, columns: list[str], path: str) -> dict[str, str]:
    """Column renames: --map first (its mistakes named as its own), then headers that are a
    field name in another case or spacing ("Start Date" is start_date)."""
    mapping: dict[str, str] = {}
    for pair in (spec or "").split(","):
        if not pair.strip():
            continue
        if "=" not in pair:
            raise OperatorError(
                f"--map: {pair.strip()!r} is not COLUMN=field (e.g. 'Work Email=email')",
                exit_code=USAGE,
            )
        column, name = (p.strip() for p in pair.split("=", 1))
        if name not in FIELDS:
            raise OperatorError(
                f"--map: {name!r} is not a field; the fields are {', '.join(FIELDS)}",
                exit_code=USAGE,
            )
        if column not in columns:
            raise OperatorError(
                f"--map: {path} has no column {column!r}; its columns are {', '.join(columns)}",
                exit_code=USAGE,
            )
        mapping[column] = name
    for column in columns:
        normal = "_".join(column.strip().lower().replace("-", " ").split())
        if column not in mapping and normal in FIELDS and normal not in mapping.values():
            mapping[column] = normal
    if "email" not in mapping.values() and "email" not in columns:
        raise OperatorError(
            f"{path} has no email column (its columns are {', '.join(columns)}).\n"
            "Name the column that holds work emails with --map 'COLUMN=email'.",
            exit_code=USAGE,
        )
    return mapping


class LookupFailedError(Exception):
    """Slack kept refusing a lookup (rate limits or an outage): the row is retried next run."""


def lookup(client: WebClient, email: str, sleep: Callable[[float], None]) -> str | None:
    """The Slack user id for `email`; None when Slack has no such user.

    Rate limits wait Retry-After and server errors back off, a few times, before giving up
    on the row; only users_not_found means the person is not in Slack.
    """
    code = "no answer"
    for attempt in range(LOOKUP_TRIES):
        try:
            return str(client.users_lookupByEmail(email=email)["user"]["id"])
        except SlackApiError as error:
            code = str(error.response.get("error") or error.response.status_code)
            if code == "users_not_found":
                return None
            status = error.response.status_code
            if status != 429 and status < 500:
                raise LookupFailedError(code) from error
            wait = error.response.headers.get("Retry-After") or error.response.headers.get(
                "retry-after"
            )
            sleep(float(wait) if wait else 2.0**attempt)
        except (urllib.error.URLError, OSError) as error:
            code = "Slack unreachable"
            if attempt == LOOKUP_TRIES - 1:
                raise LookupFailedError(code) from error
            sleep(2.0**attempt)
    raise LookupFailedError(code)


@dataclass
class Resolved:
    number: int  # the row's line in the file
    values: dict[str, object]
    user: str | None = None
    manager: str | None = None
    reason: str | None = None


def _resolve(
    rows: list[dict[str, str]], client: WebClient, sleep: Callable[[float], None]
) -> list[Resolved]:
    """Each row checked and its people found in Slack; no database work happens here."""
    lookups: dict[str, str | None] = {}

    def slack_id(email: str) -> str | None:
        if email not in lookups:
            lookups[email] = lookup(client, email, sleep)
        return lookups[email]

    resolved = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        values, reason = check_row(row)
        item = Resolved(number, values, reason=reason)
        manager_email = row.get("manager_email", "").strip().lower()
        try:
            if item.reason is None:
                item.user = slack_id(str(values["email"]))
                if item.user is None:
                    item.reason = "no Slack user with this email"
            if item.reason is None and manager_email:
                item.manager = slack_id(manager_email)
                if item.manager is None:
                    item.reason = "no Slack user with the manager's email"
        except LookupFailedError as failed:
            item.reason = f"Slack lookup failed ({failed}); run the import again"
        resolved.append(item)
    return resolved


def run_import(
    settings: Settings,
    path: str,
    program_name: str,
    *,
    mapping: str | None,
    dry_run: bool,
    overwrite: bool,
    client: WebClient | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    token = settings.bot_token or os.environ.get("SLACK_BOT_TOKEN")
    if client is None:
        if not token:
            raise OperatorError(
                "SLACK_BOT_TOKEN is required to look emails up in Slack", exit_code=USAGE
            )
        client = WebClient(token=token, base_url=settings.slack_api_url, timeout=10)
    roster = read_roster(path)
    columns = _mapping(mapping, roster.columns, path)
    rows = [{columns.get(k, k): v for k, v in row.items()} for row in roster.rows]
    if roster.encoding != "UTF-8":
        print(f"note: {path} is not UTF-8; read it as {roster.encoding}")

    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    result = ImportResult(rows=len(rows))
    at = system_clock()
    outside = 0
    try:
        require_current(engine)
        with sessions.begin() as s:
            found = []
            for workspace in s.query(Workspace).order_by(Workspace.id):
                try:
                    found.append(resolve_program(s, workspace.id, program_name))
                except DomainError:
                    continue
            if len(found) != 1:
                print(f"no single program called {program_name!r}", file=sys.stderr)
                return 1
            program_id = found[0].id
        require_token(SlackStatus(client, system_clock), settings.slack_api_url)
        resolved = _resolve(rows, client, sleep)
        result.rejected = [(r.number, r.reason) for r in resolved if r.reason]
        ready = [r for r in resolved if r.reason is None]
        size = (len(ready) or 1) if dry_run else BATCH
        batches = [ready[i : i + size] for i in range(0, len(ready), size)]
        for batch in batches:
            with sessions() as s, s.begin():
                program = s.get_one(Program, program_id)
                for item in batch:
                    assert item.user is not None
                    manager_id = None
                    if item.manager is not None:
                        manager_id = manager_id_for(
                            s, program.workspace_id, item.manager, at, settings.forget_key
                        )
                    changed = apply_row(
                        s,
                        program,
                        item.user,
                        item.values,
                        manager_id,
                        at,
                        overwrite=overwrite,
                        forget_key=settings.forget_key,
                    )
                    if changed:
                        result.updated += 1
                    else:
                        result.unchanged += 1
                    # the program's eligibility rules, read against the updated HR record
                    person = get_person(s, program.workspace_id, item.user)
                    if person is not None and review_import(s, program, person.id, at) is False:
                        outside += 1
                if dry_run:
                    s.rollback()
    finally:
        engine.dispose()
    verb = "would update" if dry_run else "updated"
    print(
        f"{result.rows} rows: {verb} {result.updated}, unchanged {result.unchanged}, "
        f"rejected {len(result.rejected)}"
    )
    for number, reason in sorted(result.rejected):
        print(f"  row {number}: {reason}")
    if outside:
        told = "would be told once" if dry_run else "told once"
        print(f"{outside} enrolled people are outside the program's eligibility rules ({told})")
    return 0
