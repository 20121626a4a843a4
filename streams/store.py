"""The table store: Faust's in-memory store, with cold recovery read by a plain consumer.

Faust replays a table changelog through its per-record machinery (fetch loop, conductor,
changelog queue, one ``apply_changelog_batch`` per record with the ``recovery_buffer_size=1`` it needed):
about 1,500 records a second here, 143.6 s for 100,000 residents. A plain
``AIOKafkaConsumer`` reads the same partitions at 10-100 times that. This store keeps Faust in
charge of groups, tables, standbys and commits and only replaces the bulk of the replay,
through the public store interface (``faust.stores`` entry point, URL ``tilsyn-memory://``):

1. ``on_rebalance`` (Faust calls it for every table before its own recovery bookkeeping): for
   each active changelog partition newly assigned to this worker, the partition's keys are
   dropped (a standby copy of the memory store is never complete) and a background task starts
   reading it from its beginning with a plain consumer, keeping the last value per key
   (a tombstone deletes). Only the end offsets are fetched inside the rebalance callback: aiokafka
   sends no heartbeats while the callback runs, so the read itself must not run there.
2. ``persisted_offset`` then tells Faust that the store holds the partition up to its end
   offset as the broker reports it when the read started (``end - 1``: Faust's convention is the
   offset of the last record applied), so Faust's own recovery has nothing left to replay. For a
   partition the worker keeps through a rebalance it reports the newest record the worker wrote
   there (Faust's ``set_persisted_offset``) or applied, so Faust does not replay the worker's own
   writes either. Faust therefore runs with its default recovery buffer and stops reading an
   active changelog once recovered (before the store, a buffer of 1 was needed on the embedded
   broker, and with it Faust read every state the worker wrote back for as long as it ran).
3. The read never stops before that end offset, and it keeps every record it was sent beyond
   it, so on a broker that under-reports the end (the embedded Tansu reports the last batch's
   base offset + 1) nothing is lost: what the read did not get, Faust reads from ``end - 1``.
4. Records Faust applies while the read runs are newer than the end offset; their offsets are
   remembered per key, and the read's image is merged so that, per key, the record with the
   higher offset wins whichever arrived first.
5. ``on_recovery_completed`` (awaited by Faust before it resumes the input partitions and
   marks recovery complete, outside the rebalance callback) waits for the reads. A read that
   fails crashes the worker: Faust was told the partition is held, so carrying on would serve
   an incomplete table.

Everything else is the memory store's behaviour (``faust.stores.memory.Store``), written out
here so that no private attribute of Faust's is used: keys of partitions that are no longer
active are dropped when recovery completes, standby partitions are replayed by Faust as before.
Only tables of bytes with the raw serializer are supported (what tilsyn's tables are): the
read stores the record bytes as they are.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.stores import base
from faust.types import TP, EventT

from streams import metrics

log = logging.getLogger(__name__)

SCHEME = "tilsyn-memory"
"""URL scheme of this store (``store="tilsyn-memory://"``), registered in pyproject.toml."""

READER_OPTION = "changelog_reader"
"""Table option: keyword arguments of the plain consumer (bootstrap servers, security)."""

IDLE_LIMIT_S = 60.0
"""A read that receives nothing this long while records wait below the end offset fails."""

Image = dict[bytes, tuple[int, bytes | None]]
"""Key → (offset, value) of the newest record of each key in one partition (value None: tombstone)."""


class ChangelogReadError(RuntimeError):
    """A changelog partition could not be read up to its end offset."""


def fold(image: Image, records: Iterable[Any]) -> int:
    """Keep the newest record per key (records of one partition, in offset order); count them."""
    n = 0
    for r in records:
        n += 1
        if r.key is not None:  # Faust never writes a changelog record without a key
            image[r.key] = (r.offset, r.value)
    return n


def merge(image: Image, data: dict[Any, Any], partition_of: dict[Any, int], partition: int,
          newer: Mapping[Any, int]) -> None:
    """Apply a read image to the table, except keys that Faust already applied at a higher offset."""
    for key, (offset, value) in image.items():
        if newer.get(key, -1) > offset:
            continue
        if value is None:
            data.pop(key, None)
            partition_of.pop(key, None)
        else:
            data[key] = value
            partition_of[key] = partition


async def read_changelog(consumer: AIOKafkaConsumer, ends: Mapping[TopicPartition, int],
                         idle_limit_s: float = IDLE_LIMIT_S) -> tuple[dict[TopicPartition, Image], int]:
    """Read assigned partitions from their current position to at least ``ends``: images and record count.

    Every record received is kept, also beyond the end offset (see the module docstring, point 3).
    """
    images: dict[TopicPartition, Image] = {tp: {} for tp in ends}
    pending = {tp for tp in ends if await consumer.position(tp) < ends[tp]}
    done = set(ends) - pending
    if done:
        consumer.pause(*done)
    total = 0
    progress_at = time.monotonic()
    while pending:
        batch = await consumer.getmany(*pending, timeout_ms=500)
        for tp, records in batch.items():
            total += fold(images[tp], records)
            progress_at = time.monotonic()
        for tp in list(pending):
            if await consumer.position(tp) >= ends[tp]:
                pending.discard(tp)
                consumer.pause(tp)  # no more fetches for it: the tail is Faust's
        if pending and time.monotonic() - progress_at > idle_limit_s:
            raise ChangelogReadError(
                f"no records for {idle_limit_s:.0f} s below the end offset of "
                + ", ".join(f"{tp.topic}[{tp.partition}]" for tp in sorted(pending))
            )
    return images, total


class Store(base.Store):
    """In-memory table store whose newly assigned active partitions are read by a plain consumer."""

    def __post_init__(self) -> None:
        self.data: dict[Any, Any] = {}
        self.partition_of: dict[Any, int] = {}
        """Key → changelog partition, to drop a partition's keys (as Faust's memory store does)."""
        self.actives: set[TP] = set()
        """This table's active changelog partitions of the latest assignment."""
        self.reported: dict[TP, int] = {}
        """Offsets for ``persisted_offset``: partitions whose read started at the latest rebalance."""
        self.kept: set[TP] = set()
        """Active partitions this worker kept through the latest rebalance."""
        self.held: dict[TP, int] = {}
        """Partition → offset of the newest changelog record the store holds (written here or applied)."""
        self.reading: dict[TP, object] = {}
        """Partition → token of the read that may merge into it (a revoked partition's read may not)."""
        self.newer: dict[TP, dict[Any, int]] = {}
        """Per partition being read: key → offset of the newest record Faust applied meanwhile."""
        self.reads: set[asyncio.Task[None]] = set()

    # -- Faust's store interface ------------------------------------------------
    def persisted_offset(self, tp: TP) -> int | None:
        """The last changelog offset the store holds, for Faust's recovery to start after.

        A partition read at this rebalance: the end offset the read started from. A partition
        kept through it: the newest record this worker wrote or applied, so Faust does not replay
        the worker's own writes (it stops reading an active changelog once recovered). Anything
        else (standbys, partitions never held): None, Faust's own bookkeeping.
        """
        if tp in self.reported:
            return self.reported[tp]
        return self.held.get(tp) if tp in self.kept else None

    def set_persisted_offset(self, tp: TP, offset: int) -> None:
        """Faust reports each changelog record this worker wrote, once the broker confirmed it."""
        if offset > self.held.get(tp, -1):
            self.held[tp] = offset

    def reset_state(self) -> None:
        """Nothing on disk to remove (in memory)."""

    async def backup_partition(self, tp: TP | int, flush: bool = True, purge: bool = False,
                               keep: int = 1) -> None:
        """No backups (in memory)."""

    def restore_backup(self, tp: TP | int, latest: bool = True, backup_id: int = 0) -> None:
        """No backups (in memory)."""

    def apply_changelog_batch(self, batch: Iterable[EventT], to_key: Callable[[Any], Any],
                              to_value: Callable[[Any], Any]) -> None:
        data, partition_of, newer, held = self.data, self.partition_of, self.newer, self.held
        for event in batch:
            message = event.message
            if message.offset > held.get(message.tp, -1):
                held[message.tp] = message.offset
            key = to_key(event.key)
            during_read = newer.get(message.tp)
            if during_read is not None:
                during_read[key] = message.offset
            if message.value is None:
                data.pop(key, None)
                partition_of.pop(key, None)
            else:
                data[key] = to_value(event.value)
                partition_of[key] = message.partition

    async def on_rebalance(self, assigned: set[TP], revoked: set[TP], newly_assigned: set[TP],
                           generation_id: int = 0) -> None:
        topic = self.table.changelog_topic.get_topic_name()
        actives = {tp for tp in self.app.assignor.assigned_actives() if tp.topic == topic}
        fresh = actives - self.actives
        self.kept = actives & self.actives
        self.actives = actives
        self.reported = {}
        for tp in fresh:
            self.held.pop(tp, None)  # whatever a standby copy applied: the read starts over
        for tp in list(self.reading):
            if tp not in actives:  # revoked while read: that read's image is not merged
                self.reading.pop(tp)
                self.newer.pop(tp, None)
        if fresh:
            await self._start_read(fresh)

    async def on_recovery_completed(self, active_tps: set[TP], standby_tps: set[TP]) -> None:
        while self.reads:
            # a failed read raises here; Faust would log and go on, so crash instead (module docstring)
            try:
                await asyncio.gather(*self.reads)
            except Exception as exc:
                log.error("reading changelog of table %s failed: %r", self.table_name, exc)
                await self.app.crash(exc)
                raise
        partitions = {tp.partition for tp in active_tps}
        gone = [k for k, p in self.partition_of.items() if p not in partitions]
        for key in gone:
            self.data.pop(key, None)
            self.partition_of.pop(key, None)

    # -- the read -----------------------------------------------------------------
    def _reader_config(self) -> dict[str, Any]:
        config = dict((self.options or {}).get(READER_OPTION) or {})
        if "bootstrap_servers" not in config:
            raise ValueError(f"table {self.table_name}: store option {READER_OPTION!r} needs bootstrap_servers")
        return config

    async def _start_read(self, fresh: set[TP]) -> None:
        """Drop the fresh partitions' keys, fetch their end offsets and read them in the background."""
        conf = self.app.conf
        if (self.key_serializer or conf.key_serializer, self.value_serializer or conf.value_serializer) != ("raw", "raw"):
            raise ValueError(f"table {self.table_name}: {SCHEME}:// stores raw bytes only (key and value serializer 'raw')")
        consumer = AIOKafkaConsumer(
            group_id=None, enable_auto_commit=False, auto_offset_reset="earliest",
            isolation_level="read_committed" if self.app.in_transaction else "read_uncommitted",
            fetch_max_bytes=64 * 1024 * 1024, max_partition_fetch_bytes=16 * 1024 * 1024,
            **self._reader_config(),
        )
        await consumer.start()
        try:
            tps = [TopicPartition(tp.topic, tp.partition) for tp in fresh]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            starts = await consumer.beginning_offsets(tps)
        except BaseException:
            await consumer.stop()
            raise
        token = object()
        drop = {tp.partition for tp in fresh}
        for key in [k for k, p in self.partition_of.items() if p in drop]:
            self.data.pop(key, None)
            self.partition_of.pop(key, None)
        for tp in fresh:
            end = ends[TopicPartition(tp.topic, tp.partition)]
            if end > starts[TopicPartition(tp.topic, tp.partition)]:
                self.reported[tp] = end - 1
            self.reading[tp] = token
            self.newer[tp] = {}
        task = asyncio.ensure_future(self._read(consumer, ends, token))
        self.reads.add(task)
        task.add_done_callback(self.reads.discard)

    async def _read(self, consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int], token: object) -> None:
        t0 = time.monotonic()
        try:
            images, total = await read_changelog(consumer, ends)
        finally:
            await consumer.stop()
        keys = 0
        for ktp, image in images.items():
            tp = TP(ktp.topic, ktp.partition)
            if self.reading.get(tp) is not token:
                continue  # revoked (or read again by a later rebalance) meanwhile
            merge(image, self.data, self.partition_of, tp.partition, self.newer.pop(tp, {}))
            del self.reading[tp]
            keys += len(image)
        metrics.CHANGELOG_READ.labels(table=self.table_name).inc(total)
        log.info("table %s: read %d changelog records (%d keys) of %d partitions in %.1f s",
                 self.table_name, total, keys, len(ends), time.monotonic() - t0)
