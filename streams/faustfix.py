"""The two corrections tilsyn makes to Faust's internals (faust-streaming 0.15.3, pinned).

1. **Duplicate acknowledged offsets** (``Consumer._new_offset``, below).
2. **The fetch wait** (``ConsumerThread``, below): Faust builds its aiokafka consumer with
   ``fetch_max_wait_ms=1500`` written into the call, with no setting to change it. Kafka answers
   a fetch as soon as one record arrives, so there the wait only matters on an idle partition;
   the embedded broker (Tansu) holds every fetch that finds nothing new for the whole wait, so an
   alarm arriving on a caught-up worker waited up to 1.5 s before Faust even saw it (measured:
   alarm → alert p50 329 ms, p99 1,440 ms at half load; with 50 ms, p50 124 ms, p99 481 ms).

Correction 1 in detail: Faust decides what offset to commit from the list of acknowledged offsets per partition
(``Consumer._acked``), taking the first run of consecutive numbers. Two things in Faust put
the same offset into that list twice:

- after a partition is assigned, Faust resumes fetching before it seeks the partition to its
  committed offset (``Recovery.on_recovery_completed``), so records fetched before the seek
  can arrive after it, ahead of the re-read; its fetch loop then registers the offsets in
  between as a gap (meant for compacted topics) and later counts the gap as acknowledged;
- those same offsets are read again from the committed offset and acknowledged when processed.

A duplicated offset ends a "run", so the commit advanced by one offset per commit interval:
after a kill -9 the partitions stayed committed near their pre-crash offsets for minutes, the
stall watchdog restarted the worker, and it started over (issue: commits stop advancing after
kill -9). The correction removes duplicates before Faust computes the run.

Both are subclasses reached through Faust's public transport registry (the ``faust.transports``
entry point), not patches; ``tests/streams/test_faustfix.py`` checks each assumption against the
installed versions, and ``tests/integration/test_alarm_fetch_wait.py`` the fetch wait's effect.
"""

from __future__ import annotations

from typing import Any

import faust
from faust.transport.drivers import aiokafka as _aiokafka

from streams.settings import FETCH_MAX_WAIT_MS

FAUST_VERSION = "0.15.3"
"""The faust-streaming version whose ``Consumer._new_offset`` this corrects (pinned in pyproject.toml)."""

AIOKAFKA_VERSION = "0.14.0"
"""The aiokafka version whose consumer reads ``_fetch_max_wait_ms`` when it starts (pinned in pyproject.toml)."""


SCHEME = "tilsyn-kafka"
"""URL scheme of the corrected transport (``kafka://host:port`` is rewritten to it)."""


class Consumer(_aiokafka.Consumer):
    """Faust's aiokafka consumer, with duplicate acknowledged offsets removed before each commit."""

    def _new_offset(self, tp: Any) -> int | None:
        acked = self._acked[tp]
        if len(acked) > 1:
            unique = set(acked)
            if len(unique) != len(acked):
                acked[:] = sorted(unique)  # in place: Faust keeps the list object
        result: int | None = super()._new_offset(tp)
        return result


    def commit_view(self, tp: Any) -> dict[str, Any]:
        """Faust's commit bookkeeping of one partition, for a log line when its commit stands still."""
        acked = self._acked.get(tp) or []
        return {
            "committed": self._committed_offset.get(tp), "read": self._read_offset.get(tp),
            "acked": len(acked), "acked_min": min(acked) if acked else None,
            "gaps": len(self._gap.get(tp) or ()), "paused": tp in self._paused_partitions,
            "active": tp in (self._active_partitions or ()),
        }


    def _new_consumer_thread(self) -> _aiokafka.AIOKafkaConsumerThread:
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class ConsumerThread(_aiokafka.AIOKafkaConsumerThread):
    """Faust's consumer thread, building its aiokafka consumer with the app's fetch wait."""

    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka copies this into its Fetcher in AIOKafkaConsumer.start(), which Faust calls
        # right after this method returns (AIOKafkaConsumerThread.on_start)
        consumer._fetch_max_wait_ms = fetch_wait_ms(self.app)
        return consumer


class App(faust.App):
    """A Faust app that carries the fetch wait its corrected consumer uses."""

    def __init__(self, *args: Any, fetch_max_wait_ms: int = FETCH_MAX_WAIT_MS, **kwargs: Any) -> None:
        self.fetch_max_wait_ms = fetch_max_wait_ms
        super().__init__(*args, **kwargs)


def fetch_wait_ms(app: Any) -> int:
    """The fetch wait of ``app`` (an :class:`App`), else the default."""
    return int(getattr(app, "fetch_max_wait_ms", FETCH_MAX_WAIT_MS))


class Transport(_aiokafka.Transport):
    """Faust's aiokafka transport with the corrected consumer."""

    Consumer = Consumer


def broker_url(url: str) -> str:
    """Faust broker URL(s) using the corrected transport (``kafka://a;kafka://b`` likewise)."""
    return ";".join(
        SCHEME + part[len("kafka"):] if part.startswith("kafka://") else part for part in url.split(";")
    )
