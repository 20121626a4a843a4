"""Turn detector state dataclasses into JSON-able data and back.

orjson serialises (slotted) dataclasses natively, so writing state is cheap;
reading happens only when a worker recovers its tables, and goes through
:func:`from_plain`, which rebuilds nested dataclasses from their type hints.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def to_plain(obj: Any) -> Any:
    """Plain lists, dicts and scalars of a dataclass (for tests and debugging)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list | tuple):
        return [to_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items()}
    return obj


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        # orjson writes infinities as null; a plain float field cannot have been None
        return math.inf if tp is float else None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if arg is type(None):
                continue
            return _convert(arg, value)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return from_plain(tp, value)
    if origin is list:
        (arg,) = typing.get_args(tp) or (Any,)
        return [_convert(arg, v) for v in value]
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in value)
        return tuple(_convert(a, v) for a, v in zip(args, value, strict=True))
    if origin is dict:
        kt, vt = typing.get_args(tp) or (Any, Any)
        return {_convert(kt, k): _convert(vt, v) for k, v in value.items()}
    if tp is int and isinstance(value, str):
        return int(value)  # dict keys come back from JSON as strings
    if tp is float and isinstance(value, int):
        return float(value)
    return value


def from_plain(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild dataclass ``cls`` (with nested dataclasses, lists, dicts) from plain data."""
    hints = _hints(cls)  # type: ignore[arg-type]  # classes are hashable
    kwargs = {name: _convert(hints[name], value) for name, value in data.items() if name in hints}
    return cls(**kwargs)
