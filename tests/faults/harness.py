"""Fault-injection harness: what an uninterrupted run produces vs what the worker published.

The expected alerts come from the worker's own code (:class:`ResidentProcessor`)
run offline over the same records in the same per-partition order, with no
broker and no interruption. The observed alerts are read back from the alert
topics after the worker (killed, rebalanced, stalled...) has consumed everything.

An alert is identified by ``(alert_id, notification, recipient kind)``: ids are
deterministic (resident, type, episode; ``-esc``/``-rN`` for escalation stages),
so a redelivery after a crash carries the id of the first delivery.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from agents.engine import Engine
from streams.codec import Limits
from streams.processor import Record, ResidentProcessor, partition_for
from streams.topics import ALERT_TOPICS, CARE_CONTEXT, SENSOR_EVENTS
from tests.conftest import TEST_PARTITIONS

SOAK = os.environ.get("TILSYN_SOAK", "") not in ("", "0")
"""``make soak``: longer runs, more records, more faults."""

AlertKey = tuple[str, str, str]
"""(alert_id, notification, recipient kind): what identifies one delivered alert."""

Outgoing = tuple[str, bytes | None, bytes | None]
"""(topic with prefix, key, value) for a producer."""


@dataclass(frozen=True, slots=True)
class Consumed:
    """One record read back, with its broker timestamp (ms)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]
    timestamp: int | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    topic: str
    key: bytes | None
    value: bytes | None


def _key(alert: Any) -> AlertKey:
    return (alert.alert_id, alert.notification, alert.recipient.kind.value)


def offline_alerts(records: Iterable[Record], partitions: int) -> Counter[AlertKey]:
    """Alerts of an uninterrupted run of the worker's processor over ``records``, each counted once.

    ``records`` must come in the order a consumer sees each partition (offset order;
    partitions may interleave), with the prefix stripped from topic names. Time is
    event time (``clock=event``), as in the workers under test. At the end the
    processor is ticked until nothing more is due, as the live worker's timer does
    (each tick fires at most one stage of an escalation chain, so one final tick would
    miss stages the live worker fires on its next ticks).
    """
    proc = ResidentProcessor(Engine(), partitions=partitions, limits=Limits(max_past_age_s=None), clock="event")
    out: Counter[AlertKey] = Counter()
    recs = list(records)
    for i in range(0, len(recs), 1000):  # no tick in between: batching changes nothing but speed
        for pub in proc.handle(recs[i:i + 1000], wall_now=0.0).publish:
            if pub.alert is not None:
                out[_key(pub.alert)] = 1
    for _ in range(100):
        fired = [pub.alert for pub in proc.tick(wall_now=0.0).publish if pub.alert is not None]
        if not fired:
            break
        for alert in fired:
            out[_key(alert)] = 1
    return out


def expected_alerts(records: Sequence[Sent], partitions: int) -> Counter[AlertKey]:
    """(alert_id, notification, recipient kind) of an uninterrupted run over records in send order.

    Partitions are derived from the keys, as the producer's default partitioner does.
    """
    offsets: dict[tuple[str, int], int] = {}
    recs: list[Record] = []
    for sent in records:
        p = partition_for(sent.key, partitions) if sent.key is not None else 0
        off = offsets.get((sent.topic, p), 0)
        offsets[(sent.topic, p)] = off + 1
        recs.append(Record(sent.topic, p, off, None, sent.key, sent.value))
    return offline_alerts(recs, partitions)


async def _true_ends(consumer: AIOKafkaConsumer, tps: Sequence[TopicPartition], deadline: float) -> dict[Any, int]:
    """Log end offsets of ``tps`` (the consumer must have them assigned).

    The embedded broker (Tansu 0.6.0) answers ListOffsets(latest) with the base offset
    of the last record batch plus one, not the log end: after a batch of 10 records
    at offsets 0-9 it says 1. A fetch response carries the right high watermark, so
    the end is read from a fetch at the reported offset minus one. On Apache Kafka
    both agree.
    """
    listed = await consumer.end_offsets(list(tps))
    ends: dict[Any, int] = {}
    todo = set()
    for tp in tps:
        if listed[tp] <= 0:
            ends[tp] = 0
        else:
            consumer.seek(tp, listed[tp] - 1)
            todo.add(tp)
    while todo and time.monotonic() < deadline:
        await consumer.getmany(*todo, timeout_ms=300)
        for tp in list(todo):
            hw = consumer.highwater(tp)
            if hw is not None:
                ends[tp] = max(hw, listed[tp])
                todo.discard(tp)
    if todo:
        raise AssertionError(f"no high watermark for {sorted(map(str, todo))}")
    return ends


