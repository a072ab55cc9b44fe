"""The `mentorbot` command line: serve the bot and run its maintenance commands."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Sequence

from bot.settings import Mode, Settings, SettingsError

log = logging.getLogger("mentorbot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mentorbot", description="Mentoring programs in Slack.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the bot and its scheduler")
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

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations")
    # rounds
    round_cmd = sub.add_parser("round", help="run a matching round now")
    round_cmd.add_argument("program", help="program slug or name")
    round_cmd.add_argument("--dry-run", action="store_true", help="preview only; tell no one")

    # insight
    report = sub.add_parser("report", help="print a program's KPIs")
    report.add_argument("program", help="program slug or name")
    report.add_argument("--csv", metavar="FILE", help="also write one row per match")
    imp = sub.add_parser("import", help="import or update people from an HR export")
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
        print(err, file=sys.stderr)
        raise SystemExit(2) from None


def _serve(args: argparse.Namespace) -> int:
    from bot.app import create_app
    from bot.jobs import install_jobs
    from bot.migrate import upgrade
    from bot.scheduler import LeaderScheduler

    socket_mode = args.socket or (not args.http and bool(os.environ.get("SLACK_APP_TOKEN")))
    if args.port is not None and socket_mode:
        print("--port only applies to --http", file=sys.stderr)
        return 2
    settings = _settings("socket" if socket_mode else "http")
    bot = create_app(settings)
    upgrade(bot.engine)
    scheduler = LeaderScheduler(bot)
    install_jobs(bot, scheduler)
    jobs = not args.no_jobs
    # What is loaded by now (modules, the app) lives as long as the process: keep it out of
    # the cyclic collector, whose full passes otherwise stop every request for ~150 ms.
    gc.freeze()
    if jobs:
        scheduler.start()
    try:
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            SocketModeHandler(bot.app, settings.app_token).start()  # type: ignore[no-untyped-call]
        else:
            from bot.server import serve_http

            serve_http(bot, args.port or settings.port, host=args.host)
    finally:
        if jobs:
            scheduler.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "db":
        from bot.migrate import upgrade
        from models.db import make_engine

        upgrade(make_engine(_settings("cli").database_url))
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

    return 2


if __name__ == "__main__":
    raise SystemExit(main())
