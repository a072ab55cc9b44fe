"""Frozen values stored as kind + data and known by a key: notices and intents alike.

Each family (Notice, Intent) keeps its own registry of kinds; a member's key comes from one
template over its own fields, so a retried decision finds the row it made before.
"""

from __future__ import annotations

import dataclasses
import string
from typing import Any, ClassVar, TypeVar

from flows import codec

K = TypeVar("K", bound="Keyed")


@dataclasses.dataclass(frozen=True)
class Keyed:
    KIND: ClassVar[str] = ""
    KEY: ClassVar[str] = ""
    KINDS: ClassVar[dict[str, type[Keyed]]]  # set on each family's root

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "KINDS" in cls.__dict__ or not cls.KIND:
            return  # a family's root, or a shared base of several kinds
        assert cls.KIND not in cls.KINDS, f"two of kind {cls.KIND}"
        cls.KINDS[cls.KIND] = cls
        fields = {name for _, name, _, _ in string.Formatter().parse(cls.KEY) if name}
        cls._key_fields = frozenset(fields)  # type: ignore[attr-defined]

    @property
    def key(self) -> str:
        names = self._key_fields  # type: ignore[attr-defined]
        return self.KEY.format(**{name: getattr(self, name) for name in names})


def dump(value: Keyed) -> dict[str, Any]:
    data = codec.dump(value)
    assert isinstance(data, dict)
    return data


def load(family: type[K], kind: str, data: dict[str, Any]) -> K:
    """The member of `family` stored as `kind` + `data`; CodecError for unknown or garbled."""
    cls = family.KINDS.get(kind)
    if cls is None or not issubclass(cls, family):
        raise codec.CodecError(f"unknown {family.__name__.lower()} kind {kind!r}")
    return codec.load(cls, data)
