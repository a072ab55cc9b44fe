"""`mentorbot import FILE.csv --program P [--map COL=field,...] [--dry-run] [--overwrite]`.

Emails are resolved to Slack users with users.lookupByEmail (cached per run), so the
command needs SLACK_BOT_TOKEN. A dry run does everything in a transaction it rolls back.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.settings import Settings
from flows.enrollment import review_import
from models.clock import system_clock
from models.db import make_engine, make_session_factory
from models.errors import DomainError
from models.hr_import import FIELDS, ImportResult, apply_row, check_row
from models.programs import resolve_program
from models.tables import Workspace
from models.workspace import ensure_person

LOOKUP_TRIES = 5


def _mapping(spec: str | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in (spec or "").split(","):
        if "=" in pair:
            column, name = (p.strip() for p in pair.split("=", 1))
            if name not in FIELDS:
                raise ValueError(f"unknown field {name!r}; fields are {', '.join(FIELDS)}")
            mapping[column] = name
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
    raise LookupFailedError(code)


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
            print("SLACK_BOT_TOKEN is required to look emails up in Slack", file=sys.stderr)
            return 2
        client = WebClient(token=token, base_url=settings.slack_api_url)
    try:
        columns = _mapping(mapping)
        with Path(path).open(newline="", encoding="utf-8-sig") as handle:
            rows = [
                {columns.get(k, k): (v or "") for k, v in row.items() if k is not None}
                for row in csv.DictReader(handle)
            ]
    except (OSError, ValueError, csv.Error) as err:
        print(f"cannot read {path}: {err}", file=sys.stderr)
        return 2
    lookups: dict[str, str | None] = {}

    def slack_id(email: str) -> str | None:
        if email not in lookups:
            lookups[email] = lookup(client, email, sleep)
        return lookups[email]

    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    result = ImportResult(rows=len(rows))
    at = system_clock()
    outside = 0
    try:
        with sessions() as s, s.begin():
            found = []
            for workspace in s.query(Workspace).order_by(Workspace.id):
                try:
                    found.append(resolve_program(s, workspace.id, program_name))
                except DomainError:
                    continue
            if len(found) != 1:
                print(f"no single program called {program_name!r}", file=sys.stderr)
                return 1
            program = found[0]
            for number, row in enumerate(rows, start=2):  # row 1 is the header
                values, reason = check_row(row)
                user, manager_id = None, None
                manager_email = row.get("manager_email", "").strip().lower()
                try:
                    user = slack_id(str(values["email"])) if reason is None else None
                    if reason is None and user is None:
                        reason = "no Slack user with this email"
                    if reason is None and manager_email:
                        manager = slack_id(manager_email)
                        if manager is None:
                            reason = "no Slack user with the manager's email"
                        else:
                            manager_id = ensure_person(s, program.workspace_id, manager, at).id
                except LookupFailedError as failed:
                    reason = f"Slack lookup failed ({failed}); run the import again"
                if reason is not None or user is None:
                    result.rejected.append((number, reason or "?"))
                    continue
                if apply_row(s, program, user, values, manager_id, at, overwrite=overwrite):
                    result.updated += 1
                else:
                    result.unchanged += 1
                # the program's eligibility rules, read against the updated HR record
                person_id = ensure_person(s, program.workspace_id, user, at).id
                if review_import(s, program, person_id, at) is False:
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
    for number, reason in result.rejected:
        print(f"  row {number}: {reason}")
    if outside:
        told = "would be told once" if dry_run else "told once"
        print(f"{outside} enrolled people are outside the program's eligibility rules ({told})")
    return 0
