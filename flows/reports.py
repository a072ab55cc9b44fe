"""Insight for admins: the report and the export to the admin channel, and round retros.

Every figure comes from models.reports with small groups suppressed; the report is told as
a notice and its chart and CSV as uploads through the outbox, so nothing reaches Slack from
inside a request and an export is audited in the same transaction that decides it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from flows import hours, intents, micro, notices
from flows.notify import ToChannel, emit
from models.audit import record
from models.reports import due_retros, matches_csv, program_report, round_retro
from models.tables import Program, Round

CHART_ROUNDS = 12


def _channel(program: Program) -> ToChannel | None:
    if not program.admin_channel_id:
        return None
    return ToChannel(program.admin_channel_id, program.timezone)


def post_report(s: Session, program_id: int, *, request: str, at: datetime) -> bool:
    """Queue the program's report and its chart to the admin channel; False without one."""
    program = s.get_one(Program, program_id)
    channel = _channel(program)
    if channel is None:
        return False
    report = program_report(s, program, at)
    emit(
        s,
        notices.ReportPosted(
            program.id,
            request,
            tuple(report.lines()),
            hours=hours.figures(s, program, at),
            micro=micro.figures(s, program.id),
        ),
        to=channel,
        workspace_id=program.workspace_id,
        at=at,
    )
    points = tuple(
        notices.ChartPoint(f"{r.day:%d/%m}", r.match_rate, r.pulse)
        for r in report.trend
        if r.seekers
    )[-CHART_ROUNDS:]
    if points:
        emit(
            s,
            notices.ReportChart(program.id, request, program.name, program.slug, at.date(), points),
            to=channel,
            workspace_id=program.workspace_id,
            at=at,
        )
    return True


def export(s: Session, program_id: int, *, request: str, by: str | None, at: datetime) -> bool:
    """Queue the per-match CSV to the admin channel, audited now; False without a channel."""
    program = s.get_one(Program, program_id)
    channel = _channel(program)
    if channel is None:
        return False
    emit(
        s,
        notices.MatchesExport(
            program.id, request, program.name, program.slug, at.date(), matches_csv(s, program)
        ),
        to=channel,
        workspace_id=program.workspace_id,
        at=at,
    )
    record(
        s,
        action="report.export",
        at=at,
        workspace_id=program.workspace_id,
        actor_slack_user_id=by,
        target=f"program:{program.id}",
    )
    return True


def due(s: Session, at: datetime) -> list[int]:
    return due_retros(s, at)


def post_retro(s: Session, round_id: int, *, at: datetime) -> bool:
    """Queue one round's retro to its admin channel, once."""
    round_ = s.get_one(Round, round_id)
    if round_.retro_sent_at is not None:
        return False
    program = s.get_one(Program, round_.program_id)
    channel = _channel(program)
    if channel is None:
        return False
    emit(
        s,
        notices.RoundRetro(round_id, tuple(round_retro(s, round_, at))),
        to=channel,
        workspace_id=program.workspace_id,
        at=at,
    )
    round_.retro_sent_at = at
    return True


def ask(s: Session, program: Program, *, request: str, by: str, export: bool, at: datetime) -> None:
    """An admin asked for the report (audited now) or the export (audited when it is made)."""
    intent: intents.Intent = (
        intents.Export(program.id, request, by)
        if export
        else intents.PostReport(program.id, request, by)
    )
    intents.submit(s, intent, at=at, workspace_id=program.workspace_id)
    if not export:
        record(
            s,
            action="report.post",
            at=at,
            workspace_id=program.workspace_id,
            actor_slack_user_id=by,
            target=f"program:{program.id}",
        )
