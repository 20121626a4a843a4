"""The table store's own logic (streams/store.py): what a read keeps, how it meets Faust's records.

The whole path (kill -9, restart, every resident's newest state) is in
tests/faults/test_restart_state.py; here the parts, and the read against the real broker.
"""

from __future__ import annotations

import asyncio
import inspect
from types import SimpleNamespace
from typing import Any

import faust
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faust.tables.manager import TableManager
from faust.tables.recovery import Recovery
from faust.types import TP

from streams import store
from streams.store import Image, Store, fold, merge, read_changelog
from tests.kafkaio import produce


def test_faust_calls_the_store_in_the_order_it_relies_on() -> None:
    """The store's contract with Faust 0.15.3 (pinned): re-check before moving the pin.

    ``persisted_offset`` is asked (in ``Recovery.on_rebalance``) after the tables' ``on_rebalance``
    started the reads, and ``on_recovery_completed`` is awaited before recovery is marked complete
    and the input partitions resume.
    """
    rebalance = inspect.getsource(TableManager.on_rebalance)
    assert rebalance.index("table.on_rebalance") < rebalance.index("self.recovery.on_rebalance")
    assert "add_active" in inspect.getsource(Recovery.on_rebalance)
    done = inspect.getsource(Recovery.on_recovery_completed)
    waited = done.index("asyncio.wait(")
    assert done.index("table.on_recovery_completed") < waited
    assert waited < done.index("consumer.resume_partitions(") < done.index("self.completed.set()")


def _rec(offset: int, key: bytes | None, value: bytes | None) -> Any:
    return SimpleNamespace(offset=offset, key=key, value=value)


def test_fold_keeps_the_newest_record_of_each_key_and_tombstones() -> None:
    image: Image = {}
    n = fold(image, [_rec(0, b"a", b"1"), _rec(1, b"b", b"1"), _rec(2, b"a", b"2"), _rec(3, b"b", None),
                     _rec(4, None, b"x")])
    assert n == 5
    assert image == {b"a": (2, b"2"), b"b": (3, None)}


def test_merge_lets_the_higher_offset_win_whichever_arrived_first() -> None:
    data: dict[Any, Any] = {b"c": b"faust-new", b"d": b"faust-new", b"gone": b"x"}
    partition_of = {b"c": 1, b"d": 1, b"gone": 1}
    image: Image = {b"a": (5, b"read"), b"c": (7, b"read-old"), b"d": (12, b"read-newer"), b"gone": (8, None)}
    # Faust applied c at 10 and d at 11 while the read ran (both beyond the reported end)
    merge(image, data, partition_of, 1, newer={b"c": 10, b"d": 11})
    assert data == {b"a": b"read", b"c": b"faust-new", b"d": b"read-newer"}
    assert partition_of == {b"a": 1, b"c": 1, b"d": 1}


def _event(topic: str, partition: int, offset: int, key: bytes, value: bytes | None) -> Any:
    message = SimpleNamespace(tp=TP(topic, partition), partition=partition, offset=offset, value=value)
    return SimpleNamespace(key=key, value=value, message=message)


def _table() -> Any:
    app = faust.App("store-unit", store=f"{store.SCHEME}://", key_serializer="raw", value_serializer="raw")
    return app.Table("t", default=None, partitions=2, key_type=bytes, value_type=bytes,
                     options={store.READER_OPTION: {"bootstrap_servers": "localhost:1"}})


def test_the_store_is_faust_s_choice_for_its_url_and_applies_faust_s_records() -> None:
    table = _table()
    s = table.data
    assert isinstance(s, Store)
    topic = table.changelog_topic.get_topic_name()
    s.newer[TP(topic, 1)] = {}  # partition 1 is being read
    s.apply_changelog_batch(
        [_event(topic, 0, 0, b"a", b"1"), _event(topic, 1, 4, b"b", b"1"), _event(topic, 0, 1, b"a", None),
         _event(topic, 1, 5, b"c", b"2")],
        to_key=lambda k: k, to_value=lambda v: v,
    )
    assert dict(s.data) == {b"b": b"1", b"c": b"2"}
    assert s.newer[TP(topic, 1)] == {b"b": 4, b"c": 5}  # remembered for the merge
    assert s.persisted_offset(TP(topic, 1)) is None  # nothing read: Faust decides, as with its memory store


def test_a_kept_partition_is_held_up_to_the_newest_record_written_or_applied() -> None:
    """Faust must not replay this worker's own writes into a partition it keeps through a rebalance."""
    table = _table()
    s = table.data
    topic = table.changelog_topic.get_topic_name()
    kept, read, standby = TP(topic, 0), TP(topic, 1), TP(topic, 2)
    s.actives = {kept}
    s.kept = {kept}
    s.reported = {read: 41}
    s.apply_changelog_batch([_event(topic, 0, 7, b"a", b"1"), _event(topic, 2, 9, b"z", b"1")],
                            to_key=lambda k: k, to_value=lambda v: v)
    assert s.persisted_offset(kept) == 7
    s.set_persisted_offset(kept, 120)  # the worker's own write, confirmed by the broker
    s.set_persisted_offset(kept, 118)  # an older confirmation arriving late changes nothing
    assert s.persisted_offset(kept) == 120
    assert s.persisted_offset(read) == 41  # read at this rebalance: where the read started
    assert s.persisted_offset(standby) is None  # a standby copy: Faust's own bookkeeping


def test_recovery_completed_drops_keys_of_partitions_no_longer_active() -> None:
    table = _table()
    s = table.data
    topic = table.changelog_topic.get_topic_name()
    s.apply_changelog_batch([_event(topic, 0, 0, b"a", b"1"), _event(topic, 1, 0, b"b", b"1")],
                            to_key=lambda k: k, to_value=lambda v: v)
    asyncio.run(s.on_recovery_completed({TP(topic, 1)}, {TP(topic, 0)}))
    assert dict(s.data) == {b"b": b"1"}


@pytest.mark.broker
def test_read_changelog_reads_every_partition_to_its_end_and_keeps_what_lies_beyond(broker, prefix) -> None:
    topic = f"{prefix}changelog"

    async def run() -> tuple[dict[TopicPartition, Image], int, dict[TopicPartition, int]]:
        admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
        finally:
            await admin.close()
        records: list[tuple[str, bytes | None, bytes | None]] = []
        for version in range(5):
            records += [(topic, f"r-{i}".encode(), f"v{version}".encode()) for i in range(40)]
        records += [(topic, b"r-0", None), (topic, b"r-1", None)]
        await produce(broker.bootstrap, records)
        consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            tps = [TopicPartition(topic, 0), TopicPartition(topic, 1)]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            ends = await consumer.end_offsets(tps)
            images, total = await read_changelog(consumer, ends)
        finally:
            await consumer.stop()
        return images, total, ends

    images, total, ends = asyncio.run(run())
    assert total == 202
    merged: dict[bytes, bytes | None] = {}
    for tp, image in images.items():
        assert max(o for o, _ in image.values()) >= ends[tp] - 1
        merged.update({k: v for k, (_, v) in image.items()})
    assert merged == {**{f"r-{i}".encode(): b"v4" for i in range(2, 40)}, b"r-0": None, b"r-1": None}
