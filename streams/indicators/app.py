"""The indicators worker: a Faust app of its own over alerts, acknowledgements and care contexts.

It runs as its own process and consumer group (``<TILSYN_APP_ID>-indicators``, ``tilsyn
indicators worker``), so counting never competes with the alarm lane or the detection batches
for a worker's event loop, and it can be stopped or restarted without touching detection.
Every topic it reads is keyed by resident id with the same partition count, so partition *p*
of each meets in one worker: one :class:`agents.indicators.book.IndicatorBook` per partition.

Per record: decode, feed the book (:mod:`streams.indicators.feed`), publish the windows that
closed or were revised to the compacted ``indicators`` topic and wait for the broker. Every
``TILSYN_STATE_FLUSH_S`` (on the partition's next record) the book is written to the compacted
``indicators.book`` topic (:mod:`streams.indicators.store`) and, once the broker has it, that
partition's records are acknowledged: offsets never run ahead of the stored book
(at-least-once; a record read twice is counted once, since alerts are counted by id and only a
first acknowledgement counts). A newly assigned partition's book is read back from that topic
before any of its records is counted. Open windows are published as provisional records at most
every ``OPEN_EVERY_S``. Public Faust API only (``Stream.noack``, ``Event.ack``, ``producer.send``).
"""

from __future__ import annotations

import logging
import time
from typing import Any, cast

import faust
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from schemas.indicators import IndicatorWindow
from streams import metrics
from streams.faustfix import broker_url
from streams.indicators import gauges
from streams.indicators.feed import INPUTS, IndicatorFeed
from streams.indicators.store import BookStore
from streams.settings import Settings
from streams.topics import INDICATORS

log = logging.getLogger(__name__)

BOOK_TABLE = "indicator-books"
"""Label of the tilsyn_table_rows gauge: books held by this worker."""
GAUGES_EVERY_S = 2.0
"""How often the gauges are set from the books (Prometheus scrapes every 15 s by default)."""
OPEN_EVERY_S = 10.0
"""Provisional records of running windows go out at most this often per partition: a dashboard
figure, not an alarm; more often only adds load on the compacted topic."""


class IndicatorsApp:
    """Faust app and agent of the indicators worker."""

    def __init__(self, settings: Settings) -> None:
        self.settings = s = settings
        fast = s.fast_rebalance
        (s.data_dir / "indicators").mkdir(parents=True, exist_ok=True)
        self.app = faust.App(
            f"{s.app_id}-indicators",
            broker=broker_url(s.broker),
            broker_credentials=s.security.faust_credentials(),
            store="memory://",
            datadir=str(s.data_dir / "indicators"),
            topic_partitions=s.partitions,
            topic_replication_factor=s.replication,
            topic_allow_declare=True,
            consumer_auto_offset_reset="earliest",
            web_enabled=True, web_bind=s.http_host, web_host=s.http_host, web_port=s.http_port,
            web_in_thread=False, web_router_enabled=False, web_tables_enabled=False, web_graph_enabled=False,
            web_stats_enabled=False, web_metrics_enabled=False,
            table_standby_replicas=0,  # no table: the books live on indicators.book (streams/indicators/store.py)
            broker_session_timeout=6.0 if fast else s.session_timeout_s,
            broker_heartbeat_interval=0.5 if fast else max(0.5, s.session_timeout_s / 10),
            broker_rebalance_timeout=6.0 if fast else 60.0,
            broker_commit_interval=1.0 if fast else 2.8,
            stream_wait_empty=False,
            producer_acks=-1,
            recovery_consistency_check=False,  # memory store; see streams/app.py
            key_serializer="raw",
            value_serializer="raw",
        )
        self.prefix = s.topic_prefix
        self.inputs = self.app.topic(*(self.prefix + t for t in INPUTS), key_serializer="raw",
                                     value_serializer="raw", partitions=s.partitions)
        self.out = self.app.topic(self.prefix + INDICATORS, key_serializer="raw", value_serializer="raw",
                                  partitions=s.partitions)
        self.store = BookStore(s, self.app.producer)
        self.feed = IndicatorFeed()
        self._unacked: dict[int, list[Any]] = {}
        self._stored_at: dict[int, float] = {}
        self._opened_at: dict[int, float] = {}
        self._assigned: set[int] = set()
        self._register()

    def _register(self) -> None:
        app = self.app

        @app.agent(self.inputs, name="indicators")
        async def indicators(stream: faust.StreamT) -> None:
            """Count each record into its partition's book; publish closed windows; store, then acknowledge."""
            manual = cast(faust.Stream, stream).noack()
            async for _ in manual:
                event = manual.current_event
                if event is not None:
                    await self._handle(event)

        @app.timer(GAUGES_EVERY_S)
        async def refresh_gauges() -> None:
            gauges.refresh(self.feed)
            metrics.TABLE_ROWS.labels(table=BOOK_TABLE).set(len(self.feed.books))

        @app.on_partitions_revoked.connect  # type: ignore[arg-type]
        async def revoked(app: faust.App, revoked: set[Any], **_: Any) -> None:
            parts = {tp.partition for tp in revoked}
            self._assigned -= parts
            self.feed.forget(parts)  # the new owner restores the book from the changelog
            for p in parts:
                self._unacked.pop(p, None)  # not acknowledged: read again by the new owner

        @app.page("/metrics")
        async def metrics_page(web: Any, request: Any) -> Any:
            return web.bytes(generate_latest(metrics.REGISTRY), content_type=CONTENT_TYPE_LATEST.split(";")[0])

        @app.page("/healthz")
        async def healthz(web: Any, request: Any) -> Any:
            return web.json({"status": "alive"})

        @app.page("/readyz")
        async def readyz(web: Any, request: Any) -> Any:
            ready = not app.rebalancing and bool(self._assigned)
            return web.json({"ready": ready}, status=200 if ready else 503)

        @app.on_partitions_assigned.connect  # type: ignore[arg-type]
        async def assigned(app: faust.App, assigned: set[Any], **_: Any) -> None:
            self._assigned = {tp.partition for tp in assigned}

    async def _handle(self, event: Any) -> None:
        m = event.message
        shard = m.partition
        topic = m.topic[len(self.prefix):] if self.prefix else m.topic
        book = self.feed.books.get(shard)
        if book is None:
            raw = await self.store.load(shard)
            book = self.feed.book(shard, lambda: raw)
        self.feed.handle(topic, book, m.key, m.value)
        now = time.monotonic()
        open_too = now - self._opened_at.get(shard, 0.0) >= OPEN_EVERY_S
        if open_too:
            self._opened_at[shard] = now
        await self._publish(book.drain(open_too=open_too))
        self._unacked.setdefault(shard, []).append(event)
        if now - self._stored_at.get(shard, 0.0) >= self.settings.state_flush_s:
            self._stored_at[shard] = now
            await self.store.save(shard, book.dump())
            for ev in self._unacked.pop(shard, []):
                ev.ack()

    async def _publish(self, records: list[IndicatorWindow]) -> None:
        futures = []
        for r in records:
            futures.append(await self.out.send(key=r.key.encode(), value=r.model_dump_json().encode()))
            metrics.INDICATOR_RECORDS.labels(status=r.status).inc()
        for f in futures:
            await f
