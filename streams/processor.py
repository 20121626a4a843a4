"""What the worker does with a batch of records, apart from Kafka I/O.

The Faust agent hands each batch of raw records to :class:`ResidentProcessor`
and carries out what it returns: records to publish (alerts, dead letters,
re-keyed records) and resident states to write to the table. Keeping this free
of Faust makes it testable and lets the benchmark measure it alone.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from aiokafka.partitioner import murmur2

from agents.engine import SAFETY_KINDS, Engine, ResidentState, UnreadableState, peek
from agents.registry import all_parameters
from schemas.alerts import Alert
from schemas.care import CareContext
from schemas.fhir_observations import OBSERVATION_MAX_AGE_S, BundleResult
from streams import metrics
from streams.codec import (
    EARLIEST_PLAUSIBLE,
    LATEST_PLAUSIBLE,
    ClockFault,
    DecodeError,
    Limits,
    check_size,
    decode_ack,
    decode_care,
    decode_event,
    tombstone_key,
)
from streams.deadletter import dead_letter
from streams.topics import ALERT_ACKS, CARE_CONTEXT, DEAD_LETTER, MEASUREMENTS_FHIR, alert_topic

log = logging.getLogger(__name__)

REKEYED_HEADER = "tilsyn.rekeyed_from"
ENTRY_HEADER = "tilsyn.dlq.entry"
"""Dead letter of one entry of a FHIR bundle: the entry's index in the bundle."""


@lru_cache(maxsize=262_144)
def partition_for(key: bytes, partitions: int) -> int:
    """Partition the Java client and aiokafka's default partitioner choose for ``key``.

    Cached: murmur2 is pure Python in aiokafka and every record needs it.
    """
    return (murmur2(key) & 0x7FFFFFFF) % partitions


@dataclass(frozen=True, slots=True)
class Record:
    """One consumed record (topic name without prefix)."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int | None
    key: bytes | None
    value: bytes | None
    rekeyed: bool = False
    """True when tilsyn itself re-published this record under the resident's key."""


@dataclass(frozen=True, slots=True)
class Publish:
    """A record to produce; ``latency_from_ms`` marks an alert whose latency is measured."""

    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]] | None = None
    alert: Alert | None = None
    trigger: str | None = None
    trigger_ts_ms: int | None = None


@dataclass(slots=True)
class BatchOutput:
    publish: list[Publish] = field(default_factory=list)
    dirty: set[str] = field(default_factory=set)
    care_dirty: set[str] = field(default_factory=set)
    """Residents whose care context changed (written to the care table, apart from the state)."""
    events_in: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_municipality: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class PartitionClock:
    """Event time of one input partition number, for ticking its residents.

    Sensor events and DHO measurements of a resident share a partition number but come
    on different topics, which a consumer catching up may read at different speeds. The
    partition's time is the *slowest* active topic's newest event time, so a topic read
    ahead cannot make absence patterns fire for sensors whose events are still unread.
    """

    watermark: float = -math.inf
    """Newest event time on any topic (and the floor restored from stored state)."""
    last_record_wall: float | None = None
    topics: dict[str, list[float]] = field(default_factory=dict)
    """Topic → [newest event time, wall time of its newest record]."""


