"""`mentorbot round PROGRAM [--dry-run]`: run a round from the command line.

The round and its preview (or intros) are stored with their outbox messages; the serving
bot's outbox worker delivers them, so this command needs no Slack connection.
"""

from __future__ import annotations

import sys

from bot.migrate import require_current
from bot.settings import Settings
from flows.rounds import start_round
from models.clock import system_clock
from models.db import make_engine, make_session_factory
from models.errors import DomainError
from models.programs import resolve_program
from models.tables import Workspace


def run_round_command(settings: Settings, program_name: str, *, dry_run: bool) -> int:
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    at = system_clock()
    try:
        require_current(engine)
        with sessions.begin() as s:
            workspaces = list(s.query(Workspace).order_by(Workspace.id))
            found = []
            for workspace in workspaces:
                try:
                    found.append(resolve_program(s, workspace.id, program_name, open_only=True))
                except DomainError:
                    continue
            if len(found) != 1:
                print(
                    f"no single open program called {program_name!r} "
                    f"({len(found)} found in {len(workspaces)} workspaces)",
                    file=sys.stderr,
                )
                return 1
            program = found[0]
            outcome = start_round(s, program.id, at=at, kind="manual", dry_run=dry_run)
            assert outcome is not None
            stats = dict(outcome.stats)
            name = program.name
    finally:
        engine.dispose()
    kind = "dry run" if dry_run else "round"
    print(
        f"{kind} {outcome.round_id} for {name}: {stats.get('matches', 0)} matches, "
        f"{stats.get('unmatched', 0)} unmatched; status {outcome.status}"
    )
    return 0
