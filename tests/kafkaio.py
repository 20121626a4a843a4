"""Talking to the real test broker from tests: produce records, read topics, scrape metrics."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from streams.metrics import metric_sum, scrape  # noqa: F401  (re-exported for tests)


@dataclass(frozen=True, slots=True)
class Consumed:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]


async def produce(bootstrap: str, records: Iterable[tuple[str, bytes | None, bytes | None]]) -> int:
    """Send (topic, key, value) records and wait for every acknowledgement."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=16 * 1024 * 1024)
    await producer.start()
    try:
        futures = [await producer.send(t, v, key=k) for t, k, v in records]
        await asyncio.gather(*futures)
        return len(futures)
    finally:
        await producer.stop()


async def read_all(bootstrap: str, topic: str, expect: int | None = None, timeout: float = 30.0,
                   settle: float = 1.0) -> list[Consumed]:
    """Read a topic from the beginning until ``expect`` records arrived (or nothing new for ``settle`` s)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                                auto_offset_reset="earliest", max_partition_fetch_bytes=16 * 1024 * 1024,
                                fetch_max_bytes=64 * 1024 * 1024)
    await consumer.start()
    out: list[Consumed] = []
    try:
        deadline = time.monotonic() + timeout
        parts = None
        while parts is None and time.monotonic() < deadline:
            parts = consumer.partitions_for_topic(topic) or None
            if parts is None:
                await consumer._client.force_metadata_update()
                await asyncio.sleep(0.2)
        if parts is None:
            return out
        consumer.assign([TopicPartition(topic, p) for p in sorted(parts)])
        await consumer.seek_to_beginning()
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            got = [m for msgs in batch.values() for m in msgs]
            for m in got:
                out.append(Consumed(m.topic, m.partition, m.offset, m.key, m.value,
                                    {k: v for k, v in (m.headers or ())}))
            if got:
                quiet_since = time.monotonic()
            if expect is not None and len(out) >= expect and time.monotonic() - quiet_since >= settle:
                break
            if expect is None and time.monotonic() - quiet_since >= settle:
                break
        return out
    finally:
        await consumer.stop()
