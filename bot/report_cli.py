"""`mentorbot report PROGRAM [--csv FILE]`: the admin report on the command line."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.errors import USAGE, OperatorError
from bot.migrate import require_current
from bot.settings import Settings
from flows.reports import program_figures
from handlers.insight import report_lines
from models.clock import system_clock
from models.db import make_engine, make_session_factory
from models.errors import DomainError
from models.programs import resolve_program
from models.reports import matches_csv
from models.tables import Workspace


def run_report_command(settings: Settings, program_name: str, csv_path: str | None) -> int:
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    try:
        require_current(engine)
        with sessions() as s:
            found = []
            for workspace in s.query(Workspace).order_by(Workspace.id):
                try:
                    found.append(resolve_program(s, workspace.id, program_name))
                except DomainError:
                    continue
            if len(found) != 1:
                print(
                    f"no single program called {program_name!r} ({len(found)} found)",
                    file=sys.stderr,
                )
                return 1
            # the same figures, through the same rule, as the report posted in Slack
            report = program_figures(s, found[0], system_clock())
            print("\n".join(report_lines(report, escape=str)))
            if csv_path:
                try:
                    with Path(csv_path).open("w", encoding="utf-8", newline="") as out:
                        out.write(matches_csv(s, found[0]))
                except OSError as error:
                    raise OperatorError(
                        f"cannot write {csv_path}: {error.strerror or error}", exit_code=USAGE
                    ) from error
                print(f"one row per match written to {csv_path}")
    finally:
        engine.dispose()
    return 0
