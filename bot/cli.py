"""The `mentorbot` command line: serve the bot and run its maintenance commands.

Whatever a person can get wrong (configuration, mode, a missing database, Slack refusing
the token) ends in one or two plain lines and a non-zero exit; tracebacks are for `--debug`.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from importlib import metadata

from bot import logs
from bot.errors import USAGE, OperatorError, first_line
from bot.settings import Mode, Settings, SettingsError

log = logging.getLogger("mentorbot")


def version() -> str:
    try:
        return metadata.version("mentorbot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log everything, with tracebacks (same as LOG_LEVEL=DEBUG)",
    )
    parser = argparse.ArgumentParser(
        prog="mentorbot", description="Mentoring programs in Slack.", parents=[common]
    )
    parser.add_argument("--version", action="version", version=f"mentorbot {version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the bot and its scheduler", parents=[common])
    mode = serve.add_mutually_exclusive_group()
    mode.add_argument("--http", action="store_true", help="serve Slack over HTTP")
    mode.add_argument("--socket", action="store_true", help="connect with Socket Mode")
    serve.add_argument("--port", type=int, help="HTTP port (default $PORT or 3000)")
    serve.add_argument("--host", default="0.0.0.0", help="HTTP interface (default 0.0.0.0)")
    serve.add_argument(
        "--no-jobs",
        action="store_true",
        help="answer Slack only; other replicas run the scheduled jobs and the outbox",
    )

    health = sub.add_parser(
        "health", help="ask a running bot's health endpoint (for container health checks)"
    )
    health.add_argument("--port", type=int, help="default $HEALTH_PORT in Socket Mode, else $PORT")

    db = sub.add_parser("db", help="database maintenance", parents=[common])
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations", parents=[common])
    sandbox = sub.add_parser(
        "sandbox",
        help="try mentorbot without Slack: a local workspace in the browser",
        parents=[common],
    )
    sandbox.add_argument("--port", type=int, default=8080, help="page port on 127.0.0.1")
    sandbox.add_argument("--database-url", help="default: a throwaway SQLite file")

    # rounds
    round_cmd = sub.add_parser("round", help="run a matching round now", parents=[common])
    round_cmd.add_argument("program", help="program slug or name")
    round_cmd.add_argument("--dry-run", action="store_true", help="preview only; tell no one")

    # insight
    report = sub.add_parser("report", help="print a program's KPIs", parents=[common])
    report.add_argument("program", help="program slug or name")
    report.add_argument("--csv", metavar="FILE", help="also write one row per match")
    imp = sub.add_parser(
        "import", help="import or update people from an HR export", parents=[common]
    )
    imp.add_argument("file", help="CSV with a header row")
    imp.add_argument("--program", required=True, help="program slug or name")
    imp.add_argument("--map", help="column renames, e.g. 'Work Email=email,Dept=department'")
    imp.add_argument("--dry-run", action="store_true", help="report only; change nothing")
    imp.add_argument("--overwrite", action="store_true", help="replace values people set")

    return parser


def _settings(mode: Mode) -> Settings:
    try:
        return Settings.from_env(os.environ, mode=mode)
    except SettingsError as err:
        raise OperatorError(str(err), exit_code=USAGE) from None


def _serve_mode(args: argparse.Namespace) -> Mode:
    """Socket Mode or HTTP, from the flags and which tokens are set."""
    if args.socket:
        socket_mode = True
    elif args.http:
        socket_mode = False
    else:
        socket_mode = bool(os.environ.get("SLACK_APP_TOKEN", "").strip())
        if not socket_mode and not os.environ.get("SLACK_SIGNING_SECRET", "").strip():
            raise OperatorError(
                "no way to hear from Slack: set SLACK_APP_TOKEN (xapp-...) for Socket Mode,\n"
                "or SLACK_SIGNING_SECRET and use --http for HTTP mode (see the README).",
                exit_code=USAGE,
            )
    if args.port is not None and socket_mode:
        raise OperatorError(
            "--port is for HTTP mode; this is Socket Mode (--socket or SLACK_APP_TOKEN).\n"
            "Add --http to serve HTTP, or set HEALTH_PORT for Socket Mode's health endpoint.",
            exit_code=USAGE,
        )
    return "socket" if socket_mode else "http"


def _health(args: argparse.Namespace) -> int:
    import json
    import urllib.error
    import urllib.request

    settings = _settings("cli")
    port = args.port or (settings.health_port if settings.app_token else settings.port)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:  # a 503 still carries the report
            status, raw = error.code, error.read()
        body = json.loads(raw or b"{}")
    except (OSError, ValueError) as error:
        print(f"unhealthy: no answer from {url} ({first_line(error)})", file=sys.stderr)
        return 1
    slack = body.get("slack") or {}
    lease = body.get("scheduler") or {}
    print(
        f"{'healthy' if status == 200 else 'unhealthy'}: database "
        f"{'ok' if (body.get('database') or {}).get('ok') else 'unreachable'}, Slack "
        f"{'ok' if slack.get('ok') else slack.get('error', 'unknown')}, scheduler lease "
        f"{lease.get('holder') or 'free'}"
    )
    return 0 if status == 200 else 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        from bot.serve import serve

        mode = _serve_mode(args)
        return serve(_settings(mode), mode, host=args.host, port=args.port, jobs=not args.no_jobs)
    if args.command == "health":
        return _health(args)
    if args.command == "sandbox":
        from sandbox.main import run  # the sandbox sits above the product: loaded only here

        return run(port=args.port, database_url=args.database_url)
    if args.command == "db":
        from bot.migrate import current_revision, upgrade
        from models.db import make_engine

        engine = make_engine(_settings("cli").database_url)
        try:
            current_revision(engine)  # a clear message when the database cannot be opened
            upgrade(engine)
        finally:
            engine.dispose()
        print("database is at the latest revision")
        return 0
    # rounds
    if args.command == "round":
        from bot.round_cli import run_round_command

        return run_round_command(_settings("cli"), args.program, dry_run=args.dry_run)

    # insight
    if args.command == "report":
        from bot.report_cli import run_report_command

        return run_report_command(_settings("cli"), args.program, args.csv)
    if args.command == "import":
        from bot.import_cli import run_import

        return run_import(
            _settings("cli"),
            args.file,
            args.program,
            mapping=args.map,
            dry_run=args.dry_run,
            overwrite=args.overwrite,
        )

    return USAGE


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    debugging = logs.configure(debug=getattr(args, "debug", False))
    try:
        return _run(args)
    except OperatorError as error:
        if debugging:
            log.debug("what went wrong", exc_info=True)
        print(f"mentorbot: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if debugging:
            raise
        if isinstance(error, ModuleNotFoundError) and error.name == "psycopg":
            print(
                "mentorbot: DATABASE_URL is PostgreSQL, but its driver is not installed.\n"
                "Install it with: pip install 'mentorbot[postgres]'",
                file=sys.stderr,
            )
            return USAGE
        print(
            f"mentorbot: unexpected {type(error).__name__}: {first_line(error)}\n"
            "Run again with --debug for the traceback, and report it if it is a bug.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
