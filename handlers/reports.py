"""`/mentor admin report|export [program]`, and round retros: to the admin channel only.

The report and the retros go through the outbox like every message; the chart and the CSV
are uploaded with Slack's current two-step upload (files.getUploadURLExternal +
files.completeUploadExternal) and shared to the program's admin channel and nowhere else.
An upload cannot carry our outbox key, so it is made only on an admin's explicit request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import HeaderBlock, SectionBlock

from handlers import copy
from handlers.chart import Point, alt_text, render
from handlers.commands import CommandRequest, CommandRouter, CommandTools, Reply
from handlers.context import Deps
from models import outbox
from models.audit import record
from models.errors import InvalidError, NotFoundError
from models.programs import resolve_program
from models.reports import due_retros, matches_csv, program_report, round_retro
from models.tables import Program, Round
from models.workspace import get_workspace

if TYPE_CHECKING:  # the registry imports this module
    from handlers.registry import Registrar

log = logging.getLogger(__name__)

CHART_LEGEND = (
    "Bars: share of mentees matched in each round (left scale). "
    "Dots: average pulse value of that round's matches, 1-5 (right scale)."
)


def _blocks(lines: list[str]) -> list[dict[str, object]]:
    return [
        HeaderBlock(text=lines[0][:150]).to_dict(),
        SectionBlock(text="\n".join(f"• {line}" for line in lines[1:])[:2900]).to_dict(),
    ]


def handle_command_report(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        tools.ack_now()
        at = deps.clock()
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, request.team_id)
            if workspace is None:
                raise NotFoundError(copy.ROUND_NO_WORKSPACE)
            program = resolve_program(s, workspace.id, " ".join(request.words) or None)
            if not program.admin_channel_id:
                raise InvalidError(copy.REPORT_NO_CHANNEL.format(program=program.name))
            report = program_report(s, program, at)
            lines = report.lines()
            outbox.enqueue(
                s,
                workspace_id=workspace.id,
                key=f"report:{program.id}:{request.trigger_id}",
                conversation=program.admin_channel_id,
                payload={"text": "\n".join(lines), "blocks": _blocks(lines)},
                at=at,
            )
            record(
                s,
                action="report.post",
                at=at,
                workspace_id=workspace.id,
                actor_slack_user_id=request.slack_user_id,
                target=f"program:{program.id}",
            )
            channel, name, slug = program.admin_channel_id, program.name, program.slug
        posted = Reply(copy.REPORT_POSTED.format(program=name, channel=channel))
        points = [Point(f"{r.day:%d/%m}", r.match_rate, r.pulse) for r in report.trend if r.seekers]
        if not points:
            return posted
        try:
            tools.client.files_upload_v2(
                channel=channel,
                content=render(points[-12:]),
                alt_txt=alt_text(points[-12:]),
                filename=f"{slug}-rounds-{at:%Y%m%d}.png",
                title=f"{name}: match rate and pulse per round",
                initial_comment=CHART_LEGEND,
            )
        except SlackApiError as error:
            log.warning("chart upload failed: %s", error.response.get("error"))
            return Reply(copy.REPORT_NO_CHART.format(program=name, channel=channel))
        return posted

    return handle


def handle_command_export(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        tools.ack_now()
        at = deps.clock()
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, request.team_id)
            if workspace is None:
                raise NotFoundError(copy.ROUND_NO_WORKSPACE)
            program = resolve_program(s, workspace.id, " ".join(request.words) or None)
            if not program.admin_channel_id:
                raise InvalidError(copy.REPORT_NO_CHANNEL.format(program=program.name))
            content = matches_csv(s, program)
            channel, name, slug = program.admin_channel_id, program.name, program.slug
            workspace_id, program_id = workspace.id, program.id
        tools.client.files_upload_v2(
            channel=channel,
            content=content,
            filename=f"{slug}-matches-{at:%Y%m%d}.csv",
            title=f"{name}: matches",
        )
        with deps.sessions.begin() as s:  # audited once Slack has the file
            record(
                s,
                action="report.export",
                at=at,
                workspace_id=workspace_id,
                actor_slack_user_id=request.slack_user_id,
                target=f"program:{program_id}",
            )
        return Reply(copy.EXPORT_POSTED.format(program=name, channel=channel))

    return handle


def post_retros(deps: Deps) -> int:
    """Queue each due round retro to its admin channel, once; how many were queued."""
    at = deps.clock()
    with deps.sessions.begin() as s:
        due = due_retros(s, at)
    for round_id in due:
        with deps.sessions.begin() as s:
            round_ = s.get_one(Round, round_id)
            if round_.retro_sent_at is not None:
                continue
            program = s.get_one(Program, round_.program_id)
            lines = round_retro(s, round_, at)
            outbox.enqueue(
                s,
                workspace_id=program.workspace_id,
                key=f"round:{round_id}:retro",
                conversation=str(program.admin_channel_id),
                payload={"text": "\n".join(lines), "blocks": _blocks(lines)},
                at=at,
            )
            round_.retro_sent_at = at
    return len(due)


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("admin", "report"), handle_command_report(deps), admin=True)
    router.add(("admin", "export"), handle_command_export(deps), admin=True)
