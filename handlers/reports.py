"""`/mentor admin report|export [program]`: KPIs and the per-match CSV, to the admin channel only.

The report goes through the outbox like every message; the CSV is uploaded with Slack's
current two-step upload (files.getUploadURLExternal + files.completeUploadExternal) and
shared to the program's admin channel and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_sdk.models.blocks import HeaderBlock, SectionBlock

from handlers import copy
from handlers.commands import CommandRequest, CommandRouter, CommandTools, Reply
from handlers.context import Deps
from models import outbox
from models.audit import record
from models.errors import InvalidError, NotFoundError
from models.programs import resolve_program
from models.reports import matches_csv, program_report
from models.workspace import get_workspace

if TYPE_CHECKING:  # the registry imports this module
    from handlers.registry import Registrar


def handle_command_report(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        at = deps.clock()
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, request.team_id)
            if workspace is None:
                raise NotFoundError(copy.ROUND_NO_WORKSPACE)
            program = resolve_program(s, workspace.id, " ".join(request.words) or None)
            if not program.admin_channel_id:
                raise InvalidError(copy.REPORT_NO_CHANNEL.format(program=program.name))
            lines = program_report(s, program, at).lines()
            text = "\n".join(lines)
            blocks = [
                HeaderBlock(text=lines[0][:150]).to_dict(),
                SectionBlock(text="\n".join(f"• {line}" for line in lines[1:])[:2900]).to_dict(),
            ]
            outbox.enqueue(
                s,
                workspace_id=workspace.id,
                key=f"report:{program.id}:{request.trigger_id}",
                conversation=program.admin_channel_id,
                payload={"text": text, "blocks": blocks},
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
            return Reply(
                copy.REPORT_POSTED.format(program=program.name, channel=program.admin_channel_id)
            )

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
            record(
                s,
                action="report.export",
                at=at,
                workspace_id=workspace.id,
                actor_slack_user_id=request.slack_user_id,
                target=f"program:{program.id}",
            )
        tools.client.files_upload_v2(
            channel=channel,
            content=content,
            filename=f"{slug}-matches-{at:%Y%m%d}.csv",
            title=f"{name}: matches",
        )
        return Reply(copy.EXPORT_POSTED.format(program=name, channel=channel))

    return handle


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("admin", "report"), handle_command_report(deps), admin=True)
    router.add(("admin", "export"), handle_command_export(deps), admin=True)
