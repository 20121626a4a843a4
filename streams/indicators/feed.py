"""Decode the records the indicators read and hand them to each partition's :class:`IndicatorBook`.

One handler per topic, typed by its message: care contexts (a tombstone ends follow-up),
alerts on every ``alerts.*`` topic, acknowledgements. The Faust agent, ``tilsyn replay
--indicators`` and the tests use this one class, so live and offline count alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from agents.indicators.book import IndicatorBook
from schemas.alerts import Acknowledgement, Alert
from schemas.care import CareContext
from schemas.indicators import IndicatorWindow
from streams import metrics
from streams.topics import ALERT_ACKS, ALERT_TOPICS, CARE_CONTEXT


def _care(book: IndicatorBook, key: bytes | None, value: bytes | None) -> None:
    if value is None:
        if key:
            book.care(key.decode(), None)
        return
    ctx = CareContext.model_validate_json(value)
    book.care(ctx.resident_id, ctx)


def _alert(book: IndicatorBook, key: bytes | None, value: bytes | None) -> None:
    if value is not None:
        book.alert(Alert.model_validate_json(value))


def _ack(book: IndicatorBook, key: bytes | None, value: bytes | None) -> None:
    if value is not None:
        book.ack(Acknowledgement.model_validate_json(value))


Handler = Callable[[IndicatorBook, bytes | None, bytes | None], None]
HANDLERS: dict[str, Handler] = {CARE_CONTEXT: _care, ALERT_ACKS: _ack, **{t: _alert for t in ALERT_TOPICS}}
"""Topic (without prefix) -> handler."""

INPUTS = tuple(HANDLERS)


@dataclass(slots=True)
class IndicatorFeed:
    """The books of the partitions this process holds."""

    books: dict[int, IndicatorBook] = field(default_factory=dict)

    def book(self, shard: int, load: Callable[[], bytes | None] | None = None) -> IndicatorBook:
        """The book of ``shard``, restored with ``load`` (the worker's table) the first time it is asked for."""
        book = self.books.get(shard)
        if book is None:
            raw = load() if load is not None else None
            book = self.books[shard] = IndicatorBook.load(raw) if raw else IndicatorBook(shard)
        return book

    def handle(self, topic: str, book: IndicatorBook, key: bytes | None, value: bytes | None) -> bool:
        """Feed one record; False (and counted, never raised) when it cannot be used."""
        handler = HANDLERS.get(topic)
        if handler is None:
            metrics.INDICATOR_SKIPPED.labels(topic=topic, reason="unknown_topic").inc()
            return False
        try:
            handler(book, key, value)
        except (ValidationError, ValueError, UnicodeDecodeError):
            # the detection worker dead-letters bad input with its reason; here it is only counted
            metrics.INDICATOR_SKIPPED.labels(topic=topic, reason="invalid").inc()
            return False
        return True

    def forget(self, shards: Iterable[int]) -> None:
        for s in shards:
            self.books.pop(s, None)

    def current(self) -> list[IndicatorWindow]:
        """Records of the running windows (those containing each book's watermark) of every book."""
        out: list[IndicatorWindow] = []
        for book in self.books.values():
            wm = book.state.watermark
            out.extend(r for r in book.records() if r.start.timestamp() <= wm < r.end.timestamp())
        return out
