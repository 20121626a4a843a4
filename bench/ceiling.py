"""Ceiling: a plain aiokafka consumer reading and orjson-decoding the pre-produced records."""

from __future__ import annotations

import time
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.common import PARTITIONS, log


async def plain_consumer(bootstrap: str, topics: list[str], n: int, timeout: float = 120.0) -> dict[str, Any]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest",
        max_partition_fetch_bytes=8 * 1024 * 1024, fetch_max_bytes=64 * 1024 * 1024,
    )
    await consumer.start()
    try:
        consumer.assign([TopicPartition(t, p) for t in topics for p in range(PARTITIONS)])
        await consumer.seek_to_beginning()
        count = 0
        t0 = None
        deadline = time.monotonic() + timeout
        loads = orjson.loads
        while count < n and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=10000)
            for msgs in batch.values():
                if t0 is None:
                    t0 = time.perf_counter()
                for m in msgs:
                    loads(m.value)
                count += len(msgs)
        dt = time.perf_counter() - (t0 or time.perf_counter())
    finally:
        await consumer.stop()
    rate = count / dt if dt > 0 else 0.0
    log(f"ceiling: {count} records in {dt:.2f} s = {rate:,.0f} rec/s")
    return {"records": count, "seconds": round(dt, 2), "events_per_s": round(rate)}
