"""Frozen dataclasses to JSON and back: notices in the outbox, state in buttons and modals.

One codec for every small value the bot must carry through a row or through Slack, read back
by the field types alone (nested dataclasses, tuples, optionals, datetimes, enums), so a value
never travels as a hand-built string or a position in a list.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


class CodecError(ValueError):
    """The data does not describe a value of the type asked for."""


def dump(value: Any) -> Any:
    """A JSON-ready structure of a dataclass (or of anything a dataclass holds)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {str(k): dump(v) for k, v in value.items()}
    return value


def dumps(value: Any) -> str:
    return json.dumps(dump(value), separators=(",", ":"), sort_keys=True)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def load(cls: type[T], data: Any) -> T:
    """The value of type `cls` that `data` (from dump) describes; CodecError if it does not."""
    try:
        return typing.cast(T, _load(cls, data))
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise CodecError(f"not a {getattr(cls, '__name__', cls)}: {error}") from None


def loads(cls: type[T], raw: str) -> T:
    try:
        data = json.loads(raw)
    except (ValueError, TypeError) as error:
        raise CodecError(f"not JSON: {error}") from None
    return load(cls, data)


def _load(kind: Any, data: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if data is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return _load(option, data)
            except (TypeError, ValueError, KeyError, AttributeError):
                continue
        raise ValueError(f"{data!r} fits none of {options}")
    if origin is tuple:
        args = typing.get_args(kind)
        if not isinstance(data, list):
            raise TypeError("expected a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(args[0], item) for item in data)
        if len(args) != len(data):
            raise ValueError("wrong tuple length")
        return tuple(_load(a, item) for a, item in zip(args, data, strict=True))
    if origin is dict:
        key_type, value_type = typing.get_args(kind)
        if not isinstance(data, dict):
            raise TypeError("expected an object")
        return {_load(key_type, k): _load(value_type, v) for k, v in data.items()}
    if origin is typing.Literal:
        if data not in typing.get_args(kind):
            raise ValueError(f"{data!r} is not one of {typing.get_args(kind)}")
        return data
    if kind is Any:
        return data
    if dataclasses.is_dataclass(kind):
        if not isinstance(data, dict):
            raise TypeError("expected an object")
        hints = _hints(typing.cast(type, kind))
        values = {}
        for f in dataclasses.fields(kind):
            if not f.init:
                continue
            if f.name in data:
                values[f.name] = _load(hints[f.name], data[f.name])
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise KeyError(f.name)
        return typing.cast(Any, kind)(**values)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(data)
    if kind is datetime:
        moment = datetime.fromisoformat(str(data))
        if moment.tzinfo is None:
            raise ValueError("naive datetime")
        return moment
    if kind is date:
        return date.fromisoformat(str(data))
    if kind is bool:
        if not isinstance(data, bool):
            raise TypeError("expected a boolean")
        return data
    if kind is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise TypeError("expected an integer")
        return data
    if kind is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise TypeError("expected a number")
        return float(data)
    if kind is str:
        if not isinstance(data, str):
            raise TypeError("expected a string")
        return data
    raise TypeError(f"cannot read a {kind!r}")
