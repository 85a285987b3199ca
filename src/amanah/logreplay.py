"""What every replay of the log shares: the fund's books, and the access, materials and
assets replays. Each reads the entries of its own kinds and refuses, naming the entry, one
that breaks a rule; this module is the reading and the refusing they have in common.

Pure Python, no Django: the audit runs the replays with no database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Refused", "Violation", "apply", "get", "kind_of", "text"]

_PREFIX, _SUFFIX = "amanah.", ".v1"


class Refused(Exception):
    """An entry that does not have the shape its kind requires, or breaks a rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Violation:
    """A refused entry: its index, a stable code, and what is wrong, in words."""

    index: int
    code: str
    message: str

    def to_json(self) -> dict[str, object]:
        return {"index": self.index, "code": self.code, "message": self.message}


def kind_of(value: object) -> str | None:
    """An entry's kind without its namespace and version ("pledge.recorded" of
    "amanah.pledge.recorded.v1"); None for anything that is not an Amanah entry."""
    kind = value.get("type") if isinstance(value, Mapping) else None
    if not isinstance(kind, str) or not kind.startswith(_PREFIX) or not kind.endswith(_SUFFIX):
        return None
    return kind[len(_PREFIX) : -len(_SUFFIX)]


def apply(
    index: int, kind: str, value: Mapping[str, Any], handler: Callable[[Mapping[str, Any]], None]
) -> Violation | None:
    """Run `handler` on the entry's data; its refusal becomes the entry's violation."""
    data = value.get("data")
    try:
        if not isinstance(data, Mapping):
            raise Refused("malformed_entry", "data must be an object")
        handler(data)
    except Refused as error:
        return Violation(index, error.code, f"{kind}: {error}")
    return None


def get(data: Mapping[str, Any], name: str) -> Any:
    if name not in data:
        raise Refused("malformed_entry", f"data.{name} is missing")
    return data[name]


def text(data: Mapping[str, Any], name: str) -> str:
    value = get(data, name)
    if not isinstance(value, str) or not value:
        raise Refused("malformed_entry", f"data.{name} must be a non-empty string")
    return value
