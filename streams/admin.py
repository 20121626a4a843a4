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


def _config(spec_name: str) -> dict[str, str]:
    for spec in SPECS:
        if spec.name == spec_name:
            cfg = {"cleanup.policy": "compact" if spec.compacted else "delete"}
            if spec.retention_ms is not None:
                cfg["retention.ms"] = str(spec.retention_ms)
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
            NewTopic(n, settings.partitions, settings.replication, topic_configs=_config(s.name))
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
