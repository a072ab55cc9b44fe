"""Failures an operator can cause or fix, each told in one or two plain lines.

The command line prints these without a traceback and exits with their code: 2 when the
command or its configuration is wrong, 1 when something it relies on (the database, Slack)
is missing or refuses it. `--debug` shows the traceback of anything else.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

USAGE = 2
UNAVAILABLE = 1


class OperatorError(Exception):
    """A message for the person at the terminal, and the exit code that goes with it."""

    def __init__(self, message: str, *, exit_code: int = UNAVAILABLE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def describe_database(url: str) -> str:
    """Where the database is, as an operator would look for it (never the password)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:":
            return "an in-memory SQLite database"
        path = Path(database)
        where = f"the SQLite file {path.resolve()}"
        if not path.is_absolute():
            where += " (a relative path, so it depends on the current directory)"
        return where
    host = parsed.host or "localhost"
    port = f":{parsed.port}" if parsed.port else ""
    user = f"{parsed.username}@" if parsed.username else ""
    return f"PostgreSQL database {parsed.database} at {user}{host}{port}"


def first_line(error: BaseException) -> str:
    """An exception's first meaningful line, for a message that must stay short."""
    cause = getattr(error, "orig", None) or error
    for line in str(cause).splitlines():
        if line.strip():
            return line.strip()[:200]
    return type(cause).__name__
