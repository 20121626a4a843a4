"""Cheap ISO-8601 timestamps and JSON encoding for millions of simulated records.

Formatting a timestamp through ``datetime`` costs more than the rest of an
event together, so event times are whole UTC seconds rendered from two caches:
the date prefix per UTC day and the ``HH:MM:SS`` text per second of the day.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

DAY = 86400

_HMS: list[str] = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(DAY)]
_DATES: dict[int, str] = {}


def iso_utc(t: int) -> str:
    """``t`` (epoch seconds) as ``YYYY-MM-DDTHH:MM:SSZ``."""
    day, second = divmod(t, DAY)
    prefix = _DATES.get(day)
    if prefix is None:
        prefix = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%dT")
        _DATES[day] = prefix
    return prefix + _HMS[second]


def dumps(record: dict[str, Any]) -> bytes:
    """Compact JSON bytes of a plain record (orjson)."""
    return orjson.dumps(record)