async def log_ends(bootstrap: str, topics: Sequence[str], timeout: float = 30.0) -> dict[Any, int]:
    """True log end offsets of every partition of ``topics`` (see :func:`_true_ends`)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, request_timeout_ms=10000)
    await consumer.start()
    try:
        deadline = time.monotonic() + timeout
        tps: list[TopicPartition] = []
        for topic in topics:
            parts = consumer.partitions_for_topic(topic)
            while not parts and time.monotonic() < deadline:
                await consumer._client.force_metadata_update()
                parts = consumer.partitions_for_topic(topic)
                if not parts:
                    await asyncio.sleep(0.2)
            tps.extend(TopicPartition(topic, p) for p in sorted(parts or ()))
        consumer.assign(tps)
        return await _true_ends(consumer, tps, deadline)
    finally:
        await consumer.stop()


async def _read_to_end(bootstrap: str, topics: Sequence[str], timeout: float) -> list[Consumed]:
    """Every record of ``topics`` up to their end offsets at the time of the call."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", max_partition_fetch_bytes=16 * 1024 * 1024,
                                fetch_max_bytes=64 * 1024 * 1024, request_timeout_ms=20000)
    await consumer.start()
    out: list[Consumed] = []
    try:
        deadline = time.monotonic() + timeout
        tps: list[TopicPartition] = []
        for topic in topics:
            parts = consumer.partitions_for_topic(topic)
            while not parts and time.monotonic() < deadline:
                await consumer._client.force_metadata_update()
                parts = consumer.partitions_for_topic(topic)
                if not parts:
                    await asyncio.sleep(0.2)
            tps.extend(TopicPartition(topic, p) for p in sorted(parts or ()))
        if not tps:
            return out
        consumer.assign(tps)
        ends = await _true_ends(consumer, tps, deadline)
        await consumer.seek_to_beginning()
        todo = {tp for tp in tps if ends[tp] > 0}
        while todo and time.monotonic() < deadline:
            # done-ness from the offsets received, not position(): aiokafka's position may run
            # ahead of the records handed out (seen on the embedded broker)
            batch = await consumer.getmany(timeout_ms=500)
            for tp, msgs in batch.items():
                for m in msgs:
                    if m.offset < ends[tp]:
                        out.append(Consumed(m.topic, m.partition, m.offset, m.key, m.value,
                                            {k: v for k, v in (m.headers or ())}, m.timestamp))
                    if m.offset + 1 >= ends[tp]:
                        todo.discard(tp)
        if todo:
            raise AssertionError(f"could not read {sorted(map(str, todo))} to the end within {timeout:.0f} s")
        return out
    finally:
        await consumer.stop()


def read_to_end(bootstrap: str, topics: Sequence[str], timeout: float = 60.0) -> list[Consumed]:
    """Records of ``topics`` up to their current end, each partition in offset order."""
    got = asyncio.run(_read_to_end(bootstrap, topics, timeout))
    got.sort(key=lambda c: (c.topic, c.partition, c.offset))
    return got


def read_inputs(bootstrap: str, prefix: str, topics: Sequence[str]) -> list[Record]:
    """What the input topics actually hold, topic by topic, each partition in offset order.

    The expected run is computed from this rather than from what the test meant to
    send, so a producer retry that wrote a record twice is in both runs.
    """
    out: list[Record] = []
    for topic in topics:
        got = read_to_end(bootstrap, [prefix + topic])
        out.extend(Record(topic, c.partition, c.offset, None, c.key, c.value) for c in got)
    return out


