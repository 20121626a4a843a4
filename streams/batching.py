"""Batch consumption below Faust's per-event stream path.

Faust's Stream creates an Event, runs processors and acknowledges per record;
that machinery, not detection, limited a worker to a few thousand records a
second. :class:`BatchTopic` is a Faust topic whose "queue" is a plain list: the
conductor hands it each consumed message, undecoded, and one task drains whole
batches. Faust still owns the consumer group, partition assignment, tables,
acknowledgements and offset commits: every message is acked through
``Message.ack`` after its batch's effects are published, exactly as a stream would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import faust
from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as _aiokafka


class BatchBuffer:
    """Stands in for a channel queue; bounded, so a slow batch pushes back on the fetcher."""

    __slots__ = ("_not_empty", "_space", "items", "maxsize")

    def __init__(self, maxsize: int) -> None:
        self.items: list[Any] = []
        self.maxsize = maxsize
        self._not_empty = asyncio.Event()
        self._space = asyncio.Event()
        self._space.set()

    def full(self) -> bool:
        return len(self.items) >= self.maxsize

    def empty(self) -> bool:
        return not self.items

    def qsize(self) -> int:
        return len(self.items)

    def put_nowait_enhanced(self, value: Any, *, on_pressure_high: Callable[[], None] | None = None,
                            on_pressure_drop: Callable[[], None] | None = None) -> None:
        self.items.append(value)
        self._not_empty.set()
        if self.full():
            self._space.clear()

    put_nowait = put_nowait_enhanced

    async def put(self, value: Any) -> None:
        while self.full():
            await self._space.wait()
        self.put_nowait_enhanced(value)

    async def take(self, max_items: int, within: float) -> list[Any]:
        """Wait for at least one item, then up to ``within`` seconds for a full batch."""
        while not self.items:
            self._not_empty.clear()
            await self._not_empty.wait()
        if len(self.items) < max_items and within > 0:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + within
            while len(self.items) < max_items:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                self._not_empty.clear()
                try:
                    await asyncio.wait_for(self._not_empty.wait(), remaining)
                except TimeoutError:
                    break
        batch, self.items = self.items[:max_items], self.items[max_items:]
        if not self.full():
            self._space.set()
        return batch

    def drop(self, keep: Callable[[Any], bool]) -> int:
        """Remove buffered items that ``keep`` rejects (partitions revoked); returns how many."""
        before = len(self.items)
        self.items = [m for m in self.items if keep(m)]
        if not self.full():
            self._space.set()
        return before - len(self.items)

    def clear(self) -> None:
        self.items.clear()
        self._space.set()


class BatchTopic(faust.Topic):
    """A Faust topic (set of topics) delivering raw messages into a :class:`BatchBuffer`."""

    def __init__(self, *args: Any, buffer_size: int = 4000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch_buffer = BatchBuffer(buffer_size)

    @property
    def queue(self) -> Any:
        return self.batch_buffer

    async def decode(self, message: Any, *, propagate: bool = False) -> Any:
        # no Event, no deserialisation: the processor decodes whole batches itself
        return message

    async def put(self, value: Any) -> None:
        await self.batch_buffer.put(value)

    def clone(self, **kwargs: Any) -> Any:
        raise NotImplementedError("BatchTopic is consumed by the batch task only")


FETCH_MAX_WAIT_MS = 100
"""Longest a fetch request waits for data. Faust hard-codes 1500 ms: Apache Kafka answers a
fetch as soon as data arrives, but the embedded Tansu broker holds it for the full wait, which
put 0.4-2 s between an alarm press and its alert (bench/, docs/PERFORMANCE.md). At 100 ms an
idle worker sends ten small fetches a second."""


class _ConsumerThread(_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS  # read when start() builds the fetcher
        return consumer


class BatchConsumer(_aiokafka.Consumer):
    """Faust's aiokafka consumer, delivering batch-topic messages without a task per message.

    This is Faust's own fetch loop (``Consumer._drain_messages``) with one change:
    a message of a :class:`BatchTopic` is tracked and reference-counted exactly as
    the conductor does, then appended to the topic's buffer, instead of being sent
    through ``wait_first(callback(message), ...)``, which creates two tasks per
    record. Read offsets, gap tracking for compacted topics, commit pacing and
    flow suspension during rebalances behave as in Faust. Messages of other topics
    (table changelogs during recovery) take Faust's path unchanged.
    """

    def _new_consumer_thread(self) -> Any:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def _drain_messages(self, fetcher: Any) -> None:  # pragma: no cover - exercised by integration
        callback = self.callback
        getmany = self.getmany
        consumer_should_stop = self._stopped.is_set
        fetcher_should_stop = fetcher._stopped.is_set
        get_read_offset = self._read_offset.__getitem__
        set_read_offset = self._read_offset.__setitem__
        commit_every = self._commit_every
        acks_enabled_for = self.app.topics.acks_enabled_for
        buffers: dict[str, BatchBuffer] = getattr(self.app, "batch_buffers", {})
        track = self.track_message
        suspended = self.suspend_flow.is_set
        sleep = asyncio.sleep
        n_since_yield = 0
        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                self.diag.set_flag(CONSUMER_FETCHING)
                ait = getmany(timeout=1.0)
                await sleep(0)
                if self.should_stop:
                    continue
                async for tp, message in ait:
                    n_since_yield += 1
                    if n_since_yield > 1000:
                        await sleep(0)
                        n_since_yield = 0
                    offset = message.offset
                    r_offset = get_read_offset(tp)
                    if r_offset is not None and offset < r_offset:
                        continue
                    gap = offset - (r_offset or 0)
                    if gap > 1 and r_offset and acks_enabled_for(message.topic):
                        await self._add_gap(tp, r_offset + 1, offset)
                    if commit_every is not None and self._n_acked >= commit_every:
                        self._n_acked = 0
                        await self.commit()
                    buffer = buffers.get(message.topic)
                    if buffer is None:
                        await self.wait_first(callback(message), self.suspend_flow.wait())
                    elif not suspended():
                        message.incref(1)
                        track(message)
                        if buffer.full():
                            await self.wait_first(buffer.put(message), self.suspend_flow.wait())
                        else:
                            buffer.put_nowait(message)
                    set_read_offset(tp, offset)
                self.diag.unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                return
            raise


class BatchTransport(_aiokafka.Transport):
    """Faust's aiokafka transport with :class:`BatchConsumer`."""

    Consumer = BatchConsumer


class BatchApp(faust.App):
    """A Faust app whose consumer feeds :class:`BatchTopic` buffers in bulk."""

    batch_buffers: dict[str, BatchBuffer]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch_buffers = {}

    def register_batch_topic(self, topic: BatchTopic) -> None:
        for name in topic.topics:
            self.batch_buffers[name] = topic.batch_buffer
        self.topics.add(topic)

    def _new_transport(self) -> Any:
        return BatchTransport(self.conf.broker_consumer, self)
