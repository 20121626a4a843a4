"""Watch the broker for what a worker cannot see from inside: topics gone, changed or truncated.

A broker that restarts without its data (the embedded broker keeps topics in memory; a
misconfigured Kafka can lose them too) used to leave the worker healthy while its alerts
went to auto-created topics nobody reads. Every ``TILSYN_TOPIC_CHECK_S`` the watch asks the
broker, through the public aiokafka admin and consumer APIs:

- does every topic the worker reads and writes exist, with ``TILSYN_PARTITIONS`` partitions?
- has any partition's end offset gone backwards (a topic deleted and re-created, or a broker
  that lost its log)? The state changelog is checked the same way;
- what has the consumer group committed? (the stall check and the lag gauge use it)

A fault is latched: the worker reports it on ``/healthz`` (503), logs it once at ERROR, stops
publishing, and stays unhealthy until it is restarted, because the state it holds no longer
matches the broker's. ``tilsyn_topic_fault`` is 1 and the rule TilsynTopicFault fires.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from streams import metrics
from streams.settings import Settings

log = logging.getLogger(__name__)


class TopicWatch:
    """Periodic broker-side check of the topics one worker depends on.

    Parameters:
        settings: connection and the expected partition count.
        expected: every topic the worker reads or writes (prefixed names).
        changelogs: the changelog topics of the worker's tables.
        group: the consumer group whose committed offsets are read.
        inputs: the topics whose committed offsets are read.
    """

    def __init__(
        self, settings: Settings, expected: Sequence[str], changelogs: Sequence[str], group: str,
        inputs: Sequence[str] = (),
    ) -> None:
        self.settings = settings
        self.topics = [*expected, *changelogs]
        self.inputs = list(inputs)
        self.group = group
        self.fault: str | None = None
        """Why the worker must not go on (latched), or None."""
        self.committed: dict[tuple[str, int], int] = {}
        """(topic, partition) → offset the group committed, as the broker says."""
        self.ends: dict[tuple[str, int], int] = {}
        """End offset of every partition of the watched topics at the last check."""
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def check(self) -> None:
        """One round against the broker; connection errors are not faults (the broker may be restarting)."""
        try:
            problem = await self._check()
        except Exception as exc:  # unreachable broker: Faust's own health reporting covers that
            log.debug("topic check could not reach the broker: %s", type(exc).__name__)
            await self._reset()
            return
        if problem is not None and self.fault is None:
            self.fault = problem
            metrics.TOPIC_FAULT.set(1)
            log.error("topic fault: %s; this worker stops publishing and reports unhealthy until restarted", problem)

    async def _check(self) -> str | None:
        admin, consumer = await self._clients()
        described = await admin.describe_topics(self.topics)
        found = {d["topic"]: d for d in described if not d.get("error_code") and d.get("partitions")}
        missing = [t for t in self.topics if t not in found]
        if missing:
            return f"topic(s) missing on the broker: {', '.join(missing)}"
        wrong = {t: len(d["partitions"]) for t, d in found.items() if len(d["partitions"]) != self.settings.partitions}
        if wrong:
            listing = ", ".join(f"{t} has {n}" for t, n in sorted(wrong.items()))
            return f"{listing} partitions, expected {self.settings.partitions}"
        tps = [TopicPartition(t, p) for t in self.topics for p in range(self.settings.partitions)]
        ends = await consumer.end_offsets(tps)
        for tp, end in ends.items():
            key = (tp.topic, tp.partition)
            before = self.ends.get(key, 0)
            if end < before:
                return (
                    f"{tp.topic}[{tp.partition}] end offset went back from {before} to {end}: the broker lost "
                    "records (topic re-created or log lost)"
                )
            self.ends[key] = end
        # partitions named: the embedded broker answers the "all partitions" form of OffsetFetch wrongly
        offsets = await admin.list_consumer_group_offsets(
            self.group, partitions=[TopicPartition(t, p) for t in self.inputs for p in range(self.settings.partitions)]
        )
        self.committed = {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
        return None

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        kwargs: dict[str, Any] = {"bootstrap_servers": self.settings.bootstrap,
                                  **self.settings.security.aiokafka_kwargs()}
        if self._admin is None:
            admin = AIOKafkaAdminClient(request_timeout_ms=10_000, **kwargs)
            await admin.start()
            self._admin = admin
        if self._consumer is None:
            # no group: it only asks for end offsets
            consumer = AIOKafkaConsumer(enable_auto_commit=False, request_timeout_ms=10_000, **kwargs)
            await consumer.start()
            self._consumer = consumer
        return self._admin, self._consumer

    async def _reset(self) -> None:
        admin, consumer = self._admin, self._consumer
        self._admin = self._consumer = None
        for client in (admin, consumer):
            if client is None:
                continue
            try:
                await client.close() if isinstance(client, AIOKafkaAdminClient) else await client.stop()
            except Exception:  # already broken
                log.debug("closing a broken client failed")

    async def stop(self) -> None:
        await self._reset()
