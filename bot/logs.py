"""Logging for operators: one line per event, quiet libraries, JSON lines on request.

A traceback is a developer's tool: at INFO an error is logged as one line ending in the
exception's type and message; `--debug` or `LOG_LEVEL=DEBUG` brings the full traceback back,
and with it the chatter of the libraries (APScheduler's per-run lines, alembic, waitress).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime

PLAIN = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Libraries that talk at INFO about things an operator never acts on.
CHATTY = ("apscheduler", "alembic", "waitress", "slack_bolt", "slack_sdk", "urllib3", "matplotlib")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _one_line(text: str) -> str:
    return " | ".join(part.strip() for part in text.splitlines() if part.strip())


def _short_error(record: logging.LogRecord) -> str:
    if not record.exc_info or record.exc_info[1] is None:
        return ""
    error = record.exc_info[1]
    text = _one_line(str(error))
    return f": {type(error).__name__}" + (f": {text}" if text else "")


class PlainFormatter(logging.Formatter):
    """Timestamp, level, logger, message; an exception as its last words unless debugging."""

    def __init__(self, *, tracebacks: bool) -> None:
        super().__init__(PLAIN)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if self.tracebacks:
            return super().format(record)
        error = _short_error(record)
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        return _one_line(line) + error


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, and the error when there is one."""

    def __init__(self, *, tracebacks: bool) -> None:
        super().__init__()
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["error"] = f"{type(error).__name__}: {error}"
            if self.tracebacks:
                entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _KnownNoise(logging.Filter):
    """Lines libraries log about what mentorbot reports itself, or about nothing."""

    NOISE = (
        "`token` will be unused",  # Bolt, at every start: we hand it a client
        "Failed to retrieve WSS URL",  # Socket Mode: the CLI says which token Slack refused
    )

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(noise in message for noise in self.NOISE)


def level_from(env: Mapping[str, str], debug: bool) -> tuple[int, str | None]:
    """The root level, and a complaint when LOG_LEVEL is not a level name."""
    if debug:
        return logging.DEBUG, None
    raw = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if raw not in LEVELS:
        return logging.INFO, f"LOG_LEVEL {raw[:20]!r} is not one of {', '.join(LEVELS)}; using INFO"
    return int(getattr(logging, raw)), None


def configure(env: Mapping[str, str] | None = None, *, debug: bool = False) -> bool:
    """Set up the root logger from LOG_LEVEL and LOG_FORMAT; True when debugging."""
    env = os.environ if env is None else env
    level, complaint = level_from(env, debug)
    debugging = level <= logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    json_lines = env.get("LOG_FORMAT", "").strip().lower() == "json"
    handler.setFormatter(
        JsonFormatter(tracebacks=debugging) if json_lines else PlainFormatter(tracebacks=debugging)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    handler.addFilter(_KnownNoise())
    root.addHandler(handler)
    root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if debugging else logging.WARNING)
    # It logs every failed Web API call before raising it; the caller reports it once.
    logging.getLogger("slack_sdk.web.base_client").setLevel(
        logging.DEBUG if debugging else logging.CRITICAL
    )
    if complaint:
        logging.getLogger("mentorbot").warning(complaint)
    return debugging
