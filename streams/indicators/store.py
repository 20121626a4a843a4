"""Where the indicators worker keeps each partition's book: the compacted ``indicators.book`` topic.

One record per partition (key ``book-<p>``, written to partition *p*), so the newest record of a
partition is its book. A worker that is assigned a partition reads that one record back (a plain
aiokafka consumer, no group) before it counts anything of the partition; it writes the book and
waits for the broker before it acknowledges the records the book contains.

Why not a Faust table: with the in-memory store, a partition that was first restored as a standby
and then became active kept none of its keys (the store drops keys of non-active partitions when a
recovery completes, and the next recovery resumes from the standby's position). A killed indicators
worker then counted a month again from nothing. One record per partition needs no table.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.settings import Settings
from streams.topics import INDICATOR_BOOK


def book_key(shard: int) -> bytes:
    return f"book-{shard}".encode()


class BookStore:
    """Read and write the book of one partition on the ``indicators.book`` topic."""

    def __init__(self, settings: Settings, producer: Any) -> None:
        self.settings = settings
        self.topic = settings.topic_prefix + INDICATOR_BOOK
        self.producer = producer
        """Faust's producer (``app.producer``): ``send`` returns a future of the broker's acknowledgement."""
        self._consumer: AIOKafkaConsumer | None = None

    async def load(self, shard: int, timeout_s: float = 10.0) -> bytes | None:
        """The newest book of ``shard``, or None when the partition has none yet."""
        if self._consumer is None:
            self._consumer = AIOKafkaConsumer(bootstrap_servers=self.settings.bootstrap, enable_auto_commit=False,
                                              **self.settings.security.aiokafka_kwargs())
            await self._consumer.start()
        consumer = self._consumer
        tp = TopicPartition(self.topic, shard)
        consumer.assign([tp])
        end = (await consumer.end_offsets([tp]))[tp]
        if end == 0:
            return None
        consumer.seek(tp, max(0, end - 16))  # the last record is the book; a few before it in case of markers
        newest: bytes | None = None
        key = book_key(shard)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            batch = await consumer.getmany(tp, timeout_ms=500)
            for msg in batch.get(tp, ()):
                if msg.key == key:
                    newest = msg.value
                if msg.offset + 1 >= end:
                    return newest
        raise TimeoutError(f"could not read the indicator book of partition {shard} from {self.topic}")

    async def save(self, shard: int, raw: bytes) -> None:
        """Write the book of ``shard`` and wait until the broker has it."""
        fut = await self.producer.send(self.topic, book_key(shard), raw, partition=shard, timestamp=None,
                                       headers=None)
        await fut

    async def close(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None