async def _group_done(bootstrap: str, group: str, topics: Sequence[str]) -> tuple[int, int]:
    """(records still to commit, total end offset) for a consumer group over ``topics``.

    Committed offsets are read through a consumer of the group that never joins it
    (via the group coordinator), which works the same on Apache Kafka and the embedded
    broker; end offsets come from :func:`log_ends`.
    """
    ends = await log_ends(bootstrap, topics)
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                             request_timeout_ms=10000)
    await probe.start()
    try:
        remaining = 0
        for tp, end in ends.items():
            done = await probe.committed(tp)
            remaining += max(0, end - (done or 0))
        return remaining, sum(ends.values())
    finally:
        await probe.stop()


def wait_consumed(
    bootstrap: str, group: str, topics: Iterable[str], timeout: float = 120.0,
    watch: Callable[[], None] | None = None,
) -> float:
    """Block until the group has committed every input record; returns seconds waited.

    ``watch`` is called on every poll: a test acting as the orchestrator restarts a
    worker whose health check says it stalled.
    """
    start = time.monotonic()
    topics = list(topics)
    remaining = -1
    while time.monotonic() - start < timeout:
        if watch is not None:
            watch()
        try:
            remaining, _ = asyncio.run(_group_done(bootstrap, group, topics))
        except Exception:  # coordinator moving, broker just thawed: ask again
            remaining = -1
        if remaining == 0:
            return time.monotonic() - start
        time.sleep(0.5)
    raise AssertionError(f"{remaining} input records still uncommitted after {timeout:.0f} s")


@dataclass(slots=True)
class Observed:
    """Alerts read back from the alert topics."""

    seen: Counter[AlertKey] = field(default_factory=Counter)
    bodies: dict[AlertKey, set[bytes]] = field(default_factory=dict)
    kafka_ts_ms: dict[str, int] = field(default_factory=dict)
    """First broker timestamp per alert id (latency measurements)."""

    @property
    def differing_bodies(self) -> int:
        """Alerts delivered more than once whose copies differ in any byte."""
        return sum(1 for b in self.bodies.values() if len(b) > 1)


def observed_alerts(bootstrap: str, prefix: str) -> Observed:
    """Every alert on the alert topics: counts per (id, notification, recipient) and bodies."""
    obs = Observed()
    for rec in read_to_end(bootstrap, [prefix + t for t in ALERT_TOPICS]):
        assert rec.value is not None
        alert = orjson.loads(rec.value)
        ident = (alert["alert_id"], alert["notification"], alert["recipient"]["kind"])
        obs.seen[ident] += 1
        obs.bodies.setdefault(ident, set()).add(rec.value)
        if rec.timestamp is not None:
            obs.kafka_ts_ms.setdefault(alert["alert_id"], rec.timestamp)
    return obs


def wait_alerts(bootstrap: str, prefix: str, expected: Iterable[AlertKey], timeout: float = 60.0) -> Observed:
    """Poll the alert topics until every expected alert is there (or time is up).

    Tick-triggered alerts may follow the last committed offset by a timer period; a
    last read 2 s after everything arrived (four timer periods) also catches anything extra.
    """
    want = set(expected)
    deadline = time.monotonic() + timeout
    obs = observed_alerts(bootstrap, prefix)
    while not want <= set(obs.seen) and time.monotonic() < deadline:
        time.sleep(1.0)
        obs = observed_alerts(bootstrap, prefix)
    time.sleep(2.0)  # a tick still in flight, or something extra
    return observed_alerts(bootstrap, prefix)


@dataclass(frozen=True, slots=True)
class Verdict:
    expected: int
    seen_distinct: int
    duplicates: int
    lost: list[AlertKey]
    spurious: list[AlertKey]
    differing_bodies: int = 0

    def line(self) -> str:
        return (f"alerts expected {self.expected}, seen {self.seen_distinct} distinct, "
                f"{self.duplicates} duplicate deliveries ({self.differing_bodies} with differing bodies), "
                f"lost {len(self.lost)}, spurious {len(self.spurious)}")


