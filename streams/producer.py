"""Send JSON-lines files to the input topics (``tilsyn produce``)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import orjson
from aiokafka import AIOKafkaProducer

from schemas.events import SENSOR_KINDS
from schemas.measurements import DHO_KINDS
from streams.settings import Settings
from streams.topics import ALERT_ACKS, CARE_CONTEXT, MEASUREMENTS, SAFETY_EVENTS, SENSOR_EVENTS

_SENSOR = frozenset(SENSOR_KINDS)
_DHO = frozenset(DHO_KINDS)


@dataclass(frozen=True, slots=True)
class Outgoing:
    topic: str
    key: bytes | None
    value: bytes


def route_line(line: bytes, default_topic: str | None = None) -> Outgoing:
    """Topic and key for one JSON line: the topic from its shape, the key its resident id.

    A line that is not JSON (or has no resident id) goes as-is to ``default_topic``
    (or sensor-events) without a key; the worker will dead-letter it with a reason.
    """
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return Outgoing(default_topic or SENSOR_EVENTS, None, line)
    if not isinstance(data, dict):
        return Outgoing(default_topic or SENSOR_EVENTS, None, line)
    rid = data.get("resident_id")
    key = rid.encode() if isinstance(rid, str) else None
    if default_topic is not None:
        topic = default_topic
    elif data.get("kind") in ("alarm_button", "fall"):
        topic = SAFETY_EVENTS  # the alarm lane: never behind bulk sensor traffic
    elif data.get("kind") in _SENSOR:
        topic = SENSOR_EVENTS
    elif data.get("kind") in _DHO:
        topic = MEASUREMENTS
    elif "home_care_team" in data:
        topic = CARE_CONTEXT
    elif "action" in data and "alert_id" in data:
        topic = ALERT_ACKS
    else:
        topic = SENSOR_EVENTS
    return Outgoing(topic, key, line)


def read_lines(source: Path | BinaryIO) -> Iterator[bytes]:
    """Non-empty lines of a JSON-lines file or an open binary stream (standard input), without line ends."""
    if isinstance(source, Path):
        with source.open("rb") as fh:
            yield from read_lines(fh)
        return
    for line in source:
        line = line.rstrip(b"\r\n")
        if line:
            yield line


async def produce(
    settings: Settings,
    records: Iterable[Outgoing],
    rate: float | None = None,
    progress: bool = True,
    total: int | None = None,
) -> int:
    """Send records (optionally paced to ``rate`` per second); returns how many were acknowledged."""
    from tqdm import tqdm

    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap, acks="all", linger_ms=5,
        max_request_size=16 * 1024 * 1024, **settings.security.aiokafka_kwargs(),
    )
    await producer.start()
    sent = 0
    start = time.monotonic()
    bar = tqdm(total=total, unit="rec", disable=not progress, mininterval=0.5)
    try:
        pending = []
        for rec in records:
            pending.append(await producer.send(settings.topic_prefix + rec.topic, rec.value, key=rec.key))
            sent += 1
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                bar.update(len(pending))
                pending.clear()
            if rate:
                ahead = sent / rate - (time.monotonic() - start)
                if ahead > 0.005:
                    await asyncio.sleep(ahead)
        await asyncio.gather(*pending)
        bar.update(len(pending))
    finally:
        bar.close()
        await producer.stop()
    return sent
