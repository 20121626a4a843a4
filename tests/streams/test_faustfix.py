"""The assumption behind streams/faustfix.py, checked against the installed Faust.

Faust's ``Consumer._new_offset`` commits the first run of consecutive acknowledged offsets. With an
offset in its list twice (a false gap filled in, then the record acknowledged when processed), the
run ends at the duplicate: the commit creeps forward one offset at a time. The subclass removes
duplicates first. If Faust changes this method, these tests say so before the pin is moved.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from faust.transport.drivers import aiokafka as stock
from faust.types import TP
from intervaltree import IntervalTree

from streams.faustfix import Consumer, broker_url

TPX = TP("sensor-events", 0)


def _consumer(cls: type, acked: list[int], committed: int) -> Any:
    c = object.__new__(cls)  # the bookkeeping only: no app, no network
    c._acked = defaultdict(list, {TPX: list(acked)})
    c._acked_index = defaultdict(set, {TPX: set(acked)})
    c._gap = defaultdict(IntervalTree)
    c._committed_offset = defaultdict(lambda: None, {TPX: committed})
    return c


DUPLICATED = [100, 101, 101, 102, 102, 103, 104, 105]


def test_stock_faust_stops_the_run_at_a_duplicate() -> None:
    assert stock.Consumer._new_offset(_consumer(stock.Consumer, DUPLICATED, 100), TPX) == 102


def test_the_correction_commits_the_whole_run() -> None:
    c = _consumer(Consumer, DUPLICATED, 100)
    assert c._new_offset(TPX) == 106
    assert c._acked[TPX] == []


def test_without_duplicates_the_correction_changes_nothing() -> None:
    for acked, committed in (([100, 101, 102, 110, 111], 100), ([105, 106], 100), ([], 5)):
        assert Consumer._new_offset(_consumer(Consumer, acked, committed), TPX) == stock.Consumer._new_offset(
            _consumer(stock.Consumer, acked, committed), TPX
        )


def test_broker_urls_use_the_corrected_transport() -> None:
    assert broker_url("kafka://a:9092;kafka://b:9092") == "tilsyn-kafka://a:9092;tilsyn-kafka://b:9092"
    from faust.transport.drivers import by_url

    from streams import faustfix

    assert by_url(broker_url("kafka://a:9092")) is faustfix.Transport


# -- the fetch wait ------------------------------------------------------------------------------


def test_faust_still_writes_its_fetch_wait_into_the_call_and_aiokafka_reads_ours_at_start() -> None:
    """If Faust grows a setting for it, or aiokafka stops reading the attribute at start, say so."""
    import inspect

    import aiokafka

    from streams.faustfix import AIOKAFKA_VERSION

    assert aiokafka.__version__ == AIOKAFKA_VERSION
    assert "fetch_max_wait_ms=1500" in inspect.getsource(stock.AIOKafkaConsumerThread._create_worker_consumer)
    assert "fetch_max_wait_ms=self._fetch_max_wait_ms" in inspect.getsource(aiokafka.AIOKafkaConsumer.start)


def test_the_corrected_consumer_is_built_with_the_apps_fetch_wait() -> None:
    import asyncio

    from streams import faustfix

    async def build(**kw: int) -> int:
        app = faustfix.App("faustfix-test", broker=broker_url("kafka://127.0.0.1:1"), **kw)
        thread = app.consumer._thread
        assert isinstance(thread, faustfix.ConsumerThread)
        consumer = thread._create_worker_consumer(app.transport)
        return int(consumer._fetch_max_wait_ms)

    assert asyncio.run(build()) == faustfix.FETCH_MAX_WAIT_MS == 50
    assert asyncio.run(build(fetch_max_wait_ms=7)) == 7