def compare(expected: Counter[AlertKey], seen: Counter[AlertKey] | Observed) -> Verdict:
    obs = seen if isinstance(seen, Observed) else None
    counts = obs.seen if obs is not None else seen
    assert isinstance(counts, Counter)
    lost = sorted(set(expected) - set(counts))
    spurious = sorted(set(counts) - set(expected))
    dups = sum(n - 1 for n in counts.values() if n > 1)
    return Verdict(len(expected), len(counts), dups, lost, spurious,
                   obs.differing_bodies if obs is not None else 0)


def report(scenario: str, records: int, verdict: Verdict | None, **figures: float | int | str) -> str:
    """Print the one-line verdict of a scenario (the figures in docs/RELIABILITY.md come from these)."""
    extra = " ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items())
    head = f"VERDICT {scenario}: records {records}"
    line = f"{head}, {verdict.line()}; {extra}" if verdict is not None else f"{head}; {extra}"
    print("\n" + line)
    return line


# -- traffic --------------------------------------------------------------------


FIXED_END = datetime(2026, 2, 2, tzinfo=UTC)
"""End of the simulated period for workers on event time (``clock=event`` has no
wall-clock skew or age check), fixed so that every run sees the same cohort."""


def cohort_traffic(prefix: str, residents: int, days: int, seed: int, end: datetime = FIXED_END,
                   alarms: int | None = None) -> tuple[list[Outgoing], list[Outgoing]]:
    """Care contexts and sensor events of a simulated cohort with injected episodes.

    ``alarms`` scripted safety-alarm presses (default: one per two residents) are
    merged in at seeded times, so that event-triggered alerts are among the expected
    ones next to the tick-triggered absence patterns. Only ``sensor-events`` is used:
    Kafka orders records within one partition of one topic, not across topics, so a
    resident's measurements (another topic) may be processed before or after its
    sensor events depending on fetch timing, and an exact comparison with an offline
    run would be meaningless. (Without measurements, residents on digital home
    follow-up raise "missed measurement" alerts: tick-triggered, which is welcome.)
    Care contexts go to their own topic and must be consumed before the events.
    """
    import heapq
    import random

    from sim.simulate import Cohort

    start = end - timedelta(days=days)
    cohort = Cohort(residents, days, seed, start, episode_rate=0.9)
    care = [(prefix + CARE_CONTEXT, rid.encode(), raw) for rid, raw in cohort.care_contexts()]
    rng = random.Random(seed)
    span = (end - start).total_seconds()
    presses = []
    for i in range(residents // 2 if alarms is None else alarms):
        rid = cohort.homes[rng.randrange(residents)].resident_id
        t = int(start.timestamp() + span * rng.uniform(0.05, 0.95))
        presses.append((t, SENSOR_EVENTS, rid, orjson.dumps({
            "kind": "alarm_button", "event_id": f"press-{seed}-{i}", "resident_id": rid,
            "time": datetime.fromtimestamp(t, UTC).isoformat(), "device_id": f"{rid}-pendant", "source": "pendant",
        })))
    presses.sort()
    merged = heapq.merge(cohort.events(), presses, key=lambda e: e[0])
    events = [(prefix + topic, rid.encode(), raw) for _, topic, rid, raw in merged if topic == SENSOR_EVENTS]
    return care, events


class LoadProducer(threading.Thread):
    """Sends records at a steady rate from its own thread and event loop (acks=all).

    ``rate`` may be changed while running (bursts). ``sent`` counts records handed to
    the client, ``acked`` records the broker confirmed. Any client error ends the
    thread and is kept in ``error``.
    """

    def __init__(self, bootstrap: str, records: Sequence[Outgoing], rate: float, tick_s: float = 0.02) -> None:
        super().__init__(daemon=True, name="load-producer")
        self.bootstrap = bootstrap
        self.records = records
        self.rate = rate
        self.tick_s = tick_s
        self.sent = 0
        self.acked = 0
        self.error: BaseException | None = None
        self.started_at = 0.0
        self.finished_at = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            asyncio.run(self._run())
        except BaseException as exc:
            self.error = exc
        finally:
            self.finished_at = time.monotonic()

    def stop(self) -> None:
        self._halt.set()

    async def _run(self) -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap, acks="all", linger_ms=5, max_batch_size=256 * 1024,
            max_request_size=16 * 1024 * 1024, request_timeout_ms=120_000,
        )
        await producer.start()
        pending: list[asyncio.Future[Any]] = []
        try:
            self.started_at = time.monotonic()
            credit, last = 0.0, self.started_at
            n = len(self.records)
            while self.sent < n and not self._halt.is_set():
                now = time.monotonic()
                credit = min(credit + (now - last) * self.rate, self.rate)  # at most 1 s of backlog
                last = now
                take = min(int(credit), n - self.sent)
                for topic, key, value in self.records[self.sent:self.sent + take]:
                    pending.append(await producer.send(topic, value, key=key))
                self.sent += take
                credit -= take
                done = [f for f in pending if f.done()]
                for f in done:
                    f.result()
                self.acked += len(done)
                pending = [f for f in pending if not f.done()]
                await asyncio.sleep(self.tick_s)
            await asyncio.gather(*pending)
            self.acked += len(pending)
        finally:
            await producer.stop()

    def wait_sent(self, count: int, timeout: float = 120.0) -> None:
        """Block until ``count`` records were handed over (or the producer ended)."""
        deadline = time.monotonic() + timeout
        while self.sent < count and self.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)

    def finish(self, timeout: float = 180.0) -> None:
        self.join(timeout)
        if self.is_alive():
            raise AssertionError(f"producer still sending after {timeout:.0f} s ({self.sent} sent)")
        if self.error is not None:
            raise AssertionError(f"producer failed after {self.sent} records: {self.error!r}")


