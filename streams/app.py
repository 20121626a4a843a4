"""The Faust application: topics, the resident table, the resident agent and its timer.

The resident agent is thin: it hands each batch of raw records to
:class:`streams.processor.ResidentProcessor`, publishes what that returns,
waits for the broker to confirm the alerts, and only then writes the residents'
state, so offsets (committed by Faust after the batch) never run ahead of the
alerts an input caused (at-least-once; deterministic alert ids make duplicates
recognisable).
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import faust
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from agents.engine import Engine
from schemas.alerts import Alert
from streams import metrics
from streams.admin import check_layout, ensure_topics
from streams.batching import BatchApp, BatchTopic
from streams.codec import Limits
from streams.processor import REKEYED_HEADER, BatchOutput, Record, ResidentProcessor, partition_for
from streams.settings import Settings
from streams.topics import ALERT_TOPICS, ALERTS_FHIR, DEAD_LETTER, INPUT_TOPICS

log = logging.getLogger(__name__)

STATE_TABLE = "resident-state"

STALL_AFTER_S = 120.0
"""Default of ``TILSYN_STALL_AFTER_S``: input waiting this long without a processed batch
makes /healthz answer 503 (stalled)."""


def fhir_hooks(team_directory: Path | None = None) -> tuple[Any, Any]:
    """FHIR ingest mapping (bytes → per-observation results) and alert rendering (alert → VKP message bytes)."""
    from agents.alerting.directory import TeamDirectory
    from agents.alerting.fhir import renderer
    from schemas.fhir_observations import read_bundle

    return read_bundle, renderer(TeamDirectory.load(team_directory) if team_directory else None)


class TilsynApp:
    """A tilsyn worker's Faust app with its topics, table and agent."""

    def __init__(self, settings: Settings, engine: Engine | None = None, fhir_output: bool = False) -> None:
        self.settings = s = settings
        fast = s.fast_rebalance
        self.app = BatchApp(
            s.app_id,
            broker=s.broker,
            broker_credentials=s.security.faust_credentials(),
            store="memory://",
            datadir=str(s.data_dir),
            topic_partitions=s.partitions,
            topic_replication_factor=s.replication,
            topic_allow_declare=True,
            consumer_auto_offset_reset="earliest",
            web_enabled=True,
            web_bind=s.http_host,
            web_host=s.http_host,
            web_port=s.http_port,
            web_in_thread=False,
            broker_session_timeout=6.0 if fast else 30.0,
            broker_heartbeat_interval=0.5 if fast else 3.0,
            broker_rebalance_timeout=6.0 if fast else 60.0,
            broker_commit_interval=1.0 if fast else 2.8,
            stream_wait_empty=False,
            stream_buffer_maxsize=max(4096, s.batch_max * 4),
            producer_acks=-1,
            producer_linger=0.005,
            table_cleanup_interval=300.0,
            # the store is in memory, so a "persisted" offset ahead of the reported end cannot
            # mean a stale local database; on the embedded broker it means the end is under-reported
            # (see recovery_buffer_size below), and the check would crash the worker at a rebalance
            recovery_consistency_check=False,
            key_serializer="raw",
            value_serializer="raw",
        )
        self.prefix = s.topic_prefix
        self.inputs = BatchTopic(
            self.app,
            topics=[self.prefix + t for t in INPUT_TOPICS],
            key_serializer="raw", value_serializer="raw",
            partitions=s.partitions,
            is_iterator=True,
            buffer_size=max(4 * s.batch_max, 4000),
        )
        self.app.register_batch_topic(self.inputs)
        self.outputs = [
            self.app.topic(self.prefix + t, key_serializer="raw", value_serializer="raw", partitions=s.partitions)
            for t in (*ALERT_TOPICS, ALERTS_FHIR, DEAD_LETTER)
        ]
        self.table = self.app.Table(
            STATE_TABLE,
            default=None,
            partitions=s.partitions,
            key_type=bytes,
            value_type=bytes,
            use_partitioner=True,
            # apply every changelog record as it is read: Faust ends recovery at the end offset
            # the broker reports, and records fetched after that point wait in a buffer until
            # it is full; with the embedded broker (which reports the last batch's base offset
            # + 1 as the end) the newest states of a partition stayed unapplied after a restart
            recovery_buffer_size=1,
        )
        to_events, render = fhir_hooks(s.team_directory)
        self.processor = ResidentProcessor(
            engine if engine is not None else Engine(),
            partitions=s.partitions,
            limits=Limits(
                max_record_bytes=s.max_record_bytes,
                max_future_skew_s=s.max_future_skew_s,
                max_past_age_s=7 * 24 * 3600.0 if s.clock == "wall" else None,
            ),
            clock=s.clock,
            idle_grace_s=s.idle_grace_s,
            load_state=self._load,
            fhir_bundle_to_events=to_events,
            render_fhir=render if fhir_output else None,
        )
        self._primed = False
        self._assigned: set[int] = set()
        self._batch_lock = asyncio.Lock()
        self._dirty: set[str] = set()
        """Residents whose state changed since the last state flush."""
        self._unacked: list[Any] = []
        """Messages processed since the last state flush: acknowledged (committable) only after it."""
        self._flushed_at = time.monotonic()
        self._progress_at = time.monotonic()
        """When the resident task last processed a batch (or found nothing waiting)."""
        self._stalled_s: float | None = None
        self._register()

    def prepare_topics(self) -> None:
        """Create missing topics and refuse to start on a partition-count mismatch."""
        counts = asyncio.run(ensure_topics(self.settings))
        check_layout(counts, self.settings, sorted(self._input_names))

    # -- table ------------------------------------------------------------
    def _load(self, resident_id: str) -> bytes | None:
        value = self.table.get(resident_id.encode())
        return value if isinstance(value, bytes) else None

    # -- wiring -----------------------------------------------------------
    def _register(self) -> None:
        app, s = self.app, self.settings

        @app.task
        async def resident_batches() -> None:
            """The resident agent: validate, detect, publish per batch; store state and acknowledge per flush."""
            buffer = self.inputs.batch_buffer
            while not app.should_stop:
                # the (Cython) conductor may wrap messages in Events; only the message matters
                messages = [getattr(m, "message", m) for m in await buffer.take(s.batch_max, s.batch_within_s)]
                async with self._batch_lock:
                    # a batch taken before a revocation is filtered after it: never process (and ack)
                    # records of partitions this worker no longer owns (an empty set owns nothing)
                    messages = [m for m in messages if m.partition in self._assigned]
                    if not messages:
                        continue
                    metrics.BATCH_SIZE.observe(len(messages))
                    self._progress_at = time.monotonic()
                    out = self.processor.handle([self._record(m) for m in messages], time.time())
                    await self._apply(out)
                    self._unacked.extend(messages)
                    if time.monotonic() - self._flushed_at >= s.state_flush_s:
                        await self._flush()

        @app.timer(s.tick_interval_s)
        async def tick() -> None:
            if not self._ready():
                return
            async with self._batch_lock:
                await self._tick()

        @app.on_partitions_revoked.connect  # type: ignore[arg-type]
        async def revoked(app: faust.App, revoked: set[Any], **_: Any) -> None:
            parts = {tp.partition for tp in revoked if tp.topic in self._input_names}
            async with self._batch_lock:  # let the batch in flight finish first
                # the new owner recovers state from the changelog: write ours out first
                await self._flush()
                # unacked messages of revoked partitions are re-read by their new owner
                self.inputs.batch_buffer.drop(lambda m: getattr(m, "message", m).partition not in parts)
                self.processor.forget_partitions(parts)
                self._assigned -= parts
            metrics.READY.set(0)

        @app.on_partitions_assigned.connect  # type: ignore[arg-type]
        async def assigned(app: faust.App, assigned: set[Any], **_: Any) -> None:
            self._assigned = {tp.partition for tp in assigned if tp.topic in self._input_names}
            self._primed = False


        @app.page("/metrics")
        async def metrics_page(web: Any, request: Any) -> Any:
            return web.bytes(generate_latest(metrics.REGISTRY), content_type=CONTENT_TYPE_LATEST.split(";")[0])

        @app.page("/healthz")
        async def healthz(web: Any, request: Any) -> Any:
            if self._stalled_s is not None:
                # input waits but nothing was processed for minutes: ask the orchestrator for a restart
                return web.json({"status": "stalled", "idle_s": round(self._stalled_s)}, status=503)
            return web.json({"status": "alive"})

        @app.page("/readyz")
        async def readyz(web: Any, request: Any) -> Any:
            ready = self._ready() and self._primed and self._stalled_s is None
            return web.json({"ready": ready, "partitions": sorted(self._assigned)}, status=200 if ready else 503)


    async def _tick(self) -> None:
        if not self._primed:
            n = self.processor.prime(
                ((k.decode(), v) for k, v in self.table.items() if isinstance(v, bytes)), self._assigned
            )
            self._primed = True
            log.info("loaded %d resident states for %d partitions", n, len(self._assigned))
        await self._apply(self.processor.tick(time.time()))
        if time.monotonic() - self._flushed_at >= self.settings.state_flush_s:
            await self._flush()
        self._observe()

    @property
    def _input_names(self) -> set[str]:
        return {self.prefix + t for t in INPUT_TOPICS}

    def _ready(self) -> bool:
        recovery = self.app.tables.recovery  # type: ignore[attr-defined]
        return bool(recovery.completed.is_set()) and not self.app.rebalancing

    def _record(self, message: Any) -> Record:
        topic = message.topic[len(self.prefix):] if self.prefix else message.topic
        ts = message.timestamp
        headers = message.headers or ()
        return Record(
            topic=topic,
            partition=message.partition,
            offset=message.offset,
            timestamp_ms=int(ts * 1000) if ts else None,
            key=message.key,
            value=message.value,
            rekeyed=any(h[0] == REKEYED_HEADER for h in headers),
        )

    async def _apply(self, out: BatchOutput) -> None:
        """Publish a batch's alerts and dead letters and wait for the broker to confirm them.

        The residents it changed are written to the state changelog at the next flush
        (:meth:`_flush`), and only then are its input messages acknowledged: offsets are
        committed after both alerts and state are safe. A crash in between re-reads the
        input; the same alerts come again with the same ids.
        """
        producer = self.app.producer
        pending = []
        for pub in out.publish:
            fut = await producer.send(
                self.prefix + pub.topic, pub.key, pub.value, partition=None, timestamp=None,
                headers=pub.headers,
            )
            pending.append((fut, pub))
        if pending:
            await asyncio.gather(*(f for f, _ in pending))
            now = time.time()
            for _, pub in pending:
                if pub.alert is not None:
                    self._count(pub.alert, pub.trigger, pub.trigger_ts_ms, now)
        self._dirty |= out.dirty

    async def _flush(self) -> None:
        """Write changed resident states to the changelog, wait, then acknowledge the input.

        Batching state writes over ``TILSYN_STATE_FLUSH_S`` writes each busy resident once
        per flush instead of once per batch; Faust recovers the table from this changelog.
        It is written directly (not via ``Table.__setitem__``) so a flush goes out in one
        awaited burst.
        """
        self._flushed_at = time.monotonic()
        dirty, self._dirty = self._dirty, set()
        messages, self._unacked = self._unacked, []
        if dirty:
            producer = self.app.producer
            engine, states, store = self.processor.engine, self.processor.states, self.table.data
            changelog, partitions = self.table.changelog_topic.get_topic_name(), self.settings.partitions
            writes = []
            for rid in dirty:
                st = states.get(rid)
                if st is None:
                    continue
                key, raw = rid.encode(), engine.dump(st)
                store[key] = raw
                writes.append(await producer.send(
                    changelog, key, raw, partition=partition_for(key, partitions), timestamp=None, headers=None
                ))
            await asyncio.gather(*writes)
        consumer = self.app.consumer
        for m in messages:
            m.ack(consumer)

    @staticmethod
    def _count(alert: Alert, trigger: str | None, trigger_ts_ms: int | None, now: float) -> None:
        metrics.ALERTS.labels(
            type=alert.type.value, severity=alert.severity.value,
            recipient=alert.recipient.kind.value, notification=alert.notification,
        ).inc()
        if alert.notification in ("escalation", "reminder"):
            metrics.ESCALATIONS.labels(
                type=alert.type.value, severity=alert.severity.value, notification=alert.notification
            ).inc()
        if trigger == "event" and trigger_ts_ms is not None:
            metrics.ALERT_LATENCY.labels(trigger="event").observe(max(0.0, now - trigger_ts_ms / 1000.0))
        elif trigger == "tick":
            metrics.ALERT_LATENCY.labels(trigger="tick").observe(max(0.0, now - alert.time.timestamp()))

    def _check_stall(self, waiting: int) -> None:
        """Mark the worker stalled when input waits and no batch was processed for ``stall_after_s``.

        A safety net, not a fix: a worker that says it is ready but does not consume
        (seen rarely after kill -9 on the embedded broker, docs/RELIABILITY.md) turns
        /healthz to 503, so Docker or Kubernetes restart it instead of letting alerts wait.
        """
        now = time.monotonic()
        if waiting == 0:
            self._progress_at = now
            self._stalled_s = None
            return
        idle = now - self._progress_at
        if idle >= self.settings.stall_after_s:
            if self._stalled_s is None:
                log.warning("no batch processed for %.0f s while %d input records wait", idle, waiting)
            self._stalled_s = idle

    def _observe(self) -> None:
        """Refresh gauges that are read rather than counted."""
        now = time.time()
        metrics.READY.set(1 if self._ready() and self._primed else 0)
        metrics.TABLE_ROWS.labels(table=STATE_TABLE).set(len(self.table))
        for p, clock in self.processor.clocks.items():
            if clock.last_record_wall is not None:
                metrics.PROCESSING_LAG.labels(partition=str(p)).set(max(0.0, now - clock.last_record_wall))
        consumer = self.app.consumer
        committed = getattr(consumer, "_committed_offset", {})
        try:
            assignment = consumer.assignment()
        except Exception:  # consumer not started yet
            return
        waiting = 0
        for tp in assignment:
            hw = consumer.highwater(tp)
            if hw is None:
                continue
            done = committed.get(tp)
            lag = hw - (done + 1 if done is not None else 0)
            metrics.CONSUMER_LAG.labels(topic=tp.topic, partition=str(tp.partition)).set(max(0, lag))
            if lag > 0 and tp.topic in self._input_names:
                waiting += lag
        self._check_stall(waiting)
        open_by: dict[str, int] = {}
        open_counts = getattr(self.processor.engine.desk, "open_counts", None)
        if open_counts is not None:
            for st in self.processor.states.values():
                for sev, n in open_counts(st.book).items():
                    open_by[sev] = open_by.get(sev, 0) + n
        for sev in ("low", "medium", "high"):
            metrics.OPEN_ALERTS.labels(severity=sev).set(open_by.get(sev, 0))
