"""Registers every feature's listeners on the Bolt app: the one file that imports them all.

No feature imports this module or another feature; each exposes `register`, called here,
so the manifest test and the authorization tests can read everything that was registered.
"""

from __future__ import annotations

from concurrent.futures import Executor

from slack_bolt import App

from handlers import (
    admin_people,
    concerns,
    engagement,
    enroll_events,
    enrollment,
    goals,
    home,
    impact,
    micro,
    program_admin,
    reports,
    rounds,
    skills,
)
from handlers.commands import CommandRouter
from handlers.context import Deps
from handlers.errors import handle_app_error
from handlers.ids import COMMAND
from handlers.listen import Listeners, Registrar
from handlers.replay import replay_guard


def register(
    app: App, deps: Deps, after_executor: Executor | None = None
) -> tuple[Registrar, CommandRouter]:
    app.use(replay_guard(deps))
    registrar = Registrar(app, deps, Listeners(after_executor))
    router = CommandRouter(deps)
    registrar.command(COMMAND, router.handle)
    # enrollment
    enrollment.register(registrar, router, deps)
    program_admin.register(registrar, router, deps)
    admin_people.register(registrar, router, deps)
    skills.register(router, deps)
    home.register(registrar, deps)
    enroll_events.register(registrar, deps)
    # rounds
    rounds.register(registrar, router, deps)
    # engagement
    engagement.register(registrar, router, deps)
    goals.register(registrar, router, deps)
    micro.register(registrar, router, deps)
    concerns.register(registrar, router, deps)
    # insight
    reports.register(registrar, router, deps)
    impact.register(registrar, router, deps)
    app.error(handle_app_error)
    return registrar, router
