"""Reading behaviour detector states back from their JSON form.

JSON has no infinity: orjson writes ``inf`` as ``null``. Behaviour states use an
infinite float only as a field's default ("not yet", "none pending"), so a
``null`` float field is restored to its default, then :func:`from_plain` rebuilds
the nested dataclasses.
"""

from __future__ import annotations

import dataclasses
import typing
from functools import cache
from typing import Any, TypeVar

from agents.statecodec import from_plain

T = TypeVar("T")


@cache
def _fields(cls: type) -> tuple[tuple[str, Any, Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name], f.default) for f in dataclasses.fields(cls))


def _restore(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    for name, hint, default in _fields(cls):
        v = out.get(name, dataclasses.MISSING)
        if v is None and isinstance(default, float):
            out[name] = default
        elif isinstance(v, dict) and dataclasses.is_dataclass(hint) and isinstance(hint, type):
            out[name] = _restore(hint, v)
        elif isinstance(v, dict) and typing.get_origin(hint) is dict:
            inner = typing.get_args(hint)[1] if typing.get_args(hint) else None
            if dataclasses.is_dataclass(inner) and isinstance(inner, type):
                out[name] = {k: _restore(inner, x) if isinstance(x, dict) else x for k, x in v.items()}
    return out


def load_state(cls: type[T], data: dict[str, Any]) -> T:
    """Inverse of dumping dataclass state ``cls`` with orjson (infinite defaults included)."""
    return from_plain(cls, _restore(cls, data))
