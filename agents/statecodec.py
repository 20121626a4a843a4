"""The one codec of stored resident state: typed msgpack through msgspec.

Every stored state class derives from :class:`Stored`, a ``msgspec.Struct`` stored as a
positional array (``array_like``) with trailing default fields left out (``omit_defaults``):
no field names in the stored bytes, and a state is read back typed in one pass. msgpack keeps
floats exact, ±inf and NaN included (JSON has neither; format 1 wrote them as ``null``).

Because fields are stored by position, a stored class may only gain fields **at its end, with
a default** (older states then read with that default). Renaming, removing or reordering a field,
or changing its type, is a new state format (``agents.engine.STATE_FORMAT``) with a reader for
the previous one.

:func:`from_v1` reads the JSON objects of state format 1 (field names as keys, ``null`` for an
infinite float); nothing writes that format any more.
"""

from __future__ import annotations

import hashlib
import math
import types
import typing
from functools import cache
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")


Number = int | float
"""A stored number that may be a count: an int is stored as one (1 to 5 bytes instead of a float's
9) and read back as an int, so a state stores back byte for byte what it was."""


class Stored(msgspec.Struct, array_like=True, omit_defaults=True):
    """Base of every class that is part of a stored resident state (see the module docstring)."""


ENCODER = msgspec.msgpack.Encoder()
"""Encodes stored state (Structs, lists, dicts, bytes, scalars) as msgpack."""


@cache
def decoder(tp: Any) -> msgspec.msgpack.Decoder[Any]:
    """A msgpack decoder that builds ``tp`` (a Struct or any typed container) in one pass."""
    return msgspec.msgpack.Decoder(tp)


def encode(obj: Any) -> bytes:
    """The stored bytes of a state or part of one."""
    return ENCODER.encode(obj)


def decode(raw: bytes | memoryview, tp: type[T]) -> T:
    """Inverse of :func:`encode` for stored type ``tp``."""
    result: T = decoder(typing.cast(Any, tp)).decode(raw)
    return result


def to_plain(obj: Any) -> Any:
    """Plain lists, dicts and scalars of a stored state (for tests and debugging)."""
    return msgspec.to_builtins(obj, builtin_types=(bytes,))


def id_hash(text: str) -> int:
    """Stable 48-bit hash of an event or alert id, kept to recognise it again (Python's hash()
    differs between processes); 48 bits make a false match among a few hundred ids negligible."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=6).digest(), "big")


def pack_hashes(hashes: list[int]) -> bytes:
    """48-bit hashes (seen event ids, sent alert ids) as 6-byte words: 6 bytes each stored."""
    return b"".join(h.to_bytes(6, "big") for h in hashes)


def unpack_hashes(packed: bytes) -> list[int]:
    """Inverse of :func:`pack_hashes`."""
    return [int.from_bytes(packed[i : i + 6], "big") for i in range(0, len(packed), 6)]


# -- format 1 (JSON objects) ----------------------------------------------------------------


@cache
def _fields_v1(cls: type[msgspec.Struct]) -> tuple[tuple[str, Any, Any], ...]:
    """(name, type, default) of each field of a stored class."""
    return tuple((f.name, f.type, f.default) for f in msgspec.structs.fields(cls))


def _convert_v1(tp: Any, value: Any, default: Any = msgspec.NODEFAULT) -> Any:
    if value is None:
        # format 1 wrote an infinite float as null: a float field's own (infinite) default,
        # or +inf where the field has no float default (a deadline that is not set)
        if tp is float:
            return default if isinstance(default, float) else math.inf
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if arg is not type(None):
                return _convert_v1(arg, value)
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct):
        return from_v1(tp, value)
    if origin is list:
        (arg,) = typing.get_args(tp) or (Any,)
        return [_convert_v1(arg, v) for v in value]
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert_v1(args[0], v) for v in value)
        return tuple(_convert_v1(a, v) for a, v in zip(args, value, strict=True))
    if origin is dict:
        kt, vt = typing.get_args(tp) or (Any, Any)
        return {_convert_v1(kt, k): _convert_v1(vt, v) for k, v in value.items()}
    if tp is int and isinstance(value, str):
        return int(value)  # dict keys come back from JSON as strings
    if tp is float and isinstance(value, int):
        return float(value)
    return value


def from_v1(cls: type[T], data: dict[str, Any]) -> T:
    """A stored class from its format-1 JSON object (unknown keys ignored, missing ones defaulted)."""
    kwargs = {
        name: _convert_v1(hint, data[name], default)
        for name, hint, default in _fields_v1(typing.cast(Any, cls))
        if name in data
    }
    return cls(**kwargs)
