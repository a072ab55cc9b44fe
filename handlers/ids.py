"""Every Block Kit and listener id, shared by the builders that emit them and the listeners."""

from __future__ import annotations

from enum import StrEnum

COMMAND = "/mentor"


class Callback(StrEnum):
    """View callback ids."""


class Action(StrEnum):
    """Block action ids."""


class Block(StrEnum):
    """Input block ids, which key the values of a view submission."""
