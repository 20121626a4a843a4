"""The alarm look-ahead: a safety alarm is handled the moment the broker has it.

Faust reads every input topic through one consumer and one fetch loop, which hands records to
the agents one at a time, with a task per record. Under bulk load an alarm waits in that loop
behind the sensor records fetched with it: measured at half the sustained rate, the time from
the press to Faust seeing it was p50 67–185 ms, p99 up to 570 ms, while a plain consumer on
the same broker saw the press within p50 11 ms, p99 55 ms (docs/PERFORMANCE.md, "Latency").

The look-ahead is a plain consumer (no group, nothing committed) of this worker's partitions of
the alarm topic, starting at their end when they are assigned. It hands each new alarm to the
worker, which processes it at once. Faust stays in charge of the group, the tables and the
commits: it still delivers the same record through its own path a little later, and the worker
then only acknowledges it (:class:`Handoff`). The look-ahead only ever takes a record whose
predecessor on its partition was already processed, so per resident the order of presses and
falls is the order on the topic; anything else (a backlog after a restart, a record arriving
while tables recover) goes the normal way. Losing the look-ahead loses nothing: every record
still arrives through Faust.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Container, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

Key = tuple[str, int]
"""(topic, partition)"""


class Handoff:
    """Offsets the look-ahead processed that Faust has not delivered yet (to acknowledge, not to process)."""

    __slots__ = ("_done",)

    def __init__(self) -> None:
        self._done: dict[Key, set[int]] = {}

    def mark(self, topic: str, partition: int, offset: int) -> None:
        self._done.setdefault((topic, partition), set()).add(offset)

    def offsets(self, topic: str, partition: int) -> set[int]:
        return self._done.get((topic, partition), set())

    def claim(self, topic: str, partition: int, offset: int) -> bool:
        """True, once, for an offset the look-ahead processed: Faust has now delivered it."""
        done = self._done.get((topic, partition))
        if done is None or offset not in done:
            return False
        done.discard(offset)
        return True

    def forget_partitions(self, partitions: Iterable[int]) -> None:
        gone = set(partitions)
        self._done = {k: v for k, v in self._done.items() if k[1] not in gone}

    def forget_below(self, committed: dict[Key, int]) -> None:
        """Drop offsets below what the group committed: Faust will not deliver them again."""
        for key, offsets in self._done.items():
            done = committed.get(key)
            if done is not None and offsets:
                self._done[key] = {o for o in offsets if o >= done}

    def __len__(self) -> int:
        return sum(len(v) for v in self._done.values())


def in_order(offset: int, processed: Container[int], committed: int | None) -> bool:
    """Whether the record at ``offset`` may be taken now: its predecessor on the partition is done.

    ``processed``: offsets processed in this assignment (by either path); ``committed``: the
    group's committed offset of the partition (everything below it is done).
    """
    before = offset - 1
    return offset == 0 or (committed is not None and before < committed) or before in processed


class AlarmLookahead:
    """A plain consumer of this worker's alarm partitions, from their end, handing records to ``handle``."""

    def __init__(self, topic: str, consumer_kwargs: dict[str, Any], fetch_max_wait_ms: int,
                 handle: Callable[[list[Any]], Awaitable[None]]) -> None:
        self.topic = topic
        self._kwargs = consumer_kwargs
        self._fetch_max_wait_ms = fetch_max_wait_ms
        self._handle = handle
        self._wanted: set[int] = set()
        self._changed = asyncio.Event()

    def assign(self, partitions: Iterable[int]) -> None:
        """Follow Faust's assignment (applied by :meth:`run` between fetches)."""
        self._wanted = set(partitions)
        self._changed.set()

    async def run(self, should_stop: Callable[[], bool]) -> None:
        consumer = AIOKafkaConsumer(
            group_id=None, enable_auto_commit=False, auto_offset_reset="latest",
            fetch_max_wait_ms=self._fetch_max_wait_ms, **self._kwargs,
        )
        await consumer.start()
        try:
            while not should_stop():
                if self._changed.is_set():
                    self._changed.clear()
                    tps = [TopicPartition(self.topic, p) for p in sorted(self._wanted)]
                    consumer.assign(tps)
                    if tps:
                        # from now on: what was there before is Faust's to deliver
                        await consumer.seek_to_end(*tps)
                if not self._wanted:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), timeout=1.0)
                    continue
                batch = await consumer.getmany(timeout_ms=200)
                for records in batch.values():
                    await self._handle(records)
        finally:
            await consumer.stop()
