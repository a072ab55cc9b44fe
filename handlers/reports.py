"""`/mentor admin report|export [program]`: recorded now, posted to the admin channel only.

The request is an intent committed before the ack; the leader builds the report (or the
CSV) and queues it, with its chart, through the outbox to the program's admin channel and
nowhere else, so the command answers at once however large the program is.
"""

from __future__ import annotations

from collections.abc import Callable

from flows import reports
from flows.programs import NotAdminOfError, administered
from handlers import copy
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import Deps
from handlers.listen import Answer, Registrar, reply
from handlers.text import channel_link, esc
from models.errors import InvalidError, NotFoundError
from models.workspace import get_workspace


def _ask(deps: Deps, *, export: bool) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        at = deps.clock()
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, request.team_id)
            if workspace is None:
                raise NotFoundError(copy.ROUND_NO_WORKSPACE)
            try:
                program = administered(
                    s, workspace.id, " ".join(request.words) or None, request.authority
                )
            except NotAdminOfError as error:
                return reply(copy.NOT_ADMIN_OF.format(program=esc(error.program_name)))
            if not program.admin_channel_id:
                raise InvalidError(copy.REPORT_NO_CHANNEL.format(program=esc(program.name)))
            reports.ask(
                s,
                program,
                request=request.trigger_id,
                by=request.slack_user_id,
                export=export,
                at=at,
            )
            template = copy.EXPORT_POSTED if export else copy.REPORT_POSTED
            return reply(
                template.format(
                    program=esc(program.name), channel=channel_link(program.admin_channel_id)
                )
            )

    return handle


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("admin", "report"), _ask(deps, export=False), admin=True)
    router.add(("admin", "export"), _ask(deps, export=True), admin=True)
