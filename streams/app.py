"""The Faust application: topics, the resident table, the resident agents and their timer.

Two agents, both thin, both on Faust's public stream API (``Stream.noack_take`` and
``Stream.noack``, acknowledged by ``Event.ack``):

- **residents** takes batches of raw records from the resident-keyed input topics and hands
  them to :class:`streams.processor.ResidentProcessor`;
- **alarms** takes safety alarms and falls from their own topic one by one, so an alarm never
  queues behind a bulk batch, a state flush or the timer walk; the alarm look-ahead
  (:mod:`streams.lookahead`) usually has handled it already, and the agent then only
  acknowledges it.

Both publish what the processor returns and wait for the broker to confirm it. Changed
resident state is written to the table every ``TILSYN_STATE_FLUSH_S``, and only then are the
input events acknowledged, so offsets (committed by Faust) never run ahead of the alerts and
the state an input caused (at-least-once; deterministic alert ids make duplicates recognisable).

Faust owns the consumer group, partition assignment, the table and its changelog, standby
replicas and offset commits. Nothing here touches a private Faust attribute
(``tests/streams/test_public_api.py`` checks it).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import faust
from faust.tables.manager import TableManager
from faust.types import TP, TableT
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from agents.engine import Engine
from schemas.alerts import Alert
from streams import faustfix, metrics, store
from streams.admin import check_layout, ensure_topics
from streams.codec import Limits
from streams.faustfix import broker_url
from streams.lookahead import AlarmLookahead, Handoff, in_order
from streams.processor import REKEYED_HEADER, BatchOutput, Record, ResidentProcessor
from streams.settings import Settings
from streams.topics import ALERT_TOPICS, ALERTS_FHIR, BULK_INPUTS, DEAD_LETTER, INPUT_TOPICS, SAFETY_EVENTS
from streams.topicwatch import TopicWatch

log = logging.getLogger(__name__)

STATE_TABLE = "resident-state"
CARE_TABLE = "resident-care"
"""Care contexts apart from the state: they change rarely, the state every flush."""

GAP_HEAL_AFTER_S = 10.0
"""A committed offset standing still this long over an offset never delivered is read again (see _heal_gaps)."""

OPEN_ALERTS_EVERY_S = 15.0
"""How often the open-alert gauge walks every resident's book (it is a dashboard figure, not a trigger)."""


def fhir_hooks(team_directory: Path | None = None) -> tuple[Any, Any]:
    """FHIR ingest mapping (bytes → per-observation results) and alert rendering (alert → VKP message bytes)."""
    from agents.alerting.directory import TeamDirectory
    from agents.alerting.fhir import renderer
    from schemas.fhir_observations import read_bundle

    return read_bundle, renderer(TeamDirectory.load(team_directory) if team_directory else None)


