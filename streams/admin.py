"""Create tilsyn's topics with the right partition count and check existing ones.

Every resident-keyed topic and the state table's changelog must have the same
partition count, or one resident's events and state would meet on different
workers. The worker refuses to start when an input topic disagrees.
"""

from __future__ import annotations

import contextlib

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from streams.settings import Settings
from streams.topics import SPECS


class TopicLayoutError(RuntimeError):
    """An existing topic has a partition count tilsyn cannot work with."""


def _config(spec_name: str, min_insync_replicas: int | None = None) -> dict[str, str]:
    for spec in SPECS:
        if spec.name == spec_name:
            cfg = {"cleanup.policy": "compact" if spec.compacted else "delete"}
            if spec.retention_ms is not None:
                cfg["retention.ms"] = str(spec.retention_ms)
            if min_insync_replicas is not None:
                cfg["min.insync.replicas"] = str(min_insync_replicas)
            return cfg
    return {}


async def ensure_topics(settings: Settings) -> dict[str, int]:
    """Create missing topics; return the partition count of every tilsyn topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap, **settings.security.aiokafka_kwargs())
    await admin.start()
    try:
        names = [settings.topic_prefix + s.name for s in SPECS]
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(n, settings.partitions, settings.replication,
                     topic_configs=_config(s.name, settings.min_insync_replicas))
            for n, s in zip(names, SPECS, strict=True)
            if n not in existing
        ]
        for topic in missing:
            # one at a time: another worker may create some of them concurrently
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([topic])
        described = await admin.describe_topics(names)
        return {d["topic"]: len(d["partitions"]) for d in described if d.get("partitions")}
    finally:
        await admin.close()


def check_layout(counts: dict[str, int], settings: Settings, names: list[str]) -> None:
    """Raise when a resident-keyed topic's partition count differs from the configured one."""
    wrong = {n: counts[n] for n in names if n in counts and counts[n] != settings.partitions}
    if wrong:
        listing = ", ".join(f"{n} has {c}" for n, c in sorted(wrong.items()))
        raise TopicLayoutError(
            f"{listing} partitions but TILSYN_PARTITIONS={settings.partitions}: every resident-keyed "
            "topic needs the same partition count (recreate the topics or set TILSYN_PARTITIONS)"
        )


async def replication_factors(settings: Settings, names: list[str]) -> dict[str, int]:
    """The smallest replica count over the partitions of each topic that exists."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap, **settings.security.aiokafka_kwargs())
    await admin.start()
    try:
        described = await admin.describe_topics(names)
        return {d["topic"]: min(len(p["replicas"]) for p in d["partitions"]) for d in described if d.get("partitions")}
    finally:
        await admin.close()


def check_replication(factors: dict[str, int], settings: Settings) -> None:
    """Raise when a topic has fewer replicas than TILSYN_REPLICATION (created earlier, by hand or elsewhere)."""
    low = {n: r for n, r in factors.items() if r < settings.replication}
    if low:
        listing = ", ".join(f"{n} has {r}" for n, r in sorted(low.items()))
        raise TopicLayoutError(
            f"{listing} replica(s) but TILSYN_REPLICATION={settings.replication}: raise the replication of "
            "these topics (kafka-reassign-partitions.sh) or lower TILSYN_REPLICATION"
        )
