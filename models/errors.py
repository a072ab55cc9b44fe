"""Domain errors: expected refusals that the handlers turn into short user messages."""

from __future__ import annotations


class DomainError(Exception):
    """An expected refusal, said to the user who caused it.

    Text a person typed (a program's name, a word of a command) is kept apart in `typed`,
    for the message's `{placeholders}`: handlers escape it for the surface that shows it
    (handlers.errors.shown), so a refusal can never ping or link. `str(err)` is the raw text.
    """

    def __init__(self, message: str = "", /, **typed: str) -> None:
        self.template = message
        self.typed = typed
        super().__init__(message.format(**typed) if typed else message)


class NotFoundError(DomainError):
    pass


class NotAllowedError(DomainError):
    pass


class InvalidError(DomainError):
    pass
