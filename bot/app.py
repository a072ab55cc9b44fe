"""The app factory: settings, database, Bolt app, listeners and outbox wired together."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.settings import Settings
from handlers.commands import CommandRouter
from handlers.context import Deps
from handlers.delivery import Deliverer
from handlers.listen import Registrar
from handlers.registry import register
from models.clock import Clock, system_clock
from models.db import SessionFactory, make_engine, make_session_factory

log = logging.getLogger("mentorbot")


@dataclass
class Mentorbot:
    settings: Settings
    engine: Engine
    sessions: SessionFactory
    app: App
    client: WebClient
    deps: Deps
    registrar: Registrar
    router: CommandRouter
    deliverer: Deliverer


def make_client(settings: Settings) -> WebClient:
    return WebClient(token=settings.bot_token, base_url=settings.slack_api_url, timeout=10)


def create_app(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    engine: Engine | None = None,
    verify_token: bool = True,
    after_executor: Executor | None = None,
) -> Mentorbot:
    engine = engine or make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    client = make_client(settings)
    app = App(
        client=client,
        signing_secret=settings.signing_secret,
        # Socket Mode requests arrive over an authenticated websocket and carry no signature.
        request_verification_enabled=settings.signing_secret is not None,
        token_verification_enabled=verify_token,
        # The ack leaves only when the listener returns, after its transaction committed:
        # what a click means is stored before Slack hears "ok" (handlers.listen).
        process_before_response=True,
    )
    deps = Deps(
        sessions=sessions,
        clock=clock,
        global_admins=settings.admins,
        forget_key=settings.forget_key,
        client=client,
    )
    registrar, router = register(app, deps, after_executor=after_executor)
    deliverer = Deliverer(sessions, client, clock)
    return Mentorbot(
        settings=settings,
        engine=engine,
        sessions=sessions,
        app=app,
        client=client,
        deps=deps,
        registrar=registrar,
        router=router,
        deliverer=deliverer,
    )