class TilsynApp:
    """A tilsyn worker's Faust app with its topics, table and agents."""

    def __init__(self, settings: Settings, engine: Engine | None = None, fhir_output: bool = False) -> None:
        self.settings = s = settings
        fast = s.fast_rebalance
        self.app = faustfix.App(
            s.app_id,
            fetch_max_wait_ms=s.fetch_max_wait_ms,
            broker=broker_url(s.broker),
            broker_credentials=s.security.faust_credentials(),
            # Faust's memory store, but a newly assigned partition's changelog is read with a plain
            # consumer instead of Faust's per-record replay (streams/store.py)
            store=f"{store.SCHEME}://",
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
            # only /metrics, /healthz and /readyz: Faust's router, table, graph and statistics views
            # would show partitions, table keys (resident ids) and internals without authentication
            web_router_enabled=False,
            web_tables_enabled=False,
            web_graph_enabled=False,
            web_stats_enabled=False,
            web_metrics_enabled=False,
            # failover: a second worker keeps a warm copy of each partition's state
            table_standby_replicas=s.standby_replicas,
            # the session timeout sets the floor of failover: a dead worker's partitions move only
            # after the broker has missed its heartbeats this long (docs/RELIABILITY.md)
            broker_session_timeout=6.0 if fast else s.session_timeout_s,
            broker_heartbeat_interval=0.5 if fast else max(0.5, s.session_timeout_s / 10),
            broker_rebalance_timeout=6.0 if fast else 60.0,
            broker_commit_interval=1.0 if fast else 2.8,
            stream_wait_empty=False,
            stream_buffer_maxsize=max(4096, s.batch_max * 4),
            producer_acks=-1,
            producer_linger=0.005,
            table_cleanup_interval=300.0,
            # the store is in memory, so a "persisted" offset ahead of the reported end cannot
            # mean a stale local database; on the embedded broker it means the end is under-reported
            # (the last batch's base offset + 1; docs/RELIABILITY.md), and the check would crash the
            # worker at a rebalance
            recovery_consistency_check=False,
            key_serializer="raw",
            value_serializer="raw",
        )
        self.prefix = s.topic_prefix
        self.inputs = self.app.topic(
            *(self.prefix + t for t in BULK_INPUTS),
            key_serializer="raw", value_serializer="raw", partitions=s.partitions,
        )
        self.alarm_inputs = self.app.topic(
            self.prefix + SAFETY_EVENTS, key_serializer="raw", value_serializer="raw", partitions=s.partitions,
        )
        self.outputs = [
            self.app.topic(self.prefix + t, key_serializer="raw", value_serializer="raw", partitions=s.partitions)
            for t in (*ALERT_TOPICS, ALERTS_FHIR, DEAD_LETTER)
        ]
        self.table = self._bytes_table(STATE_TABLE)
        self.care_table = self._bytes_table(CARE_TABLE)
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
            load_care=self._load_care,
            fhir_bundle_to_events=to_events,
            render_fhir=render if fhir_output else None,
        )
        self.watch = TopicWatch(
            s, expected=[*sorted(self._input_names), *(t.get_topic_name() for t in self.outputs)],
            changelogs=[t.changelog_topic.get_topic_name() for t in (self.table, self.care_table)],
            group=s.app_id, inputs=sorted(self._input_names),
        )
        self._primed = False
        self._assigned: set[int] = set()
        self._batch_lock = asyncio.Lock()
        self._dirty: set[str] = set()
        """Residents whose state changed since the last state flush."""
        self._care_dirty: set[str] = set()
        """Residents whose care context changed since the last state flush."""
        self._unacked: list[Any] = []
        """Events processed since the last state flush: acknowledged (committable) only after it."""
        self._handoff = Handoff()
        """Alarm offsets the look-ahead processed and Faust has not delivered yet."""
        self.lookahead = AlarmLookahead(
            self.alarm_inputs.get_topic_name(),
            {"bootstrap_servers": s.bootstrap, **s.security.aiokafka_kwargs()},
            s.fetch_max_wait_ms,
            self._look_ahead,
        )
        self._stuck: dict[tuple[str, int], tuple[int, float]] = {}
        """(topic, partition) → (committed offset, since when) while it stands over an undelivered record."""
        self._seen: dict[tuple[str, int], set[int]] = {}
        """(topic, partition) → offsets processed in this assignment and not yet committed (see :meth:`_fresh`)."""
        self._flushed_at = time.monotonic()
        self._progress_at = time.monotonic()
        """When the group's committed offsets last moved (or nothing was waiting)."""
        self._stalled_s: float | None = None
        self._committed_total = -1
        self._open_counted_at = 0.0
        self._register()

    def prepare_topics(self) -> None:
        """Create missing topics and refuse to start on a partition-count mismatch."""
        counts = asyncio.run(ensure_topics(self.settings))
        check_layout(counts, self.settings, sorted(self._input_names))

    # -- table ------------------------------------------------------------
    def _load(self, resident_id: str) -> bytes | None:
        value = self.table.get(resident_id.encode())
        return value if isinstance(value, bytes) else None

    def _load_care(self, resident_id: str) -> bytes | None:
        value = self.care_table.get(resident_id.encode())
        return value if isinstance(value, bytes) else None

    # -- wiring -----------------------------------------------------------
    def _bytes_table(self, name: str) -> TableT[bytes, bytes]:
        """A table of resident id → stored bytes, partitioned like the inputs."""
        return self.app.Table(
            name,
            default=None,
            partitions=self.settings.partitions,
            key_type=bytes,
            value_type=bytes,
            use_partitioner=True,
            options={store.READER_OPTION: {
                "bootstrap_servers": self.settings.bootstrap, **self.settings.security.aiokafka_kwargs(),
            }},
            # Faust's default recovery buffer (1000): the store reads a newly assigned partition to
            # its true end and tells Faust where it holds a kept one (streams/store.py), so Faust
            # has nothing left to replay and stops reading an active changelog once recovered.
            # (With a buffer of 1, needed before the store, Faust kept reading its own active
            # changelogs back for as long as it ran: every state written was fetched again.)
        )

    def _register(self) -> None:
        app, s = self.app, self.settings

        @app.agent(self.inputs, name="residents")
        async def residents(stream: faust.StreamT) -> None:
            """Validate, detect and publish per batch; store state and acknowledge per flush."""
            # noack_take is on faust.Stream (the abstract StreamT does not declare it)
            async for events in cast(faust.Stream, stream).noack_take(s.batch_max, within=s.batch_within_s):
                await self._wait_topics()
                async with self._batch_lock:
                    await self._process(events)
                    if time.monotonic() - self._flushed_at >= s.state_flush_s:
                        await self._flush()

        @app.agent(self.alarm_inputs, name="alarms")
        async def alarms(stream: faust.StreamT) -> None:
            """The alarm lane: each press or fall at once, between the bulk lane's awaits (no lock)."""
            manual = cast(faust.Stream, stream).noack()
            async for _ in manual:
                event = manual.current_event
                if event is None:
                    continue
                m = event.message
                offsets = self._seen.setdefault((m.topic, m.partition), set())
                if m.offset not in offsets and self._handoff.claim(m.topic, m.partition, m.offset):
                    # the look-ahead processed it already: acknowledge it with the next state flush
                    offsets.add(m.offset)
                    self._unacked.append(event)
                    continue
                await self._wait_topics()
                await self._process([event])

        @app.task
        async def alarm_lookahead() -> None:
            """Alarms as soon as the broker has them (streams/lookahead.py); Faust's path stays complete."""
            while s.alarm_lookahead and not app.should_stop:
                try:
                    await self.lookahead.run(lambda: app.should_stop)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # nothing is lost: every alarm still comes through Faust
                    log.warning("alarm look-ahead stopped (%s: %s); alarms take Faust's path meanwhile",
                                type(exc).__name__, exc)
                    await asyncio.sleep(5.0)

        @app.timer(s.tick_interval_s)
        async def tick() -> None:
            if not self._ready():
                self._progress_at = time.monotonic()  # recovering is not stalling
                self._stalled_s = None
                self._observe_recovery()
                return
            async with self._batch_lock:
                await self._tick()

        @app.timer(s.topic_check_s)
        async def check_topics() -> None:
            await self.watch.check()

        @app.on_partitions_revoked.connect  # type: ignore[arg-type]
        async def revoked(app: faust.App, revoked: set[Any], **_: Any) -> None:
            parts = {tp.partition for tp in revoked if tp.topic in self._input_names}
            async with self._batch_lock:  # let the batch in flight finish first
                # the new owner recovers state from the changelog: write ours out first, but do not
                # acknowledge: Faust has already dropped its bookkeeping of the revoked partitions,
                # and an acknowledgement now would be counted again when the records come back
                # (the new owner, maybe this worker, re-reads them from the committed offset)
                await self._flush(acknowledge=False)
                self.processor.forget_partitions(parts)
                self._assigned -= parts
                self._handoff.forget_partitions(parts)
                self.lookahead.assign(self._assigned)
                self._seen = {k: v for k, v in self._seen.items() if k[1] not in parts}
            metrics.READY.set(0)

        @app.on_partitions_assigned.connect  # type: ignore[arg-type]
        async def assigned(app: faust.App, assigned: set[Any], **_: Any) -> None:
            self._assigned = {tp.partition for tp in assigned if tp.topic in self._input_names}
            self._seen = {}
            self._primed = False
            self._handoff = Handoff()
            self.lookahead.assign(self._assigned)

        @app.page("/metrics")
        async def metrics_page(web: Any, request: Any) -> Any:
            return web.bytes(generate_latest(metrics.REGISTRY), content_type=CONTENT_TYPE_LATEST.split(";")[0])

        @app.page("/healthz")
        async def healthz(web: Any, request: Any) -> Any:
            if self.watch.fault is not None:
                # the broker lost or changed our topics: alerts would go nowhere; restart loudly
                return web.json({"status": "topic fault", "fault": self.watch.fault}, status=503)
            if self._stalled_s is not None:
                # input waits but nothing was processed for minutes: ask the orchestrator for a restart
                return web.json({"status": "stalled", "idle_s": round(self._stalled_s)}, status=503)
            return web.json({"status": "alive"})

        @app.page("/readyz")
        async def readyz(web: Any, request: Any) -> Any:
            ready = self._ready() and self._primed and self._stalled_s is None and self.watch.fault is None
            return web.json({"ready": ready, "partitions": sorted(self._assigned)}, status=200 if ready else 503)

    # -- processing -------------------------------------------------------
    async def _process(self, events: Iterable[Any]) -> None:
        """Validate, detect and publish; the events are acknowledged at the next state flush."""
        fresh = self._fresh(events)
        if not fresh:
            return
        metrics.BATCH_SIZE.observe(len(fresh))
        out = self.processor.handle([self._record(e.message) for e in fresh], time.time())
        await self._apply(out)
        self._unacked.extend(fresh)

    async def _look_ahead(self, records: list[Any]) -> None:
        """Process alarms of one partition that the look-ahead saw before Faust delivered them.

        Only once tables are recovered and states scheduled, and only a record whose predecessor
        on the partition was processed (so a resident's presses keep their order); the rest, and
        everything while the broker has lost our topics, is left to Faust's path.
        """
        if not (self._ready() and self._primed) or self.watch.fault is not None:
            return
        take: list[Any] = []
        committed = self.watch.committed
        for r in records:
            if r.partition not in self._assigned:
                return
            key = (r.topic, r.partition)
            processed = self._seen.get(key, set()) | self._handoff.offsets(*key) | {t.offset for t in take}
            if r.offset in processed:
                continue
            if not in_order(r.offset, processed, committed.get(key)):
                break  # an earlier record is still on its way through Faust: the rest follow it
            take.append(r)
        if not take:
            return
        out = self.processor.handle([self._record_of(
            r.topic, r.partition, r.offset, r.timestamp, r.key, r.value, r.headers) for r in take], time.time())
        for r in take:
            self._handoff.mark(r.topic, r.partition, r.offset)
        metrics.LOOKAHEAD.inc(len(take))
        await self._apply(out)

    def _fresh(self, events: Iterable[Any]) -> list[Any]:
        """Events to process: of owned partitions, each offset once per assignment.

        Faust resumes fetching before it seeks a newly assigned partition to its committed
        offset (the flow is already running for table recovery), so after a restart the first
        records of a partition can arrive twice, and out of order (a record fetched before the
        seek may come after the re-read has started). Processing and acknowledging both copies
        put offsets twice into Faust's acknowledged list, and its commit then crept forward by
        one offset per commit (issue: commits stop advancing after kill -9; see also
        :mod:`streams.faustfix`). A copy of an offset already processed in this assignment is
        neither processed nor acknowledged; every other offset is, whatever its order. Records
        of a partition this worker no longer owns are left for their new owner.
        """
        out = []
        seen = self._seen
        assigned = self._assigned
        for ev in events:
            m = ev.message
            if m.partition not in assigned:
                continue
            offsets = seen.get((m.topic, m.partition))
            if offsets is None:
                offsets = seen[(m.topic, m.partition)] = set()
            elif m.offset in offsets:
                continue
            offsets.add(m.offset)
            out.append(ev)
        return out

    def _forget_seen(self) -> None:
        """Drop remembered offsets below what the group committed (they cannot come again)."""
        committed = self.watch.committed
        for key, offsets in self._seen.items():
            done = committed.get(key)
            if done is not None and offsets:
                self._seen[key] = {o for o in offsets if o >= done}
        self._handoff.forget_below(committed)

    async def _heal_gaps(self) -> None:
        """Read a partition again from its committed offset when that record never arrived.

        Faust commits up to the first offset nobody acknowledged. A record that Faust's fetch
        loop dropped (one fetched while it suspends the flow for a rebalance is skipped, and its
        read position moves on) would hold the partition's commit there forever, although
        every later record was processed; and a partition whose records wait on the broker
        but are not delivered at all after a restart (seen once in about 15 kill -9 restarts on
        the embedded broker, cause inside Faust not found) would never be read. When an owned
        partition's committed offset is below its end, was never processed here and has not
        moved for ``GAP_HEAL_AFTER_S``, the partition is resumed (``Consumer.resume_partitions``,
        a no-op unless it was left paused) and sought back to it (``Consumer.seek``): the
        missing records come again and are processed; those already processed are skipped by
        :meth:`_fresh`.
        """
        if not self._ready():
            self._stuck.clear()  # recovering tables: Faust pauses input partitions on purpose
            return
        keys = [(t, p) for t in self._input_names for p in self._assigned]
        due = never_delivered(keys, self.watch.committed, self.watch.ends, self._seen, self._stuck, time.monotonic())
        consumer = self.app.consumer
        for (topic, partition), done, processed in due:
            tp = TP(topic, partition)
            view = consumer.commit_view(tp) if isinstance(consumer, faustfix.Consumer) else {}
            # Faust commits only a run of acknowledged offsets that starts next to the offset it
            # believes committed; that belief can lag the broker's (seen: Faust 17,864, broker
            # 17,911, acknowledged from 17,911 on), and then nothing is ever committed again. Read
            # again from the lower of the two, so the run can start where Faust expects it.
            faust_committed = view.get("committed")
            target = min(done, faust_committed) if isinstance(faust_committed, int) else done
            what = "was processed but its commit stands still" if processed else "was never delivered"
            log.warning("offset %d of %s[%d] %s (%s); reading the partition again from %d",
                        done, topic, partition, what, view, target)
            self._seen[(topic, partition)] = {o for o in self._seen.get((topic, partition), ()) if o < target}
            metrics.GAP_HEALS.inc()
            consumer.resume_partitions({tp})
            await consumer.seek(tp, target)

    async def _tick(self) -> None:
        if not self._primed:
            n = self.processor.prime(
                ((k.decode(), v) for k, v in self.table.items() if isinstance(v, bytes)), self._assigned
            )
            self._primed = True
            log.info("scheduled %d resident states of %d partitions", n, len(self._assigned))
        await self._apply(self.processor.tick(time.time()))
        if time.monotonic() - self._flushed_at >= self.settings.state_flush_s:
            await self._flush()
        self._observe()
        await self._heal_gaps()

    async def _wait_topics(self) -> None:
        """While the broker has lost or changed our topics, publish nothing (it would vanish)."""
        while self.watch.fault is not None and not self.app.should_stop:
            await asyncio.sleep(1.0)

    @property
    def _input_names(self) -> set[str]:
        return {self.prefix + t for t in INPUT_TOPICS}

    @property
    def _recovery(self) -> Any:
        """Faust's table recovery service (``TableManager.recovery``; the abstract type does not declare it)."""
        return cast(TableManager, self.app.tables).recovery

    def _ready(self) -> bool:
        return bool(self._recovery.completed.is_set()) and not self.app.rebalancing

    def _record(self, message: Any) -> Record:
        """A Faust message (timestamp in seconds) as the processor's record."""
        ts = message.timestamp
        return self._record_of(message.topic, message.partition, message.offset,
                               int(ts * 1000) if ts else None, message.key, message.value, message.headers)

    def _record_of(self, topic: str, partition: int, offset: int, timestamp_ms: int | None,
                   key: bytes | None, value: bytes | None, headers: Any) -> Record:
        return Record(
            topic=topic[len(self.prefix):] if self.prefix else topic,
            partition=partition,
            offset=offset,
            timestamp_ms=timestamp_ms or None,
            key=key,
            value=value,
            rekeyed=any(h[0] == REKEYED_HEADER for h in headers or ()),
        )

    async def _apply(self, out: BatchOutput) -> None:
        """Publish alerts and dead letters and wait for the broker to confirm them.

        The residents they changed are written to the table at the next flush
        (:meth:`_flush`), and only then are the input events acknowledged: offsets are
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
        self._care_dirty |= out.care_dirty

    async def _flush(self, acknowledge: bool = True) -> None:
        """Write changed resident states to the table, wait for the changelog, then acknowledge.

        Batching state writes over ``TILSYN_STATE_FLUSH_S`` writes each busy resident once
        per flush instead of once per batch. ``Table.__setitem__`` sends the changelog record
        (Faust also flushes its producer before any commit); the explicit ``flush`` here
        makes the write durable before the input is acknowledged.
        """
        self._flushed_at = time.monotonic()
        dirty, self._dirty = self._dirty, set()
        care_dirty, self._care_dirty = self._care_dirty, set()
        events, self._unacked = self._unacked, []
        rebalancing = self.app.rebalancing
        for rid in care_dirty:
            st = self.processor.states.get(rid)
            if st is None:
                continue
            key, care = rid.encode(), self.processor.engine.dump_care(st)
            if care is not None:
                self.care_table[key] = care
            elif key in self.care_table:
                del self.care_table[key]
        if dirty or care_dirty:
            engine, states, table = self.processor.engine, self.processor.states, self.table
            for n, rid in enumerate(dirty, 1):
                st = states.get(rid)
                if st is not None:
                    table[rid.encode()] = engine.dump(st)
                if n % 500 == 0:
                    await asyncio.sleep(0)  # let the alarm lane in between
            await self.app.producer.flush()
        if not acknowledge or (self.app.rebalancing and not rebalancing):
            # a revocation began while the state was written: the records will be read again
            return
        for ev in events:
            ev.ack()

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

    # -- health -----------------------------------------------------------
    def _check_stall(self, waiting: int, committed_total: int) -> None:
        """Mark the worker stalled when input waits and the group's commits have not moved for ``stall_after_s``.

        A safety net: a worker that says it is ready but does not consume, or consumes but
        cannot commit, turns /healthz to 503, so Docker (autoheal) or Kubernetes restart it
        instead of letting alerts wait. Time spent recovering tables does not count (see the
        tick timer). Offsets come from the broker (the topic watch), not from Faust's memory.
        """
        now = time.monotonic()
        if waiting == 0 or committed_total != self._committed_total:
            self._committed_total = committed_total
            self._progress_at = now
            self._stalled_s = None
            return
        idle = now - self._progress_at
        if idle >= self.settings.stall_after_s:
            if self._stalled_s is None:
                log.warning("commits have not moved for %.0f s while %d input records wait", idle, waiting)
            self._stalled_s = idle

    def _observe_recovery(self) -> None:
        metrics.READY.set(0)
        try:
            remaining = self._recovery.active_remaining_total()
        except Exception:  # recovery not started yet
            return
        metrics.RECOVERY_REMAINING.set(max(0, int(remaining)))

    def _observe(self) -> None:
        """Refresh gauges that are read rather than counted."""
        now = time.time()
        metrics.READY.set(1 if self._ready() and self._primed else 0)
        metrics.RECOVERY_REMAINING.set(0)
        metrics.TABLE_ROWS.labels(table=STATE_TABLE).set(len(self.table))
        for p, clock in self.processor.clocks.items():
            if clock.last_record_wall is not None:
                metrics.PROCESSING_LAG.labels(partition=str(p)).set(max(0.0, now - clock.last_record_wall))
        consumer = self.app.consumer
        try:
            assignment = consumer.assignment()
        except Exception:  # consumer not started yet
            return
        committed = self.watch.committed
        waiting = committed_total = 0
        for tp in assignment:
            hw = consumer.highwater(tp)
            done = committed.get((tp.topic, tp.partition))
            if hw is None or done is None:
                continue
            lag = max(0, hw - done)
            metrics.CONSUMER_LAG.labels(topic=tp.topic, partition=str(tp.partition)).set(lag)
            if tp.topic in self._input_names:
                waiting += lag
                committed_total += done
        self._check_stall(waiting, committed_total)
        self._forget_seen()
        if time.monotonic() - self._open_counted_at >= OPEN_ALERTS_EVERY_S:
            self._open_counted_at = time.monotonic()
            self._count_open()

    def _count_open(self) -> None:
        open_by: dict[str, int] = {}
        open_counts = getattr(self.processor.engine.desk, "open_counts", None)
        if open_counts is not None:
            for st in self.processor.states.values():
                for sev, n in open_counts(st.book).items():
                    open_by[sev] = open_by.get(sev, 0) + n
        for sev in ("low", "medium", "high"):
            metrics.OPEN_ALERTS.labels(severity=sev).set(open_by.get(sev, 0))


def never_delivered(
    keys: Iterable[tuple[str, int]], committed: dict[tuple[str, int], int], ends: dict[tuple[str, int], int],
    seen: dict[tuple[str, int], set[int]], stuck: dict[tuple[str, int], tuple[int, float]], now: float,
    after_s: float = GAP_HEAL_AFTER_S,
) -> list[tuple[tuple[str, int], int, bool]]:
    """Partitions to read again from their committed offset: (partition, that offset, processed?).

    A partition qualifies when records wait beyond its committed offset (the broker's end is
    higher, or later offsets were processed here) and the committed offset has stood still for
    ``after_s`` while the record there was never processed in this assignment, or for twice as
    long although it was (its acknowledgement never took effect). ``stuck`` remembers since when
    each committed offset stands still; it is updated in place.
    """
    due = []
    for key in keys:
        done, end, offsets = committed.get(key), ends.get(key), seen.get(key, set())
        waiting = done is not None and ((end is not None and done < end) or any(o > done for o in offsets))
        if done is None or not waiting:
            stuck.pop(key, None)
            continue
        processed = done in offsets
        since = stuck.setdefault(key, (done, now))
        if since[0] != done:
            stuck[key] = (done, now)
        elif now - since[1] >= (2 * after_s if processed else after_s):
            stuck[key] = (done, now)
            due.append((key, done, processed))
    return due