def settle_and_compare(bootstrap: str, prefix: str, group: str, timeout: float = 180.0,
                       watch: Callable[[], None] | None = None) -> tuple[Verdict, Observed, int, float]:
    """Wait until the group consumed everything, then compare with an uninterrupted run.

    Returns the verdict, what was observed, the number of input records and the
    seconds it took the group to drain after the call.
    """
    topics = [CARE_CONTEXT, SENSOR_EVENTS]
    drain_s = wait_consumed(bootstrap, group, [prefix + t for t in topics], timeout=timeout, watch=watch)
    inputs = read_inputs(bootstrap, prefix, topics)
    expected = offline_alerts(inputs, TEST_PARTITIONS)
    observed = wait_alerts(bootstrap, prefix, expected, timeout=60)
    assert expected, "the cohort must produce alerts, or the comparison proves nothing"
    return compare(expected, observed), observed, len(inputs), drain_s


def rss_mb(pid: int) -> float:
    """Resident set size of a process in MiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


async def press_alarms(bootstrap: str, topic: str, n: int, every_s: float) -> dict[str, float]:
    """Send ``n`` alarm presses of distinct residents; returns resident id → wall time before sending."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await producer.start()
    sent: dict[str, float] = {}
    try:
        for i in range(n):
            rid = f"r-alarm-{i:03d}"
            value = orjson.dumps({
                "kind": "alarm_button", "event_id": f"alarm-{i}", "resident_id": rid,
                "time": FIXED_END.isoformat(), "device_id": f"{rid}-pendant", "source": "pendant",
            })
            sent[rid] = time.time()
            await producer.send(topic, value, key=rid.encode())
            await asyncio.sleep(every_s)
        await producer.flush()
    finally:
        await producer.stop()
    return sent


def press_latencies(bootstrap: str, prefix: str, sent_at: dict[str, float], timeout: float,
                    poll_s: float) -> dict[str, float]:
    """Resident id → seconds from sending its press to the worker sending its initial alert (broker timestamp)."""
    latencies: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while len(latencies) < len(sent_at) and time.monotonic() < deadline:
        for rec in read_to_end(bootstrap, [prefix + t for t in ALERT_TOPICS]):
            alert = orjson.loads(rec.value or b"{}")
            rid = alert.get("resident_id")
            if rid in sent_at and alert["notification"] == "initial" and rec.timestamp is not None:
                latencies[rid] = rec.timestamp / 1000 - sent_at[rid]
        time.sleep(poll_s)
    return latencies
