"""Indicators from history without a broker: ``tilsyn replay --indicators FILE``.

The replay's alerts, the care contexts and any acknowledgements in the input go through the same
:class:`streams.indicators.feed.IndicatorFeed` as live, in event-time order, into one book.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from schemas.alerts import Acknowledgement, Alert
from schemas.care import CareContext
from schemas.indicators import IndicatorWindow
from streams.indicators.feed import IndicatorFeed


def compute(care_lines: Iterable[bytes], alerts: Iterable[Alert], acks: Iterable[Acknowledgement]) -> list[IndicatorWindow]:
    """Every window of the history, closed where the data runs past its end (+ grace), else open."""
    book = IndicatorFeed().book(0)
    timeline: list[tuple[float, int, object]] = []
    for raw in care_lines:
        try:
            ctx = CareContext.model_validate_json(raw)
        except ValidationError:
            continue  # the replay dead-letters it with its reason
        timeline.append((ctx.updated_at.timestamp(), 0, ctx))
    timeline.extend((a.time.timestamp(), 1, a) for a in alerts)
    timeline.extend((k.time.timestamp(), 2, k) for k in acks)
    timeline.sort(key=lambda x: (x[0], x[1]))
    for _, _, item in timeline:
        if isinstance(item, CareContext):
            book.care(item.resident_id, item)
        elif isinstance(item, Alert):
            book.alert(item)
        elif isinstance(item, Acknowledgement):
            book.ack(item)
    return book.records()


def write(records: Iterable[IndicatorWindow], path: Path) -> int:
    """JSON Lines of indicator records (the input of ``tilsyn indicators report --from FILE``)."""
    n = 0
    with path.open("wb") as f:
        for r in records:
            f.write(r.model_dump_json().encode() + b"\n")
            n += 1
    return n
