"""Domain errors: expected refusals that the handlers turn into short user messages."""

from __future__ import annotations


class DomainError(Exception):
    """An expected refusal; `str(err)` is safe to show to the user who caused it."""


class NotFoundError(DomainError):
    pass


class NotAllowedError(DomainError):
    pass


class InvalidError(DomainError):
    pass
