"""Registers every listener on the Bolt app and remembers what it registered.

The record is what the manifest test compares app.yaml with, so the manifest can never
declare a command, event or shortcut that no code answers, nor miss one that code needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App

from handlers import rounds
from handlers.commands import CommandRouter
from handlers.context import Deps
from handlers.errors import handle_app_error
from handlers.ids import COMMAND

Listener = Callable[..., Any]


@dataclass
class Registrar:
    app: App
    commands: set[str] = field(default_factory=set)
    events: set[str] = field(default_factory=set)
    actions: set[str] = field(default_factory=set)
    views: set[str] = field(default_factory=set)
    shortcuts: set[str] = field(default_factory=set)

    def command(self, name: str, listener: Listener) -> None:
        self.commands.add(name)
        self.app.command(name)(listener)

    def event(self, event_type: str, listener: Listener) -> None:
        self.events.add(event_type)
        self.app.event(event_type)(listener)

    def action(self, action_id: str, listener: Listener) -> None:
        self.actions.add(action_id)
        self.app.action(action_id)(listener)

    def view(self, callback_id: str, listener: Listener) -> None:
        self.views.add(callback_id)
        self.app.view(callback_id)(listener)

    def shortcut(self, callback_id: str, listener: Listener) -> None:
        self.shortcuts.add(callback_id)
        self.app.shortcut(callback_id)(listener)

    @property
    def interactive(self) -> bool:
        return bool(self.actions or self.views or self.shortcuts)


def register(app: App, deps: Deps) -> tuple[Registrar, CommandRouter]:
    registrar = Registrar(app)
    router = CommandRouter(deps)
    registrar.command(COMMAND, router.handle)
    # Each feature registers its subcommands and listeners here, one line each.
    # enrollment

    # rounds
    rounds.register(registrar, router, deps)

    # engagement

    # insight

    app.error(handle_app_error)
    return registrar, router