class ResidentProcessor:
    """Validates records, runs the engine per resident and collects the effects.

    Parameters:
        engine: the shared core (detectors + alert desk).
        partitions: partition count of every resident-keyed topic.
        limits: ingest limits (size, clock skew).
        clock: "wall" (production) or "event" (simulated time).
        idle_grace_s: wall clock mode only: a partition silent for this long follows the wall clock.
        load_state: returns the stored bytes of a resident's state, or None.
        load_care: returns the stored care context of a resident (its own table), or None.
        fhir_bundle_to_events: maps a FHIR Observation bundle to per-observation results.
        render_fhir: renders an alert as FHIR JSON bytes (None: no FHIR output).
        align_topics: partition time is the slowest active input topic's (live reading); off
            for input that is already in global time order (the offline replay).
        topic_grace_s: wall seconds after which a quiet topic stops holding partition time back.
    """

    def __init__(
        self,
        engine: Engine,
        partitions: int,
        limits: Limits,
        clock: str = "wall",
        idle_grace_s: float = 120.0,
        load_state: Callable[[str], bytes | None] | None = None,
        load_care: Callable[[str], bytes | None] | None = None,
        fhir_bundle_to_events: Callable[[bytes], BundleResult] | None = None,
        render_fhir: Callable[[Alert], bytes] | None = None,
        align_topics: bool = True,
        topic_grace_s: float | None = None,
    ) -> None:
        self.engine = engine
        self.partitions = partitions
        self.limits = limits
        self.clock = clock
        self.idle_grace_s = idle_grace_s
        self.load_state = load_state or (lambda rid: None)
        self.load_care = load_care or (lambda rid: None)
        self.fhir_bundle_to_events = fhir_bundle_to_events
        self.render_fhir = render_fhir
        self.align_topics = align_topics
        self.topic_grace_s = topic_grace_s if topic_grace_s is not None else min(idle_grace_s, 10.0)
        self.states: dict[str, ResidentState] = {}
        self.partition_of: dict[str, int] = {}
        self._timers: dict[int, list[tuple[float, str]]] = {}
        """Per partition: a heap of (deadline, resident id); entries made stale by a later schedule are skipped."""
        self._scheduled: dict[str, float] = {}
        """Resident id → the deadline its live heap entry stands for."""
        self.clocks: dict[int, PartitionClock] = {}
        self.known_parameters = all_parameters()

    # -- state cache ------------------------------------------------------
    def state(self, resident_id: str) -> ResidentState:
        """The resident's state, decoded from the table on first use."""
        st = self.states.get(resident_id)
        if st is None:
            raw, care_raw = self.load_state(resident_id), self.load_care(resident_id)
            st = self._decoded(raw, care_raw) if raw else None
            if st is None:
                st = self.engine.new_state(resident_id)
                if care_raw:
                    self.engine.on_care(st, CareContext.model_validate_json(care_raw))
            self.states[resident_id] = st
            self.partition_of[resident_id] = partition_for(resident_id.encode(), self.partitions)
        return st

    def _decoded(self, raw: bytes, care_raw: bytes | None) -> ResidentState | None:
        """A stored state, or None when it cannot be read at all (a later format, damaged bytes).

        Supervision must not stop for one unreadable state: the resident starts afresh with the
        care context (its baselines are learned again), which is logged and counted.
        """
        try:
            return self.engine.load(raw, care_raw)
        except UnreadableState as exc:
            metrics.DETECTOR_ERRORS.labels(stage="state").inc()
            log.error("a stored resident state could not be read (%s); the resident starts afresh", exc)
            return None

    def forget_partitions(self, partitions: Iterable[int]) -> None:
        """Drop cached states and timers of partitions this worker no longer owns."""
        gone = set(partitions)
        for rid in [r for r, p in self.partition_of.items() if p in gone]:
            self.states.pop(rid, None)
            self.partition_of.pop(rid, None)
            self._scheduled.pop(rid, None)
        for p in gone:
            self.clocks.pop(p, None)
            self._timers.pop(p, None)

    def prime(self, items: Iterable[tuple[str, bytes]], partitions: Iterable[int]) -> int:
        """Schedule the timers of every stored resident of the owned partitions (after recovery).

        Only the header of each stored state is read (:func:`agents.engine.peek`): a worker
        that takes over a partition of 100,000 residents is ticking them in a second, and
        decodes a state when it is due or a record for it arrives.
        """
        owned = set(partitions)
        n = 0
        for rid, raw in items:
            if not raw:
                continue
            p = partition_for(rid.encode(), self.partitions)
            if p not in owned:
                continue
            n += 1
            self.partition_of.setdefault(rid, p)
            if rid in self.states:
                self.schedule(rid, self.states[rid].due)
                continue
            due, watermark = peek(raw)
            self.schedule(rid, due)
            clock = self.clocks.setdefault(p, PartitionClock())
            if watermark > clock.watermark:
                clock.watermark = watermark
        metrics.RESIDENTS.set(len(self.partition_of))
        return n

    def schedule(self, resident_id: str, due: float) -> None:
        """Make sure the resident is ticked at ``due`` (an earlier entry already covers it)."""
        if due == math.inf or due >= self._scheduled.get(resident_id, math.inf):
            return
        self._scheduled[resident_id] = due
        p = self.partition_of.get(resident_id)
        if p is None:
            p = self.partition_of[resident_id] = partition_for(resident_id.encode(), self.partitions)
        heapq.heappush(self._timers.setdefault(p, []), (due, resident_id))

    # -- batches ----------------------------------------------------------
    def handle(self, records: Iterable[Record], wall_now: float) -> BatchOutput:
        """Process a batch of consumed records; never raises on bad input."""
        out = BatchOutput()
        for rec in records:
            try:
                self._one(rec, wall_now, out)
            except DecodeError as exc:
                self._reject(rec, exc.code, exc.reason, out)
            except Exception as exc:  # a bug in the core must not stop the stream
                metrics.DETECTOR_ERRORS.labels(stage="record").inc()
                log.exception("core failed on a record from %s[%d]@%d", rec.topic, rec.partition, rec.offset)
                self._reject(rec, "internal_error", f"internal error: {type(exc).__name__}", out)
        # counted per batch: a labels() lookup per record costs more than the detectors
        for (topic, kind), n in out.events_in.items():
            metrics.EVENTS_IN.labels(topic=topic, kind=kind).inc(n)
        for municipality, n in out.by_municipality.items():
            metrics.EVENTS_BY_MUNICIPALITY.labels(municipality=municipality).inc(n)
        states = self.states
        for rid in out.dirty:
            st = states.get(rid)
            if st is not None:
                self.schedule(rid, st.due)
        metrics.RESIDENTS.set(len(self.partition_of))
        return out

    def _reject(self, rec: Record, code: str, reason: str, out: BatchOutput) -> None:
        metrics.INVALID.labels(topic=rec.topic, reason=code).inc()
        metrics.DEAD_LETTERS.labels(topic=rec.topic).inc()
        dl = dead_letter(
            topic=rec.topic, partition=rec.partition, offset=rec.offset, timestamp_ms=rec.timestamp_ms,
            key=rec.key, value=rec.value, code=code, reason=reason,
        )
        out.publish.append(Publish(DEAD_LETTER, dl.key, dl.value, dl.headers))

    def _placed_right(self, rec: Record, resident_id: str, out: BatchOutput) -> bool:
        """True when the record is keyed by its resident and sits in that key's partition.

        Otherwise it is re-published keyed by the resident id (so it lands where that
        resident's state lives) and not processed here; the copy is processed when it arrives.
        """
        key = resident_id.encode()
        if rec.key == key and rec.partition == partition_for(key, self.partitions):
            return True
        if rec.rekeyed:
            if rec.key != key:
                # tilsyn re-publishes under the resident's key: a copy keyed otherwise did not come from us
                raise DecodeError(
                    "forged_header", f"record carries the {REKEYED_HEADER} header but is not keyed by its "
                    "resident: the header was not set by tilsyn (forged or copied by another producer)"
                )
            # our own copy still landed elsewhere: the topic layout is wrong; never loop
            raise DecodeError(
                "bad_key", f"re-keyed record landed in partition {rec.partition}, expected "
                f"{partition_for(key, self.partitions)}: topic partition count differs from the worker's"
            )
        metrics.REKEYED.labels(topic=rec.topic).inc()
        # decoded records have a value
        assert rec.value is not None  # nosec B101
        out.publish.append(
            Publish(rec.topic, key, rec.value, [(REKEYED_HEADER, str(rec.partition).encode())])
        )
        return False

    def _one(self, rec: Record, wall_now: float, out: BatchOutput) -> None:
        skew_ref = wall_now if self.clock == "wall" else None
        if rec.topic == CARE_CONTEXT:
            if rec.value is None:  # tombstone: the care system ended follow-up
                rid = tombstone_key(rec.key)
                out.events_in[(rec.topic, "tombstone")] += 1
                if rec.partition != partition_for(rec.key or b"", self.partitions):
                    raise DecodeError(
                        "bad_key", f"care-context tombstone in partition {rec.partition}, its key belongs in "
                        f"{partition_for(rec.key or b'', self.partitions)}: produce it keyed by the resident id"
                    )
                if rid in self.states or self.load_state(rid) or self.load_care(rid):
                    self.engine.on_care(self.state(rid), None)
                    out.dirty.add(rid)
                    out.care_dirty.add(rid)
                return
            care = decode_care(rec.value, self.limits, self.known_parameters)
            out.events_in[(rec.topic, "care_context")] += 1
            if self._placed_right(rec, care.resident_id, out):
                stale = self.engine.on_care(self.state(care.resident_id), care)
                if stale is not None:
                    raise DecodeError(stale.reason_code, stale.reason)
                out.dirty.add(care.resident_id)
                out.care_dirty.add(care.resident_id)
            return
        if rec.topic == ALERT_ACKS:
            ack = decode_ack(rec.value, self.limits)
            out.events_in[(rec.topic, ack.action)] += 1
            metrics.ACKS.labels(action=ack.action).inc()
            if self._placed_right(rec, ack.resident_id, out):
                now = self.partition_now(rec.partition, wall_now)
                if self.clock == "wall":  # a partition whose records arrive late must not refuse a live ack
                    now = wall_now if now is None else max(now, wall_now)
                alerts, outcome = self.engine.on_ack(self.state(ack.resident_id), ack, now)
                if outcome.refused is not None:
                    raise DecodeError("ack_refused", outcome.refused)
                if outcome.latency_s is not None and outcome.severity is not None:
                    metrics.ACK_LATENCY.labels(severity=outcome.severity).observe(outcome.latency_s)
                out.dirty.add(ack.resident_id)
                self._emit(alerts, rec, "ack", out)
            return
        if rec.topic == MEASUREMENTS_FHIR:
            self._fhir_bundle(rec, wall_now, out)
            return
        try:
            event, t = decode_event(rec.value, skew_ref, self.limits)
            if skew_ref is None:
                self._check_event_clock(rec.partition, event, t)
        except ClockFault as fault:
            if fault.event.kind not in SAFETY_KINDS:
                raise
            # a press or fall from a device whose clock is wrong is still a press or fall: alert it
            # at the time it reached us; never let its time move the resident's clock
            event, t = fault.event, self._receive_time(rec, wall_now)
            log.warning("safety event with an unusable device time (%s) alerted at its arrival time", fault.code)
        out.events_in[(rec.topic, event.kind)] += 1
        if self._placed_right(rec, event.resident_id, out):
            self._event(rec, event, t, out, wall_now)

    # -- FHIR observation bundles (docs/FHIR.md) ---------------------------
    def _fhir_bundle(self, rec: Record, wall_now: float, out: BatchOutput) -> None:
        """Use every usable Observation of a bundle; dead-letter each unusable one on its own.

        The bundle belongs to the resident of its first usable observation; an observation
        naming another resident, one too old or too far ahead, or one the resident's own
        clock refuses (late, duplicate) is dead-lettered alone with its reason.
        """
        if self.fhir_bundle_to_events is None:
            raise DecodeError("fhir", "FHIR ingest is not available in this worker")
        try:
            result = self.fhir_bundle_to_events(check_size(rec.value, self.limits))
        except DecodeError:
            raise
        except ValueError as exc:
            raise DecodeError("fhir", f"FHIR bundle rejected: {exc}") from None
        if not result.events and not result.rejected:
            raise DecodeError("fhir", "FHIR bundle holds no observation")
        out.events_in[(rec.topic, "fhir_bundle")] += 1
        rid: str | None = None
        if result.events:
            rid = result.events[0][1].resident_id
            if not self._placed_right(rec, rid, out):
                return  # the re-keyed copy is processed (and its bad entries dead-lettered) when it arrives
        for rej in result.rejected:
            self._reject_entry(rec, rej.index, "fhir", rej.reason, rej.resource, out)
        for index, ev in result.events:
            try:
                if ev.resident_id != rid:
                    raise DecodeError("fhir", f"entry {index} names another resident than the bundle's "
                                      "first observation: send one bundle per resident")
                t = self._observation_time(rec, ev, wall_now)
                ref = wall_now if self.clock == "wall" else self._reference_time(rec)
                if ev.time_precision == "day" and ref is not None and t > ref:
                    # a reading dated today that arrives before noon was taken before it arrived:
                    # never let an imprecise time move the resident's clock ahead
                    ev = ev.model_copy(update={"time": datetime.fromtimestamp(ref, UTC)})
                    t = ref
                self._event(rec, ev, t, out, wall_now)
            except DecodeError as exc:
                self._reject_entry(rec, index, exc.code, exc.reason, result.entry_bytes(index), out)

    def _observation_time(self, rec: Record, ev: Any, wall_now: float) -> float:
        """The observation's event time, refused when implausible, too far ahead or too old.

        Reference: the wall clock (wall mode), else the partition's event time. A date-only
        observation (local noon) may lie up to 12 h ahead on its own day.
        """
        t = float(ev.time.timestamp())
        if not EARLIEST_PLAUSIBLE <= t < LATEST_PLAUSIBLE:
            raise DecodeError("implausible_time", f"observation time {ev.time.isoformat()} is outside 2000-2100")
        ref = self._reference_time(rec)
        if self.clock == "wall":
            ref = wall_now
        if ref is None:
            return t
        ahead = t - ref
        day = 12 * 3600.0 if ev.time_precision == "day" else 0.0
        allowed_ahead = (self.limits.max_future_skew_s if self.clock == "wall" else self.limits.max_event_jump_s) + day
        if ahead > allowed_ahead:
            raise DecodeError("future_time", f"observation time is {ahead:.0f} s ahead of the "
                              f"{'clock' if self.clock == 'wall' else 'partition time'} (allowed {allowed_ahead:.0f} s)")
        max_age = self.limits.max_past_age_s if self.limits.max_past_age_s is not None else OBSERVATION_MAX_AGE_S
        if -ahead > max_age:
            raise DecodeError("past_time", f"observation is {-ahead / 86400:.1f} days older than the "
                              f"{'clock' if self.clock == 'wall' else 'partition time'} "
                              f"(allowed {max_age / 86400:.1f}): stale or wrongly dated")
        return t

    def _reference_time(self, rec: Record) -> float | None:
        """Event-clock "now" for an observation: its partition's time, else the newest any partition has."""
        clock = self.clocks.get(rec.partition)
        if clock is not None and clock.watermark > -math.inf:
            return clock.watermark
        known = [c.watermark for c in self.clocks.values() if c.watermark > -math.inf]
        return max(known) if known else None

    def _reject_entry(self, rec: Record, index: int, code: str, reason: str, value: bytes, out: BatchOutput) -> None:
        """Dead-letter one entry of a bundle: its own JSON as the value, its index in a header."""
        metrics.INVALID.labels(topic=rec.topic, reason=code).inc()
        metrics.DEAD_LETTERS.labels(topic=rec.topic).inc()
        dl = dead_letter(
            topic=rec.topic, partition=rec.partition, offset=rec.offset, timestamp_ms=rec.timestamp_ms,
            key=rec.key, value=value, code=code, reason=reason,
        )
        out.publish.append(Publish(DEAD_LETTER, dl.key, dl.value, [*dl.headers, (ENTRY_HEADER, str(index).encode())]))

    def _event(self, rec: Record, event: Any, t: float, out: BatchOutput, wall_now: float) -> None:
        st = self.state(event.resident_id)
        alerts, rejected = self.engine.on_event(st, event, t)
        if rejected is not None:
            raise DecodeError(rejected.reason_code, rejected.reason)
        out.by_municipality[st.care.municipality if st.care is not None else "unknown"] += 1
        out.dirty.add(event.resident_id)
        clock = self.clocks.setdefault(rec.partition, PartitionClock())
        if t > clock.watermark:
            clock.watermark = t
        clock.last_record_wall = wall_now
        tw = clock.topics.get(rec.topic)
        if tw is None:
            clock.topics[rec.topic] = [t, wall_now]
        else:
            tw[1] = wall_now
            if t > tw[0]:
                tw[0] = t
        self._emit(alerts, rec, "event", out)

    def _emit(self, alerts: list[Alert], rec: Record | None, trigger: str, out: BatchOutput) -> None:
        for alert in alerts:
            key = alert.resident_id.encode()
            out.publish.append(
                Publish(
                    alert_topic(alert.recipient.kind.value), key, alert.model_dump_json().encode(),
                    [("tilsyn.alert_id", alert.alert_id.encode())], alert, trigger,
                    rec.timestamp_ms if rec is not None else None,
                )
            )
            if self.render_fhir is not None:
                out.publish.append(Publish("alerts.fhir", key, self.render_fhir(alert)))

    def _check_event_clock(self, partition: int, event: Any, t: float) -> None:
        """Event-clock mode: a record far ahead of the partition's time is a wrong device clock.

        Without this, one record stamped in 9999 would become the partition's and the resident's
        time, and every later record of theirs would be rejected as late.
        """
        clock = self.clocks.get(partition)
        ref = clock.watermark if clock is not None else -math.inf
        if ref == -math.inf and self.clocks:
            ref = max(c.watermark for c in self.clocks.values())
        ahead = t - ref
        if ahead > self.limits.max_event_jump_s and ref > -math.inf:
            raise ClockFault(
                "future_time",
                f"event time is {ahead / 86400:.1f} days ahead of the partition's event time "
                f"(allowed {self.limits.max_event_jump_s / 86400:.0f}): device clock wrong",
                event,
            )

    def _receive_time(self, rec: Record, wall_now: float) -> float:
        """When a record reached tilsyn, in the clock the worker runs on."""
        if self.clock == "wall":
            return wall_now
        clock = self.clocks.get(rec.partition)
        if clock is not None and clock.watermark > -math.inf:
            return clock.watermark
        known = [c.watermark for c in self.clocks.values() if c.watermark > -math.inf]
        if known:
            return max(known)
        return rec.timestamp_ms / 1000.0 if rec.timestamp_ms else wall_now

    # -- time -------------------------------------------------------------
    def partition_now(self, partition: int, wall_now: float) -> float | None:
        """Event time up to which a partition's residents may be ticked (None: not yet known)."""
        clock = self.clocks.get(partition)
        wm = self._aligned(clock) if clock is not None else -math.inf
        if self.clock == "wall":
            last = clock.last_record_wall if clock is not None else None
            if last is None or wall_now - last >= self.idle_grace_s:
                # quiet partition: time still passes for the residents in it
                wm = max(wm, wall_now - self.idle_grace_s)
        return wm if wm > -math.inf else None

    def _aligned(self, clock: PartitionClock) -> float:
        """The slowest active topic's event time (a topic quiet for ``topic_grace_s`` does not hold time back)."""
        if not self.align_topics or len(clock.topics) < 2 or clock.last_record_wall is None:
            return clock.watermark
        newest = clock.last_record_wall
        active = [wm for wm, seen in clock.topics.values() if newest - seen <= self.topic_grace_s]
        return min(active) if active else clock.watermark

    def tick(self, wall_now: float) -> BatchOutput:
        """Fire absence patterns and escalations that are due (only residents whose deadline has come)."""
        out = BatchOutput()
        ticked: list[str] = []
        for p, heap in self._timers.items():
            now = self.partition_now(p, wall_now)
            if now is None:
                continue
            while heap and heap[0][0] <= now:
                due, rid = heapq.heappop(heap)
                if self._scheduled.get(rid) != due:
                    continue  # superseded by an earlier deadline, already ticked
                del self._scheduled[rid]
                ticked.append(rid)
                st = self.state(rid)
                try:
                    alerts = self.engine.advance(st, now)
                except Exception:
                    metrics.DETECTOR_ERRORS.labels(stage="tick").inc()
                    log.exception("core failed on a tick")
                    continue
                out.dirty.add(rid)
                self._emit(alerts, None, "tick", out)
        # scheduled after the walk: a deadline still not past ``now`` (a detector that only says
        # "maybe") is looked at again at the next tick, not in an endless loop within this one
        for rid in ticked:
            ticked_state = self.states.get(rid)
            if ticked_state is not None:
                self.schedule(rid, ticked_state.due)
        return out

    def next_due(self, partition: int) -> float:
        """Earliest pending deadline among a partition's residents (inf: none); for a shell that
        moves event time on by itself between records (the offline replay)."""
        heap = self._timers.get(partition)
        while heap and self._scheduled.get(heap[0][1]) != heap[0][0]:
            heapq.heappop(heap)  # superseded: tick() would skip it too
        return heap[0][0] if heap else math.inf

    def due_count(self) -> int:
        """Residents with a pending deadline (for the operations dashboard)."""
        return len(self._scheduled)
